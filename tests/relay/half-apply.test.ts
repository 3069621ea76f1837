/**
 * An update that passes the write check but throws midway through
 * `Y.applyUpdate` (issue 18): Yjs still reports the part it applied, and
 * none of it may be stored or forwarded. The room is dropped and reloaded
 * from the store; its clients reconnect and go on.
 */
import { expect, it } from 'vitest';
import * as Y from 'yjs';
import { applyStroke, joinEvent, markedSlots, readSettings } from '../../src/lib/model/event-doc.js';
import WebSocket from 'ws';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import {
	CLOSE_MALFORMED_MESSAGE,
	CLOSE_TRY_AGAIN_LATER,
	credentialProtocols,
	MESSAGE_SYNC
} from '../../src/lib/model/relay-protocol.js';
import { checkUpdate } from '../../src/lib/model/write-check.js';
import { relayHarness } from '../support/harness.js';
import { person } from '../support/identity.js';
import { until } from '../support/clients.js';

const { relay: startRelay, client, organizedRoom, readBack } = relayHarness();

/** A small deterministic generator (mulberry32), so the search below finds the same kind of update every run. */
function random(seed: number) {
	return (below: number) => {
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * below);
	};
}

/**
 * An update Mallory may send (it writes only inside her own entry) that
 * throws halfway through being applied to `base`, changing it: found by
 * changing bytes of a real update with nested content until one does.
 */
function halfApplying(base: Y.Doc, memberId: string): Uint8Array {
	const writer = new Y.Doc();
	Y.applyUpdate(writer, Y.encodeStateAsUpdate(base));
	const from = Y.encodeStateVector(base);
	const own = writer.getMap('availability').get(memberId) as Y.Map<unknown>;
	writer.transact(() => {
		own.set('t', new Y.Text('hello'));
		own.set('a', Y.Array.from([1, 2, 3]));
	});
	writer.transact(() => {
		(own.get('t') as Y.Text).insert(2, 'zz', { bold: true });
		(own.get('a') as Y.Array<number>).delete(0, 1);
		own.set('x', new Y.XmlElement('p'));
	});
	const real = Y.encodeStateAsUpdate(writer, from);
	const next = random(18);
	for (let i = 0; i < 200_000; i++) {
		const u = real.slice();
		for (let f = 1 + next(3); f > 0; f--) u[next(u.length)] ^= 1 << next(8);
		try {
			Y.decodeUpdate(u);
			const verdict = checkUpdate(base, u, { memberId, organizer: false });
			if (!verdict.ok) continue;
		} catch {
			continue;
		}
		const trial = new Y.Doc();
		Y.applyUpdate(trial, Y.encodeStateAsUpdate(base));
		const before = Y.encodeStateVector(trial);
		try {
			Y.applyUpdate(trial, u);
		} catch {
			if (Buffer.compare(Y.encodeStateVector(trial), before) !== 0) return u;
		}
	}
	throw new Error('no half-applying update found');
}

const stateOf = (doc: Y.Doc) => ({
	vector: Buffer.from(Y.encodeStateVector(doc)).toString('base64'),
	content: JSON.stringify(doc.toJSON())
});

it('stores and forwards nothing of an update that throws midway; the room reloads and goes on', async () => {
	const relay = await startRelay();
	const { room, organizer } = await organizedRoom(relay);
	const mallory = person();
	const attacker = client(relay, room, mallory);
	await until(() => readSettings(attacker.doc) !== null, 'Mallory has the event');
	joinEvent(attacker.doc, 'Mallory', 2, mallory.memberId);
	await until(() => organizer.client.doc.getMap('availability').has(mallory.memberId), 'Mallory joined');
	const before = stateOf(await readBack(relay, room));
	const organizerBefore = stateOf(organizer.client.doc);

	// Sent as is (applying it on her own copy first would throw there too).
	const forged = halfApplying(attacker.doc, mallory.memberId);
	attacker.destroy();
	const ws = new WebSocket(`${relay.wsUrl}/${room}`, credentialProtocols(mallory.params));
	const closed = new Promise<[number, string]>((resolve) =>
		ws.once('close', (code, reason) => resolve([code, reason.toString()]))
	);
	await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
	const frame = encoding.createEncoder();
	encoding.writeVarUint(frame, MESSAGE_SYNC);
	syncProtocol.writeUpdate(frame, forged);
	ws.send(encoding.toUint8Array(frame));
	expect(await closed).toEqual([CLOSE_MALFORMED_MESSAGE, 'message could not be applied']);
	// The room's other clients are sent back to a fresh load.
	await until(() => organizer.client.closes.length > 0, 'the organizer told to come back');
	expect(organizer.client.closes[0]).toEqual({ code: CLOSE_TRY_AGAIN_LATER, reason: 'room-reloading' });
	expect(relay.output()).toContain('an update failed midway');

	expect(stateOf(await readBack(relay, room))).toEqual(before);
	expect(stateOf(organizer.client.doc)).toEqual(organizerBefore);
	// And the room goes on: the organizer, reconnected, paints and a new reader gets it.
	await until(() => organizer.client.provider.wsconnected && organizer.client.provider.synced, 'organizer back');
	applyStroke(organizer.client.doc, organizer.person.memberId, ['w1T09:00'], 1);
	const reader = client(relay, room);
	await until(() => markedSlots(reader.doc, organizer.person.memberId).has('w1T09:00'), 'the stroke at a reader');
});
