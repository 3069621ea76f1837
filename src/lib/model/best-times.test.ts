import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bestTimes } from './best-times.js';
import type { Level } from './event-doc.js';
import type { Grid } from './slots.js';

/** A grid of `days` columns × `rows` rows, slot keys `d<c>r<r>`; `missing` cells are null (a DST gap). */
function grid(days: number, rows: number, missing: [number, number][] = []): Grid {
	const cells = Array.from({ length: days }, (_, c) =>
		Array.from({ length: rows }, (_, r) => (missing.some(([mc, mr]) => mc === c && mr === r) ? null : `d${c}r${r}`))
	);
	return {
		columns: cells.map((_, c) => ({ id: `w${c + 1}`, weekday: c + 1 })),
		rows: Array.from({ length: rows }, (_, r) => ({ minutes: 540 + r * 30, repeat: false, gapBefore: false })),
		cells,
		slots: new Set(cells.flat().filter((s): s is string => s !== null)),
		zone: 'UTC',
		slot: 30,
		empty: 'skipped'
	};
}

const marks = (available: number[], ifNeeded: number[] = [], column = 0) =>
	new Map<string, Level>([
		...available.map((r) => [`d${column}r${r}`, 1] as const),
		...ifNeeded.map((r) => [`d${column}r${r}`, 2] as const)
	]);

// A free all morning; B from the 2nd block to the 4th; C the 3rd and 4th, and the 5th if needed.
const everyone = new Map([
	['A', marks([0, 1, 2, 3, 4, 5])],
	['B', marks([1, 2, 3])],
	['C', marks([2, 3], [4])]
]);
const brief = (times: ReturnType<typeof bestTimes>) =>
	times.map(
		(t) => `${t.startRow}-${t.endRow} ${t.available.join('')}|${t.ifNeeded.join('')}|${t.unavailable.join('')}`
	);

describe('bestTimes', () => {
	it('lists maximal ranges ranked by available, then if needed, then length', () => {
		expect(brief(bestTimes(grid(1, 6), everyone))).toEqual(['2-3 ABC||', '1-3 AB||C', '2-4 A|C|B', '0-5 A||BC']);
	});

	it('drops ranges shorter than the minimum duration', () => {
		expect(brief(bestTimes(grid(1, 6), everyone, { minSlots: 3 }))).toEqual(['1-3 AB||C', '2-4 A|C|B', '0-5 A||BC']);
		expect(bestTimes(grid(1, 6), everyone, { minSlots: 7 })).toEqual([]);
	});

	it('keeps only ranges every required person can make', () => {
		expect(brief(bestTimes(grid(1, 6), everyone, { required: new Set(['C']) }))).toEqual(['2-3 ABC||', '2-4 A|C|B']);
	});

	it('counts only the chosen people', () => {
		expect(brief(bestTimes(grid(1, 6), everyone, { only: new Set(['B', 'C']) }))).toEqual([
			'2-3 BC||',
			'1-3 B||C',
			'2-4 |C|B'
		]);
	});

	it('never joins blocks across a time that does not exist (a clock change)', () => {
		const times = bestTimes(grid(1, 6, [[0, 3]]), everyone);
		expect(times.every((t) => t.endRow < 3 || t.startRow > 3)).toBe(true);
		expect(brief(times)[0]).toBe('2-2 ABC||');
	});

	it('ranks every result no better than the one before it, and lists each member once (property)', () => {
		const days = 3;
		const rows = 8;
		const marksArb = fc.array(
			fc.tuple(
				fc.integer({ min: 0, max: days - 1 }),
				fc.integer({ min: 0, max: rows - 1 }),
				fc.constantFrom<Level>(1, 2)
			),
			{
				maxLength: 24
			}
		);
		fc.assert(
			fc.property(
				fc.array(marksArb, { minLength: 1, maxLength: 6 }),
				fc.integer({ min: 1, max: 4 }),
				(people, minSlots) => {
					const availability = new Map(
						people.map((list, i) => [`m${i}`, new Map<string, Level>(list.map(([c, r, l]) => [`d${c}r${r}`, l]))])
					);
					const times = bestTimes(grid(days, rows), availability, { minSlots, limit: 1000 });
					// Keeping only the best few gives exactly the head of the full ranking.
					for (const limit of [1, 3])
						expect(bestTimes(grid(days, rows), availability, { minSlots, limit })).toEqual(times.slice(0, limit));
					for (let i = 1; i < times.length; i++) {
						const [a, b] = [times[i - 1], times[i]];
						const key = (t: typeof a) => [t.available.length, t.ifNeeded.length, t.slots.length];
						const [ka, kb] = [key(a), key(b)];
						const order = ka[0] - kb[0] || ka[1] - kb[1] || ka[2] - kb[2];
						expect(order).toBeGreaterThanOrEqual(0);
					}
					for (const t of times) {
						expect(t.slots.length).toBeGreaterThanOrEqual(minSlots);
						expect([...t.available, ...t.ifNeeded, ...t.unavailable].sort()).toEqual([...availability.keys()].sort());
						// "available" really means every block, at level 1.
						for (const id of t.available) for (const s of t.slots) expect(availability.get(id)!.get(s)).toBe(1);
						for (const id of t.ifNeeded) for (const s of t.slots) expect(availability.get(id)!.has(s)).toBe(true);
					}
				}
			),
			{ numRuns: 200 }
		);
	});

	it('handles 100 people × 14 days × 48 blocks', () => {
		const big = grid(14, 48);
		let seed = 7;
		const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
		const availability = new Map(
			Array.from({ length: 100 }, (_, i) => {
				const m = new Map<string, Level>();
				for (const slot of big.slots) if (random() < 0.6) m.set(slot, random() < 0.8 ? 1 : 2);
				return [`p${i}`, m] as const;
			})
		);
		const times = bestTimes(big, availability, { minSlots: 2 });
		expect(times).toHaveLength(10);
		expect(times[0].available.length).toBeGreaterThanOrEqual(times[9].available.length);
	});
});
