import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import fc from 'fast-check';
import {
	applyStroke,
	availabilityMap,
	slotMap,
	checkName,
	createEvent,
	eventMap,
	joinEvent,
	markedSlots,
	readAvailability,
	readMarks,
	readMembers,
	readSettings,
	AVAILABLE,
	IF_NEEDED,
	isLocked,
	removeMember,
	renameMember,
	setLocked,
	updateSettings,
	type Level
} from './event-doc.js';
import { computeHeatmap, countAt, ifNeededAt } from './heatmap.js';
import { buildGrid, compactSlotKey } from './slots.js';
import { PLAIN_SCHEMA_VERSION, SCHEMA_VERSION, type EventDraft } from './settings.js';

const draft: EventDraft = {
	title: '  Study   group ',
	kind: 'weekdays',
	dates: [],
	weekdays: [5, 1, 3],
	start: 540,
	end: 720,
	slot: 30,
	tz: 'Asia/Seoul'
};

/** Sends everything `from` has that `to` lacks. */
function sync(from: Y.Doc, to: Y.Doc) {
	Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)));
}

/** These tests are about per-slot maps: their events are made in schema v2, the last to use them. */
const MAP_SCHEMA = 2;

function freshEvent() {
	const doc = new Y.Doc();
	createEvent(doc, draft, 1_700_000_000_000, MAP_SCHEMA);
	return doc;
}

describe('event document', () => {
	it('creates and reads back settings, normalised', () => {
		const doc = freshEvent();
		expect(readSettings(doc)).toEqual({
			title: 'Study group',
			kind: 'weekdays',
			dates: [],
			weekdays: [1, 3, 5],
			start: 540,
			end: 720,
			slot: 30,
			tz: 'Asia/Seoul',
			createdAt: 1_700_000_000_000,
			v: MAP_SCHEMA
		});
		const current = new Y.Doc();
		createEvent(current, draft, 1);
		// createEvent writes the newest plain layout; the app's new events are private (sealed-event.ts).
		expect(readSettings(current)?.v).toBe(PLAIN_SCHEMA_VERSION);
		expect(SCHEMA_VERSION).toBeGreaterThan(PLAIN_SCHEMA_VERSION);
		expect(() => createEvent(doc, draft, 0)).toThrow(/already/);
		// A document with no version predates versions: never taken for a private one.
		eventMap(current).delete('v');
		expect(readSettings(current)?.v).toBe(1);
	});

	it('reads an empty or damaged document as "no event" instead of crashing', () => {
		expect(readSettings(new Y.Doc())).toBeNull();
		const doc = freshEvent();
		eventMap(doc).set('slot', 7);
		expect(readSettings(doc)).toBeNull();
	});

	it('joins members with trimmed names, duplicates allowed', () => {
		const doc = freshEvent();
		const a = joinEvent(doc, '  Minji ', 1);
		const b = joinEvent(doc, 'Minji', 2);
		expect(a).not.toBe(b);
		expect([...readMembers(doc).values()].map((m) => m.name)).toEqual(['Minji', 'Minji']);
		expect(checkName('')).toBe('name.required');
		expect(checkName('x'.repeat(41))).toBe('name.tooLong');
		expect(checkName('가'.repeat(40))).toBeNull();
		expect(() => joinEvent(doc, '   ', 3)).toThrow();
	});

	it('a stroke is one transaction and one update; clearing writes a new record', () => {
		const doc = freshEvent();
		const me = joinEvent(doc, 'Minji', 1);
		const updates: Uint8Array[] = [];
		doc.on('update', (u: Uint8Array) => updates.push(u));
		const before = Y.encodeStateVector(doc);
		expect(applyStroke(doc, me, ['w1T09:00', 'w1T09:30', 'w3T09:00'], 1)).toBe(3);
		expect(updates).toHaveLength(1);
		expect(markedSlots(doc, me)).toEqual(new Set(['w1T09:00', 'w1T09:30', 'w3T09:00']));
		expect(applyStroke(doc, me, ['w1T09:00', 'w1T09:30'], 1)).toBe(0);
		expect(updates).toHaveLength(1);
		const mid = Y.encodeStateVector(doc);
		applyStroke(doc, me, ['w1T09:30'], 0);
		expect(markedSlots(doc, me)).toEqual(new Set(['w1T09:00', 'w3T09:00']));
		// Clearing is a new record: the state vector advances.
		expect(Buffer.from(Y.encodeStateVector(doc)).equals(Buffer.from(mid))).toBe(false);
		expect(Buffer.from(mid).equals(Buffer.from(before))).toBe(false);
	});

	it('refuses strokes for a member who has not joined', () => {
		expect(() => applyStroke(freshEvent(), 'nobody', ['w1T09:00'], 1)).toThrow(/not joined/);
	});

	it('marks outside the window are hidden by the grid, kept in the document, and come back', () => {
		const doc = freshEvent();
		const me = joinEvent(doc, 'Minji', 1);
		applyStroke(doc, me, ['w1T09:00', 'w1T11:30'], 1);
		eventMap(doc).set('end', 600);
		const narrow = buildGrid(readSettings(doc)!);
		expect(computeHeatmap(readAvailability(doc), { slots: narrow.slots }).available.has('w1T11:30')).toBe(false);
		expect(markedSlots(doc, me).has('w1T11:30')).toBe(true);
		eventMap(doc).set('end', 720);
		const wide = buildGrid(readSettings(doc)!);
		expect(countAt(computeHeatmap(readAvailability(doc), { slots: wide.slots }), 'w1T11:30')).toBe(1);
	});

	it("the organizer's edit writes only what changed, so a concurrent edit of another setting survives", () => {
		const a = freshEvent();
		const b = new Y.Doc();
		sync(a, b);
		const me = joinEvent(a, 'Minji', 1);
		applyStroke(a, me, ['w1T11:30', 'w3T09:00'], 1);
		sync(a, b);
		const current = readSettings(a)!;
		// One device narrows the window and drops Wednesday; another renames.
		updateSettings(a, { ...current, end: 600, weekdays: [1, 5] });
		updateSettings(b, { ...readSettings(b)!, title: 'Study night' });
		sync(a, b);
		sync(b, a);
		for (const doc of [a, b]) {
			const s = readSettings(doc)!;
			expect([s.title, s.end, s.weekdays]).toEqual(['Study night', 600, [1, 5]]);
			const grid = buildGrid(s);
			const heat = computeHeatmap(readAvailability(doc), { slots: grid.slots });
			expect(heat.available.size).toBe(0);
			expect(readMarks(doc, me).size).toBe(2);
		}
		// Growing the window and the days back brings both marks back.
		updateSettings(a, { ...readSettings(a)!, end: 720, weekdays: [1, 3, 5] });
		const heat = computeHeatmap(readAvailability(a), { slots: buildGrid(readSettings(a)!).slots });
		expect([countAt(heat, 'w1T11:30'), countAt(heat, 'w3T09:00')]).toEqual([1, 1]);
	});

	it('switching an event between dates and weekdays keeps the other list for switching back', () => {
		const doc = freshEvent();
		updateSettings(doc, { ...readSettings(doc)!, kind: 'dates', dates: ['2026-12-02', '2026-12-01'] });
		expect(readSettings(doc)!.weekdays).toEqual([1, 3, 5]);
		updateSettings(doc, { ...readSettings(doc)!, kind: 'weekdays' });
		const s = readSettings(doc)!;
		expect([s.kind, s.weekdays, s.dates]).toEqual(['weekdays', [1, 3, 5], ['2026-12-01', '2026-12-02']]);
		expect(buildGrid(s).columns.map((c) => c.id)).toEqual(['w1', 'w3', 'w5']);
	});

	it('an edit that changes nothing writes nothing', () => {
		const doc = freshEvent();
		let updates = 0;
		doc.on('update', () => updates++);
		updateSettings(doc, { ...readSettings(doc)!, title: ' Study group' });
		expect(updates).toBe(0);
	});

	it('concurrent edits on separate docs merge: settings fields, members, same slot', () => {
		const a = freshEvent();
		const b = new Y.Doc();
		sync(a, b);
		const ma = joinEvent(a, 'A', 1);
		const mb = joinEvent(b, 'B', 2);
		applyStroke(a, ma, ['w1T09:00', 'w1T09:30'], 1);
		applyStroke(b, mb, ['w1T09:00'], 1);
		eventMap(a).set('title', 'Renamed');
		eventMap(b).set('end', 660);
		sync(a, b);
		sync(b, a);
		for (const doc of [a, b]) {
			const s = readSettings(doc)!;
			expect(s.title).toBe('Renamed');
			expect(s.end).toBe(660);
			const heat = computeHeatmap(readAvailability(doc));
			expect(countAt(heat, 'w1T09:00')).toBe(2);
			expect(countAt(heat, 'w1T09:30')).toBe(1);
		}
	});
});

describe('heatmap', () => {
	const marks = (available: string[], ifNeeded: string[] = []) =>
		new Map<string, Level>([...available.map((s) => [s, 1] as const), ...ifNeeded.map((s) => [s, 2] as const)]);
	const availability = new Map([
		['a', marks(['s1', 's2'])],
		['b', marks(['s2'], ['s3'])],
		['c', marks(['s2', 's3'])]
	]);

	it('counts members per slot and remembers who', () => {
		const heat = computeHeatmap(availability);
		expect(countAt(heat, 's2')).toBe(3);
		expect(heat.available.get('s1')).toEqual(['a']);
		expect(countAt(heat, 'nope')).toBe(0);
		expect(heat.max).toBe(3);
	});

	it('keeps "if needed" apart from available', () => {
		const heat = computeHeatmap(availability);
		expect(countAt(heat, 's3')).toBe(1);
		expect(ifNeededAt(heat, 's3')).toBe(1);
		expect(heat.ifNeeded.get('s3')).toEqual(['b']);
		expect(ifNeededAt(heat, 's2')).toBe(0);
	});

	it('organizer edits: rename, remove with marks, lock', () => {
		const doc = new Y.Doc();
		createEvent(doc, draft, 1, MAP_SCHEMA);
		const a = joinEvent(doc, 'Ann', 1);
		const b = joinEvent(doc, 'Bo', 2);
		applyStroke(doc, b, ['w1T09:00'], AVAILABLE);
		renameMember(doc, b, '  Bo  Ra ');
		expect(readMembers(doc).get(b)).toEqual({ name: 'Bo Ra', joinedAt: 2 });
		expect(() => renameMember(doc, b, ' ')).toThrow();
		removeMember(doc, b);
		expect([...readMembers(doc).keys()]).toEqual([a]);
		expect(availabilityMap(doc).has(b)).toBe(false);
		expect(isLocked(doc)).toBe(false);
		setLocked(doc, true);
		expect(isLocked(doc)).toBe(true);
	});

	it('stores the three levels and reads back only the ones that count', () => {
		const doc = new Y.Doc();
		createEvent(doc, draft, 1, MAP_SCHEMA);
		const me = joinEvent(doc, 'Me', 1);
		applyStroke(doc, me, ['w1T09:00', 'w1T09:30'], IF_NEEDED);
		applyStroke(doc, me, ['w1T09:30', 'w1T10:00'], AVAILABLE);
		applyStroke(doc, me, ['w1T10:00'], 0);
		expect(readMarks(doc, me)).toEqual(
			new Map([
				['w1T09:00', 2],
				['w1T09:30', 1]
			])
		);
		expect(markedSlots(doc, me)).toEqual(new Set(['w1T09:30']));
		slotMap(doc, me)!.set(compactSlotKey('w1T10:30'), 7 as never);
		expect(readMarks(doc, me).has('w1T10:30')).toBe(false);
	});

	it('keys marks compactly in a schema v2 event, fully in a v1 event, and reads both', () => {
		const doc = new Y.Doc();
		createEvent(doc, draft, 1, MAP_SCHEMA);
		const me = joinEvent(doc, 'Me', 1);
		applyStroke(doc, me, ['w1T09:00'], AVAILABLE);
		expect([...slotMap(doc, me)!.keys()]).toEqual(['Wf0']);

		const old = new Y.Doc();
		createEvent(old, draft, 1);
		eventMap(old).set('v', 1); // as an event created by the first version
		const them = joinEvent(old, 'Them', 1);
		applyStroke(old, them, ['w1T09:00', 'w2T10:00'], AVAILABLE);
		expect([...slotMap(old, them)!.keys()].sort()).toEqual(['w1T09:00', 'w2T10:00']);
		expect(markedSlots(old, them)).toEqual(new Set(['w1T09:00', 'w2T10:00']));
		applyStroke(old, them, ['w1T09:00'], 0);
		expect(markedSlots(old, them)).toEqual(new Set(['w2T10:00']));
	});

	it('filters to chosen members and to the slots in view', () => {
		const heat = computeHeatmap(availability, { only: new Set(['a', 'c']), slots: new Set(['s1', 's2']) });
		expect(heat.members).toEqual(['a', 'c']);
		expect(countAt(heat, 's2')).toBe(2);
		expect(heat.available.has('s3')).toBe(false);
		expect(heat.max).toBe(2);
	});

	it('leaves out people who have not marked anything yet: not answered is not busy', () => {
		const withNewcomer = new Map([...availability, ['d', marks([])], ['e', marks(['s9'])]]);
		const heat = computeHeatmap(withNewcomer, { slots: new Set(['s1', 's2', 's3']) });
		expect(heat.members).toEqual(['a', 'b', 'c']);
		// e marked only a time outside the grid shown: for these times, no answer yet.
		expect(heat.pending).toEqual(['d', 'e']);
		expect(countAt(heat, 's2')).toBe(3);
		expect(computeHeatmap(withNewcomer).pending).toEqual(['d']);
	});
});

describe('convergence (property)', () => {
	const grid = buildGrid({ ...draft, weekdays: [1, 3, 5] });
	const allSlots = [...grid.slots];

	type Op =
		| { type: 'stroke'; replica: number; member: number; slots: number[]; mark: 0 | 1 | 2 }
		| { type: 'sync'; from: number; to: number };

	const op: fc.Arbitrary<Op> = fc.oneof(
		fc.record({
			type: fc.constant('stroke' as const),
			replica: fc.integer({ min: 0, max: 2 }),
			member: fc.integer({ min: 0, max: 1 }),
			slots: fc.array(fc.integer({ min: 0, max: allSlots.length - 1 }), { minLength: 1, maxLength: 8 }),
			mark: fc.constantFrom(0 as const, 1 as const, 2 as const)
		}),
		fc.record({
			type: fc.constant('sync' as const),
			from: fc.integer({ min: 0, max: 2 }),
			to: fc.integer({ min: 0, max: 2 })
		})
	);

	it('random strokes on 3 replicas with random partial syncs converge to identical availability and heatmaps', () => {
		fc.assert(
			fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
				const origin = freshEvent();
				const replicas = [origin, new Y.Doc(), new Y.Doc()];
				replicas.forEach((r) => sync(origin, r));
				// Each replica owns two members of its own (members are per device).
				const members = replicas.map((r, i) => [joinEvent(r, `R${i}a`, i), joinEvent(r, `R${i}b`, i)]);
				for (const o of ops) {
					if (o.type === 'stroke') {
						applyStroke(
							replicas[o.replica],
							members[o.replica][o.member],
							o.slots.map((i) => allSlots[i]),
							o.mark
						);
					} else if (o.from !== o.to) {
						sync(replicas[o.from], replicas[o.to]);
					}
				}
				for (const a of replicas) for (const b of replicas) if (a !== b) sync(a, b);
				const views = replicas.map((r) => {
					const avail = readAvailability(r);
					const heat = computeHeatmap(avail, { slots: grid.slots });
					return {
						avail: [...avail].map(([id, s]) => [id, [...s].sort()]).sort(),
						ifNeeded: [...heat.ifNeeded].map(([slot, who]) => [slot, [...who].sort()]).sort(),
						heat: [...heat.available].map(([slot, who]) => [slot, [...who].sort()]).sort()
					};
				});
				expect(views[1]).toEqual(views[0]);
				expect(views[2]).toEqual(views[0]);
				expect(availabilityMap(replicas[0]).size).toBe(6);
			}),
			{ numRuns: 150 }
		);
	});
});
