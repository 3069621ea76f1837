/**
 * Personal rooms ("Use on my other devices"): a room named by a secret id
 * syncs my week between devices through the real relay, with stock
 * y-websocket clients; it holds routines only, and event rooms refuse them.
 */
import { describe, expect, it } from 'vitest';
import {
	deleteRoutine,
	readRoutines,
	routinesMap,
	saveRoutine,
	type RoutineEntry
} from '../../src/lib/model/routine.js';
import { eventMap } from '../../src/lib/model/event-doc.js';
import { newPersonalRoomId } from '../../src/lib/model/ids.js';
import { CLOSE_WRITE_REFUSED } from '../../src/lib/model/relay-protocol.js';
import { importEventKey, newEventKey } from '../../src/lib/model/event-crypto.js';
import { openRoutine, sealRoutine } from '../../src/lib/model/sealed-routine.js';
import { relayHarness } from '../support/harness.js';
import { until } from '../support/clients.js';

const { relay: startRelay, restart, client, organizedRoom } = relayHarness();

const gym: RoutineEntry = {
	id: 'gym',
	title: 'Gym',
	ranges: [{ start: 420, end: 480, weekdays: [1, 3] }],
	tz: 'Asia/Seoul'
};

describe('personal rooms', () => {
	it('sync my week between two devices, deletions included, and survive a relay restart', async () => {
		let relay = await startRelay();
		const room = newPersonalRoomId();
		const phone = client(relay, room);
		const laptop = client(relay, room);
		await until(() => phone.provider.synced && laptop.provider.synced, 'both synced');
		saveRoutine(phone.doc, gym);
		saveRoutine(laptop.doc, { ...gym, id: 'choir', title: 'Choir' });
		await until(
			() => readRoutines(phone.doc).length === 2 && readRoutines(laptop.doc).length === 2,
			'both entries on both'
		);
		deleteRoutine(laptop.doc, 'gym');
		await until(() => readRoutines(phone.doc).length === 1, 'deletion reached the phone');
		expect(phone.closes).toEqual([]);
		await relay.stop();
		relay = await restart(relay);
		const tablet = client(relay, room);
		await until(() => readRoutines(tablet.doc).length === 1, 'a third device gets the stored week');
		expect(readRoutines(tablet.doc)[0].title).toBe('Choir');
	});

	it('carry sealed entries the relay cannot read, which a device with the key opens', async () => {
		const relay = await startRelay();
		const room = newPersonalRoomId();
		const key = newEventKey();
		const phone = client(relay, room);
		const laptop = client(relay, room);
		await until(() => phone.provider.synced && laptop.provider.synced, 'both synced');
		const keys = await importEventKey(key, room);
		routinesMap(phone.doc).set(gym.id, (await sealRoutine(keys, gym)) as unknown as RoutineEntry);
		await until(() => routinesMap(laptop.doc).has(gym.id), 'the sealed entry at the laptop');
		const sealed = routinesMap(laptop.doc).get(gym.id);
		expect(await openRoutine(await importEventKey(key, room), gym.id, sealed)).toEqual(gym);
		// Another key, another room's key, or the entry moved under another id: nothing opens.
		expect(await openRoutine(await importEventKey(newEventKey(), room), gym.id, sealed)).toBeNull();
		expect(await openRoutine(await importEventKey(key, newPersonalRoomId()), gym.id, sealed)).toBeNull();
		expect(await openRoutine(keys, 'choir', sealed)).toBeNull();
		// A plain reader sees no routine, not garbage.
		expect(readRoutines(laptop.doc)).toEqual([]);
		phone.destroy();
		laptop.destroy();
		expect(await relay.stop()).toBe(0);
		const { ClassicLevel } = await import('classic-level');
		const db = new ClassicLevel<string, Uint8Array>(relay.dataDir, { keyEncoding: 'utf8', valueEncoding: 'view' });
		let bytes = '';
		for await (const [k, v] of db.iterator()) bytes += k + Buffer.from(v).toString('latin1');
		await db.close();
		expect(bytes).toContain(room);
		for (const secret of ['Gym', 'Asia/Seoul', '"ranges"', key]) expect(bytes).not.toContain(secret);
	});

	it('hold routines only; an event room refuses routines', async () => {
		const relay = await startRelay();
		const personal = client(relay, newPersonalRoomId());
		await until(() => personal.provider.synced, 'synced');
		eventMap(personal.doc).set('title', 'Not here');
		await until(() => personal.closes.length > 0, 'closed');
		expect(personal.closes[0]).toEqual({ code: CLOSE_WRITE_REFUSED, reason: 'unknown-entry' });

		const { client: organizer } = (await organizedRoom(relay)).organizer;
		routinesMap(organizer.doc).set('gym', gym);
		await until(() => organizer.closes.length > 0, 'closed');
		expect(organizer.closes[0]).toEqual({ code: CLOSE_WRITE_REFUSED, reason: 'unknown-entry' });
	});
});
