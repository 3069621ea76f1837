import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';
import { applyStroke, createEvent, joinEvent, markedSlots } from '../src/lib/model/event-doc.js';
import { MESSAGE_SYNC } from '../src/lib/model/relay-protocol.js';
import { Room } from './room.js';
import { LevelStore } from './store-level.js';

const dirs: string[] = [];
afterEach(() => {
	for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** The document a client with nothing would hold after applying the step 2 `frame`. */
function docOfStep2(frame: Uint8Array): Y.Doc {
	const decoder = decoding.createDecoder(frame);
	expect(decoding.readVarUint(decoder)).toBe(MESSAGE_SYNC);
	expect(decoding.readVarUint(decoder)).toBe(syncProtocol.messageYjsSyncStep2);
	const doc = new Y.Doc();
	Y.applyUpdate(doc, decoding.readVarUint8Array(decoder));
	return doc;
}

describe('Room', () => {
	it('answers clients that have nothing with one encoding of the document, and a fresh one after every change', async () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'moim-room-'));
		dirs.push(dir);
		const store = new LevelStore(dir);
		await store.open();
		const source = new Y.Doc();
		createEvent(
			source,
			// 15-minute blocks: a block is one quarter-hour of the stroke log, one key per marked block.
			{ title: 'Cached', kind: 'weekdays', dates: [], weekdays: [1], start: 540, end: 720, slot: 15, tz: 'UTC' },
			1
		);
		const member = joinEvent(source, 'Ana', 1);
		applyStroke(source, member, ['w1T09:00'], 1);
		await store.append('room', Y.encodeStateAsUpdate(source));
		const room = await Room.load('room', store, 500, undefined, () => {});
		const empty = Y.encodeStateVector(new Y.Doc());

		const first = room.syncStep2(empty);
		expect(room.syncStep2(empty)).toBe(first); // not encoded again
		expect(markedSlots(docOfStep2(first), member)).toEqual(new Set(['w1T09:00']));

		const before = Y.encodeStateVector(source);
		applyStroke(source, member, ['w1T10:00'], 1);
		room.applyClientUpdate(Y.encodeStateAsUpdate(source, before), {});
		const changed = room.syncStep2(empty);
		expect(changed).not.toBe(first);
		expect(markedSlots(docOfStep2(changed), member)).toEqual(new Set(['w1T09:00', 'w1T10:00']));
		// A client that has something gets only what it lacks, never the cached whole.
		expect(room.syncStep2(before).byteLength).toBeLessThan(changed.byteLength);

		await room.unload();
		await store.close();
	});
});
