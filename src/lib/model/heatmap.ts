/**
 * Group heatmap: for each slot, who is available. Works on plain sets so it
 * is cheap to test and to recompute after every remote stroke.
 */

/** Availability aggregated over a set of members. */
export interface Heatmap {
	/** Members counted, in the order given. */
	members: string[];
	/** Slot key → ids of counted members available then. Slots nobody marked are absent. */
	available: Map<string, string[]>;
	/** The highest count of any slot (0 when nobody marked anything). */
	max: number;
}

/**
 * Aggregates availability. `only`, when given, restricts the count to those
 * members (the "filter by people" view); `slots`, when given, ignores marks
 * outside it (marks hidden by the current window stay stored but don't count).
 */
export function computeHeatmap(
	availability: Map<string, Set<string>>,
	options: { only?: ReadonlySet<string>; slots?: ReadonlySet<string> } = {}
): Heatmap {
	const members: string[] = [];
	const available = new Map<string, string[]>();
	let max = 0;
	for (const [id, marked] of availability) {
		if (options.only && !options.only.has(id)) continue;
		members.push(id);
		for (const slot of marked) {
			if (options.slots && !options.slots.has(slot)) continue;
			let list = available.get(slot);
			if (!list) available.set(slot, (list = []));
			list.push(id);
			if (list.length > max) max = list.length;
		}
	}
	return { members, available, max };
}

/** Number of counted members available in `slot`. */
export function countAt(heatmap: Heatmap, slot: string): number {
	return heatmap.available.get(slot)?.length ?? 0;
}
