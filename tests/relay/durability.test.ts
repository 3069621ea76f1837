/**
 * Crash safety of the relay process: SIGKILL while clients write, the flush
 * bound, and corrupted records on disk.
 */
import { describe, expect, it } from 'vitest';
import { ClassicLevel } from 'classic-level';
import { applyStroke, markedSlots, readSettings } from '../../src/lib/model/event-doc.js';
import { newEventId } from '../../src/lib/model/ids.js';
import { DRAFT, relayHarness } from '../support/harness.js';
import { type RelayProcess } from '../support/relay-process.js';
import { person } from '../support/identity.js';
import { until } from '../support/clients.js';

/** Every slot of the week: 336 distinct strokes to hand out. */
const SLOTS = DRAFT.weekdays.flatMap((d) =>
	Array.from({ length: 48 }, (_, i) => `w${d}T${String(Math.floor(i / 2)).padStart(2, '0')}:${i % 2 ? '30' : '00'}`)
);

const { relay, restart, client, organizedRoom, readBack, tracker } = relayHarness();

/** An event on `r` with `count` joined writers (the organizer first), each a stock client. */
async function writers(r: RelayProcess, count: number) {
	const { room, organizer, members } = await organizedRoom(r, { members: count - 1 });
	const joined = [organizer, ...members];
	return { room, people: joined.map((j) => j.person), clients: joined.map((j) => j.client) };
}

describe('durability', () => {
	it.each([
		['SIGKILLed', (r: RelayProcess) => r.kill()],
		['restarted with SIGTERM', async (r: RelayProcess) => void (await r.stop())]
	])('loses no stroke when %s while clients write: they reconnect and resync by themselves', async (_how, halt) => {
		const r = await relay();
		const { room, people, clients } = await writers(r, 3);
		const written = people.map(() => new Set<string>());
		let stop = false;
		const writing = clients.map(async (c, i) => {
			for (let n = 0; !stop && n < 100; n++) {
				const slot = SLOTS[i * 100 + n];
				applyStroke(c.doc, people[i].memberId, [slot], 1);
				written[i].add(slot);
				// A person's pace, not a wait: strokes keep coming whatever the relay does.
				await new Promise((res) => setTimeout(res, 15));
			}
		});
		/** Resolves once every writer has made `more` strokes (or all 100) since now. */
		const strokes = (more: number, what: string) => {
			const from = written.map((w) => w.size);
			return until(() => written.every((w, i) => w.size >= Math.min(100, from[i] + more)), what);
		};
		// Halted mid-stream, once the relay has passed on some of every writer's strokes.
		await until(
			() => people.every((p, i) => markedSlots(clients[(i + 1) % clients.length].doc, p.memberId).size >= 5),
			'strokes through the relay'
		);
		await halt(r);
		// Strokes keep coming while the relay is down; they stay in the clients.
		await strokes(3, 'strokes while the relay is down');
		const back = await restart(r);
		await strokes(3, 'strokes after the restart');
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
		const { room, people, clients } = await writers(r, 2);
		const trackers = clients.map((c) => tracker(c));
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
		// Killed mid-stream, once each writer has had a good number of strokes acknowledged.
		await until(() => acknowledged.every((a) => a.size >= 20), 'strokes acknowledged', 20_000);
		const killedAt = Date.now();
		await r.kill();
		stop = true;
		await Promise.all(writing);
		// No client may fill the gap: they go away before the relay returns.
		for (const c of clients) c.destroy();

		const back = await restart(r);
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
		const { room, people, clients } = await writers(r, 1);
		const t = tracker(clients[0]);
		// Each acknowledged (so on disk) before the next: each its own group commit and so its own log record.
		applyStroke(clients[0].doc, people[0].memberId, ['w1T09:00'], 1);
		await until(() => t.snapshot.state === 'synced', 'first stroke acknowledged');
		applyStroke(clients[0].doc, people[0].memberId, ['w2T09:00'], 1);
		await until(() => markedSlots(clients[0].doc, people[0].memberId).size === 2, 'strokes');
		await until(() => t.snapshot.state === 'synced', 'strokes acknowledged');
		clients[0].destroy();
		// A crash (a graceful stop would fold the log into a snapshot).
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

		const back = await restart(r);
		const copy = await readBack(back, room);
		expect(readSettings(copy)?.title).toBe(DRAFT.title);
		expect(back.output()).toContain('corrupted records skipped');
		// The process is fine and serves other rooms.
		expect((await fetch(`${back.httpUrl}/healthz`)).status).toBe(200);
		const other = newEventId();
		const fresh = client(back, other, person({ organizer: true }));
		await until(() => fresh.provider.synced, 'another room');
	});
});
