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
export function bestTimes(
	grid: Grid,
	availability: ReadonlyMap<string, MemberMarks>,
	options: BestTimeOptions = {}
): BestTime[] {
	const minSlots = Math.max(1, Math.floor(options.minSlots ?? 1));
	const limit = Math.floor(options.limit ?? 10);
	if (!(limit > 0)) return [];
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

	// Only the best `limit` candidates are kept (a small sorted list), so the many maximal ranges of a
	// large group cost a comparison each, not an allocation and a place in a big sort.
	type Candidate = {
		column: number;
		startRow: number;
		endRow: number;
		available: Bits;
		attend: Bits;
		availableCount: number;
		ifNeededCount: number;
		length: number;
	};
	const top: Candidate[] = [];
	const better = (a: Omit<Candidate, 'available' | 'attend'>, b: Omit<Candidate, 'available' | 'attend'>) =>
		b.availableCount - a.availableCount ||
		b.ifNeededCount - a.ifNeededCount ||
		b.length - a.length ||
		a.column - b.column ||
		a.startRow - b.startRow;
	const avail = new Uint32Array(words);
	const attend = new Uint32Array(words);
	grid.cells.forEach((column, c) => {
		// Per row of this day: who is available, who can come at all (null where the time does not exist).
		const rowAvail = column.map((slot) => (slot === null ? null : (availableAt.get(slot) ?? none)));
		const rowAttend = column.map((slot) => (slot === null ? null : (attendAt.get(slot) ?? none)));
		for (let start = 0; start < column.length; start++) {
			if (rowAttend[start] === null) continue;
			avail.fill(0xffffffff);
			attend.fill(0xffffffff);
			for (let end = start; end < column.length && rowAttend[end] !== null; end++) {
				and(avail, rowAvail[end]!);
				and(attend, rowAttend[end]!);
				if (isZero(attend)) break;
				if (end - start + 1 < minSlots) continue;
				// Maximal: one more block on either side would change who can come.
				if (sameWith(avail, attend, rowAvail[end + 1] ?? null, rowAttend[end + 1] ?? null)) continue;
				if (sameWith(avail, attend, rowAvail[start - 1] ?? null, rowAttend[start - 1] ?? null)) continue;
				if (!covers(attend, required)) continue;
				const availableCount = popcount(avail);
				const candidate = {
					column: c,
					startRow: start,
					endRow: end,
					availableCount,
					ifNeededCount: popcount(attend) - availableCount,
					length: end - start + 1
				};
				if (top.length === limit && better(candidate, top[top.length - 1]) >= 0) continue;
				let at = top.length;
				while (at > 0 && better(candidate, top[at - 1]) < 0) at--;
				top.splice(at, 0, { ...candidate, available: avail.slice(), attend: attend.slice() });
				if (top.length > limit) top.pop();
			}
		}
	});

	const ranked = top;
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

/** Whether adding a block (its available and can-come bits; null where it does not exist) leaves who can come unchanged. */
function sameWith(avail: Bits, attend: Bits, a: Bits | null, m: Bits | null): boolean {
	if (a === null || m === null) return false;
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
