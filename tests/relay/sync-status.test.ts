/**
 * The sync badge's "pending" state, against the real relay: local changes are
 * pending until the relay has confirmed them, deletions included.
 */
import { expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	applyStroke,
	availabilityMap,
	createEvent,
	joinEvent,
	slotMap,
	STROKE_ORIGIN
} from '../../src/lib/model/event-doc.js';
import { newEventId } from '../../src/lib/model/ids.js';
import { type AckRecord, type AckStore, type SyncState } from '../../src/lib/sync/status.js';
import { DRAFT, relayHarness } from '../support/harness.js';
import { type RelayProcess } from '../support/relay-process.js';
import { person, type Person } from '../support/identity.js';
import { until } from '../support/clients.js';
import { compactSlotKey } from '../../src/lib/model/slots.js';

const { relay: startRelay, restart, client, organizedRoom, tracker: track } = relayHarness();

/** An AckStore in memory, standing in for the event's IndexedDB between "reloads". */
function memoryAckStore(): AckStore & { record: AckRecord | null } {
	return {
		record: null,
		async load() {
			return this.record;
		},
		save(record) {
			this.record = structuredClone(record);
		}
	};
}

/** The origin the stored copy is loaded with, like y-indexeddb's persistence. */
const LOAD_ORIGIN = Symbol('stored copy');

/** A device's client of `room` with its sync tracker, opened on its `stored` copy if any. */
function open(relay: RelayProcess, room: string, who: Person, stored?: { state: Uint8Array; store: AckStore }) {
	const doc = new Y.Doc();
	// Load the "stored copy" before connecting, as a reload does.
	if (stored) Y.applyUpdate(doc, stored.state, LOAD_ORIGIN);
	const c = client(relay, room, who, doc);
	const tracker = track(c, { loadOrigins: new Set([LOAD_ORIGIN]), store: stored?.store });
	const states: SyncState[] = [];
	tracker.subscribe(() => states.push(tracker.snapshot.state));
	return { doc, provider: c.provider, tracker, states };
}

it('is pending after a local change until the relay confirms it, and offline while the relay is down', async () => {
	const relay = await startRelay();
	const room = newEventId();
	const ana = person({ organizer: true });
	const a = open(relay, room, ana);
	await until(() => a.tracker.snapshot.state === 'synced', 'first sync');

	createEvent(a.doc, DRAFT, 1);
	const me = joinEvent(a.doc, 'A', 1, ana.memberId);
	expect(a.tracker.snapshot.state).toBe('pending');
	await until(() => a.tracker.snapshot.state === 'synced', 'confirmation');
	expect(a.tracker.snapshot.lastSyncedAt).not.toBeNull();

	// A change that only deletes (undoing a first mark) is confirmed the same way.
	const undo = new Y.UndoManager(availabilityMap(a.doc).get(me)!, { trackedOrigins: new Set([STROKE_ORIGIN]) });
	applyStroke(a.doc, me, ['w1T09:00'], 1);
	await until(() => a.tracker.snapshot.state === 'synced', 'stroke confirmed');
	const before = Y.encodeStateVector(a.doc);
	a.states.length = 0;
	undo.undo();
	expect(Buffer.from(Y.encodeStateVector(a.doc)).equals(Buffer.from(before))).toBe(true);
	expect(a.tracker.snapshot.state).toBe('pending');
	await until(() => a.tracker.snapshot.state === 'synced', 'deletion confirmed');
	expect(a.states).toEqual(['pending', 'synced']);

	// A second client sees the deletion: it really reached the relay.
	const b = open(relay, room, person());
	await until(() => b.provider.synced, 'b synced');
	expect(slotMap(b.doc, me)?.get(compactSlotKey('w1T09:00'))).toBeUndefined();
	expect(availabilityMap(b.doc).get(me)).toBeDefined();

	// Relay down: offline, and a change made then is pending once back.
	await relay.kill();
	await until(() => a.tracker.snapshot.state === 'offline', 'offline');
	applyStroke(a.doc, me, ['w1T09:30'], 1);
	expect(a.tracker.snapshot).toMatchObject({ state: 'offline', unconfirmed: true });
	await restart(relay);
	await until(() => a.tracker.snapshot.state === 'synced', 'synced after restart', 15_000);
	expect(a.tracker.snapshot.unconfirmed).toBe(false);
});

it('remembers across a reload what the relay has acknowledged, so older offline edits still show as unsynced', async () => {
	const relay = await startRelay();

	// Someone else creates the event; this device only receives it.
	const { room, organizer } = await organizedRoom(relay);
	const other = { doc: organizer.client.doc, tracker: track(organizer.client) };
	const them = organizer.person.memberId;
	applyStroke(other.doc, them, ['w2T10:00'], 1);
	await until(() => other.tracker.snapshot.state === 'synced', 'other confirmed');

	const store = memoryAckStore();
	const device = person();
	const first = open(relay, room, device, { state: new Uint8Array([0, 0]), store });
	await until(() => first.tracker.snapshot.state === 'synced' && first.doc.getMap('event').size > 0, 'first synced');
	first.tracker.destroy();
	first.provider.destroy();

	// Reload with the relay down: everything here came from the relay, so nothing is unsynced.
	await relay.kill();
	const offline = open(relay, room, device, { state: Y.encodeStateAsUpdate(first.doc), store });
	await until(() => offline.tracker.snapshot.state === 'offline', 'offline');
	// The saved record is loaded asynchronously; its time shows once it is in.
	await until(() => offline.tracker.snapshot.lastSyncedAt !== null, 'the saved record loaded');
	expect(offline.tracker.snapshot.unconfirmed).toBe(false);
	expect(offline.tracker.snapshot.lastSyncedAt).not.toBeNull();

	// An edit made offline, then another reload: still unsynced, from the saved record.
	const me = joinEvent(offline.doc, 'Me', 2, device.memberId);
	applyStroke(offline.doc, me, ['w2T10:30'], 1);
	expect(offline.tracker.snapshot.unconfirmed).toBe(true);
	offline.tracker.destroy();
	offline.provider.destroy();
	const again = open(relay, room, device, { state: Y.encodeStateAsUpdate(offline.doc), store });
	await until(() => again.tracker.snapshot.state === 'offline', 'offline again');
	await until(() => again.tracker.snapshot.unconfirmed, 'unsynced after reload');

	// Relay back: the handshake and probe carry the old edit; the other client gets it.
	await restart(relay);
	await until(() => again.tracker.snapshot.state === 'synced', 'synced after restart', 15_000);
	expect(again.tracker.snapshot.unconfirmed).toBe(false);
	await until(
		() => slotMap(other.doc, me)?.get(compactSlotKey('w2T10:30')) === 1,
		'other sees the offline edit',
		15_000
	);
	again.tracker.destroy();
	expect(new Map(store.record!.sv).get(again.doc.clientID)).toBeUndefined();
	expect(new Map(store.record!.sv).get(offline.doc.clientID)).toBe(
		Y.decodeStateVector(Y.encodeStateVector(again.doc)).get(offline.doc.clientID)
	);
});
