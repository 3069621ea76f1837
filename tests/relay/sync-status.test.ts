/**
 * The sync badge's "pending" state, against the real relay: local changes are
 * pending until the relay has confirmed them, deletions included.
 */
import { afterEach, expect, it } from 'vitest';
import * as Y from 'yjs';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import { applyStroke, availabilityMap, createEvent, joinEvent, STROKE_ORIGIN } from '../../src/lib/model/event-doc.js';
import { newEventId } from '../../src/lib/model/ids.js';
import { SyncTracker, type SyncState } from '../../src/lib/sync/status.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
	for (const fn of cleanups.splice(0).reverse()) await fn();
});

function open(relay: RelayProcess, room: string) {
	const doc = new Y.Doc();
	const provider = new WebsocketProvider(relay.wsUrl, room, doc, {
		WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
		disableBc: true,
		maxBackoffTime: 200
	});
	const tracker = new SyncTracker(provider, doc, new Set([provider]));
	const states: SyncState[] = [];
	tracker.subscribe(() => states.push(tracker.snapshot.state));
	cleanups.push(() => {
		tracker.destroy();
		provider.destroy();
	});
	return { doc, provider, tracker, states };
}

function until(check: () => boolean, what: string, ms = 10_000) {
	const started = Date.now();
	return new Promise<void>((resolve, reject) => {
		const tick = () => {
			if (check()) resolve();
			else if (Date.now() - started > ms) reject(new Error(`timed out waiting for ${what}`));
			else setTimeout(tick, 10);
		};
		tick();
	});
}

it('is pending after a local change until the relay confirms it, and offline while the relay is down', async () => {
	const relay = await startRelay();
	cleanups.push(() => relay.kill());
	const room = newEventId();
	const a = open(relay, room);
	await until(() => a.tracker.snapshot.state === 'synced', 'first sync');

	createEvent(a.doc, { title: 'S', kind: 'weekdays', dates: [], weekdays: [1], start: 540, end: 600, slot: 30, tz: 'UTC' }, 1);
	const me = joinEvent(a.doc, 'A', 1);
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
	const b = open(relay, room);
	await until(() => b.provider.synced, 'b synced');
	expect(availabilityMap(b.doc).get(me)?.get('w1T09:00')).toBeUndefined();
	expect(availabilityMap(b.doc).get(me)).toBeDefined();

	// Relay down: offline, and a change made then is pending once back.
	await relay.kill();
	await until(() => a.tracker.snapshot.state === 'offline', 'offline');
	applyStroke(a.doc, me, ['w1T09:30'], 1);
	expect(a.tracker.snapshot).toMatchObject({ state: 'offline', unconfirmed: true });
	const back = await relay.restart();
	cleanups.push(() => back.kill());
	await until(() => a.tracker.snapshot.state === 'synced', 'synced after restart', 15_000);
	expect(a.tracker.snapshot.unconfirmed).toBe(false);
});
