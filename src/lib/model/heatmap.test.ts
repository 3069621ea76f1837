import { describe, expect, it } from 'vitest';
import type { Level } from './event-doc.js';
import { computeHeatmap, HeatmapTally, type Heatmap } from './heatmap.js';

/** What a tally shows, in computeHeatmap's shape (without `max`, which views do not read). */
function shown(tally: HeatmapTally, slots: Iterable<string>) {
	const available = new Map<string, string[]>();
	const ifNeeded = new Map<string, string[]>();
	for (const slot of slots) {
		if (tally.countAt(slot)) available.set(slot, tally.availableAt(slot));
		if (tally.ifNeededAt(slot)) ifNeeded.set(slot, tally.ifNeededIn(slot));
		expect(tally.countAt(slot)).toBe(available.get(slot)?.length ?? 0);
		expect(tally.ifNeededAt(slot)).toBe(ifNeeded.get(slot)?.length ?? 0);
	}
	return { members: [...tally.members], pending: [...tally.pending], available, ifNeeded };
}

const expected = ({ members, pending, available, ifNeeded }: Heatmap) => ({ members, pending, available, ifNeeded });

describe('HeatmapTally', () => {
	it('counts what computeHeatmap counts through joins, strokes, leaves, filters and marks outside the blocks', () => {
		let seed = 7;
		const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
		const all = Array.from({ length: 12 }, (_, i) => `s${i}`);
		const slots = new Set(all.slice(0, 10)); // s10 and s11: marks outside the window
		const availability = new Map<string, Map<string, Level>>();
		const tally = new HeatmapTally(slots);
		let only: Set<string> | undefined;
		for (let step = 0; step < 400; step++) {
			const r = random();
			const ids = [...availability.keys()];
			if (r < 0.15 || ids.length === 0) availability.set(`m${step}`, new Map());
			else if (r < 0.2) availability.delete(ids[Math.floor(random() * ids.length)]);
			else if (r < 0.25) only = random() < 0.5 ? undefined : new Set(ids.filter(() => random() < 0.5));
			else {
				// A stroke: the member's marks become a new map, as EventState keeps them.
				const id = ids[Math.floor(random() * ids.length)];
				const marks = new Map(availability.get(id));
				for (const slot of all.filter(() => random() < 0.3)) {
					const level = Math.floor(random() * 3);
					if (level) marks.set(slot, level as Level);
					else marks.delete(slot);
				}
				availability.set(id, marks);
			}
			tally.update(availability, only);
			expect(shown(tally, all)).toEqual(expected(computeHeatmap(availability, { only, slots })));
		}
	});

	it('reports the blocks whose counts changed, all of them at first', () => {
		const tally = new HeatmapTally(new Set(['s1', 's2', 's3']));
		const availability = new Map<string, Map<string, Level>>([['a', new Map([['s1', 1]])]]);
		tally.update(availability);
		expect(tally.takeChanged()).toBe('all');
		expect([...(tally.takeChanged() as Set<string>)]).toEqual([]);
		availability.set(
			'a',
			new Map<string, Level>([
				['s1', 1],
				['s2', 2]
			])
		);
		tally.update(availability);
		expect([...(tally.takeChanged() as Set<string>)]).toEqual(['s2']);
		expect(tally.update(availability)).toBe(false);
	});
});
