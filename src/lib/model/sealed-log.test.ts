import { describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { importEventKey, newEventKey } from './event-crypto.js';
import {
	applyMarks,
	availabilityMap,
	createEvent,
	joinEvent,
	readMarks,
	STROKE_ORIGIN,
	type Mark
} from './event-doc.js';
import { newEventId } from './ids.js';
import {
	applySealedMarks,
	compactSealedLog,
	needsSealedCompaction,
	packFrame,
	readSealedLog,
	readSealedMarks,
	settleSealedLog,
	splitFrames,
	unpackFrame
} from './sealed-log.js';
import { createSealedEvent, EventCipher, joinSealedEvent } from './sealed-event.js';
import { buildGrid, gridInZone } from './slots.js';
import { encodeStroke } from './stroke-log.js';
import type { EventDraft } from './settings.js';

const CREATED = Date.UTC(2026, 10, 20, 12);
const DRAFT: EventDraft = {
	title: 'Frames',
	kind: 'dates',
	dates: ['2026-12-04', '2026-12-05', '2026-12-06'],
	weekdays: [],
	start: 9 * 60,
	end: 18 * 60,
	slot: 30,
	tz: 'Asia/Seoul'
};

/** A private event with one member, its plain twin (v3, same member id), and the key's parts. */
async function privateAndPlain(draft = DRAFT) {
	const eventId = newEventId();
	const key = newEventKey();
	const cipher = new EventCipher(await importEventKey(key, eventId));
	const doc = new Y.Doc();
	await createSealedEvent(doc, cipher, draft, CREATED);
	const me = await joinSealedEvent(doc, cipher, 'Me', CREATED);
	const plain = new Y.Doc();
	createEvent(plain, draft, CREATED, 3);
	joinEvent(plain, 'Me', CREATED, me);
	return { eventId, key, cipher, doc, plain, me };
}

/** A copy of `doc` on another device, with its own cipher for the same key. */
async function otherDevice(doc: Y.Doc, key: string, eventId: string) {
	const copy = new Y.Doc();
	Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
	return { copy, cipher: new EventCipher(await importEventKey(key, eventId)) };
}

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function random(seed: number) {
	let s = seed;
	return () => (s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

/** `count` strokes over `slots`: each a few slots set to one mark. */
function strokes(slots: string[], count: number, seed: number): [string, Mark][][] {
	const next = random(seed);
	const out: [string, Mark][][] = [];
	for (let i = 0; i < count; i++) {
		const from = Math.floor(next() * slots.length);
		const length = 1 + Math.floor(next() * 6);
		const mark = Math.floor(next() * 3) as Mark;
		out.push(slots.slice(from, from + length).map((slot) => [slot, mark]));
	}
	return out;
}

const gridSlots = (draft: EventDraft) => [...buildGrid(draft).slots];

/** The raw text of a log, as the relay stores it. */
const logText = (doc: Y.Doc, id: string) => (availabilityMap(doc).get(id) as Y.Text).toString();

describe('frames', () => {
	it('pack any bytes 7 bits to a character and unpack to the same bytes', () => {
		for (const length of [28, 29, 34, 35, 36, 100, 1000]) {
			const bytes = new Uint8Array(length).map((_, i) => (i * 151 + length) & 0xff);
			const frame = packFrame(bytes);
			for (const c of frame) expect(c.charCodeAt(0)).toBeLessThan(0x80);
			expect(unpackFrame(frame)).toEqual(bytes);
			expect(splitFrames(frame + frame)).toEqual({ frames: [frame, frame], complete: true });
			// Cut short, the log stops at the last whole frame.
			expect(splitFrames(frame + frame.slice(0, -1))).toEqual({ frames: [frame], complete: false });
		}
	});

	it('refuse a second spelling of the same bytes and characters above 7 bits', () => {
		const frame = packFrame(new Uint8Array(29).fill(0xff));
		const last = frame.charCodeAt(frame.length - 1);
		// 29 bytes are 232 bits in 34 characters: two bits of the last are left over and must be zero.
		expect(last & 0b11).toBe(0);
		expect(unpackFrame(frame.slice(0, -1) + String.fromCharCode(last | 1))).toBeNull();
		expect(unpackFrame(frame.slice(0, -1) + 'é')).toBeNull();
		// A length too short to hold a nonce and a tag is not a frame.
		expect(splitFrames(String.fromCharCode(3) + 'abc')).toEqual({ frames: [], complete: false });
	});
});

describe("a private event's stroke logs", () => {
	it('read the same marks as a plain log after the same strokes, on this device and on another with the key', async () => {
		const { eventId, key, cipher, doc, plain, me } = await privateAndPlain();
		const work = strokes(gridSlots(DRAFT), 40, 7);
		let written = 0;
		for (const stroke of work) {
			const sealed = await applySealedMarks(doc, cipher, me, stroke, DRAFT.slot);
			expect(sealed).toBe(applyMarks(plain, me, stroke));
			if (sealed > 0) written++;
		}
		expect(written).toBeGreaterThan(20);
		expect(splitFrames(logText(doc, me)).frames).toHaveLength(written);
		const expected = readMarks(plain, me);
		expect(expected.size).toBeGreaterThan(10);
		// The writer reads its own frames at once.
		expect(readSealedMarks(doc, cipher, me)).toEqual(expected);

		const { copy, cipher: theirs } = await otherDevice(doc, key, eventId);
		const told: string[] = [];
		theirs.onOpened((places) => told.push(...places));
		const first = readSealedLog(copy, theirs, me)!;
		expect(first.opening).toBe(written);
		expect(readSealedMarks(copy, theirs, me).size).toBe(0);
		await theirs.settled();
		await Promise.resolve();
		expect(told).toContain(`availability/${me}`);
		expect(readSealedMarks(copy, theirs, me)).toEqual(expected);
		expect(readSealedLog(copy, theirs, me)).toMatchObject({ opening: 0, unreadable: 0, framed: true });

		// What the relay stores holds none of the records.
		const stored = Buffer.from(Y.encodeStateAsUpdate(doc)).toString('latin1');
		const plainLog = logText(plain, me);
		for (let i = 0; i + 6 <= plainLog.length; i += 6) expect(stored).not.toContain(plainLog.slice(i, i + 6));
	});

	it('apply a remote stroke as it arrives, counting it once it opens', async () => {
		const { eventId, key, cipher, doc, me } = await privateAndPlain();
		const { copy, cipher: theirs } = await otherDevice(doc, key, eventId);
		expect(readSealedMarks(copy, theirs, me).size).toBe(0);
		const updates: Uint8Array[] = [];
		const sync = (update: Uint8Array) => updates.push(update);
		doc.on('update', sync);
		await applySealedMarks(doc, cipher, me, [['2026-12-04T00:00Z', 1]], 30);
		await applySealedMarks(doc, cipher, me, [['2026-12-04T00:30Z', 2]], 30);
		doc.off('update', sync);
		// Each arrives as its own append, as from the relay.
		for (const update of updates) Y.applyUpdate(copy, update);
		expect(readSealedLog(copy, theirs, me)!.opening).toBe(2);
		await theirs.settled();
		expect([...readSealedMarks(copy, theirs, me)]).toEqual([
			['2026-12-04T00:00Z', 1],
			['2026-12-04T00:15Z', 1],
			['2026-12-04T00:30Z', 2],
			['2026-12-04T00:45Z', 2]
		]);
	});

	it('run strokes in the order they were asked for, each stamped above the last', async () => {
		const { cipher, doc, me } = await privateAndPlain();
		const slot = '2026-12-04T01:00Z';
		// Not awaited one by one: a person painting and clearing quickly.
		const done = [
			applySealedMarks(doc, cipher, me, [[slot, 1]], 30),
			applySealedMarks(doc, cipher, me, [[slot, 0]], 30),
			applySealedMarks(doc, cipher, me, [[slot, 2]], 30),
			applySealedMarks(doc, cipher, me, [[slot, 2]], 30)
		];
		expect(await Promise.all(done)).toEqual([1, 1, 1, 0]);
		expect(readSealedMarks(doc, cipher, me).get(slot)).toBe(2);
		expect(readSealedLog(doc, cipher, me)!.read.stamp).toBe(3);
	});

	it('skip a frame that was tampered with, moved from another member or sealed with another key, and keep the rest', async () => {
		const { eventId, key, cipher, doc, me } = await privateAndPlain();
		const other = await joinSealedEvent(doc, cipher, 'Other', CREATED);
		await applySealedMarks(doc, cipher, me, [['2026-12-04T00:00Z', 1]], 30);
		await applySealedMarks(doc, cipher, me, [['2026-12-04T01:00Z', 1]], 30);
		await applySealedMarks(doc, cipher, other, [['2026-12-05T00:00Z', 1]], 30);
		const [mine1, mine2] = splitFrames(logText(doc, me)).frames;
		const [theirs1] = splitFrames(logText(doc, other)).frames;

		const { copy, cipher: reader } = await otherDevice(doc, key, eventId);
		const log = availabilityMap(copy).get(me) as Y.Text;
		// One bit flipped in the second frame's body; the other member's frame copied into my log.
		const flipped = mine2.slice(0, 10) + String.fromCharCode(mine2.charCodeAt(10) ^ 1) + mine2.slice(11);
		log.delete(mine1.length, mine2.length);
		log.insert(log.length, flipped + theirs1);
		// A stranger's frame, sealed under another key for the same place.
		const stranger = new EventCipher(await importEventKey(newEventKey(), eventId));
		const alien = new Y.Doc();
		await createSealedEvent(alien, stranger, DRAFT, CREATED);
		await joinSealedEvent(alien, stranger, 'X', CREATED, me);
		await applySealedMarks(alien, stranger, me, [['2026-12-06T00:00Z', 1]], 30);
		log.insert(log.length, logText(alien, me));

		readSealedLog(copy, reader, me);
		await reader.settled();
		expect(readSealedLog(copy, reader, me)).toMatchObject({ opening: 0, unreadable: 3, framed: true });
		expect([...readSealedMarks(copy, reader, me).keys()]).toEqual(['2026-12-04T00:00Z', '2026-12-04T00:15Z']);

		// Garbage that is not even a frame ends the reading there; what came before still counts.
		log.insert(log.length, encodeStroke({ q: 0, n: 1, d: 1, m: 1, weekly: false }, 9));
		expect(readSealedLog(copy, reader, me)).toMatchObject({ framed: false, unreadable: 3 });
		expect(readSealedMarks(copy, reader, me).size).toBe(2);

		// Another key opens nothing at all, and says so rather than throwing.
		const wrong = new EventCipher(await importEventKey(newEventKey(), eventId));
		readSealedLog(doc, wrong, me);
		await wrong.settled();
		expect(readSealedLog(doc, wrong, me)).toMatchObject({ opening: 0, unreadable: 2 });
		expect(readSealedMarks(doc, wrong, me).size).toBe(0);
		// A key derived for another event opens nothing either.
		const elsewhere = new EventCipher(await importEventKey(key, newEventId()));
		readSealedLog(doc, elsewhere, me);
		await elsewhere.settled();
		expect(readSealedLog(doc, elsewhere, me)!.unreadable).toBe(2);
	});

	it('undo a sealed stroke like a plain one', async () => {
		const { cipher, doc, me } = await privateAndPlain();
		const undo = new Y.UndoManager(availabilityMap(doc), {
			trackedOrigins: new Set([STROKE_ORIGIN]),
			captureTimeout: 0
		});
		await applySealedMarks(doc, cipher, me, [['2026-12-04T00:00Z', 1]], 30);
		await applySealedMarks(doc, cipher, me, [['2026-12-04T00:00Z', 2]], 30);
		expect(readSealedMarks(doc, cipher, me).get('2026-12-04T00:00Z')).toBe(2);
		undo.undo();
		expect(readSealedMarks(doc, cipher, me).get('2026-12-04T00:00Z')).toBe(1);
		undo.redo();
		expect(readSealedMarks(doc, cipher, me).get('2026-12-04T00:00Z')).toBe(2);
	});

	it('map the same slots across zones and DST changes as a plain event does', async () => {
		// Los Angeles leaves DST on 2026-11-01: that day has 25 hours.
		const la: EventDraft = {
			...DRAFT,
			dates: ['2026-10-31', '2026-11-01', '2026-11-02'],
			start: 0,
			end: 24 * 60,
			slot: 60,
			tz: 'America/Los_Angeles'
		};
		const weekly: EventDraft = { ...la, kind: 'weekdays', dates: [], weekdays: [1, 3, 7], slot: 30 };
		for (const draft of [la, weekly]) {
			const { eventId, key, cipher, doc, plain, me } = await privateAndPlain(draft);
			const grid = buildGrid(draft);
			// Painted as a viewer in Seoul sees the grid: every cell of their columns, one stroke per column.
			const seoul = gridInZone(grid, 'Asia/Seoul');
			for (const column of seoul.cells) {
				const stroke = column.filter((s): s is string => s !== null).map((s, i) => [s, ((i % 2) + 1) as Mark] as const);
				await applySealedMarks(doc, cipher, me, stroke, draft.slot);
				applyMarks(plain, me, stroke);
			}
			const { copy, cipher: reader } = await otherDevice(doc, key, eventId);
			expect(await settleSealedLog(copy, reader, me)).toMatchObject({ opening: 0, unreadable: 0 });
			const read = readSealedMarks(copy, reader, me);
			expect(read).toEqual(readMarks(plain, me));
			// Every slot of the event's own grid is marked, read back in the event's zone.
			const marked = new Set([...read.keys()]);
			for (const slot of grid.slots) expect(marked.has(slot)).toBe(true);
		}
	});
});

describe('compacting a sealed log', () => {
	it('folds every frame into one sealed base that reads the same, here and on another device', async () => {
		const { eventId, key, cipher, doc, plain, me } = await privateAndPlain();
		for (const stroke of strokes(gridSlots(DRAFT), 30, 11)) {
			await applySealedMarks(doc, cipher, me, stroke, DRAFT.slot);
			applyMarks(plain, me, stroke);
		}
		const before = logText(doc, me).length;
		const frames = splitFrames(logText(doc, me)).frames.length;
		expect(needsSealedCompaction(doc, cipher, me)).toBe(true);
		const acked = Y.decodeStateVector(Y.encodeStateVector(doc));
		expect(await compactSealedLog(doc, cipher, me, acked)).toBe(frames);
		expect(splitFrames(logText(doc, me)).frames).toHaveLength(1);
		expect(logText(doc, me).length).toBeLessThan(before / 5);
		expect(needsSealedCompaction(doc, cipher, me)).toBe(false);
		expect(readSealedMarks(doc, cipher, me)).toEqual(readMarks(plain, me));

		const { copy, cipher: reader } = await otherDevice(doc, key, eventId);
		readSealedLog(copy, reader, me);
		await reader.settled();
		expect(readSealedMarks(copy, reader, me)).toEqual(readMarks(plain, me));
		// A stroke after the fold still wins over the base.
		await applySealedMarks(doc, cipher, me, [['2026-12-04T00:00Z', 0]], 30);
		applyMarks(plain, me, [['2026-12-04T00:00Z', 0]]);
		expect(readSealedMarks(doc, cipher, me)).toEqual(readMarks(plain, me));
	});

	it('writes nothing when the log changed while it was sealing, and leaves unacknowledged frames alone', async () => {
		const { eventId, key, cipher, doc, me } = await privateAndPlain();
		for (const stroke of strokes(gridSlots(DRAFT), 20, 3)) await applySealedMarks(doc, cipher, me, stroke, DRAFT.slot);
		const { copy, cipher: phone } = await otherDevice(doc, key, eventId);
		const before = logText(doc, me);
		const frames = splitFrames(before).frames.length;
		const acked = Y.decodeStateVector(Y.encodeStateVector(doc));
		// The same member's phone appends a stroke, which arrives while the laptop seals its base.
		await applySealedMarks(copy, phone, me, [['2026-12-05T02:00Z', 1]], 30);
		const fromPhone = Y.encodeStateAsUpdate(copy, Y.encodeStateVector(doc));
		const subtle = globalThis.crypto.subtle;
		const encrypt = subtle.encrypt.bind(subtle);
		const spy = vi.spyOn(subtle, 'encrypt').mockImplementation(async (...args) => {
			const sealed = await encrypt(...args);
			Y.applyUpdate(doc, fromPhone);
			return sealed;
		});
		let folded: number;
		try {
			folded = await compactSealedLog(doc, cipher, me, acked);
			expect(spy).toHaveBeenCalledTimes(1);
		} finally {
			spy.mockRestore();
		}
		expect(folded).toBe(0);
		expect(logText(doc, me).startsWith(before)).toBe(true);

		// Next time, the phone's frame is not acknowledged by the relay yet: everything else folds, it stays.
		expect(await compactSealedLog(doc, cipher, me, acked)).toBe(frames);
		const after = splitFrames(logText(doc, me)).frames;
		expect(after).toHaveLength(2);
		expect(logText(copy, me)).toContain(after[1]);
		expect(readSealedMarks(doc, cipher, me).get('2026-12-05T02:00Z')).toBe(1);
	});

	it('loses nothing when two devices of one member fold at once', async () => {
		const { eventId, key, cipher, doc, plain, me } = await privateAndPlain();
		const work = strokes(gridSlots(DRAFT), 36, 5);
		const { copy, cipher: phone } = await otherDevice(doc, key, eventId);
		const plainPhone = new Y.Doc();
		Y.applyUpdate(plainPhone, Y.encodeStateAsUpdate(plain));
		for (const [i, stroke] of work.entries()) {
			// Alternate devices, syncing every few strokes, as two devices of one person do.
			const [d, c, p] = i % 2 === 0 ? [doc, cipher, plain] : [copy, phone, plainPhone];
			await applySealedMarks(d, c, me, stroke, DRAFT.slot);
			applyMarks(p, me, stroke);
			if (i % 6 === 5) {
				for (const [x, y] of [
					[doc, copy],
					[plain, plainPhone]
				]) {
					Y.applyUpdate(x, Y.encodeStateAsUpdate(y));
					Y.applyUpdate(y, Y.encodeStateAsUpdate(x));
				}
			}
		}
		const acked = Y.decodeStateVector(Y.encodeStateVector(doc));
		const [a, b] = await Promise.all([
			compactSealedLog(doc, cipher, me, acked),
			compactSealedLog(copy, phone, me, Y.decodeStateVector(Y.encodeStateVector(copy)))
		]);
		expect(a).toBeGreaterThan(1);
		expect(b).toBeGreaterThan(1);
		Y.applyUpdate(doc, Y.encodeStateAsUpdate(copy));
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
		Y.applyUpdate(plain, Y.encodeStateAsUpdate(plainPhone));
		readSealedLog(doc, cipher, me);
		readSealedLog(copy, phone, me);
		await Promise.all([cipher.settled(), phone.settled()]);
		expect(readSealedMarks(doc, cipher, me)).toEqual(readMarks(plain, me));
		expect(readSealedMarks(copy, phone, me)).toEqual(readMarks(plain, me));
		expect(readSealedLog(doc, cipher, me)!.unreadable).toBe(0);
	});
});
