import { afterEach, describe, expect, it, vi } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ClassicLevel } from 'classic-level';
import * as Y from 'yjs';
import { applyStroke, createEvent, joinEvent, markedSlots } from '../src/lib/model/event-doc.js';
import { docFromStored, RoomStorage } from './storage.js';
import { LevelStore } from './store-level.js';

const draft = {
	title: 'Stored',
	kind: 'weekdays' as const,
	dates: [],
	weekdays: [1],
	start: 540,
	end: 720,
	// 15-minute blocks: in a stroke-log event (v3) a block is its quarter-hours, and the
	// assertions below name one key per marked block.
	slot: 15 as const,
	tz: 'UTC'
};
const dirs: string[] = [];
afterEach(() => {
	vi.restoreAllMocks();
	for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir() {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'moim-storage-'));
	dirs.push(dir);
	return dir;
}

/** An event with one member who marked `slots`, and that member's id. */
function event(slots: string[]) {
	const doc = new Y.Doc();
	createEvent(doc, draft, 1);
	const member = joinEvent(doc, 'Ana', 1);
	applyStroke(doc, member, slots, 1);
	return { doc, member };
}

/** Every write of the real database from now on, with the options it was given (the write itself still happens). */
function recordWrites() {
	const writes: { kind: string; ops: number; options: unknown }[] = [];
	for (const kind of ['put', 'del', 'batch'] as const) {
		const real = ClassicLevel.prototype[kind] as (...args: unknown[]) => unknown;
		vi.spyOn(ClassicLevel.prototype, kind).mockImplementation(function (this: unknown, ...args: unknown[]) {
			const ops = kind === 'batch' ? (args[0] as unknown[]).length : 1;
			writes.push({ kind, ops, options: args[kind === 'put' ? 2 : 1] });
			return real.apply(this, args);
		} as never);
	}
	return writes;
}

/** Every read of the real database from now on, by kind (the read itself still happens). */
function recordReads() {
	const reads: string[] = [];
	for (const kind of ['get', 'getMany', 'iterator', 'keys', 'values'] as const) {
		const real = ClassicLevel.prototype[kind] as (...args: unknown[]) => unknown;
		vi.spyOn(ClassicLevel.prototype, kind).mockImplementation(function (this: unknown, ...args: unknown[]) {
			reads.push(kind);
			return real.apply(this, args);
		} as never);
	}
	return reads;
}

describe('RoomStorage', () => {
	it('reads a v1 snapshot and log written by an earlier version, and replaces them when compacting', async () => {
		const dir = tempDir();
		const { doc, member } = event(['w1T09:00']);
		const later = new Y.Doc();
		Y.applyUpdate(later, Y.encodeStateAsUpdate(doc));
		let before = Y.encodeStateVector(later);
		applyStroke(later, member, ['w1T10:00'], 1);
		const db = new ClassicLevel<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' });
		await db.put('r/room/s', Y.encodeStateAsUpdate(doc));
		await db.put('r/room/u/000000000000', Y.encodeStateAsUpdate(later, before));
		await db.close();

		const storage = new RoomStorage(dir);
		await storage.open();
		const old = await storage.load('room');
		expect(old.handle).toBeNull();
		before = Y.encodeStateVector(later);
		applyStroke(later, member, ['w1T10:30'], 1);
		const written = await storage.append('room', old.handle, old.nextSeq, Y.encodeStateAsUpdate(later, before));

		const loaded = await storage.load('room');
		expect(loaded.corrupt).toEqual([]);
		expect(loaded.handle).toBe(written.handle);
		expect(loaded.logKeys).toEqual(['r/room/u/000000000000', written.key]);
		expect(markedSlots(docFromStored(loaded), member)).toEqual(new Set(['w1T09:00', 'w1T10:00', 'w1T10:30']));

		await storage.compact('room', Y.encodeStateAsUpdateV2(docFromStored(loaded)), loaded.logKeys);
		const compacted = await storage.load('room');
		expect(compacted.logKeys).toEqual([]);
		expect(compacted.snapshotBytes).toBe(Y.encodeStateAsUpdateV2(docFromStored(loaded)).byteLength);
		expect(markedSlots(docFromStored(compacted), member)).toEqual(new Set(['w1T09:00', 'w1T10:00', 'w1T10:30']));
		await storage.close();

		const raw = new ClassicLevel<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' });
		expect(await raw.keys().all()).toEqual([`H/${written.handle}`, 'h', 'r/room/h', 'r/room/s2']);
		await raw.close();
	});

	it('reports a damaged v2 snapshot and loads the log', async () => {
		const dir = tempDir();
		const { doc, member } = event(['w1T09:00']);
		const storage = new RoomStorage(dir);
		await storage.open();
		await storage.compact('room', new Uint8Array([0, 9, 9, 9, 9]), []);
		await storage.append('room', null, 0, Y.encodeStateAsUpdate(doc));
		const loaded = await storage.load('room');
		expect(loaded.corrupt).toEqual(['r/room/s2']);
		expect(markedSlots(docFromStored(loaded), member)).toEqual(new Set(['w1T09:00']));
		await storage.close();
	});

	it('gives every room its own handle, also to rooms written at once and after a reopen', async () => {
		const dir = tempDir();
		const update = event(['w1T09:00']).doc;
		let storage = new RoomStorage(dir);
		await storage.open();
		const first = await Promise.all(
			['a', 'b', 'c'].map((room) => storage.append(room, null, 0, Y.encodeStateAsUpdate(update)))
		);
		await storage.close();
		storage = new RoomStorage(dir);
		await storage.open();
		const later = await storage.append('d', null, 0, Y.encodeStateAsUpdate(update));
		const handles = [...first, later].map((w) => w.handle);
		expect(new Set(handles).size).toBe(4);
		for (const room of ['a', 'b', 'c', 'd']) expect((await storage.load(room)).logKeys).toHaveLength(1);
		await storage.close();
	});

	it('rebuilds a damaged handle record or handle counter from the index, losing no log and giving no handle twice', async () => {
		const dir = tempDir();
		const { doc, member } = event(['w1T09:00']);
		let storage = new RoomStorage(dir);
		await storage.open();
		const a = await storage.append('a', null, 0, Y.encodeStateAsUpdate(doc));
		const b = await storage.append('b', null, 0, Y.encodeStateAsUpdate(doc));
		await storage.close();

		const raw = new ClassicLevel<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' });
		await raw.put('r/a/h', new Uint8Array([0xff, 0x00, 0x2f]));
		await raw.put('h', new TextEncoder().encode('not a number!'));
		await raw.close();

		storage = new RoomStorage(dir);
		await storage.open();
		const loaded = await storage.load('a');
		expect(loaded.corrupt).toEqual(['r/a/h']);
		expect(loaded.handle).toBe(a.handle);
		expect(markedSlots(docFromStored(loaded), member)).toEqual(new Set(['w1T09:00']));
		expect((await storage.load('a')).corrupt).toEqual([]); // repaired
		const c = await storage.append('c', null, 0, Y.encodeStateAsUpdate(doc));
		expect([a.handle, b.handle]).not.toContain(c.handle);
		await storage.close();
	});

	it('writes everything the relay acknowledges on with sync: true, so it is on disk before the ack', async () => {
		const writes = recordWrites();
		const dir = tempDir();
		const { doc, member } = event(['w1T09:00']);
		let store = new LevelStore(dir);
		await store.open();
		const first = await store.append('room', Y.encodeStateAsUpdate(doc)); // gives the room its handle: a batch
		let before = Y.encodeStateVector(doc);
		applyStroke(doc, member, ['w1T10:00'], 1);
		const second = await store.append('room', Y.encodeStateAsUpdate(doc, before));
		await store.compact('room', Y.encodeStateAsUpdateV2(doc), 1, [first, second]);
		before = Y.encodeStateVector(doc);
		applyStroke(doc, member, ['w1T10:30'], 1);
		await store.append('room', Y.encodeStateAsUpdate(doc, before));
		expect(await store.saveCredentials('room', '{"organizer":"x"}', 0)).toBe(1);
		const entry = { failures: [1], lockedUntil: 0, lockouts: 0 };
		await store.updateAttempts('member:ana', () => ({ entry, expires: Date.now() + 60_000 }));
		await store.updateAttempts('member:bo', () => ({ entry, expires: Date.now() + 60_000 }));
		await store.updateAttempts('member:bo', () => null);
		await store.close();

		expect(writes).toHaveLength(8); // one database write per store write: each was awaited before the next
		expect(writes.filter((w) => (w.options as { sync?: boolean } | undefined)?.sync !== true)).toEqual([]);

		vi.restoreAllMocks();
		store = new LevelStore(dir);
		await store.open();
		expect(markedSlots(docFromStored(await store.load('room')), member)).toEqual(
			new Set(['w1T09:00', 'w1T10:00', 'w1T10:30'])
		);
		expect((await store.loadCredentials('room')).json).toBe('{"organizer":"x"}');
		expect(await store.readAttempts('member:ana')).toEqual(entry);
		expect(await store.readAttempts('member:bo')).toBeNull();
		await store.close();
	});

	it('writes the appends of several rooms that come while a write is on its way to disk in one batch (one fsync)', async () => {
		const dir = tempDir();
		const { doc } = event(['w1T09:00']);
		const update = Y.encodeStateAsUpdate(doc);
		const rooms = Array.from({ length: 10 }, (_, i) => `room${i}`);
		const storage = new RoomStorage(dir);
		await storage.open();
		const handles: string[] = [];
		for (const room of rooms) handles.push((await storage.append(room, null, 0, update)).handle);

		const writes = recordWrites();
		await Promise.all(rooms.map((room, i) => storage.append(room, handles[i], 1, update)));
		// The first goes alone; the nine asked for meanwhile wait for it and go together.
		expect(writes.map((w) => w.ops)).toEqual([1, 9]);
		expect(writes.every((w) => (w.options as { sync?: boolean }).sync === true)).toBe(true);
		vi.restoreAllMocks();
		for (const room of rooms) expect((await storage.load(room)).logKeys).toHaveLength(2);
		await storage.close();
	});

	it('loads all a room needs after a restart (log, snapshot, credentials, bindings) in two range reads, none of its neighbours', async () => {
		const dir = tempDir();
		const { doc, member } = event(['w1T09:00']);
		let store = new LevelStore(dir);
		await store.open();
		const first = await store.append('room', Y.encodeStateAsUpdate(doc));
		await store.compact('room', Y.encodeStateAsUpdateV2(doc), first.seq, [first]);
		const before = Y.encodeStateVector(doc);
		applyStroke(doc, member, ['w1T10:00'], 1);
		await store.append('room', Y.encodeStateAsUpdate(doc, before));
		expect(await store.saveCredentials('room', '{"organizer":"x"}', 0)).toBe(1);
		await store.bindClients('room', [7, 36], `member:${member}`);
		// Rooms whose keys sort right beside this one's.
		for (const neighbour of ['roo', 'room-2', 'room0', 'rooms']) {
			await store.append(neighbour, Y.encodeStateAsUpdate(event(['w1T11:00']).doc));
			await store.saveCredentials(neighbour, '{"organizer":"other"}', 0);
			await store.bindClients(neighbour, [8], 'organizer');
		}
		await store.close();

		store = new LevelStore(dir);
		await store.open();
		const reads = recordReads();
		const loaded = await store.load('room');
		expect(reads).toEqual(['iterator', 'iterator']); // the room's keys, then its log
		expect(markedSlots(docFromStored(loaded), member)).toEqual(new Set(['w1T09:00', 'w1T10:00']));
		expect(loaded.records).toHaveLength(1);
		expect(loaded.credentials).toEqual({ json: '{"organizer":"x"}', version: 0 });
		expect(loaded.clients).toEqual(
			new Map([
				[7, `member:${member}`],
				[36, `member:${member}`]
			])
		);
		expect(loaded.corrupt).toEqual([]);

		// Binding after the load reads nothing more, and the first binding still wins.
		reads.length = 0;
		expect(await store.bindClients('room', [36, 9], 'organizer')).toEqual(
			new Map([
				[36, `member:${member}`],
				[9, 'organizer']
			])
		);
		expect(reads).toEqual([]);
		vi.restoreAllMocks();
		await store.close();
		store = new LevelStore(dir);
		await store.open();
		expect((await store.load('room')).clients.get(9)).toBe('organizer');
		expect((await store.load('rooms')).clients).toEqual(new Map([[8, 'organizer']]));
		await store.close();
	});
});
