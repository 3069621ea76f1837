/**
 * Issue 19 research (bench/layout-log.ts, docs/design/document-size.md):
 * does a per-member stroke log with on-device compaction keep the product's
 * promises when devices edit concurrently, and does the relay's write check
 * still confine a member to their own entry? Devices are real Y.Docs synced
 * by exchanging state-vector diffs, as y-protocols does.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createEvent } from '../../src/lib/model/event-doc.js';
import { checkUpdate } from '../../src/lib/model/write-check.js';
import { arrayLog, encodeStroke, levels, replay, textLog, type Cells, type Shape } from '../../bench/layout-log.js';

const ME = 'member-me-000001';
const OTHER = 'member-other-001';
const draft = {
	title: 'Research',
	kind: 'dates' as const,
	dates: ['2026-12-01'],
	weekdays: [],
	start: 0,
	end: 1440,
	slot: 30 as const,
	tz: 'UTC'
};

/** A document as the organizer made it, with two members whose availability is an empty log. */
function eventDoc(entry: () => Y.AbstractType<any>): Y.Doc {
	const doc = new Y.Doc();
	createEvent(doc, draft, 1);
	doc.transact(() => {
		for (const id of [ME, OTHER]) {
			doc.getMap('members').set(id, { name: id, joinedAt: 1 });
			doc.getMap('availability').set(id, entry());
		}
	});
	return doc;
}

/** Another device (or tab) holding a copy of `doc`, with its own client id. */
function copy(doc: Y.Doc, clientID: number): Y.Doc {
	const other = new Y.Doc();
	other.clientID = clientID;
	Y.applyUpdate(other, Y.encodeStateAsUpdate(doc));
	return other;
}

/** Brings `a` and `b` to the same state, as a sync step 1/2 exchange does. */
function sync(a: Y.Doc, b: Y.Doc): void {
	const toB = Y.encodeStateAsUpdate(a, Y.encodeStateVector(b));
	const toA = Y.encodeStateAsUpdate(b, Y.encodeStateVector(a));
	Y.applyUpdate(b, toB);
	Y.applyUpdate(a, toA);
}

const text = (doc: Y.Doc, id = ME) => doc.getMap<Y.Text>('availability').get(id)!;
const array = (doc: Y.Doc, id = ME) => doc.getMap<Y.Array<number | string>>('availability').get(id)!;
const stroke = (q: number, n: number, m: Shape['m']): Shape => ({ q, n, d: 1, m });

/** The three candidates under one interface: write, read (quarter-hour → level), compact. */
const logs = {
	'Y.Text, position order': {
		entry: () => new Y.Text(),
		write: (doc: Y.Doc, s: Shape) => textLog.append(text(doc), s, false),
		read: (doc: Y.Doc) => levels(textLog.read(text(doc), false)),
		compact: (doc: Y.Doc) => textLog.compact(text(doc), false)
	},
	'Y.Array of numbers, position order': {
		entry: () => new Y.Array(),
		write: (doc: Y.Doc, s: Shape) => arrayLog.append(array(doc), s),
		read: (doc: Y.Doc) => levels(arrayLog.read(array(doc))),
		compact: (doc: Y.Doc) => arrayLog.compact(array(doc))
	},
	'Y.Text + Lamport stamp': {
		entry: () => new Y.Text(),
		write: (doc: Y.Doc, s: Shape) => textLog.append(text(doc), s, true),
		read: (doc: Y.Doc) => levels(textLog.read(text(doc), true)),
		compact: (doc: Y.Doc) => textLog.compact(text(doc), true)
	}
};

describe.each(Object.entries(logs))('stroke log, %s', (_, log) => {
	it('keeps a stroke another device appended offline while this one compacted, after the base', () => {
		const phone = eventDoc(log.entry);
		phone.clientID = 101;
		log.write(phone, stroke(0, 4, 1)); // 00:00–01:00 available
		log.write(phone, stroke(2, 4, 2)); // 00:30–01:30 if needed
		const laptop = copy(phone, 202);
		log.write(laptop, stroke(3, 2, 0)); // offline: clears 00:45–01:15
		log.compact(phone);
		expect(log.read(phone)).toEqual(
			new Map([
				[0, 1],
				[1, 1],
				[2, 2],
				[3, 2],
				[4, 2],
				[5, 2]
			])
		);
		sync(phone, laptop);
		const want = new Map([
			[0, 1],
			[1, 1],
			[2, 2],
			[5, 2]
		]);
		expect(log.read(phone)).toEqual(want);
		expect(log.read(laptop)).toEqual(want);
		// The compaction removed the two strokes it folded; the laptop's stroke is still its own record.
		expect(log.read(copy(phone, 303))).toEqual(want);
	});

	it('converges when several devices paint, compact and sync in any order', () => {
		let seed = 99;
		const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff) / 0x7fffffff;
		const first = eventDoc(log.entry);
		const devices = [first, copy(first, 11), copy(first, 12)];
		for (let step = 0; step < 300; step++) {
			const device = devices[Math.floor(random() * devices.length)];
			const r = random();
			if (r < 0.75)
				log.write(
					device,
					stroke(Math.floor(random() * 40), 1 + Math.floor(random() * 6), Math.floor(random() * 3) as Shape['m'])
				);
			else if (r < 0.85) log.compact(device);
			else sync(device, devices[Math.floor(random() * devices.length)]);
		}
		sync(devices[0], devices[1]);
		sync(devices[1], devices[2]);
		sync(devices[0], devices[1]);
		const reads = devices.map(log.read);
		expect(reads[1]).toEqual(reads[0]);
		expect(reads[2]).toEqual(reads[0]);
	});
});

it('with stamps, what devices converge on is every stroke ever made, newest (stamp, mark) per quarter-hour', () => {
	let seed = 5;
	const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff) / 0x7fffffff;
	const first = eventDoc(() => new Y.Text());
	const devices = [first, copy(first, 21), copy(first, 22), copy(first, 23)];
	const everyStroke: Cells = new Map();
	for (let step = 0; step < 400; step++) {
		const device = devices[Math.floor(random() * devices.length)];
		const r = random();
		if (r < 0.7) {
			const s = stroke(Math.floor(random() * 40), 1 + Math.floor(random() * 6), Math.floor(random() * 3) as Shape['m']);
			// The stamp append gives it: one more than any stamp this device's copy of the log holds.
			const stamp = replay(text(device).toString(), new Map(), true) + 1;
			for (let q = s.q; q < s.q + s.n; q++) {
				const now = everyStroke.get(q);
				if (!now || now.stamp < stamp || (now.stamp === stamp && now.m < s.m)) everyStroke.set(q, { m: s.m, stamp });
			}
			textLog.append(text(device), s, true);
		} else if (r < 0.85) textLog.compact(text(device), true);
		else sync(device, devices[Math.floor(random() * devices.length)]);
	}
	for (const device of devices) sync(devices[0], device);
	for (const device of devices) sync(devices[0], device);
	for (const device of devices) expect(levels(textLog.read(text(device), true))).toEqual(levels(everyStroke));
});

describe('two devices of one person compacting the same log concurrently', () => {
	/** Phone clears 00:00 offline, then both compact before they meet again. */
	function scenario(log: (typeof logs)[keyof typeof logs]) {
		const phone = eventDoc(log.entry);
		phone.clientID = 1;
		log.write(phone, stroke(0, 2, 1));
		const laptop = copy(phone, 2);
		log.write(phone, stroke(0, 1, 0));
		log.compact(phone);
		log.compact(laptop);
		sync(phone, laptop);
		expect(log.read(laptop)).toEqual(log.read(phone));
		return log.read(phone);
	}

	it('position order loses the phone’s clear: the later base speaks for slots it never saw change', () => {
		// Bases inserted at index 0 concurrently are ordered by client id: the laptop's comes last.
		expect(scenario(logs['Y.Text, position order'])).toEqual(
			new Map([
				[0, 1],
				[1, 1]
			])
		);
	});

	it('stamps lose nothing: each quarter-hour keeps its newest stroke whichever base holds it', () => {
		expect(scenario(logs['Y.Text + Lamport stamp'])).toEqual(new Map([[1, 1]]));
	});
});

describe('the relay’s write check on a stroke log', () => {
	const member = { memberId: ME, organizer: false };
	const stranger = { memberId: OTHER, organizer: false };
	/** The update `change` makes on a device holding a copy of the relay's document. */
	let nextClient = 4242;
	function updateOf(relay: Y.Doc, change: (device: Y.Doc) => void): Uint8Array {
		const device = copy(relay, nextClient++);
		const before = Y.encodeStateVector(device);
		change(device);
		return Y.encodeStateAsUpdate(device, before);
	}

	it('lets a member append and compact their own log, and nobody else', () => {
		const relay = eventDoc(() => new Y.Text());
		const append = updateOf(relay, (d) => textLog.append(text(d), stroke(0, 4, 1), true));
		expect(checkUpdate(relay, append, member).ok).toBe(true);
		expect(checkUpdate(relay, append, stranger)).toMatchObject({ ok: false, reason: 'not-your-availability' });
		Y.applyUpdate(relay, append);
		const more = updateOf(relay, (d) => textLog.append(text(d), stroke(8, 2, 2), true));
		Y.applyUpdate(relay, more);
		const compaction = updateOf(relay, (d) => textLog.compact(text(d), true));
		expect(checkUpdate(relay, compaction, member).ok).toBe(true);
		expect(checkUpdate(relay, compaction, stranger)).toMatchObject({ ok: false, reason: 'not-your-availability' });
	});

	it('refuses a member writing records into someone else’s log', () => {
		const relay = eventDoc(() => new Y.Text());
		const forged = updateOf(relay, (d) => text(d, OTHER).insert(0, encodeStroke(stroke(0, 4, 1), 1)));
		expect(checkUpdate(relay, forged, member)).toMatchObject({ ok: false, reason: 'not-your-availability' });
	});
});
