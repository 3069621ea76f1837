import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as Y from 'yjs';
import { until } from '../tests/support/clients.js';
import { RoomLog } from './room-log.js';
import { docFromStored } from './storage.js';
import { LevelStore } from './store-level.js';

const dirs: string[] = [];
afterEach(() => {
	for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** An update setting `key` in a map, as a client would send one. */
function update(key: string): Uint8Array {
	const doc = new Y.Doc();
	doc.getMap('m').set(key, 1);
	return Y.encodeStateAsUpdate(doc);
}

describe('room log', () => {
	it(
		'fails closed: once the store stops taking writes, nothing that waited is released and the room is given up',
		{ timeout: 20_000 },
		async () => {
			const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'moim-room-log-'));
			dirs.push(dir);
			const store = new LevelStore(dir);
			await store.open();
			const doc = new Y.Doc();
			const committed: number[] = [];
			let failed = false;
			const log = new RoomLog('room', doc, store, await store.load('room'), 500, undefined, {
				committed: (record) => committed.push(record.seq),
				failed: () => (failed = true),
				position: () => committed.length - 1
			});
			const released: string[] = [];
			log.append(update('a'));
			log.whenWritten(() => released.push('a'));
			await until(() => released.includes('a'), 'the first write released');
			expect(committed).toEqual([0]);

			// The store goes away (as a disk that fails would): every write throws from now on.
			await store.close();
			log.append(update('b'));
			log.whenWritten(() => released.push('b'));
			await until(() => failed, 'the log giving up after its retries', 15_000);
			log.append(update('c'));
			log.whenWritten(() => released.push('c'));
			await log.close();
			// Neither the forwards nor the reply for b or c ever ran: nobody was told they were stored.
			expect(released).toEqual(['a']);
			expect(committed).toEqual([0]);

			// What was released is what is stored.
			const reopened = new LevelStore(dir);
			await reopened.open();
			const stored = docFromStored(await reopened.load('room'));
			expect([...stored.getMap('m').keys()]).toEqual(['a']);
			await reopened.close();
		}
	);
});
