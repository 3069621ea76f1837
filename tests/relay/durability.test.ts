/**
 * Crash safety of the relay process: SIGKILL while clients write, the flush
 * bound, and corrupted records on disk.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ClassicLevel } from 'classic-level';
import { applyStroke, createEvent, joinEvent, markedSlots, readSettings } from '../../src/lib/model/event-doc.js';
import { newEventId } from '../../src/lib/model/ids.js';
import { SyncTracker } from '../../src/lib/sync/status.js';
import { relayHarness } from '../support/harness.js';
import { type RelayProcess } from '../support/relay-process.js';
import { person } from '../support/identity.js';
import { until } from '../support/clients.js';

/**
 * The documented bound on how long an update the relay received can be
 * missing from disk. The relay writes before it forwards or acknowledges,
 * so for acknowledged updates it is zero; for received ones, one group
 * commit (a LevelDB write, milliseconds).
 */
const FLUSH_BOUND_MS = 100;

const draft = {
	title: 'Durable',
	kind: 'weekdays' as const,
	dates: [],
	weekdays: [1, 2, 3, 4, 5, 6, 7],
	start: 0,
	end: 1440,
	slot: 30 as const,
	tz: 'UTC'
};
/** Every slot of the week: 336 distinct strokes to hand out. */
const SLOTS = draft.weekdays.flatMap((d) =>
	Array.from({ length: 48 }, (_, i) => `w${d}T${String(Math.floor(i / 2)).padStart(2, '0')}:${i % 2 ? '30' : '00'}`)
);

const { cleanups, relay, client } = relayHarness();

/** An event with `count` joined writers, each a stock client. */
async function writers(r: RelayProcess, room: string, count: number) {
	const people = Array.from({ length: count }, (_, i) => person({ organizer: i === 0 }));
	const clients = people.map((p) => client(r, room, p));
	await until(() => clients[0].provider.synced, 'first writer synced');
	createEvent(clients[0].doc, draft, 1);
	for (const [i, c] of clients.entries()) {
		await until(() => c.provider.synced && readSettings(c.doc) !== null, `writer ${i} has the event`);
		joinEvent(c.doc, `W${i}`, i, people[i].memberId);
	}
	return { people, clients };
}

/** What a fresh reader of `room` gets from `r`. */
async function readBack(r: RelayProcess, room: string): Promise<Y.Doc> {
	const reader = client(r, room);
	await until(() => reader.provider.synced, 'reader synced', 15_000);
	return reader.doc;
}

describe('durability', () => {
	it.each([
		['SIGKILLed', (r: RelayProcess) => r.kill()],
		['restarted with SIGTERM', async (r: RelayProcess) => void (await r.stop())]
	])('loses no stroke when %s while clients write: they reconnect and resync by themselves', async (_how, halt) => {
		const r = await relay();
		const room = newEventId();
		const { people, clients } = await writers(r, room, 3);
		const written = people.map(() => new Set<string>());
		let stop = false;
		const writing = clients.map(async (c, i) => {
			for (let n = 0; !stop && n < 100; n++) {
				const slot = SLOTS[i * 100 + n];
				applyStroke(c.doc, people[i].memberId, [slot], 1);
				written[i].add(slot);
				await new Promise((res) => setTimeout(res, 15));
			}
		});
		await new Promise((res) => setTimeout(res, 500));
		await halt(r);
		// Strokes keep coming while the relay is down; they stay in the clients.
		await new Promise((res) => setTimeout(res, 300));
		const back = await r.restart();
		cleanups.push(() => back.kill());
		await new Promise((res) => setTimeout(res, 300));
		stop = true;
		await Promise.all(writing);
		for (const [i, c] of clients.entries())
			await until(() => c.provider.synced, `writer ${i} back (closes: ${JSON.stringify(c.closes)})`, 15_000);

		const copy = await readBack(back, room);
		for (const [i, p] of people.entries()) {
			await until(() => markedSlots(copy, p.memberId).size === written[i].size, `all of writer ${i}'s strokes`, 15_000);
			expect(markedSlots(copy, p.memberId)).toEqual(written[i]);
		}
	});

	it('has every update it acknowledged before a SIGKILL on disk, with no client resending', async () => {
		const r = await relay();
		const room = newEventId();
		const { people, clients } = await writers(r, room, 2);
		const trackers = clients.map((c) => new SyncTracker(c.provider, c.doc));
		cleanups.push(() => trackers.forEach((t) => t.destroy()));
		/** Slot → when the relay confirmed having applied it. */
		const acknowledged = people.map(() => new Map<string, number>());
		let stop = false;
		const writing = clients.map(async (c, i) => {
			for (let n = 0; !stop && n < 160; n++) {
				const slot = SLOTS[i * 160 + n];
				applyStroke(c.doc, people[i].memberId, [slot], 1);
				await until(() => stop || trackers[i].snapshot.state === 'synced', 'ack', 5000).catch(() => {});
				if (!stop && trackers[i].snapshot.state === 'synced') acknowledged[i].set(slot, Date.now());
			}
		});
		await new Promise((res) => setTimeout(res, 1200));
		const killedAt = Date.now();
		await r.kill();
		stop = true;
		await Promise.all(writing);
		// No client may fill the gap: they go away before the relay returns.
		for (const c of clients) c.destroy();

		const back = await r.restart();
		cleanups.push(() => back.kill());
		const copy = await readBack(back, room);
		let checked = 0;
		for (const [i, p] of people.entries()) {
			const onDisk = markedSlots(copy, p.memberId);
			// Acknowledged means written: no grace period at all (stronger than the documented bound).
			for (const [slot, at] of acknowledged[i]) {
				expect(onDisk.has(slot), `${slot} acknowledged ${killedAt - at} ms before the kill`).toBe(true);
				checked++;
			}
		}
		expect(checked).toBeGreaterThan(20);
	});

	it('reports corrupted or truncated records and loads the room from the intact ones', async () => {
		const r = await relay({ env: { COMPACT_AFTER: '1000' } });
		const room = newEventId();
		const { people, clients } = await writers(r, room, 1);
		// Apart, so that each is its own group commit and so its own log record.
		await new Promise((res) => setTimeout(res, 100));
		applyStroke(clients[0].doc, people[0].memberId, ['w1T09:00'], 1);
		await new Promise((res) => setTimeout(res, 100));
		applyStroke(clients[0].doc, people[0].memberId, ['w2T09:00'], 1);
		await until(() => markedSlots(clients[0].doc, people[0].memberId).size === 2, 'strokes');
		const tracker = new SyncTracker(clients[0].provider, clients[0].doc);
		cleanups.push(() => tracker.destroy());
		await until(() => tracker.snapshot.state === 'synced', 'strokes acknowledged');
		clients[0].destroy();
		// A crash (a graceful stop would fold the log into a snapshot), once the log is written.
		await new Promise((res) => setTimeout(res, FLUSH_BOUND_MS * 2));
		await r.kill();

		// Damage the log: one record cut short, one replaced by garbage, one extra garbage record.
		const db = new ClassicLevel<string, Uint8Array>(r.dataDir, { keyEncoding: 'utf8', valueEncoding: 'view' });
		const handle = new TextDecoder().decode((await db.get(`r/${room}/h`))!);
		const log = (await db.keys({ gte: `l/${handle}/`, lt: `l/${handle}/~` }).all()).sort();
		expect(log.length).toBeGreaterThanOrEqual(3);
		const last = log[log.length - 1];
		const lastValue = (await db.get(last))!;
		await db.put(last, lastValue.slice(0, Math.floor(lastValue.length / 2)));
		await db.put(log[log.length - 2], new Uint8Array([0xff, 0xfe, 0x01, 0x02]));
		// A garbage record where earlier versions kept the log: read (and skipped) too.
		await db.put(`r/${room}/u/999999999999`, new Uint8Array([7, 7, 7]));
		await db.close();

		const back = await r.restart();
		cleanups.push(() => back.kill());
		const copy = await readBack(back, room);
		expect(readSettings(copy)?.title).toBe('Durable');
		expect(back.output()).toContain('corrupted records skipped');
		// The process is fine and serves other rooms.
		expect((await fetch(`${back.httpUrl}/healthz`)).status).toBe(200);
		const other = newEventId();
		const fresh = client(back, other, person({ organizer: true }));
		await until(() => fresh.provider.synced, 'another room');
	});
});
