/**
 * Client ids bound to members at the relay (issue 18): content under a
 * client id someone else wrote with is refused, so nobody can make every
 * replica ignore another member's next writes; a member's devices, the
 * organizer's one device and a fresh document after a reset write freely.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import WebSocket from 'ws';
import { applyStroke, joinEvent, markedSlots, readSettings } from '../../src/lib/model/event-doc.js';
import {
	CLOSE_LIMIT,
	CLOSE_NOT_AUTHENTICATED,
	CLOSE_WRITE_REFUSED,
	credentialProtocols,
	SUBPROTOCOL
} from '../../src/lib/model/relay-protocol.js';
import { relayHarness } from '../support/harness.js';
import { person } from '../support/identity.js';
import { until } from '../support/clients.js';

const harness = relayHarness();
const { client, organizedRoom, readBack } = harness;

/** A relay with an event, its organizer Olga and Ben, who has marked a slot. */
async function eventWithBen() {
	const relay = await harness.relay();
	const { room, organizer, members } = await organizedRoom(relay, { members: 1 });
	const [{ person: ben, client: benClient }] = members;
	applyStroke(benClient.doc, ben.memberId, ['w1T09:00'], 1);
	await until(() => markedSlots(organizer.client.doc, ben.memberId).has('w1T09:00'), "Ben's mark at Olga");
	return { relay, room, olga: organizer, ben, benClient };
}

/**
 * What `doc` would send if it wrote under `client`: a mark in `memberId`'s
 * own entry, or joining as `memberId`. Made on a copy: y-websocket expects a
 * connected document to keep the id its presence has.
 */
function forgeAs(client: number, doc: Y.Doc, memberId: string, what: 'mark' | 'join' = 'mark'): Uint8Array {
	const copy = new Y.Doc();
	Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
	copy.clientID = client;
	const before = Y.encodeStateVector(copy);
	if (what === 'join') joinEvent(copy, 'Mallory', 3, memberId);
	else applyStroke(copy, memberId, ['w3T10:00'], 1);
	return Y.encodeStateAsUpdate(copy, before);
}

describe('client ids bound to members', () => {
	it("refuses marks under Ben's client id from another member, and Ben's next marks still reach everyone", async () => {
		const { relay, room, olga, ben, benClient } = await eventWithBen();
		const mallory = person();
		const attacker = client(relay, room, mallory);
		await until(() => readSettings(attacker.doc) !== null, 'Mallory has the event');
		joinEvent(attacker.doc, 'Mallory', 3, mallory.memberId);
		await until(() => olga.client.doc.getMap('members').has(mallory.memberId), 'Mallory joined');

		// Her own entry, but under Ben's id at the clocks Ben writes next.
		Y.applyUpdate(attacker.doc, forgeAs(benClient.doc.clientID, attacker.doc, mallory.memberId));
		await until(() => attacker.closes.length > 0, 'the relay closing Mallory');
		expect(attacker.closes[0]).toEqual({ code: CLOSE_WRITE_REFUSED, reason: 'client-id-taken' });

		applyStroke(benClient.doc, ben.memberId, ['w2T08:00'], 1);
		await until(() => markedSlots(olga.client.doc, ben.memberId).has('w2T08:00'), "Ben's next mark at Olga");
		const stored = await readBack(relay, room);
		expect(markedSlots(stored, ben.memberId)).toEqual(new Set(['w1T09:00', 'w2T08:00']));
		expect(markedSlots(stored, mallory.memberId).size).toBe(0);
		expect(relay.output()).toContain('client-id-taken');
	});

	it('binds the id a member shows in presence before anyone can write under it', async () => {
		const { relay, room, olga } = await eventWithBen();
		// Cara has just opened the link on her phone: present, nothing written yet.
		const cara = person();
		const phone = client(relay, room, cara);
		phone.provider.awareness.setLocalStateField('user', { memberId: null, name: 'Cara' });
		const mallory = person();
		const attacker = client(relay, room, mallory);
		await until(() => attacker.provider.awareness.getStates().has(phone.doc.clientID), "Cara's presence at Mallory");
		await until(() => readSettings(attacker.doc) !== null, 'Mallory has the event');
		Y.applyUpdate(attacker.doc, forgeAs(phone.doc.clientID, attacker.doc, mallory.memberId, 'join'));
		await until(() => attacker.closes.length > 0, 'the relay closing Mallory');
		expect(attacker.closes[0]).toEqual({ code: CLOSE_WRITE_REFUSED, reason: 'client-id-taken' });

		joinEvent(phone.doc, 'Cara', 4, cara.memberId);
		await until(() => olga.client.doc.getMap('members').has(cara.memberId), 'Cara joined');
		expect(phone.closes).toEqual([]);
	});

	it("binds nobody else's presence: a member stays connected while 70 visitors come and go", async () => {
		const { relay, room, olga, ben, benClient } = await eventWithBen();
		benClient.provider.awareness.setLocalStateField('user', { memberId: ben.memberId, name: 'Ben' });
		// Each visitor is present for a moment; Ben's client sends every presence change back to the relay.
		for (let i = 0; i < 70; i++) {
			const visitor = client(relay, room);
			visitor.provider.awareness.setLocalStateField('user', { memberId: null, name: `Visitor ${i}` });
			const id = visitor.doc.clientID;
			await until(() => benClient.provider.awareness.getStates().has(id), `visitor ${i} at Ben`);
			visitor.destroy();
		}
		applyStroke(benClient.doc, ben.memberId, ['w3T12:00'], 1);
		await until(() => markedSlots(olga.client.doc, ben.memberId).has('w3T12:00'), "Ben's mark after the visits");
		expect(benClient.closes).toEqual([]);
		expect(olga.client.closes).toEqual([]);
	});

	it('keeps the bindings across a relay crash', async () => {
		const { relay, room, benClient } = await eventWithBen();
		const benId = benClient.doc.clientID;
		benClient.destroy();
		await relay.kill();
		const back = await harness.restart(relay);

		const mallory = person();
		const attacker = client(back, room, mallory);
		await until(() => readSettings(attacker.doc) !== null, 'Mallory has the event');
		Y.applyUpdate(attacker.doc, forgeAs(benId, attacker.doc, mallory.memberId, 'join'));
		await until(() => attacker.closes.length > 0, 'the relay closing Mallory');
		expect(attacker.closes[0]).toEqual({ code: CLOSE_WRITE_REFUSED, reason: 'client-id-taken' });
	});

	it("lets the organizer's device, a member's second device and a reset copy write", async () => {
		const { relay, room, olga, ben, benClient } = await eventWithBen();
		// Olga's one document wrote the settings and her member entry; it goes on with her marks and settings.
		applyStroke(olga.client.doc, olga.person.memberId, ['w4T12:00'], 1);
		olga.client.doc.getMap('event').set('title', 'Renamed');
		// Olga's device after "Not you?": the organizer only, same document.
		const organizerOnly = { memberId: olga.person.memberId, params: { organizer: olga.person.params.organizer } };
		const olgaAgain = client(relay, room, organizerOnly, olga.client.doc);
		olga.client.provider.disconnect();
		await until(() => olgaAgain.provider.synced, 'Olga reconnected as the organizer');
		olga.client.doc.getMap('event').set('title', 'Renamed again');

		// Ben's phone: the same member on another document (another client id).
		const phone = client(relay, room, ben);
		await until(() => readSettings(phone.doc) !== null, "Ben's phone has the event");
		applyStroke(phone.doc, ben.memberId, ['w5T13:00'], 1);
		// Ben's laptop after "Reset to the relay's copy": a new document.
		benClient.destroy();
		const reset = client(relay, room, ben);
		await until(() => readSettings(reset.doc) !== null, "Ben's reset copy has the event");
		applyStroke(reset.doc, ben.memberId, ['w6T14:00'], 1);

		const watcher = client(relay, room);
		await until(
			() =>
				markedSlots(watcher.doc, ben.memberId).size === 3 &&
				markedSlots(watcher.doc, olga.person.memberId).has('w4T12:00') &&
				readSettings(watcher.doc)?.title === 'Renamed again',
			'every write at a new reader'
		);
		for (const c of [olga.client, olgaAgain, phone, reset]) expect(c.closes.filter((e) => e.code >= 4000)).toEqual([]);
	});

	it('limits how many client ids one connection binds', async () => {
		const { relay, room } = await eventWithBen();
		const mallory = person();
		const attacker = client(relay, room, mallory);
		await until(() => readSettings(attacker.doc) !== null, 'Mallory has the event');
		joinEvent(attacker.doc, 'Mallory', 3, mallory.memberId);
		// 70 documents' worth of marks in one update: as many offline sessions, or a flood of bindings.
		const updates: Uint8Array[] = [];
		for (let i = 0; i < 70; i++) {
			const session = new Y.Doc();
			Y.applyUpdate(session, Y.encodeStateAsUpdate(attacker.doc));
			const before = Y.encodeStateVector(session);
			applyStroke(session, mallory.memberId, [`w${(i % 7) + 1}T${String(i % 24).padStart(2, '0')}:30`], 1);
			updates.push(Y.encodeStateAsUpdate(session, before));
		}
		Y.applyUpdate(attacker.doc, Y.mergeUpdates(updates));
		await until(() => attacker.closes.length > 0, 'the relay closing Mallory');
		expect(attacker.closes[0]).toEqual({ code: CLOSE_LIMIT, reason: 'too-many-client-ids' });
	});
});

describe('credentials in the subprotocol', () => {
	it('answers with the moim protocol only, takes writes, and refuses a credential given twice', async () => {
		const { relay, room } = await eventWithBen();
		const mallory = person();
		const ws = new WebSocket(`${relay.wsUrl}/${room}`, credentialProtocols(mallory.params));
		await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
		expect(ws.protocol).toBe(SUBPROTOCOL);
		ws.close();
		// The stock clients of every relay test send theirs this way; one more write through it:
		const writer = client(relay, room, mallory);
		await until(() => readSettings(writer.doc) !== null, 'Mallory has the event');
		joinEvent(writer.doc, 'Mallory', 3, mallory.memberId);
		const reader = client(relay, room);
		await until(() => reader.doc.getMap('members').has(mallory.memberId), 'her join at a reader');

		const twice = [...credentialProtocols(mallory.params), `moim.member.${person().memberId}`];
		const doubled = new WebSocket(`${relay.wsUrl}/${room}`, twice);
		const code = await new Promise((resolve) => doubled.once('close', resolve));
		expect(code).toBe(CLOSE_NOT_AUTHENTICATED);
		// Secrets are never logged.
		expect(relay.output()).not.toContain(mallory.params.secret);
	});
});
