import { describe, expect, it } from 'vitest';
import { buildGrid, instantSlotKey, isSlotKey, localToInstant, slotsInRectangle } from './slots.js';

const base = { start: 9 * 60, end: 11 * 60, slot: 30 as const, weekdays: [] as number[] };

describe('slot keys', () => {
	it('a dates slot is the UTC instant of its start', () => {
		// 09:00 in Seoul (UTC+9, no DST) is 00:00 UTC the same day.
		const grid = buildGrid({ ...base, kind: 'dates', dates: ['2026-12-01'], tz: 'Asia/Seoul' });
		expect(grid.cells[0]).toEqual(['2026-12-01T00:00Z', '2026-12-01T00:30Z', '2026-12-01T01:00Z', '2026-12-01T01:30Z']);
		expect(grid.rows).toEqual([540, 570, 600, 630]);
	});

	it('a weekdays slot is the weekday and wall-clock time in the event zone', () => {
		const grid = buildGrid({ ...base, kind: 'weekdays', dates: [], weekdays: [1, 5], tz: 'Asia/Seoul' });
		expect(grid.columns.map((c) => c.id)).toEqual(['w1', 'w5']);
		expect(grid.cells[1][3]).toBe('w5T10:30');
		expect(isSlotKey('w5T10:30')).toBe(true);
		expect(isSlotKey('w8T10:30')).toBe(false);
		expect(isSlotKey('2026-12-01T00:30Z')).toBe(true);
		expect(isSlotKey('2026-12-01 00:30')).toBe(false);
	});

	it('a dates event across the New York DST change keeps local rows and skips the missing hour', () => {
		// 2026-03-08: clocks jump from 02:00 to 03:00 in America/New_York (EST −5 → EDT −4).
		const grid = buildGrid({
			kind: 'dates',
			dates: ['2026-03-07', '2026-03-08', '2026-03-09'],
			weekdays: [],
			start: 60,
			end: 4 * 60,
			slot: 60,
			tz: 'America/New_York'
		});
		expect(grid.rows).toEqual([60, 120, 180]);
		// Before the change: 01:00 EST = 06:00Z.
		expect(grid.cells[0]).toEqual(['2026-03-07T06:00Z', '2026-03-07T07:00Z', '2026-03-07T08:00Z']);
		// The day of the change: 01:00 EST, 02:00 does not exist, 03:00 EDT = 07:00Z.
		expect(grid.cells[1]).toEqual(['2026-03-08T06:00Z', null, '2026-03-08T07:00Z']);
		// After: 01:00 EDT = 05:00Z.
		expect(grid.cells[2]).toEqual(['2026-03-09T05:00Z', '2026-03-09T06:00Z', '2026-03-09T07:00Z']);
		expect(grid.slots.size).toBe(8);
	});

	it('the repeated hour at the end of DST is shown once, at its first occurrence', () => {
		// 2026-11-01: clocks fall back from 02:00 EDT to 01:00 EST.
		expect(localToInstant('2026-11-01', 60, 'America/New_York')).toBe(Date.parse('2026-11-01T05:00Z'));
		expect(localToInstant('2026-11-01', 90, 'America/New_York')).toBe(Date.parse('2026-11-01T05:30Z'));
		expect(localToInstant('2026-11-01', 120, 'America/New_York')).toBe(Date.parse('2026-11-01T07:00Z'));
	});

	it('keys are minute-truncated ISO instants', () => {
		expect(instantSlotKey(Date.parse('2026-01-02T03:04:59.999Z'))).toBe('2026-01-02T03:04Z');
	});

	it('a rectangle of cells covers every slot between two corners in either order', () => {
		const grid = buildGrid({ ...base, kind: 'weekdays', dates: [], weekdays: [1, 2, 3], tz: 'UTC' });
		const a = slotsInRectangle(grid, { col: 2, row: 3 }, { col: 1, row: 2 });
		expect(a.sort()).toEqual(['w2T10:00', 'w2T10:30', 'w3T10:00', 'w3T10:30']);
	});
});
