/**
 * Group heatmap: for each slot, who is available and who only if needed.
 * Works on plain maps so it is cheap to test and to recompute after every
 * remote stroke.
 */
import type { MemberMarks } from './event-doc.js';

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
