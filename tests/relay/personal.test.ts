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
