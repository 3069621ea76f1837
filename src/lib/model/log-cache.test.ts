import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { cachedMarks, cachedRead } from './log-cache.js';
import { encodeStroke, logEpoch, logMarks, readLog } from './stroke-log.js';
import {
	applyMarks,
	availabilityMap,
	createEvent,
	eventMap,
	joinEvent,
	LOG_SCHEMA_VERSION,
	readMarks,
	STROKE_ORIGIN,
	type Mark
} from './event-doc.js';
import type { EventDraft } from './settings.js';

const CREATED = Date.UTC(2026, 2, 20, 12);
const DRAFT: EventDraft = {
	title: 'Cache',
	kind: 'dates',
	dates: ['2026-03-21', '2026-03-22'],
	weekdays: [],
	start: 480,
	end: 720,
	slot: 30,
	tz: 'UTC'
};

/** A v3 event with one member, and a second device holding a copy. */
function twoDevices(): { a: Y.Doc; b: Y.Doc; me: string } {
	const a = new Y.Doc();
	a.clientID = 1;
	createEvent(a, DRAFT, CREATED);
	eventMap(a).set('v', LOG_SCHEMA_VERSION);
	const me = joinEvent(a, 'Me', CREATED);
	const b = new Y.Doc();
	b.clientID = 2;
	Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
	return { a, b, me };
}

function sync(a: Y.Doc, b: Y.Doc): void {
	const toB = Y.encodeStateAsUpdate(a, Y.encodeStateVector(b));
	const toA = Y.encodeStateAsUpdate(b, Y.encodeStateVector(a));
	Y.applyUpdate(b, toB);
	Y.applyUpdate(a, toA);
}

const log = (doc: Y.Doc, id: string) => availabilityMap(doc).get(id) as Y.Text;

/** The cache says what a full re-read says. */
function expectFresh(doc: Y.Doc, id: string): void {
	const text = log(doc, id);
	const full = readLog(text.toString());
	const cached = cachedRead(text);
	expect(cached.dated).toEqual(full.dated);
	expect(cached.weekly).toEqual(full.weekly);
	expect(cached.stamp).toBe(full.stamp);
	expect(cached.records).toBe(full.records);
	expect(cached.complete).toBe(full.complete);
	expect(readMarks(doc, id)).toEqual(logMarks(text.toString(), logEpoch(CREATED)));
}

describe('the cached read of a stroke log', () => {
	it('equals a full re-read under random strokes, undos, redos and syncs of two devices', () => {
		let seed = 7;
		const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff) / 0x7fffffff;
		const { a, b, me } = twoDevices();
		const devices = [a, b];
		// Read before any change, so the observers follow every step from here.
		for (const doc of devices) cachedRead(log(doc, me));
		const undos = devices.map(
			(doc) => new Y.UndoManager(log(doc, me), { trackedOrigins: new Set([STROKE_ORIGIN]), captureTimeout: 0 })
		);
		const slots = ['2026-03-21', '2026-03-22'].flatMap((day) =>
			Array.from(
				{ length: 8 },
				(_, i) => `${day}T${String(8 + Math.floor(i / 2)).padStart(2, '0')}:${i % 2 ? '30' : '00'}Z`
			)
		);
		let undone = 0;
		for (let step = 0; step < 400; step++) {
			const k = Math.floor(random() * 2);
			const doc = devices[k];
			const r = random();
			if (r < 0.6) {
				const from = Math.floor(random() * slots.length);
				const marks: [string, Mark][] = slots
					.slice(from, from + 1 + Math.floor(random() * 4))
					.map((slot) => [slot, Math.floor(random() * 3) as Mark]);
				applyMarks(doc, me, marks);
				undos[k].stopCapturing();
			} else if (r < 0.75) {
				undos[k].undo();
				undone++;
			} else if (r < 0.8) undos[k].redo();
			else sync(a, b);
			for (const d of devices) expectFresh(d, me);
		}
		sync(a, b);
		expectFresh(a, me);
		expect(undone).toBeGreaterThan(20);
		expect(readMarks(a, me)).toEqual(readMarks(b, me));
	});

	it('stamps a new stroke above every stamp the device has seen, remote ones included', () => {
		const { a, b, me } = twoDevices();
		cachedRead(log(b, me));
		applyMarks(a, me, [['2026-03-21T09:00Z', 1]]);
		applyMarks(a, me, [['2026-03-21T09:00Z', 2]]);
		sync(a, b);
		expect(cachedRead(log(b, me)).stamp).toBe(2);
		applyMarks(b, me, [['2026-03-21T09:00Z', 0]]);
		expect(cachedRead(log(b, me)).stamp).toBe(3);
		expect(readMarks(b, me).has('2026-03-21T09:00Z')).toBe(false);
	});

	it('two strokes in one outer transaction get rising stamps', () => {
		const { a, me } = twoDevices();
		cachedRead(log(a, me));
		a.transact(() => {
			applyMarks(a, me, [['2026-03-21T09:00Z', 1]]);
			applyMarks(a, me, [['2026-03-21T09:00Z', 0]]);
		});
		expect(readMarks(a, me).size).toBe(0);
		expectFresh(a, me);
	});

	it('stops where a full read stops when garbage arrives, and re-reads after a deletion', () => {
		const { a, b, me } = twoDevices();
		cachedRead(log(b, me));
		applyMarks(a, me, [['2026-03-21T09:00Z', 1]]);
		sync(a, b);
		log(a, me).insert(log(a, me).length, '\x7f\x7f\x7f\x7f\x7f\x7f\x7f');
		log(a, me).insert(log(a, me).length, encodeStroke({ q: 0, n: 4, d: 1, m: 1, weekly: false }, 9));
		sync(a, b);
		expectFresh(b, me);
		expect(cachedRead(log(b, me)).complete).toBe(false);
		log(a, me).delete(log(a, me).length - 11, 7);
		sync(a, b);
		expectFresh(b, me);
		expect(cachedRead(log(b, me)).complete).toBe(true);
		expect(cachedMarks(log(b, me), logEpoch(CREATED)).size).toBe(6);
	});
});
