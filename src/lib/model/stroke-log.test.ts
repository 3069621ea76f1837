import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	appendStroke,
	cellMark,
	cellStamp,
	encodeBase,
	encodeStroke,
	logEpoch,
	logMarks,
	MAX_LOG_WORK,
	MAX_QUARTER,
	MAX_STAMP,
	maxStamp,
	QUARTER_MS,
	quarterSlot,
	readLog,
	rectangles,
	slotQuarter,
	strokeRects,
	type Cells,
	type Rect
} from './stroke-log.js';
import { buildGrid, instantSlotKey, localToInstant, slotsInRectangle, type Grid } from './slots.js';
import {
	applyMarks,
	applyStroke,
	availabilityMap,
	createEvent,
	eventMap,
	joinEvent,
	LOG_SCHEMA_VERSION,
	membersMap,
	readAvailability,
	readMarks,
	readSettings,
	STROKE_ORIGIN,
	updateSettings,
	type Mark
} from './event-doc.js';
import { computeHeatmap, hasAnswered, HeatmapTally } from './heatmap.js';
import { bestTimes } from './best-times.js';
import { attendance } from './decision.js';
import type { EventDraft } from './settings.js';

const rect = (q: number, n: number, d: number, m: 0 | 1 | 2, weekly = false): Rect => ({ q, n, d, m, weekly });
/** Mark per quarter-hour of a read domain, without stamps. */
const marksOf = (cells: Cells) => new Map([...cells].map(([q, cell]) => [q, cellMark(cell)]));

describe('stroke records', () => {
	it('round-trips strokes of every size, sign and domain, varints of several characters included', () => {
		const strokes: [Rect, number][] = [
			[rect(0, 1, 1, 1), 1],
			[rect(-5, 3, 2, 2), 63],
			[rect(70_000, 128, 1, 0), 64],
			[rect(12, 4, 7, 1, true), 4096],
			[rect(0, 128, 32, 1), 4095],
			[rect(-MAX_QUARTER, 2, 1, 2), MAX_STAMP]
		];
		for (const [r, stamp] of strokes) {
			const record = encodeStroke(r, stamp);
			expect([...record].every((c) => c.charCodeAt(0) < 0x80)).toBe(true);
			const read = readLog(record);
			expect(read.complete).toBe(true);
			expect(read.stamp).toBe(stamp);
			const want: Cells = new Map();
			for (let day = 0; day < r.d; day++) for (let i = 0; i < r.n; i++) want.set(r.q + day * 96 + i, stamp * 3 + r.m);
			expect(r.weekly ? read.weekly : read.dated).toEqual(want);
			expect((r.weekly ? read.dated : read.weekly).size).toBe(0);
		}
	});

	it('per quarter-hour, the highest (stamp, mark) wins wherever it sits in the log', () => {
		const log =
			encodeStroke(rect(0, 4, 1, 1), 5) + // newest for 0–3
			encodeStroke(rect(2, 4, 1, 0), 3) + // older clear of 2–5: only 4–5 keep it
			encodeStroke(rect(3, 1, 1, 2), 5) + // same stamp as the first: the higher mark wins
			encodeStroke(rect(3, 1, 1, 0), 5);
		const read = readLog(log);
		expect(marksOf(read.dated)).toEqual(
			new Map([
				[0, 1],
				[1, 1],
				[2, 1],
				[3, 2],
				[4, 0],
				[5, 0]
			])
		);
		expect(cellStamp(read.dated.get(4)!)).toBe(3);
		expect(logMarks(log, 0).size).toBe(4);
	});

	it('round-trips a base (gaps, cleared cells, both domains) and merges it with strokes by the same max', () => {
		const cells: Cells = new Map([
			[-3, 7 * 3 + 1],
			[-2, 7 * 3 + 1],
			[-1, 8 * 3 + 0],
			[40, 2 * 3 + 2],
			[5000, 9 * 3 + 1]
		]);
		expect(readLog(encodeBase(cells, false))).toEqual({
			dated: cells,
			weekly: new Map(),
			stamp: 9,
			complete: true,
			records: 1,
			work: 5
		});
		const weekly: Cells = new Map([
			[0, 4],
			[671, 5]
		]);
		expect(readLog(encodeBase(weekly, true)).weekly).toEqual(weekly);
		expect(readLog(encodeBase(new Map(), false))).toMatchObject({ dated: new Map(), complete: true });
		// A stroke older than the base's run loses to it, a newer one wins, in either order.
		const log = encodeStroke(rect(-3, 2, 1, 2), 6) + encodeBase(cells, false) + encodeStroke(rect(40, 1, 1, 1), 10);
		const read = readLog(log);
		expect(read.dated.get(-3)).toBe(7 * 3 + 1);
		expect(read.dated.get(40)).toBe(10 * 3 + 1);
	});

	it('places dated quarter-hours from UTC midnight of the creation day minus one day', () => {
		const createdAt = Date.UTC(2026, 10, 30, 14, 48, 12);
		const epoch = logEpoch(createdAt);
		expect(epoch).toBe(Date.UTC(2026, 10, 29));
		expect(slotQuarter('2026-11-30T00:15Z', epoch)).toEqual({ q: 97, weekly: false });
		expect(slotQuarter('2026-11-28T23:45Z', epoch)).toEqual({ q: -1, weekly: false });
		expect(slotQuarter('w2T01:30', epoch)).toEqual({ q: 96 + 6, weekly: true });
		expect(slotQuarter('2026-11-30T00:10Z', epoch)).toBeNull();
		expect(slotQuarter('nonsense', epoch)).toBeNull();
		for (const key of ['2026-11-30T00:15Z', '2026-11-28T23:45Z', 'w2T01:30', 'w7T23:45']) {
			const at = slotQuarter(key, epoch)!;
			expect(quarterSlot(at.q, at.weekly, epoch)).toBe(key);
		}
	});
});

describe('reading garbage', () => {
	const good = encodeStroke(rect(0, 2, 1, 1), 1) + encodeStroke(rect(10, 1, 1, 2), 2);
	const goodCells = readLog(good).dated;

	it.each([
		['a character beyond 7 bits', 'é'],
		['an emoji', '😀'],
		['a varint of more than six characters', String.fromCharCode(0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 1)],
		['a run longer than 128', String.fromCharCode(0) + encodeVar(128 * 32 * 3) + encodeVar(3)],
		['a stamp above the cap', encodeStroke(rect(20, 1, 1, 1), MAX_STAMP + 1)],
		['a position beyond the cap', encodeStroke(rect(MAX_QUARTER + 1, 1, 1, 1), 3)],
		['a weekly position outside the week', encodeStroke(rect(672, 1, 1, 1, true), 3)],
		['a base run of length 0', String.fromCharCode(4 + 1, 0, 1, 1)],
		['a base running past the cap', encodeBase(new Map([[MAX_QUARTER, 4]]), false)],
		['a base missing its runs', String.fromCharCode(4 * 3 + 1, 0, 4 + 1, 1)]
	])('keeps the records before %s and ignores the rest of the log', (_, garbage) => {
		const read = readLog(good + garbage + encodeStroke(rect(30, 1, 1, 1), 9));
		expect(read.complete).toBe(false);
		expect(read.dated).toEqual(goodCells);
		expect(read.stamp).toBe(2);
	});

	it('keeps the records before a record cut short at the end of the log', () => {
		const cut = encodeStroke(rect(20, 1, 1, 1), 3 * 64);
		for (let end = 1; end < cut.length; end++) {
			expect(readLog(good + cut.slice(0, end))).toMatchObject({ complete: false, dated: goodCells });
		}
	});

	it('checks a base whole before any of it counts', () => {
		const base = encodeBase(
			new Map([
				[50, 3 * 3 + 1],
				[60, 3 * 3 + 1]
			]),
			false
		);
		expect(readLog(base.slice(0, -1)).dated.has(50)).toBe(false);
	});

	it('bounds the work a hostile log can cost a reader', () => {
		const huge = encodeStroke(rect(0, 128, 32, 1), 1);
		const log = huge.repeat(Math.ceil(MAX_LOG_WORK / 4096) + 5);
		const read = readLog(log);
		expect(read.complete).toBe(false);
		// Only the records within the cap count (here, all the same rectangle: its days overlap).
		expect(read.dated.size).toBe(31 * 96 + 128);
		// The reader stopped at the cap, not at the end of the log (counted work, not time: no timed tests).
		expect(read.work).toBeLessThanOrEqual(MAX_LOG_WORK + 128 * 32);
		expect(read.records).toBeLessThan(log.length / huge.length);
		// A base claiming a long marked run is refused before it is painted.
		const longRun = String.fromCharCode(4 + 1, 0) + encodeVar(MAX_LOG_WORK * 4 * 2 + 1) + encodeVar(1);
		expect(readLog(longRun)).toMatchObject({ complete: false, dated: new Map() });
	});
});

/** A varint as a record writes it (for hand-made records). */
function encodeVar(value: number): string {
	let v = value;
	let out = '';
	while (v >= 0x40) {
		out += String.fromCharCode(0x40 | (v % 0x40));
		v = Math.floor(v / 0x40);
	}
	return out + String.fromCharCode(v);
}

describe('writing strokes', () => {
	it('packs a rectangle of days into one record, and splits runs at 128 and days at 32', () => {
		const qs = (days: number, from: number, n: number) =>
			Array.from({ length: days }, (_, d) => Array.from({ length: n }, (_, i) => from + d * 96 + i)).flat();
		expect(rectangles(qs(3, 36, 8), 1, false)).toEqual([rect(36, 8, 3, 1)]);
		expect(rectangles(qs(40, 0, 4), 2, false)).toEqual([rect(0, 4, 32, 2), rect(32 * 96, 4, 8, 2)]);
		expect(rectangles(qs(1, 0, 300), 0, false)).toEqual([
			rect(0, 128, 1, 0),
			rect(128, 128, 1, 0),
			rect(256, 44, 1, 0)
		]);
		// Two runs a day, each its own rectangle.
		expect(rectangles([...qs(2, 0, 2), ...qs(2, 10, 2)], 1, true)).toEqual([
			rect(0, 2, 2, 1, true),
			rect(10, 2, 2, 1, true)
		]);
	});

	it('splits a rectangle across a DST change into records of constant UTC stride', () => {
		// Berlin moves its clocks forward on 2026-03-29: 09:00 is 08:00Z the day before, 07:00Z from then on.
		const epoch = logEpoch(Date.UTC(2026, 2, 20));
		const slots: [string, 1][] = [];
		for (const date of ['2026-03-28', '2026-03-29', '2026-03-30'])
			for (const minutes of [540, 570])
				slots.push([instantSlotKey(localToInstant(date, minutes, 'Europe/Berlin')!), 1]);
		const rects = strokeRects(slots, 30, epoch);
		const q = (key: string) => slotQuarter(key, epoch)!.q;
		expect(rects).toEqual([rect(q('2026-03-28T08:00Z'), 4, 1, 1), rect(q('2026-03-29T07:00Z'), 4, 2, 1)]);
		const log = new Y.Doc().getText('log');
		appendStroke(log, rects);
		const marks = logMarks(log.toString(), epoch);
		for (const [slot] of slots) {
			expect(marks.get(slot)).toBe(1);
			// A 30-minute block is both its quarter-hours.
			expect(marks.get(instantSlotKey(Date.parse(slot) + QUARTER_MS))).toBe(1);
		}
		expect(marks.size).toBe(12);
	});

	it('stamps a stroke one above the log and appends it as one record set, never splitting another', () => {
		const log = new Y.Doc().getText('log');
		expect(appendStroke(log, [rect(0, 4, 1, 1)])).toBe(1);
		expect(appendStroke(log, [rect(2, 1, 1, 0), rect(8, 1, 1, 2)])).toBe(2);
		expect(maxStamp(log.toString())).toBe(2);
		expect(appendStroke(log, [])).toBe(3);
		expect(log.toString()).toBe(
			encodeStroke(rect(0, 4, 1, 1), 1) + encodeStroke(rect(2, 1, 1, 0), 2) + encodeStroke(rect(8, 1, 1, 2), 2)
		);
		expect(marksOf(readLog(log.toString()).dated)).toEqual(
			new Map([
				[0, 1],
				[1, 1],
				[2, 0],
				[3, 1],
				[8, 2]
			])
		);
	});
});

describe('two devices of one person appending to one log', () => {
	/** Another copy of `doc`, as another device holds it. */
	function copy(doc: Y.Doc, clientID: number): Y.Doc {
		const other = new Y.Doc();
		other.clientID = clientID;
		Y.applyUpdate(other, Y.encodeStateAsUpdate(doc));
		return other;
	}
	function sync(a: Y.Doc, b: Y.Doc) {
		const toB = Y.encodeStateAsUpdate(a, Y.encodeStateVector(b));
		const toA = Y.encodeStateAsUpdate(b, Y.encodeStateVector(a));
		Y.applyUpdate(b, toB);
		Y.applyUpdate(a, toA);
	}
	const log = (doc: Y.Doc) => doc.getText('log');

	it('keeps both offline strokes whole and resolves their overlap the same on both', () => {
		const phone = new Y.Doc();
		phone.clientID = 7;
		appendStroke(log(phone), [rect(0, 8, 1, 1)]);
		const laptop = copy(phone, 9);
		// Offline, both see stamp 1 and write stamp 2: concurrent, the higher mark wins the overlap.
		expect(appendStroke(log(phone), [rect(2, 4, 1, 0)])).toBe(2);
		expect(appendStroke(log(laptop), [rect(4, 4, 1, 2)])).toBe(2);
		sync(phone, laptop);
		expect(log(phone).toString()).toBe(log(laptop).toString());
		const read = readLog(log(phone).toString());
		expect(read.complete).toBe(true);
		const want = new Map([
			[0, 1],
			[1, 1],
			[2, 0],
			[3, 0],
			[4, 2],
			[5, 2],
			[6, 2],
			[7, 2]
		]);
		expect(marksOf(read.dated)).toEqual(want);
		expect(marksOf(readLog(log(laptop).toString()).dated)).toEqual(want);
		// Causally later, so stamped higher: it wins as a later map write would.
		expect(appendStroke(log(laptop), [rect(0, 8, 1, 0)])).toBe(3);
		sync(phone, laptop);
		expect([...readLog(log(phone).toString()).dated.values()].every((cell) => cellMark(cell) === 0)).toBe(true);
	});

	it('converges on the max over every stroke, whatever the order of appends and syncs', () => {
		let seed = 17;
		const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff) / 0x7fffffff;
		const first = new Y.Doc();
		const devices = [first, copy(first, 31), copy(first, 32)];
		const every: Cells = new Map();
		for (let step = 0; step < 300; step++) {
			const device = devices[Math.floor(random() * devices.length)];
			if (random() < 0.75) {
				const r = rect(Math.floor(random() * 40), 1 + Math.floor(random() * 6), 1, Math.floor(random() * 3) as 0);
				const stamp = appendStroke(log(device), [r]);
				for (let q = r.q; q < r.q + r.n; q++) every.set(q, Math.max(every.get(q) ?? -1, stamp * 3 + r.m));
			} else sync(device, devices[Math.floor(random() * devices.length)]);
		}
		for (const device of devices) sync(devices[0], device);
		for (const device of devices) sync(devices[0], device);
		for (const device of devices) expect(readLog(log(device).toString()).dated).toEqual(every);
	});
});

describe('readers, whichever type a member’s entry is', () => {
	const CREATED = Date.UTC(2026, 2, 20, 10, 0);
	const IDS = ['member-ana-00001', 'member-ben-00001', 'member-cho-00001', 'member-dan-00001'];
	/** Members whose entry is a stroke log in the mixed document. */
	const LOGS = new Set(IDS.slice(0, 2));

	/** The same event twice: every member with a per-slot map, and half of them with a stroke log. */
	function twoDocs(draft: EventDraft) {
		const maps = new Y.Doc();
		const mixed = new Y.Doc();
		// Both in schema v2: `maps` as v2 apps write it, `mixed` with some members' entries as logs.
		createEvent(maps, draft, CREATED, 2);
		createEvent(mixed, draft, CREATED, 2);
		for (const id of IDS) {
			joinEvent(maps, id, CREATED, id);
			if (!LOGS.has(id)) joinEvent(mixed, id, CREATED, id);
			else
				mixed.transact(() => {
					membersMap(mixed).set(id, { name: id, joinedAt: CREATED });
					availabilityMap(mixed).set(id, new Y.Text());
				});
		}
		return { maps, mixed };
	}

	/** Paints the same random strokes (rectangles of one mark, and fills of mixed marks) into both. */
	function paintBoth(maps: Y.Doc, mixed: Y.Doc, seed: number) {
		const grid = buildGrid(readSettings(maps)!);
		const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff) / 0x7fffffff;
		const cell = () => ({
			col: Math.floor(random() * grid.columns.length),
			row: Math.floor(random() * grid.rows.length)
		});
		for (let i = 0; i < 120; i++) {
			const id = IDS[Math.floor(random() * IDS.length)];
			const slots = slotsInRectangle(grid, cell(), cell());
			const fill = random() < 0.2;
			const mark = Math.floor(random() * 3) as Mark;
			const entries = slots.map((slot): [string, Mark] => [slot, fill ? (Math.floor(random() * 3) as Mark) : mark]);
			const changed = fill
				? [applyMarks(maps, id, entries), applyMarks(mixed, id, entries)]
				: [applyStroke(maps, id, slots, mark), applyStroke(mixed, id, slots, mark)];
			expect(changed[1]).toBe(changed[0]);
		}
		return grid;
	}

	/** Everything a view reads from marks, on `grid`. */
	function views(doc: Y.Doc, grid: Grid) {
		const availability = readAvailability(doc);
		const heat = computeHeatmap(availability, { slots: grid.slots });
		const tally = new HeatmapTally(grid.slots);
		tally.update(availability);
		const answered = new Map([...availability].filter(([, marks]) => hasAnswered(marks, grid.slots)));
		const onGrid = new Map(
			[...availability].map(([id, marks]) => [id, new Map([...marks].filter(([slot]) => grid.slots.has(slot)))])
		);
		const firstColumn = grid.cells[0].filter((slot): slot is string => slot !== null).slice(0, 3);
		return {
			onGrid,
			heat,
			tally: [...grid.slots].map((slot) => [tally.countAt(slot), tally.ifNeededAt(slot)]),
			best: bestTimes(grid, answered, { minSlots: 2, limit: 20 }),
			attendance: attendance(firstColumn, IDS, availability)
		};
	}

	it.each([
		[
			'dates across a DST change, 60-minute blocks',
			{ kind: 'dates', dates: ['2026-03-28', '2026-03-29', '2026-03-30'], slot: 60, tz: 'Europe/Berlin' }
		],
		['dates, 15-minute blocks', { kind: 'dates', dates: ['2026-03-21', '2026-03-23'], slot: 15, tz: 'Asia/Kolkata' }],
		['weekdays, 30-minute blocks', { kind: 'weekdays', weekdays: [1, 3, 7], slot: 30, tz: 'America/New_York' }]
	] as const)('shows the same heatmap, best times and attendance as all per-slot maps: %s', (_, settings) => {
		const draft: EventDraft = {
			title: 'Readers',
			dates: [],
			weekdays: [],
			start: 480,
			end: 1080,
			...settings
		} as unknown as EventDraft;
		const { maps, mixed } = twoDocs(draft);
		for (const seed of [3, 8]) {
			const grid = paintBoth(maps, mixed, seed);
			expect(availabilityMap(mixed).get(IDS[0])).toBeInstanceOf(Y.Text);
			expect(readLog(availabilityMap(mixed).get(IDS[0])!.toString()).complete).toBe(true);
			const want = views(maps, grid);
			expect(want.heat.members.length).toBeGreaterThan(0);
			expect(views(mixed, grid)).toEqual(want);
		}
	});

	it('a log keeps every quarter-hour a block covered, so shorter blocks later show them all', () => {
		const draft: EventDraft = {
			title: 'Blocks',
			kind: 'weekdays',
			dates: [],
			weekdays: [1],
			start: 540,
			end: 720,
			slot: 60,
			tz: 'UTC'
		};
		const { maps, mixed } = twoDocs(draft);
		for (const doc of [maps, mixed]) applyStroke(doc, IDS[0], ['w1T09:00'], 1);
		updateSettings(mixed, { ...draft, slot: 15 });
		updateSettings(maps, { ...draft, slot: 15 });
		expect([...readMarks(mixed, IDS[0]).keys()]).toEqual(['w1T09:00', 'w1T09:15', 'w1T09:30', 'w1T09:45']);
		// A per-slot map holds the key of the block painted, as it always has.
		expect([...readMarks(maps, IDS[0]).keys()]).toEqual(['w1T09:00']);
		// Painting a quarter-hour inside it changes only that one.
		expect(applyStroke(mixed, IDS[0], ['w1T09:30'], 0)).toBe(1);
		expect(applyStroke(mixed, IDS[0], ['w1T09:30'], 0)).toBe(0);
		expect([...readMarks(mixed, IDS[0]).keys()]).toEqual(['w1T09:00', 'w1T09:15', 'w1T09:45']);
	});

	it('a member joining a v3 event gets a stroke log, and undo removes a stroke as one step', () => {
		const doc = new Y.Doc();
		createEvent(doc, { ...SIMPLE }, CREATED);
		eventMap(doc).set('v', LOG_SCHEMA_VERSION);
		const me = joinEvent(doc, 'Me', CREATED);
		const entry = availabilityMap(doc).get(me)!;
		expect(entry).toBeInstanceOf(Y.Text);
		const undo = new Y.UndoManager(entry, { trackedOrigins: new Set([STROKE_ORIGIN]), captureTimeout: 0 });
		applyStroke(doc, me, ['2026-03-21T09:00Z', '2026-03-21T09:30Z'], 1);
		undo.stopCapturing();
		applyStroke(doc, me, ['2026-03-21T09:30Z'], 2);
		expect(readMarks(doc, me).get('2026-03-21T09:30Z')).toBe(2);
		undo.undo();
		expect(readMarks(doc, me).get('2026-03-21T09:30Z')).toBe(1);
		undo.undo();
		expect(readMarks(doc, me).size).toBe(0);
		// A v2 event still gets a per-slot map; a new event is made in v3.
		const fresh = new Y.Doc();
		createEvent(fresh, SIMPLE, CREATED);
		expect(availabilityMap(fresh).get(joinEvent(fresh, 'Me', CREATED))).toBeInstanceOf(Y.Text);
		const old = new Y.Doc();
		createEvent(old, SIMPLE, CREATED, 2);
		expect(availabilityMap(old).get(joinEvent(old, 'Me', CREATED))).toBeInstanceOf(Y.Map);
	});
});

const SIMPLE: EventDraft = {
	title: 'Simple',
	kind: 'dates',
	dates: ['2026-03-21'],
	weekdays: [],
	start: 540,
	end: 720,
	slot: 30,
	tz: 'UTC'
};
