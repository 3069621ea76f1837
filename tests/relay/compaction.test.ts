/**
 * Release B of the stroke log (docs/design/document-size.md): a member's
 * device compacts their long log, the real relay's write check accepts the
 * compaction, and another client converges to the same marks.
 */
import { expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	applyStroke,
	availabilityMap,
	createEvent,
	eventMap,
	joinEvent,
	LOG_SCHEMA_VERSION,
	readMarks,
	readSettings
} from '../../src/lib/model/event-doc.js';
import { newEventId } from '../../src/lib/model/ids.js';
import { compactLog, needsCompaction } from '../../src/lib/model/log-compaction.js';
import { readLog } from '../../src/lib/model/stroke-log.js';
import { syncParams } from '../../src/lib/sync/session.js';
import { SyncTracker } from '../../src/lib/sync/status.js';
import { DRAFT, relayHarness } from '../support/harness.js';
import { person, type Person } from '../support/identity.js';
import { until } from '../support/clients.js';
import type { RelayProcess } from '../support/relay-process.js';

const { onCleanup, relay, client } = relayHarness();

/** A client opening its URL as the app does (`syncParams`), writing as `who`, with the app's sync tracker. */
function appClient(r: RelayProcess, room: string, who?: Person) {
	const c = client(r, room, who, undefined, syncParams());
	const sync = new SyncTracker(c.provider, c.doc);
	onCleanup(() => sync.destroy());
	return { ...c, sync };
}

it('a member compacts their log, the relay accepts it, and a second client converges to the same marks', async () => {
	const r = await relay();
	const room = newEventId();
	const olga = person({ organizer: true });
	const organizer = appClient(r, room, olga);
	await until(() => organizer.provider.synced, 'organizer synced');
	organizer.doc.transact(() => {
		createEvent(organizer.doc, DRAFT, 1);
		eventMap(organizer.doc).set('v', LOG_SCHEMA_VERSION);
	});
	joinEvent(organizer.doc, 'Olga', 1, olga.memberId);

	const ana = person();
	const app = appClient(r, room, ana);
	await until(() => readSettings(app.doc)?.v === LOG_SCHEMA_VERSION, 'the v3 event at Ana');
	joinEvent(app.doc, 'Ana', 2, ana.memberId);
	const log = availabilityMap(app.doc).get(ana.memberId) as Y.Text;
	const slots = ['w1T09:00', 'w1T09:30', 'w1T10:00', 'w1T10:30', 'w2T09:00', 'w2T09:30'];
	for (let i = 0; i < 70; i++)
		applyStroke(app.doc, ana.memberId, [slots[i % 6], slots[(i * 5) % 6]], (i % 3) as 0 | 1 | 2);
	await until(() => app.sync.snapshot.state === 'synced', "Ana's strokes confirmed by the relay");
	expect(needsCompaction(log)).toBe(true);
	const before = readMarks(app.doc, ana.memberId);
	const length = log.length;

	const records = readLog(log.toString()).records;
	expect(records).toBeGreaterThanOrEqual(64);
	expect(compactLog(log, app.sync.acknowledged!)).toBe(records);
	expect(log.length).toBeLessThan(length / 4);
	expect(readMarks(app.doc, ana.memberId)).toEqual(before);
	await until(() => app.sync.snapshot.state === 'synced', 'the compaction confirmed by the relay');
	expect(app.closes).toEqual([]);

	// A client that never saw the log gets the compacted one and reads the same marks.
	const fresh = appClient(r, room);
	await until(() => fresh.provider.synced && availabilityMap(fresh.doc).has(ana.memberId), 'a fresh reader synced');
	expect(readMarks(fresh.doc, ana.memberId)).toEqual(before);
	expect(readLog((availabilityMap(fresh.doc).get(ana.memberId) as Y.Text).toString()).records).toBe(1);
	// And the organizer, who watched the strokes arrive, converges too.
	await until(() => (availabilityMap(organizer.doc).get(ana.memberId) as Y.Text).length === log.length, 'organizer');
	expect(readMarks(organizer.doc, ana.memberId)).toEqual(before);
	// Painting goes on after it.
	applyStroke(app.doc, ana.memberId, ['w3T09:00'], 2);
	await until(() => readMarks(fresh.doc, ana.memberId).get('w3T09:00') === 2, 'a stroke after compaction');
});
