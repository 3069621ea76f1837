/**
 * Group heatmap: for each slot, who is available and who only if needed.
 * Works on plain maps so it is cheap to test and to recompute after every
 * remote stroke.
 */
import type { Level, MemberMarks } from './event-doc.js';

/** Availability aggregated over a set of members. */
export interface Heatmap {
	/** Members counted (those who have answered), in the order given. */
	members: string[];
	/**
	 * Members who have not marked anything yet (within `slots` when given):
	 * they have not answered, which is not the same as being busy, so they
	 * count neither for nor against any time.
	 */
	pending: string[];
	/** Slot key → ids of counted members available then. Slots nobody marked are absent. */
	available: Map<string, string[]>;
	/** Slot key → ids of counted members available then only if needed. */
	ifNeeded: Map<string, string[]>;
	/** The highest number of members available (not counting "if needed") in any slot. */
	max: number;
}

/**
 * Aggregates availability. `only`, when given, restricts the count to those
 * members (the "filter by people" view); `slots`, when given, ignores marks
 * outside it (marks hidden by the current window stay stored but don't count).
 */
export function computeHeatmap(
	availability: ReadonlyMap<string, MemberMarks>,
	options: { only?: ReadonlySet<string>; slots?: ReadonlySet<string> } = {}
): Heatmap {
	const members: string[] = [];
	const pending: string[] = [];
	const available = new Map<string, string[]>();
	const ifNeeded = new Map<string, string[]>();
	let max = 0;
	for (const [id, marks] of availability) {
		if (options.only && !options.only.has(id)) continue;
		if (!hasAnswered(marks, options.slots)) {
			pending.push(id);
			continue;
		}
		members.push(id);
		for (const [slot, level] of marks) {
			if (options.slots && !options.slots.has(slot)) continue;
			const target = level === 1 ? available : ifNeeded;
			let list = target.get(slot);
			if (!list) target.set(slot, (list = []));
			list.push(id);
			if (level === 1 && list.length > max) max = list.length;
		}
	}
	return { members, pending, available, ifNeeded, max };
}

/** Whether a member has marked any block (within `slots` when given), i.e. has answered. */
export function hasAnswered(marks: MemberMarks, slots?: ReadonlySet<string>): boolean {
	if (!slots) return marks.size > 0;
	for (const slot of marks.keys()) if (slots.has(slot)) return true;
	return false;
}

/** Number of counted members available in `slot` (not counting "if needed"). */
export function countAt(heatmap: Heatmap, slot: string): number {
	return heatmap.available.get(slot)?.length ?? 0;
}

/** Number of counted members available in `slot` only if needed. */
export function ifNeededAt(heatmap: Heatmap, slot: string): number {
	return heatmap.ifNeeded.get(slot)?.length ?? 0;
}

/**
 * The same counts as {@link computeHeatmap}, kept up to date member by member:
 * a member whose marks object is the one counted last time costs nothing, so
 * a stroke by one of 100 people costs that person's marks, not everyone's
 * (recounting everyone took milliseconds per remote stroke; docs/BENCHMARKS.md).
 * Relies on a member's marks being a new object whenever they change, as
 * `EventState` keeps them.
 */
export class HeatmapTally {
	/** The blocks counted (marks outside them are ignored); `undefined` counts every mark. */
	readonly slots: ReadonlySet<string> | undefined;
	/** Each member seen in the last update: the marks counted for them, and whether they count. */
	#seen = new Map<string, { marks: MemberMarks; answered: boolean; counted: boolean }>();
	#available = new Map<string, Set<string>>();
	#ifNeeded = new Map<string, Set<string>>();
	/** Position of each member in the last availability given: lists come out in that order. */
	#order = new Map<string, number>();
	#members: string[] = [];
	#pending: string[] = [];
	/** Blocks whose counts changed since {@link takeChanged} was last called (all at first). */
	#changed: Set<string> | 'all' = 'all';

	constructor(slots?: ReadonlySet<string>) {
		this.slots = slots;
	}

	/**
	 * Brings the counts to `availability`, narrowed to `only` when given (as
	 * {@link computeHeatmap}'s options). Returns whether anything counted changed.
	 */
	update(availability: ReadonlyMap<string, MemberMarks>, only?: ReadonlySet<string>): boolean {
		let changed = false;
		const members: string[] = [];
		const pending: string[] = [];
		this.#order.clear();
		for (const [id, marks] of availability) {
			this.#order.set(id, this.#order.size);
			const wanted = !only || only.has(id);
			let seen = this.#seen.get(id);
			if (seen?.marks !== marks) {
				const answered = hasAnswered(marks, this.slots);
				const counts = answered && wanted;
				// Counted before and after: only the blocks whose mark differs change.
				if (seen?.counted && counts) this.#recount(id, seen.marks, marks);
				else {
					if (seen?.counted) this.#count(id, seen.marks, -1);
					if (counts) this.#count(id, marks, 1);
				}
				seen = { marks, answered, counted: counts };
				this.#seen.set(id, seen);
				changed = true;
			} else if (seen.counted !== (seen.answered && wanted)) {
				seen.counted = !seen.counted;
				this.#count(id, marks, seen.counted ? 1 : -1);
				changed = true;
			}
			if (wanted) (seen.answered ? members : pending).push(id);
		}
		for (const [id, seen] of this.#seen) {
			if (this.#order.has(id)) continue;
			if (seen.counted) this.#count(id, seen.marks, -1);
			this.#seen.delete(id);
			changed = true;
		}
		// Who is counted or pending can change order without any count changing.
		if (changed || !sameList(members, this.#members) || !sameList(pending, this.#pending)) {
			this.#members = members;
			this.#pending = pending;
			changed = true;
		}
		return changed;
	}

	#count(id: string, marks: MemberMarks, by: 1 | -1): void {
		for (const [slot, level] of marks) this.#mark(id, slot, level, by);
	}

	#recount(id: string, before: MemberMarks, after: MemberMarks): void {
		for (const [slot, level] of before) if (after.get(slot) !== level) this.#mark(id, slot, level, -1);
		for (const [slot, level] of after) if (before.get(slot) !== level) this.#mark(id, slot, level, 1);
	}

	#mark(id: string, slot: string, level: Level, by: 1 | -1): void {
		if (this.slots && !this.slots.has(slot)) return;
		const target = level === 1 ? this.#available : this.#ifNeeded;
		let ids = target.get(slot);
		if (!ids) target.set(slot, (ids = new Set()));
		if (by === 1) ids.add(id);
		else ids.delete(id);
		if (this.#changed !== 'all') this.#changed.add(slot);
	}

	/** Members counted (those who have answered), in the order of the availability given. */
	get members(): readonly string[] {
		return this.#members;
	}

	/** Members who have not marked anything yet (within the blocks counted). */
	get pending(): readonly string[] {
		return this.#pending;
	}

	/** Number of counted members available in `slot`. */
	countAt(slot: string): number {
		return this.#available.get(slot)?.size ?? 0;
	}

	/** Number of counted members available in `slot` only if needed. */
	ifNeededAt(slot: string): number {
		return this.#ifNeeded.get(slot)?.size ?? 0;
	}

	/** Counted members available in `slot`, in the order of the availability given. */
	availableAt(slot: string): string[] {
		return this.#ordered(this.#available.get(slot));
	}

	/** Counted members available in `slot` only if needed, in the order of the availability given. */
	ifNeededIn(slot: string): string[] {
		return this.#ordered(this.#ifNeeded.get(slot));
	}

	#ordered(ids: Set<string> | undefined): string[] {
		return ids ? [...ids].sort((a, b) => this.#order.get(a)! - this.#order.get(b)!) : [];
	}

	/** The blocks whose counts may have changed since the last call (`'all'` the first time), and forgets them. */
	takeChanged(): Iterable<string> | 'all' {
		const changed = this.#changed;
		this.#changed = new Set();
		return changed;
	}
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
	return a.length === b.length && a.every((x, i) => x === b[i]);
}
