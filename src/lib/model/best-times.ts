/**
 * Best times: candidate ranges of adjacent blocks on one day, ranked by who
 * can come. A candidate is a range at least `minSlots` long that cannot be
 * extended either way without changing who can come; so "everyone, 1 hour"
 * and "four of five, 3 hours" both appear, each once.
 *
 * For a range, a member is
 * - *available* if they marked every block of it available,
 * - *if needed* if every block is available or if-needed (and some only if needed),
 * - *unavailable* otherwise.
 * Ranking: more available, then more if-needed, then longer, then earlier.
 * `required` members must be available or if-needed for a range to count.
 *
 * Members are bits in small word arrays, so the whole search is a few
 * hundred thousand word operations for 100 members × 14 days × 48 blocks.
 */
import type { MemberMarks } from './event-doc.js';
import type { Grid } from './slots.js';

/** One candidate time. */
export interface BestTime {
	/** Column of the grid (the day). */
	column: number;
	/** First and last row of the range (inclusive). */
	startRow: number;
	endRow: number;
	/** The range's slot keys, in order. */
	slots: string[];
	available: string[];
	ifNeeded: string[];
	unavailable: string[];
}

/** Options of {@link bestTimes}. */
export interface BestTimeOptions {
	/** Shortest range worth listing, in blocks (at least 1). */
	minSlots?: number;
	/** Members who must be able to come (available or if needed). */
	required?: ReadonlySet<string>;
	/** Count only these members (as the heatmap's people filter). */
	only?: ReadonlySet<string>;
	/** Longest list returned. */
	limit?: number;
}

type Bits = Uint32Array;

/** Ranked candidate times for a grid and everyone's marks. */
export function bestTimes(grid: Grid, availability: ReadonlyMap<string, MemberMarks>, options: BestTimeOptions = {}): BestTime[] {
	const minSlots = Math.max(1, Math.floor(options.minSlots ?? 1));
	const limit = options.limit ?? 10;
	const members = [...availability.keys()].filter((id) => !options.only || options.only.has(id));
	if (members.length === 0) return [];
	const words = Math.ceil(members.length / 32);
	const index = new Map(members.map((id, i) => [id, i]));

	// Per slot: who is available, who can come at all (available or if needed).
	const availableAt = new Map<string, Bits>();
	const attendAt = new Map<string, Bits>();
	const bitsFor = (map: Map<string, Bits>, slot: string) => {
		let bits = map.get(slot);
		if (!bits) map.set(slot, (bits = new Uint32Array(words)));
		return bits;
	};
	for (const [id, marks] of availability) {
		const i = index.get(id);
		if (i === undefined) continue;
		const word = i >>> 5;
		const bit = 1 << (i & 31);
		for (const [slot, level] of marks) {
			if (!grid.slots.has(slot)) continue;
			bitsFor(attendAt, slot)[word] |= bit;
			if (level === 1) bitsFor(availableAt, slot)[word] |= bit;
		}
	}
	const none = new Uint32Array(words);
	const required = new Uint32Array(words);
	for (const id of options.required ?? []) {
		const i = index.get(id);
		if (i !== undefined) required[i >>> 5] |= 1 << (i & 31);
	}

	const found: { column: number; startRow: number; endRow: number; available: Bits; attend: Bits }[] = [];
	const avail = new Uint32Array(words);
	const attend = new Uint32Array(words);
	grid.cells.forEach((column, c) => {
		const at = (r: number) => (r >= 0 && r < column.length ? column[r] : null);
		for (let start = 0; start < column.length; start++) {
			if (at(start) === null) continue;
			avail.fill(0xffffffff);
			attend.fill(0xffffffff);
			for (let end = start; at(end) !== null; end++) {
				const slot = at(end)!;
				and(avail, availableAt.get(slot) ?? none);
				and(attend, attendAt.get(slot) ?? none);
				if (isZero(attend)) break;
				if (end - start + 1 < minSlots) continue;
				// Maximal: one more block on either side would change who can come.
				if (sameWith(avail, attend, at(end + 1), availableAt, attendAt, none)) continue;
				if (sameWith(avail, attend, at(start - 1), availableAt, attendAt, none)) continue;
				if (!covers(attend, required)) continue;
				found.push({ column: c, startRow: start, endRow: end, available: avail.slice(), attend: attend.slice() });
			}
		}
	});

	const ranked = found.map((f) => {
		const availableCount = popcount(f.available);
		return { ...f, availableCount, ifNeededCount: popcount(f.attend) - availableCount, length: f.endRow - f.startRow + 1 };
	});
	ranked.sort(
		(a, b) =>
			b.availableCount - a.availableCount ||
			b.ifNeededCount - a.ifNeededCount ||
			b.length - a.length ||
			a.column - b.column ||
			a.startRow - b.startRow
	);
	return ranked.slice(0, limit).map((f) => {
		const split: BestTime = {
			column: f.column,
			startRow: f.startRow,
			endRow: f.endRow,
			slots: grid.cells[f.column].slice(f.startRow, f.endRow + 1) as string[],
			available: [],
			ifNeeded: [],
			unavailable: []
		};
		members.forEach((id, i) => {
			const bit = 1 << (i & 31);
			const word = i >>> 5;
			if (f.available[word] & bit) split.available.push(id);
			else if (f.attend[word] & bit) split.ifNeeded.push(id);
			else split.unavailable.push(id);
		});
		return split;
	});
}

function and(target: Bits, other: Bits) {
	for (let i = 0; i < target.length; i++) target[i] &= other[i];
}

function isZero(bits: Bits): boolean {
	for (let i = 0; i < bits.length; i++) if (bits[i]) return false;
	return true;
}

/** Whether every bit of `needed` is set in `bits`. */
function covers(bits: Bits, needed: Bits): boolean {
	for (let i = 0; i < bits.length; i++) if ((bits[i] & needed[i]) !== needed[i]) return false;
	return true;
}

/** Whether adding `slot` to a range leaves who can come (both levels) unchanged. */
function sameWith(avail: Bits, attend: Bits, slot: string | null, availableAt: Map<string, Bits>, attendAt: Map<string, Bits>, none: Bits): boolean {
	if (slot === null) return false;
	const a = availableAt.get(slot) ?? none;
	const m = attendAt.get(slot) ?? none;
	for (let i = 0; i < avail.length; i++) {
		if ((avail[i] & a[i]) !== avail[i] || (attend[i] & m[i]) !== attend[i]) return false;
	}
	return true;
}

function popcount(bits: Bits): number {
	let n = 0;
	for (let i = 0; i < bits.length; i++) {
		let v = bits[i];
		v = v - ((v >>> 1) & 0x55555555);
		v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
		n += (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
	}
	return n;
}
