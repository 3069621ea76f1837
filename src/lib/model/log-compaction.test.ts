import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { cachedRead } from './log-cache.js';
import { COMPACT_CHARS, COMPACT_ORIGIN, COMPACT_RECORDS, compactLog, needsCompaction } from './log-compaction.js';
import { cellMark, encodeStroke, readLog, type Cells } from './stroke-log.js';
import {
	applyMarks,
	availabilityMap,
	createEvent,
	eventMap,
	joinEvent,
	LOG_SCHEMA_VERSION,
	readMarks,
	STROKE_ORIGIN
} from './event-doc.js';
import { checkUpdate } from './write-check.js';
import type { EventDraft } from './settings.js';

const CREATED = Date.UTC(2026, 2, 20, 12);
const DRAFT: EventDraft = {
	title: 'Compaction',
	kind: 'dates',
	dates: ['2026-03-21'],
	weekdays: [],
	start: 0,
	end: 1440,
	slot: 15,
	tz: 'UTC'
};
const ME = 'member-me-000001';

/** The relay's copy of a v3 event with one member (who has an empty log). */
function relayDoc(): Y.Doc {
	const doc = new Y.Doc();
	doc.clientID = 1;
	createEvent(doc, DRAFT, CREATED);
	eventMap(doc).set('v', LOG_SCHEMA_VERSION);
	joinEvent(doc, 'Me', CREATED, ME);
	return doc;
}

/** A device of the member: a copy of the relay's document, and what the relay has acknowledged to it. */
interface Device {
	doc: Y.Doc;
	acked: Map<number, number>;
}

function device(relay: Y.Doc, clientID: number): Device {
	const doc = new Y.Doc();
	doc.clientID = clientID;
	Y.applyUpdate(doc, Y.encodeStateAsUpdate(relay));
	return { doc, acked: Y.decodeStateVector(Y.encodeStateVector(relay)) };
}

/** A sync with the relay: what the device has goes through the relay's write check, then it gets the rest. */
function syncRelay(relay: Y.Doc, d: Device): void {
	const up = Y.encodeStateAsUpdate(d.doc, Y.encodeStateVector(relay));
	const verdict = checkUpdate(relay, up, { memberId: ME, organizer: false });
	expect(verdict).toMatchObject({ ok: true });
	Y.applyUpdate(relay, up);
	Y.applyUpdate(d.doc, Y.encodeStateAsUpdate(relay, Y.encodeStateVector(d.doc)));
	d.acked = Y.decodeStateVector(Y.encodeStateVector(relay));
}

/** Two tabs of one browser meeting over BroadcastChannel: nothing is acknowledged by it. */
function syncTabs(a: Device, b: Device): void {
	const toB = Y.encodeStateAsUpdate(a.doc, Y.encodeStateVector(b.doc));
	const toA = Y.encodeStateAsUpdate(b.doc, Y.encodeStateVector(a.doc));
	Y.applyUpdate(b.doc, toB);
	Y.applyUpdate(a.doc, toA);
}

const log = (doc: Y.Doc) => availabilityMap(doc).get(ME) as Y.Text;

/** Appends one stroke of `n` quarter-hours from `q` set to `m`, stamped above everything the device has seen. */
function stroke(doc: Y.Doc, q: number, n: number, m: 0 | 1 | 2): number {
	const stamp = cachedRead(log(doc)).stamp + 1;
	doc.transact(
		() => log(doc).insert(log(doc).length, encodeStroke({ q, n, d: 1, m, weekly: false }, stamp)),
		STROKE_ORIGIN
	);
	return stamp;
}

const marksOf = (doc: Y.Doc) => new Map([...readLog(log(doc).toString()).dated].map(([q, c]) => [q, cellMark(c)]));

describe('compacting a stroke log', () => {
	it('folds the log into one base that reads the same, and the relay accepts it', () => {
		const relay = relayDoc();
		const phone = device(relay, 10);
		for (let i = 0; i < 70; i++) stroke(phone.doc, (i * 7) % 90, 1 + (i % 5), (i % 3) as 0 | 1 | 2);
		syncRelay(relay, phone);
		expect(needsCompaction(log(phone.doc))).toBe(true);
		const before = readLog(log(phone.doc).toString());
		const length = log(phone.doc).length;
		expect(compactLog(log(phone.doc), phone.acked)).toBe(70);
		const after = readLog(log(phone.doc).toString());
		expect(after.dated).toEqual(before.dated);
		expect(after.stamp).toBe(70);
		expect(after.records).toBe(1);
		expect(log(phone.doc).length).toBeLessThan(length / 2);
		expect(needsCompaction(log(phone.doc))).toBe(false);
		syncRelay(relay, phone);
		expect(readMarks(relay, ME)).toEqual(readMarks(phone.doc, ME));
		// A later stroke still wins over the base.
		applyMarks(phone.doc, ME, [['2026-03-21T00:00Z', 2]]);
		expect(readMarks(phone.doc, ME).get('2026-03-21T00:00Z')).toBe(2);
	});

	it('folds again only once the log has grown past a long base, not after every stroke', () => {
		const relay = relayDoc();
		const phone = device(relay, 10);
		// Scattered single quarter-hours with mixed marks: a base that cannot be packed small.
		for (let i = 0; i < 400; i++) stroke(phone.doc, (i * 37) % 2600, 1, (1 + (i % 2)) as 1 | 2);
		syncRelay(relay, phone);
		expect(compactLog(log(phone.doc), phone.acked)).toBe(400);
		expect(log(phone.doc).length).toBeGreaterThan(COMPACT_CHARS);
		stroke(phone.doc, 5, 1, 0);
		expect(needsCompaction(log(phone.doc))).toBe(false);
		for (let i = 0; i < COMPACT_RECORDS - 2; i++) stroke(phone.doc, i, 1, 1);
		expect(needsCompaction(log(phone.doc))).toBe(true);
	});

	it('is not tracked by undo: an undo after it removes only strokes made after it', () => {
		const relay = relayDoc();
		const phone = device(relay, 10);
		for (let i = 0; i < 4; i++) stroke(phone.doc, i * 4, 2, 1);
		syncRelay(relay, phone);
		const undo = new Y.UndoManager(log(phone.doc), { trackedOrigins: new Set([STROKE_ORIGIN]), captureTimeout: 0 });
		compactLog(log(phone.doc), phone.acked);
		expect(undo.canUndo()).toBe(false);
		stroke(phone.doc, 40, 1, 2);
		undo.undo();
		expect(marksOf(phone.doc).get(40)).toBeUndefined();
		expect(marksOf(phone.doc).size).toBe(8);
		expect(COMPACT_ORIGIN).not.toBe(STROKE_ORIGIN);
	});

	it('keeps a stroke another device appended offline while this one compacted', () => {
		const relay = relayDoc();
		const phone = device(relay, 10);
		stroke(phone.doc, 0, 4, 1); // 00:00–01:00 available
		stroke(phone.doc, 2, 4, 2); // 00:30–01:30 if needed
		syncRelay(relay, phone);
		const laptop = device(relay, 20);
		stroke(laptop.doc, 3, 2, 0); // offline: clears 00:45–01:15
		expect(compactLog(log(phone.doc), phone.acked)).toBe(2);
		syncRelay(relay, phone);
		syncRelay(relay, laptop);
		syncRelay(relay, phone);
		const want = new Map([
			[0, 1],
			[1, 1],
			[2, 2],
			[3, 0],
			[4, 0],
			[5, 2]
		]);
		expect(marksOf(phone.doc)).toEqual(want);
		expect(marksOf(laptop.doc)).toEqual(want);
		expect(marksOf(relay)).toEqual(want);
	});

	it('two devices compacting the same log at once lose nothing', () => {
		const relay = relayDoc();
		const phone = device(relay, 10);
		stroke(phone.doc, 0, 2, 1);
		stroke(phone.doc, 4, 2, 1);
		syncRelay(relay, phone);
		const laptop = device(relay, 20);
		stroke(phone.doc, 0, 1, 0); // the phone clears 00:00, unseen by the laptop
		compactLog(log(phone.doc), phone.acked);
		stroke(laptop.doc, 8, 1, 2);
		compactLog(log(laptop.doc), laptop.acked);
		for (const d of [phone, laptop, phone]) syncRelay(relay, d);
		const want = new Map([
			[0, 0],
			[1, 1],
			[4, 1],
			[5, 1],
			[8, 2]
		]);
		expect(marksOf(phone.doc)).toEqual(want);
		expect(marksOf(laptop.doc)).toEqual(want);
	});

	it('leaves records the relay has not acknowledged from other clients (another tab’s), then folds them once it has', () => {
		const relay = relayDoc();
		const tab1 = device(relay, 10);
		const tab2 = device(relay, 20);
		stroke(tab1.doc, 0, 2, 1);
		stroke(tab1.doc, 4, 2, 1);
		syncRelay(relay, tab1);
		stroke(tab2.doc, 8, 2, 2);
		stroke(tab2.doc, 12, 2, 2);
		syncTabs(tab1, tab2);
		// What the provider sends the relay is the compaction's own update, which carries no strokes.
		const sent: Uint8Array[] = [];
		tab1.doc.on('update', (update: Uint8Array) => sent.push(update));
		expect(compactLog(log(tab1.doc), tab1.acked)).toBe(2);
		expect(readLog(log(tab1.doc).toString()).records).toBe(3);
		expect(sent).toHaveLength(1);
		expect(checkUpdate(relay, sent[0], { memberId: ME, organizer: false })).toMatchObject({ ok: true });
		// The relay gets the compaction before tab 2's strokes: it must still accept it.
		syncRelay(relay, tab1);
		syncRelay(relay, tab2);
		syncRelay(relay, tab1);
		expect(compactLog(log(tab1.doc), tab1.acked)).toBe(3);
		expect(readLog(log(tab1.doc).toString()).records).toBe(1);
		syncRelay(relay, tab1);
		expect(marksOf(relay)).toEqual(marksOf(tab2.doc));
		expect(marksOf(relay).size).toBe(8);
	});

	it('does nothing to a log that does not read cleanly, or to one record', () => {
		const relay = relayDoc();
		const phone = device(relay, 10);
		stroke(phone.doc, 0, 2, 1);
		expect(compactLog(log(phone.doc), phone.acked)).toBe(0);
		log(phone.doc).insert(log(phone.doc).length, '\x7f\x7f\x7f\x7f\x7f\x7f\x7f');
		stroke(phone.doc, 4, 2, 1);
		expect(needsCompaction(log(phone.doc))).toBe(false);
		expect(compactLog(log(phone.doc), phone.acked)).toBe(0);
	});

	it('needs compaction from 64 records, or 1 KB', () => {
		const relay = relayDoc();
		const phone = device(relay, 10);
		for (let i = 0; i < COMPACT_RECORDS - 1; i++) stroke(phone.doc, i, 1, 1);
		expect(needsCompaction(log(phone.doc))).toBe(false);
		stroke(phone.doc, 0, 1, 2);
		expect(needsCompaction(log(phone.doc))).toBe(true);
	});

	it('devices painting, compacting and syncing in any order converge on every stroke ever made', () => {
		let seed = 5;
		const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff) / 0x7fffffff;
		const relay = relayDoc();
		const devices = [10, 11, 12, 13].map((id) => device(relay, id));
		const everyStroke: Cells = new Map();
		let compactions = 0;
		for (let step = 0; step < 500; step++) {
			const d = devices[Math.floor(random() * devices.length)];
			const r = random();
			if (r < 0.65) {
				const q = Math.floor(random() * 40);
				const n = 1 + Math.floor(random() * 6);
				const m = Math.floor(random() * 3) as 0 | 1 | 2;
				const stamp = stroke(d.doc, q, n, m);
				for (let i = q; i < q + n; i++) everyStroke.set(i, Math.max(everyStroke.get(i) ?? 0, stamp * 3 + m));
			} else if (r < 0.8) {
				if (compactLog(log(d.doc), d.acked) > 0) compactions++;
			} else if (r < 0.95) syncRelay(relay, d);
			else syncTabs(d, devices[Math.floor(random() * devices.length)]);
		}
		for (const d of devices) syncRelay(relay, d);
		for (const d of devices) syncRelay(relay, d);
		expect(compactions).toBeGreaterThan(20);
		const want = new Map([...everyStroke].map(([q, c]) => [q, cellMark(c)]));
		for (const d of devices) expect(marksOf(d.doc)).toEqual(want);
		expect(marksOf(relay)).toEqual(want);
	});
});
