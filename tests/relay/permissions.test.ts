/**
 * Write permission at the relay, against the real process: forged writes
 * from stock y-websocket clients and from hand-built frames are refused
 * whole, and nothing changes on the relay or at other clients.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import WebSocket from 'ws';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import {
	applyStroke,
	availabilityMap,
	slotMap,
	eventMap,
	joinEvent,
	markedSlots,
	membersMap,
	readMembers,
	readSettings
} from '../../src/lib/model/event-doc.js';
import { compactSlotKey } from '../../src/lib/model/slots.js';
import { newSecret } from '../../src/lib/model/ids.js';
import {
	CLOSE_NOT_AUTHENTICATED,
	CLOSE_WRITE_REFUSED,
	MESSAGE_SYNC,
	PARAM_MEMBER_SECRET,
	PARAM_ORGANIZER_SECRET
} from '../../src/lib/model/relay-protocol.js';
import { DRAFT, relayHarness } from '../support/harness.js';
import { type RelayProcess } from '../support/relay-process.js';
import { person, query, type Person } from '../support/identity.js';
import { until } from '../support/clients.js';

const { relay: startRelayProcess, restart, client, organizedRoom, readBack } = relayHarness();

/** A relay with an event by an organizer, and Ben who joined and marked two slots. */
async function guardedEvent() {
	const relay = await startRelayProcess();
	const { room, organizer: olga, members } = await organizedRoom(relay, { members: 1 });
	const [{ person: benId, client: ben }] = members;
	applyStroke(ben.doc, benId.memberId, ['w1T09:00', 'w1T09:30'], 1);
	await until(() => markedSlots(olga.client.doc, benId.memberId).size === 2, "ben's marks at the organizer");
	return { relay, room, org: olga.person, organizer: olga.client, benId, ben };
}

/** Connects as `who`, lets `forge` change the doc once synced, and returns how the relay closed. */
async function attempt(relay: RelayProcess, room: string, who: Person | undefined, forge: (doc: Y.Doc) => void) {
	const attacker = client(relay, room, who);
	await until(() => attacker.provider.synced, 'attacker synced');
	forge(attacker.doc);
	await until(() => attacker.closes.length > 0, 'the relay closing the attacker');
	return attacker.closes[0];
}

describe('write permission', () => {
	it("refuses writing another member's slots, deleting a member, and changing settings; nothing changes anywhere", async () => {
		const { relay, room, organizer, benId, ben } = await guardedEvent();
		const mallory = person();
		const forgeries: [string, (doc: Y.Doc) => void, string][] = [
			[
				"overwrite Ben's marks",
				(d) => slotMap(d, benId.memberId)!.set(compactSlotKey('w1T09:00'), 0),
				'not-your-availability'
			],
			["add to Ben's marks", (d) => applyStroke(d, benId.memberId, ['w2T10:00'], 1), 'not-your-availability'],
			['delete Ben', (d) => membersMap(d).delete(benId.memberId), 'not-your-member-entry'],
			[
				'rename Ben',
				(d) => membersMap(d).set(benId.memberId, { name: 'Mallory', joinedAt: 2 }),
				'not-your-member-entry'
			],
			['change the title', (d) => eventMap(d).set('title', 'Hijacked'), 'settings-need-organizer'],
			// A member's own join, bundled with a forged mark in the same transaction: refused whole.
			[
				'join and forge at once',
				(d) =>
					d.transact(() => {
						joinEvent(d, 'Mallory', 3, mallory.memberId);
						slotMap(d, benId.memberId)!.set(compactSlotKey('w2T10:30'), 1);
					}),
				'not-your-availability'
			]
		];
		for (const [what, forge, reason] of forgeries) {
			const closed = await attempt(relay, room, mallory, forge);
			expect(closed, what).toEqual({ code: CLOSE_WRITE_REFUSED, reason });
		}
		const copy = await readBack(relay, room);
		expect(readSettings(copy)?.title).toBe(DRAFT.title);
		expect(markedSlots(copy, benId.memberId)).toEqual(new Set(['w1T09:00', 'w1T09:30']));
		expect([...readMembers(copy).values()].map((m) => m.name).sort()).toEqual(['Ben', 'Olga']);
		expect(markedSlots(organizer.doc, benId.memberId)).toEqual(new Set(['w1T09:00', 'w1T09:30']));
		expect(markedSlots(ben.doc, benId.memberId)).toEqual(new Set(['w1T09:00', 'w1T09:30']));
		expect(relay.output()).toContain('not-your-availability');
		expect(relay.output()).not.toContain(mallory.params[PARAM_MEMBER_SECRET]);
	});

	it("lets a member reconnect after another member's overwrite (the sync step 2 carries that deletion)", async () => {
		const { relay, room, benId, ben } = await guardedEvent();
		const cara = person();
		const c = client(relay, room, cara);
		await until(() => readSettings(c.doc) !== null, 'cara has the event');
		joinEvent(c.doc, 'Cara', 3, cara.memberId);
		applyStroke(ben.doc, benId.memberId, ['w1T09:30'], 2);
		await until(
			() => readMembers(ben.doc).size === 3 && c.doc.getMap('availability').size === 3,
			'everyone everywhere'
		);
		await until(() => slotMap(c.doc, benId.memberId)?.get(compactSlotKey('w1T09:30')) === 2, "ben's overwrite at cara");
		c.provider.disconnect();
		applyStroke(c.doc, cara.memberId, ['w2T10:30'], 1);
		c.provider.connect();
		await until(() => markedSlots(ben.doc, cara.memberId).has('w2T10:30'), "cara's offline stroke at ben");
		expect(c.closes).toEqual([]);
		expect((await readBack(relay, room)).getMap('availability').size).toBe(3);
	});

	it('a reader without credentials can read but not join', async () => {
		const { relay, room } = await guardedEvent();
		const closed = await attempt(relay, room, undefined, (d) => joinEvent(d, 'Nobody', 5));
		expect(closed).toEqual({ code: CLOSE_WRITE_REFUSED, reason: 'not-your-member-entry' });
		expect(readMembers(await readBack(relay, room)).size).toBe(2);
	});

	it('refuses a member id presented with another secret, and a second organizer claim', async () => {
		const { relay, room, benId } = await guardedEvent();
		const replay = client(relay, room, { ...benId, params: { ...benId.params, [PARAM_MEMBER_SECRET]: newSecret() } });
		await until(() => replay.closes.length > 0, 'replay refused');
		expect(replay.closes[0]).toEqual({ code: CLOSE_NOT_AUTHENTICATED, reason: 'wrong-member-secret' });

		const claim = client(relay, room, person({ organizer: true }));
		await until(() => claim.closes.length > 0, 'claim refused');
		expect(claim.closes[0]).toEqual({ code: CLOSE_NOT_AUTHENTICATED, reason: 'wrong-organizer-secret' });

		// After a restart the registered secrets still hold, and the right one still works.
		await relay.stop();
		const again = await restart(relay);
		const stale = client(again, room, { ...benId, params: { ...benId.params, [PARAM_MEMBER_SECRET]: newSecret() } });
		await until(() => stale.closes.length > 0, 'stale refused after restart');
		expect(stale.closes[0].code).toBe(CLOSE_NOT_AUTHENTICATED);
		const real = client(again, room, benId);
		await until(() => real.provider.synced, 'ben back');
		applyStroke(real.doc, benId.memberId, ['w2T10:00'], 1);
		const copy = await readBack(again, room);
		await until(() => markedSlots(copy, benId.memberId).has('w2T10:00'), "ben's new mark");
	});

	it('registers every member of a crowd joining at once: none of them can be claimed with another secret', async () => {
		const { relay, room, organizer } = await guardedEvent();
		const crowd = Array.from({ length: 12 }, () => {
			const who = person();
			return { who, c: client(relay, room, who) };
		});
		for (const { c } of crowd) await until(() => readSettings(c.doc) !== null, 'a member has the event');
		crowd.forEach(({ who, c }, i) => joinEvent(c.doc, `Crowd ${i}`, 10 + i, who.memberId));
		await until(() => crowd.every(({ who }) => membersMap(organizer.doc).has(who.memberId)), 'every join stored');
		for (const { who } of crowd) {
			const claim = client(relay, room, { ...who, params: { ...who.params, [PARAM_MEMBER_SECRET]: newSecret() } });
			await until(() => claim.closes.length > 0, 'the claim refused');
			expect(claim.closes[0]).toEqual({ code: CLOSE_NOT_AUTHENTICATED, reason: 'wrong-member-secret' });
		}
	});

	it('the organizer may rename and remove members and lock joining', async () => {
		const { relay, room, org, organizer, benId } = await guardedEvent();
		organizer.doc.transact(() => {
			membersMap(organizer.doc).delete(benId.memberId);
			availabilityMap(organizer.doc).delete(benId.memberId);
			eventMap(organizer.doc).set('locked', true);
		});
		const copy = await readBack(relay, room);
		await until(() => !readMembers(copy).has(benId.memberId), 'ben removed at the relay');
		expect(organizer.closes).toEqual([]);
		const latecomer = person();
		const late = await attempt(relay, room, latecomer, (d) => joinEvent(d, 'Late', 9, latecomer.memberId));
		expect(late).toEqual({ code: CLOSE_WRITE_REFUSED, reason: 'joining-locked' });
		// The organizer's own connection was never refused.
		expect(organizer.closes).toEqual([]);
		expect(org.params[PARAM_ORGANIZER_SECRET]).toBeTruthy();
	});

	it('refuses a hand-built update whose item claims a parent it may not write, and applies none of it', async () => {
		const { relay, room, benId } = await guardedEvent();
		const mallory = person();
		// A document that has everything the relay has, then one forged and one honest change in one update.
		const copy = new Y.Doc();
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(await readBack(relay, room)));
		const before = Y.encodeStateVector(copy);
		copy.transact(() => {
			joinEvent(copy, 'Mallory', 3, mallory.memberId);
			slotMap(copy, benId.memberId)!.set(compactSlotKey('w2T09:00'), 1);
		});
		const forged = Y.encodeStateAsUpdate(copy, before);
		const sock = new WebSocket(`${relay.wsUrl}/${room}${query(mallory)}`);
		const closed = new Promise<{ code: number; reason: string }>((resolve) =>
			sock.on('close', (code, reason) => resolve({ code, reason: reason.toString() }))
		);
		await new Promise((resolve) => sock.once('open', resolve));
		const frame = encoding.createEncoder();
		encoding.writeVarUint(frame, MESSAGE_SYNC);
		syncProtocol.writeUpdate(frame, forged);
		sock.send(encoding.toUint8Array(frame));
		expect(await closed).toEqual({ code: CLOSE_WRITE_REFUSED, reason: 'not-your-availability' });
		const after = await readBack(relay, room);
		expect(readMembers(after).has(mallory.memberId)).toBe(false);
		expect(markedSlots(after, benId.memberId).has('w2T09:00')).toBe(false);
	});
});
