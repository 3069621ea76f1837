/**
 * The stroke log's schema level at the relay (docs/design/document-size.md):
 * the app's sync URL says which event schema it reads (`?v=3`) and the relay
 * counts connections by it (release A); it closes a client that reads less
 * than a v3 room's schema with CLOSE_NEEDS_NEWER_APP, while v2 rooms take
 * clients without `v` as before (release B).
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import WebSocket from 'ws';
import {
	applyStroke,
	availabilityMap,
	eventMap,
	joinEvent,
	LOG_SCHEMA_VERSION,
	readMarks,
	readSettings
} from '../../src/lib/model/event-doc.js';
import { newEventId } from '../../src/lib/model/ids.js';
import { CLOSE_NEEDS_NEWER_APP } from '../../src/lib/model/relay-protocol.js';
import { READ_SCHEMA_VERSION, SCHEMA_VERSION } from '../../src/lib/model/settings.js';
import { syncParams } from '../../src/lib/sync/session.js';
import { relayHarness } from '../support/harness.js';
import { person, type Person } from '../support/identity.js';
import { until } from '../support/clients.js';
import type { RelayProcess } from '../support/relay-process.js';

const { onCleanup, relay, client, organizedRoom } = relayHarness();

/** A client opening its URL as the app does (`syncParams`), writing as `who`. */
const appClient = (r: RelayProcess, room: string, who?: Person) => client(r, room, who, undefined, syncParams());

/** The relay's counts of connections by client schema level. */
async function schemaCounts(r: RelayProcess): Promise<Record<string, number>> {
	const text = await (await fetch(`${r.httpUrl}/metrics`)).text();
	const counts: Record<string, number> = {};
	for (const line of text.split('\n')) {
		const match = /^moim_client_schema_connections_total\{v="([^"]*)"\} (\d+)$/.exec(line);
		if (match) counts[match[1]] = Number(match[2]);
	}
	return counts;
}

describe('the schema level clients read', () => {
	it('puts the level this build reads in the sync URL', () => {
		expect(syncParams()).toEqual({ v: String(READ_SCHEMA_VERSION) });
		expect(READ_SCHEMA_VERSION).toBeGreaterThanOrEqual(LOG_SCHEMA_VERSION);
	});

	it('is counted per connection by the relay, a missing v as none, anything odd as other', async () => {
		const r = await relay();
		expect(await schemaCounts(r)).toEqual({});
		const room = newEventId();
		const app = [appClient(r, room), appClient(r, room)];
		const old = client(r, room, undefined, undefined, {});
		await until(() => app.every((c) => c.provider.synced) && old.provider.synced, 'every client synced');
		const odd = new WebSocket(`${r.wsUrl}/${room}?v=${'9'.repeat(40)}`);
		onCleanup(() => odd.terminate());
		await new Promise((resolve, reject) => odd.once('open', resolve).once('error', reject));
		expect(await schemaCounts(r)).toEqual({ [String(READ_SCHEMA_VERSION)]: 2, none: 1, other: 1 });
		// Counting closes nobody (the room holds no event yet).
		expect(app.flatMap((c) => c.closes)).toEqual([]);
		expect(old.closes).toEqual([]);
	});

	it('syncs a v3 room with stroke logs through the write check to a client that sends no v', async () => {
		const r = await relay();
		const { room, organizer } = await organizedRoom(r, { v: 2 });
		// The organizer's client moves the event to v3 while connected (a room is checked on connecting).
		eventMap(organizer.client.doc).set('v', LOG_SCHEMA_VERSION);
		const ana = person();
		const app = appClient(r, room, ana);
		await until(() => readSettings(app.doc)?.v === LOG_SCHEMA_VERSION, 'the v3 event at the app client');
		joinEvent(app.doc, 'Ana', 2, ana.memberId);
		expect(availabilityMap(app.doc).get(ana.memberId)).toBeInstanceOf(Y.Text);
		applyStroke(app.doc, ana.memberId, ['w1T09:00', 'w1T09:30'], 1);
		applyStroke(app.doc, ana.memberId, ['w1T09:30'], 2);
		const seen = () => readMarks(organizer.client.doc, ana.memberId);
		await until(() => seen().get('w1T09:30') === 2, "Ana's strokes at the organizer");
		expect(seen()).toEqual(readMarks(app.doc, ana.memberId));
		expect(seen().get('w1T09:00')).toBe(1);
		expect(app.closes).toEqual([]);
	});

	it('closes a client without v, or below 3, on a v3 room with the dedicated code, and takes the app', async () => {
		const r = await relay();
		const { room, organizer } = await organizedRoom(r, { v: LOG_SCHEMA_VERSION });
		expect(readSettings(organizer.client.doc)?.v).toBe(3);
		const ana = person();
		const stock = client(r, room, ana, undefined, {});
		const two = client(r, room, undefined, undefined, { v: '2' });
		await until(() => stock.closes.length > 0 && two.closes.length > 0, 'both old clients closed');
		expect(stock.closes[0]).toEqual({ code: CLOSE_NEEDS_NEWER_APP, reason: 'needs-newer-app' });
		expect(two.closes[0]).toEqual({ code: CLOSE_NEEDS_NEWER_APP, reason: 'needs-newer-app' });
		// A terminal close: the stock client does not keep knocking.
		expect(stock.provider.shouldConnect).toBe(false);
		expect(stock.doc.getMap('members').size).toBe(0);
		const app = appClient(r, room, ana);
		await until(() => app.provider.synced && readSettings(app.doc)?.v === 3, 'the app client synced');
		joinEvent(app.doc, 'Ana', 2, ana.memberId);
		await until(() => organizer.client.doc.getMap('members').has(ana.memberId), 'Ana at the organizer');
		expect(app.closes).toEqual([]);
		expect(await fetch(`${r.httpUrl}/metrics`).then((res) => res.text())).toMatch(
			/moim_rejected_total\{reason="needs-newer-app"\} 2/
		);
	});

	it('closes an app that reads only v3 on a private (v4) room, and takes the app of today', async () => {
		expect(SCHEMA_VERSION).toBe(4);
		const r = await relay();
		const { room } = await organizedRoom(r, { v: SCHEMA_VERSION });
		const older = client(r, room, person(), undefined, { v: String(LOG_SCHEMA_VERSION) });
		await until(() => older.closes.length > 0, 'the v3 app closed');
		expect(older.closes[0]).toEqual({ code: CLOSE_NEEDS_NEWER_APP, reason: 'needs-newer-app' });
		expect(older.doc.getMap('event').size).toBe(0);
		const app = appClient(r, room, person());
		await until(() => app.provider.synced && app.doc.getMap('event').get('v') === SCHEMA_VERSION, 'the app synced');
		expect(app.closes).toEqual([]);
	});

	it('still takes clients without v in a v2 room', async () => {
		const r = await relay();
		const { room, organizer } = await organizedRoom(r, { v: 2 });
		const ben = person();
		const stock = client(r, room, ben, undefined, {});
		await until(() => readSettings(stock.doc)?.v === 2, 'the old client has the v2 event');
		joinEvent(stock.doc, 'Ben', 2, ben.memberId);
		applyStroke(stock.doc, ben.memberId, ['w1T09:00'], 1);
		await until(() => readMarks(organizer.client.doc, ben.memberId).get('w1T09:00') === 1, "Ben's stroke");
		expect(availabilityMap(organizer.client.doc).get(ben.memberId)).toBeInstanceOf(Y.Map);
		expect(stock.closes).toEqual([]);
	});
});
