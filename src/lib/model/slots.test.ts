import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromAbsolute } from '@internationalized/date';
import {
	buildGrid,
	compactSlotKey,
	gridInZone,
	instantSlotKey,
	isSlotKey,
	localToInstant,
	slotFromStored,
	slotsInRectangle,
	weekdaySlotKey,
	type Grid
} from './slots.js';

const base = { start: 9 * 60, end: 11 * 60, slot: 30 as const, weekdays: [] as number[] };

describe('compact slot keys (schema v2)', () => {
	it('name the same slot in fewer characters, and read back', () => {
		expect(compactSlotKey('2026-12-01T09:30Z')).toBe('25z3u');
		expect(compactSlotKey('w1T09:30')).toBe('Wfu');
		expect(slotFromStored('25z3u')).toBe('2026-12-01T09:30Z');
		expect(slotFromStored('Wfu')).toBe('w1T09:30');
		// Before 2020, and full keys as schema v1 stores them.
		expect(slotFromStored(compactSlotKey('2019-12-31T23:45Z'))).toBe('2019-12-31T23:45Z');
		expect(slotFromStored('2026-12-01T09:30Z')).toBe('2026-12-01T09:30Z');
	});

	it('property: every slot key of either kind round-trips and gets shorter', () => {
		const dated = fc
			.integer({ min: -5_000_000, max: 50_000_000 })
			.map((m) => instantSlotKey(Date.UTC(2020, 0, 1) + m * 60_000));
		const weekly = fc
			.tuple(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 1439 }))
			.map(([d, m]) => weekdaySlotKey(d, m));
		fc.assert(
			fc.property(fc.oneof(dated, weekly), (slot) => {
				const stored = compactSlotKey(slot);
				expect(stored.length).toBeLessThan(slot.length);
				expect(slotFromStored(stored)).toBe(slot);
			})
		);
	});

	it('a stored key that names no slot reads as none', () => {
		for (const key of ['', 'hello!', 'W', 'Wzzz', 'zzzzzzzzzzzz', '2026-13-01T09:30', '__proto__'])
			expect(slotFromStored(key)).toBeNull();
	});
});

describe('slot keys', () => {
	it('a dates slot is the UTC instant of its start', () => {
		// 09:00 in Seoul (UTC+9, no DST) is 00:00 UTC the same day.
		const grid = buildGrid({ ...base, kind: 'dates', dates: ['2026-12-01'], tz: 'Asia/Seoul' });
		expect(grid.cells[0]).toEqual(['2026-12-01T00:00Z', '2026-12-01T00:30Z', '2026-12-01T01:00Z', '2026-12-01T01:30Z']);
		expect(grid.rows.map((r) => r.minutes)).toEqual([540, 570, 600, 630]);
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
		expect(grid.rows.map((r) => r.minutes)).toEqual([60, 120, 180]);
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

/** The grid's cells as each block converted on its own (`localToInstant`), as `buildGrid` did before it worked a day at a time. */
function cellsOneByOne(dates: string[], start: number, end: number, slot: number, tz: string): (string | null)[][] {
	const seen = new Set<string>();
	return dates.map((date) => {
		const out: (string | null)[] = [];
		for (let m = start; m < end; m += slot) {
			const at = localToInstant(date, m, tz);
			const key = at === null ? null : instantSlotKey(at);
			out.push(key === null || seen.has(key) ? null : key);
			if (key) seen.add(key);
		}
		return out;
	});
}

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Dates on which `tz`'s offset changes (and the day after), between two years. */
function clockChangeDays(tz: string, fromYear: number, toYear: number): string[] {
	const days: string[] = [];
	const offset = (ms: number) => fromAbsolute(ms, tz).offset;
	for (let ms = Date.UTC(fromYear, 0, 1); ms < Date.UTC(toYear + 1, 0, 1); ms += 86_400_000) {
		if (offset(ms) !== offset(ms + 86_400_000)) days.push(isoDate(ms), isoDate(ms + 86_400_000));
	}
	return days;
}

describe('the grid, a day at a time', () => {
	/** A dates grid with the whole day in `slot`-minute blocks. */
	const wholeDays = (dates: string[], tz: string, slot: 15 | 30 | 60 = 15) =>
		buildGrid({ kind: 'dates', dates, weekdays: [], start: 0, end: 1440, slot, tz });

	it('spring forward: the skipped hour has no cells, the blocks around it are their own instants', () => {
		// 2026-03-29 in Berlin: 02:00 CET (+1) jumps to 03:00 CEST (+2).
		const grid = wholeDays(['2026-03-29'], 'Europe/Berlin');
		const at = (minutes: number) => grid.cells[0][minutes / 15];
		expect(at(105)).toBe('2026-03-29T00:45Z');
		for (const m of [120, 135, 150, 165]) expect(at(m)).toBeNull();
		expect(at(180)).toBe('2026-03-29T01:00Z');
		expect(grid.slots.size).toBe(96 - 4);
		expect(grid.cells).toEqual(cellsOneByOne(['2026-03-29'], 0, 1440, 15, 'Europe/Berlin'));
	});

	it('fall back: the repeated hour is shown once, at its first occurrence, and no instant twice', () => {
		// 2026-10-25 in Berlin: 03:00 CEST (+2) goes back to 02:00 CET (+1).
		const grid = wholeDays(['2026-10-25'], 'Europe/Berlin');
		const at = (minutes: number) => grid.cells[0][minutes / 15];
		expect(at(120)).toBe('2026-10-25T00:00Z'); // 02:00 CEST
		expect(at(165)).toBe('2026-10-25T00:45Z');
		expect(at(180)).toBe('2026-10-25T02:00Z'); // 03:00 CET: 01:00Z–02:00Z (02:00–03:00 CET) has no row
		expect(grid.slots.size).toBe(96);
		expect(grid.cells).toEqual(cellsOneByOne(['2026-10-25'], 0, 1440, 15, 'Europe/Berlin'));
	});

	it('zones 30 and 45 minutes off the hour, and a clock change of 30 minutes', () => {
		expect(wholeDays(['2026-12-01'], 'Asia/Kolkata').cells[0][0]).toBe('2026-11-30T18:30Z'); // +05:30
		expect(wholeDays(['2026-12-01'], 'Asia/Kathmandu').cells[0][0]).toBe('2026-11-30T18:15Z'); // +05:45
		expect(wholeDays(['2026-12-01'], 'Pacific/Chatham').cells[0][0]).toBe('2026-11-30T10:15Z'); // +13:45 in summer
		// Lord Howe Island moves its clocks by half an hour: 2026-10-04 02:00 (+10:30) → 02:30 (+11).
		const lordHowe = wholeDays(['2026-10-04'], 'Australia/Lord_Howe');
		expect(lordHowe.cells[0].slice(8, 10)).toEqual([null, null]); // 02:00 and 02:15 do not exist
		expect(lordHowe.cells[0][10]).toBe('2026-10-03T15:30Z'); // 02:30 (+11)
		for (const tz of ['Asia/Kolkata', 'Asia/Kathmandu', 'Pacific/Chatham', 'Australia/Lord_Howe', 'Australia/Adelaide'])
			for (const days of [clockChangeDays(tz, 2024, 2027), ['2026-06-15', '2026-12-15']])
				expect(wholeDays(days, tz).cells, `${tz} ${days.join(',')}`).toEqual(cellsOneByOne(days, 0, 1440, 15, tz));
	});

	it('every clock change of 2020–2030 in zones that change, as each block converted on its own', () => {
		for (const tz of [
			'America/New_York',
			'America/Santiago',
			'America/Havana',
			'Europe/London',
			'Europe/Chisinau',
			'Asia/Tehran',
			'Asia/Gaza',
			'Africa/Casablanca',
			'Australia/Sydney',
			'Pacific/Auckland',
			'Antarctica/Troll'
		]) {
			const days = clockChangeDays(tz, 2020, 2030);
			expect(days.length, tz).toBeGreaterThan(0);
			expect(wholeDays(days, tz, 30).cells, tz).toEqual(cellsOneByOne(days, 0, 1440, 30, tz));
		}
	});

	it('property: any zone, dates, window and block length give what each block converted on its own gives', () => {
		const zones = Intl.supportedValuesOf('timeZone');
		fc.assert(
			fc.property(
				fc.constantFrom(...zones),
				fc.integer({ min: 1970, max: 2040 }),
				fc.nat(),
				// Most runs start on or just before one of the year's clock changes, when the zone has any.
				fc.boolean(),
				fc.integer({ min: 1, max: 4 }),
				fc.constantFrom(15, 30, 60),
				fc.integer({ min: 0, max: 95 }),
				fc.integer({ min: 1, max: 96 }),
				(tz, year, pick, anyDay, count, slot, from, length) => {
					const changes = anyDay ? [] : clockChangeDays(tz, year, year);
					const first = changes.length
						? Date.parse(changes[pick % changes.length]) - (pick % 2) * 86_400_000
						: Date.UTC(year, 0, 1) + (pick % 365) * 86_400_000;
					const start = Math.min(from * 15, 1440 - slot);
					const end = Math.min(1440, start + Math.max(slot, Math.ceil((length * 15) / slot) * slot));
					const dates = Array.from({ length: count }, (_, i) => isoDate(first + i * 86_400_000));
					const grid = buildGrid({ kind: 'dates', dates, weekdays: [], start, end, slot: slot as 15 | 30 | 60, tz });
					expect(grid.cells).toEqual(cellsOneByOne(dates, start, end, slot, tz));
				}
			),
			{ numRuns: 300 }
		);
	});
});

describe("a grid in the viewer's zone, converted a day at a time", () => {
	it("property: every block sits at its own date and wall-clock time in the viewer's zone, once", () => {
		const zones = Intl.supportedValuesOf('timeZone');
		fc.assert(
			fc.property(
				fc.constantFrom(...zones),
				fc.constantFrom(...zones),
				fc.integer({ min: 1970, max: 2040 }),
				fc.nat(),
				fc.boolean(),
				fc.integer({ min: 1, max: 5 }),
				fc.constantFrom(15, 30, 60),
				(eventZone, viewerZone, year, pick, anyDay, count, slot) => {
					// Days around one of the viewer's clock changes, most of the time.
					const changes = anyDay ? [] : clockChangeDays(viewerZone, year, year);
					const first = changes.length
						? Date.parse(changes[pick % changes.length]) - (pick % 3) * 86_400_000
						: Date.UTC(year, 0, 1) + (pick % 365) * 86_400_000;
					const dates = Array.from({ length: count }, (_, i) => isoDate(first + i * 86_400_000));
					const grid = buildGrid({
						kind: 'dates',
						dates,
						weekdays: [],
						start: 0,
						end: 1440,
						slot: slot as 15 | 30 | 60,
						tz: eventZone
					});
					const shown = gridInZone(grid, viewerZone);
					const where = new Map<string, { col: number; row: number }>();
					shown.cells.forEach((column, col) =>
						column.forEach((key, row) => {
							if (!key) return;
							expect(where.has(key), key).toBe(false);
							where.set(key, { col, row });
						})
					);
					expect(where.size).toBe(grid.slots.size);
					for (const [key, { col, row }] of where) {
						const local = fromAbsolute(Date.parse(key), viewerZone);
						const date = `${local.year}-${String(local.month).padStart(2, '0')}-${String(local.day).padStart(2, '0')}`;
						expect(shown.columns[col].date, key).toBe(date);
						expect(shown.rows[row].minutes, key).toBe(local.hour * 60 + local.minute);
					}
				}
			),
			{ numRuns: 200 }
		);
	});
});

/** A grid as text: one line per row, `HH:MM` (+ `²` for a repeat, `|` before a gap) then each column's slot or `-`. */
function table(grid: Grid): string[] {
	return grid.rows.map((r, i) => {
		const clock = `${String(Math.floor(r.minutes / 60)).padStart(2, '0')}:${String(r.minutes % 60).padStart(2, '0')}`;
		return `${r.gapBefore ? '|' : ''}${clock}${r.repeat ? '²' : ''} ${grid.cells.map((c) => c[i] ?? '-').join(' ')}`;
	});
}

describe("a grid in the viewer's zone", () => {
	it("a Seoul afternoon is the evening before in Los Angeles, cut at the viewer's midnight", () => {
		// 2026-12-01 10:00–20:00 KST (UTC+9) = 2026-12-01 01:00–11:00Z = Nov 30 17:00 – Dec 1 03:00 PST (UTC−8).
		const seoul = buildGrid({
			kind: 'dates',
			dates: ['2026-12-01'],
			weekdays: [],
			start: 600,
			end: 1200,
			slot: 60,
			tz: 'Asia/Seoul'
		});
		const la = gridInZone(seoul, 'America/Los_Angeles');
		expect(la.columns.map((c) => [c.date, c.weekday])).toEqual([
			['2026-11-30', 1],
			['2026-12-01', 2]
		]);
		expect(table(la)).toEqual([
			'00:00 - 2026-12-01T08:00Z',
			'01:00 - 2026-12-01T09:00Z',
			'02:00 - 2026-12-01T10:00Z',
			'|17:00 2026-12-01T01:00Z -',
			'18:00 2026-12-01T02:00Z -',
			'19:00 2026-12-01T03:00Z -',
			'20:00 2026-12-01T04:00Z -',
			'21:00 2026-12-01T05:00Z -',
			'22:00 2026-12-01T06:00Z -',
			'23:00 2026-12-01T07:00Z -'
		]);
		expect(la.slots).toBe(seoul.slots);
		expect(la.empty).toBe('outside');
	});

	it('a Los Angeles evening is the next morning in Seoul, and converting back gives the event grid', () => {
		// 2026-07-10 18:00–23:00 PDT (UTC−7) = 2026-07-11 01:00–06:00Z = July 11 10:00–15:00 KST.
		const la = buildGrid({
			kind: 'dates',
			dates: ['2026-07-10'],
			weekdays: [],
			start: 1080,
			end: 1380,
			slot: 60,
			tz: 'America/Los_Angeles'
		});
		const seoul = gridInZone(la, 'Asia/Seoul');
		expect(seoul.columns.map((c) => c.date)).toEqual(['2026-07-11']);
		expect(seoul.rows.map((r) => r.minutes)).toEqual([600, 660, 720, 780, 840]);
		expect(seoul.cells[0]).toEqual(la.cells[0]);
		const back = gridInZone(seoul, 'America/Los_Angeles');
		expect(back.columns.map((c) => c.date)).toEqual(['2026-07-10']);
		expect(back.cells).toEqual(la.cells);
		expect(back.rows.map((r) => r.minutes)).toEqual(la.rows.map((r) => r.minutes));
	});

	it('a New York week across the spring change, seen from Seoul, has no missing hour and no doubled one', () => {
		// New York 00:00–04:00: 00:00 EST = 14:00 KST; on Mar 8, 02:00 does not exist and 03:00 EDT = 16:00 KST.
		const ny = buildGrid({
			kind: 'dates',
			dates: ['2026-03-07', '2026-03-08', '2026-03-09'],
			weekdays: [],
			start: 0,
			end: 240,
			slot: 60,
			tz: 'America/New_York'
		});
		const seoul = gridInZone(ny, 'Asia/Seoul');
		expect(seoul.columns.map((c) => c.date)).toEqual(['2026-03-07', '2026-03-08', '2026-03-09']);
		expect(table(seoul)).toEqual([
			'13:00 - - 2026-03-09T04:00Z',
			'14:00 2026-03-07T05:00Z 2026-03-08T05:00Z 2026-03-09T05:00Z',
			'15:00 2026-03-07T06:00Z 2026-03-08T06:00Z 2026-03-09T06:00Z',
			'16:00 2026-03-07T07:00Z 2026-03-08T07:00Z 2026-03-09T07:00Z',
			'17:00 2026-03-07T08:00Z - -'
		]);
		expect([...seoul.slots].length).toBe(11);
	});

	it('the hour New York repeats in the fall gets its own row instead of hiding a slot', () => {
		// A UTC event, 04:00–08:00Z on 2026-11-01: 00:00 EDT, 01:00 EDT, 01:00 EST (again), 02:00 EST.
		const utc = buildGrid({
			kind: 'dates',
			dates: ['2026-11-01'],
			weekdays: [],
			start: 240,
			end: 480,
			slot: 60,
			tz: 'UTC'
		});
		const ny = gridInZone(utc, 'America/New_York');
		expect(table(ny)).toEqual([
			'00:00 2026-11-01T04:00Z',
			'01:00 2026-11-01T05:00Z',
			'01:00² 2026-11-01T06:00Z',
			'02:00 2026-11-01T07:00Z'
		]);
	});

	it('a weekdays event and a grid already in the zone are returned as they are', () => {
		const weekly = buildGrid({ ...base, kind: 'weekdays', dates: [], weekdays: [1, 3], tz: 'Asia/Seoul' });
		expect(gridInZone(weekly, 'America/Los_Angeles')).toBe(weekly);
		const dated = buildGrid({ ...base, kind: 'dates', dates: ['2026-12-01'], tz: 'Asia/Seoul' });
		expect(gridInZone(dated, 'Asia/Seoul')).toBe(dated);
	});
});
