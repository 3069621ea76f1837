/**
 * Several relays on one PostgreSQL (issue 17): real relay processes with
 * STORE=postgres, a real PostgreSQL server (tests/support/postgres.ts), and
 * stock y-websocket clients.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import * as Y from 'yjs';
import { applyStroke, createEvent, joinEvent, markedSlots, readSettings } from '../../src/lib/model/event-doc.js';
import { newEventId } from '../../src/lib/model/ids.js';
import {
	API_PATHS,
	CLOSE_NOT_AUTHENTICATED,
	CLOSE_TRY_AGAIN_LATER,
	PARAM_MEMBER_SECRET
} from '../../src/lib/model/relay-protocol.js';
import { until } from '../support/clients.js';
import { DRAFT, relayHarness } from '../support/harness.js';
import { person } from '../support/identity.js';
import { startPostgres, type PgServer } from '../support/postgres.js';

const { onCleanup, relay, client, organizedRoom, tracker, readBack } = relayHarness();

let server: PgServer;
let db: pg.Client;
beforeAll(async () => {
	server = await startPostgres();
	db = new pg.Client({ connectionString: server.url });
	db.on('error', () => {});
	await db.connect();
}, 120_000);
afterAll(async () => {
	await db?.end().catch(() => {});
	await server?.stop();
});

/** A relay on the shared database. */
const shared = (env: Record<string, string> = {}) =>
	relay({ env: { STORE: 'postgres', DATABASE_URL: server.url, FEED_POLL_MS: '300', ...env } });

/** Slots of the event's grid (every day, every half hour). */
const slot = (i: number) =>
	`w${1 + (Math.floor(i / 48) % 7)}T${String(Math.floor((i % 48) / 2)).padStart(2, '0')}:${i % 2 ? '30' : '00'}`;

/** Resolves once `check()` resolves true; rejects after `ms`. */
async function eventually(check: () => Promise<boolean>, what: string, ms = 15_000) {
	const started = Date.now();
	while (!(await check().catch(() => false))) {
		if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

const stateOf = (doc: Y.Doc) => Buffer.from(Y.encodeStateVector(doc)).toString('base64');

describe('several relays on one PostgreSQL', { timeout: 180_000 }, () => {
	it('refuses content under a client id bound through the other relay (issue 18)', async () => {
		const [a, b] = [await shared(), await shared()];
		const { room, organizer } = await organizedRoom(a);
		const ben = person();
		const benClient = client(a, room, ben);
		await until(() => readSettings(benClient.doc) !== null, 'the event at Ben');
		joinEvent(benClient.doc, 'Ben', 2, ben.memberId);
		await until(() => organizer.client.doc.getMap('members').has(ben.memberId), 'Ben joined');
		// Mallory on B writes her own entry under Ben's client id, at the clocks Ben writes next.
		const mallory = person();
		const attacker = client(b, room, mallory);
		await until(() => attacker.doc.getMap('members').has(ben.memberId), 'Ben at Mallory');
		const copy = new Y.Doc();
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(attacker.doc));
		copy.clientID = benClient.doc.clientID;
		const before = Y.encodeStateVector(copy);
		joinEvent(copy, 'Mallory', 3, mallory.memberId);
		Y.applyUpdate(attacker.doc, Y.encodeStateAsUpdate(copy, before));
		await until(() => attacker.closes.length > 0, 'relay B closing Mallory');
		expect(attacker.closes[0]).toEqual({ code: 4403, reason: 'client-id-taken' });
		applyStroke(benClient.doc, ben.memberId, [slot(5)], 1);
		await until(() => markedSlots(organizer.client.doc, ben.memberId).has(slot(5)), "Ben's next mark");
	});

	it('carries strokes live both ways between clients on different relays; a third client on either gets everything', async () => {
		const [a, b] = [await shared(), await shared()];
		const { room, organizer } = await organizedRoom(a);
		// A member joins through the other relay: it must know the event and register the member there.
		const member = person();
		const onB = client(b, room, member);
		await until(() => readSettings(onB.doc) !== null, 'the event through relay B');
		joinEvent(onB.doc, 'Ben', 2, member.memberId);
		await until(() => organizer.client.doc.getMap('members').has(member.memberId), 'the member at the organizer');
		applyStroke(organizer.client.doc, organizer.person.memberId, [slot(1), slot(2)], 1);
		applyStroke(onB.doc, member.memberId, [slot(3)], 1);
		await until(() => markedSlots(onB.doc, organizer.person.memberId).size === 2, "A's stroke at B's client");
		await until(() => markedSlots(organizer.client.doc, member.memberId).has(slot(3)), "B's stroke at A's client");
		expect(onB.closes).toEqual([]);
		expect(organizer.client.closes).toEqual([]);
		// Presence crosses relays too, and leaves with its client.
		organizer.client.provider.awareness.setLocalStateField('user', { name: 'Olga' });
		const seesOlga = () =>
			[...onB.provider.awareness.getStates().values()].some((state) => state.user?.name === 'Olga');
		await until(seesOlga, "the organizer's presence at B's client");
		organizer.client.provider.awareness.setLocalState(null);
		await until(() => !seesOlga(), "the organizer's presence gone at B's client");
		for (const r of [a, b]) {
			const third = await readBack(r, room);
			expect(markedSlots(third, organizer.person.memberId)).toEqual(new Set([slot(1), slot(2)]));
			expect(markedSlots(third, member.memberId)).toEqual(new Set([slot(3)]));
		}
	});

	it('forwards and acknowledges nothing until its commit: a stroke held by a lock on the room arrives after it', async () => {
		const [a, b] = [await shared(), await shared()];
		const { room, organizer, members } = await organizedRoom(a, { members: 1 });
		const observer = client(b, room);
		await until(() => observer.provider.synced && readSettings(observer.doc) !== null, 'observer on B synced');
		const writer = members[0];
		const sync = tracker(writer.client);
		await until(() => sync.snapshot.state === 'synced', 'writer confirmed');
		const lock = new pg.Client({ connectionString: server.url });
		await lock.connect();
		onCleanup(() => lock.end().catch(() => {}));
		await lock.query('BEGIN');
		await lock.query('SELECT seq FROM moim_rooms WHERE id = $1 FOR UPDATE', [room]);
		applyStroke(writer.client.doc, writer.person.memberId, [slot(10)], 1);
		// Observable: relay A's append is waiting for the lock.
		await eventually(async () => {
			const { rows } = await db.query<{ n: string }>(
				"SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%moim_log%'"
			);
			return Number(rows[0].n) > 0;
		}, "the relay's append waiting for the room's lock");
		// Nothing went out before the commit: not to the organizer (same relay), not to B, no acknowledgement.
		expect(markedSlots(organizer.client.doc, writer.person.memberId).has(slot(30))).toBe(false);
		expect(markedSlots(observer.doc, writer.person.memberId).has(slot(30))).toBe(false);
		expect(sync.snapshot.state).toBe('pending');
		await lock.query('COMMIT');
		await until(
			() => markedSlots(organizer.client.doc, writer.person.memberId).has(slot(10)),
			'stroke at the organizer'
		);
		await until(() => markedSlots(observer.doc, writer.person.memberId).has(slot(10)), 'stroke at B');
		await until(() => sync.snapshot.state === 'synced', 'writer confirmed after the commit');
	});

	it('compacts while both relays write one room: snap_seq only grows, no covered row remains, a fresh load is whole', async () => {
		const [a, b] = [await shared({ COMPACT_AFTER: '5' }), await shared({ COMPACT_AFTER: '5' })];
		const { room, organizer, members } = await organizedRoom(a, { members: 1 });
		const member = person();
		const onB = client(b, room, member);
		await until(() => readSettings(onB.doc) !== null, 'event on B');
		joinEvent(onB.doc, 'Cara', 3, member.memberId);
		const seen: number[] = [];
		const sample = setInterval(async () => {
			const { rows } = await db.query<{ snap_seq: string }>('SELECT snap_seq FROM moim_rooms WHERE id = $1', [room]);
			if (rows[0]) seen.push(Number(rows[0].snap_seq));
		}, 20);
		onCleanup(() => clearInterval(sample));
		for (let i = 0; i < 60; i++) {
			applyStroke(members[0].client.doc, members[0].person.memberId, [slot(i)], i % 3 ? 1 : 0);
			applyStroke(onB.doc, member.memberId, [slot(100 + i)], 1);
			if (i % 10 === 9)
				await until(() => markedSlots(organizer.client.doc, member.memberId).has(slot(100 + i)), 'B caught up');
		}
		await until(
			() => stateOf(organizer.client.doc) === stateOf(onB.doc) && stateOf(onB.doc) === stateOf(members[0].client.doc),
			'all three documents equal'
		);
		clearInterval(sample);
		expect(seen.length).toBeGreaterThan(0);
		for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
		const { rows } = await db.query<{ snap_seq: string; covered: string }>(
			'SELECT snap_seq, (SELECT count(*) FROM moim_log l WHERE l.room = r.id AND l.seq <= r.snap_seq) AS covered FROM moim_rooms r WHERE id = $1',
			[room]
		);
		expect(Number(rows[0].snap_seq)).toBeGreaterThan(0);
		expect(Number(rows[0].covered)).toBe(0);
		// A relay that never had the room loads it from the snapshot and the log.
		const c = await shared();
		const fresh = await readBack(c, room);
		for (const doc of [fresh]) {
			expect(markedSlots(doc, member.memberId)).toEqual(markedSlots(onB.doc, member.memberId));
			expect(markedSlots(doc, members[0].person.memberId)).toEqual(
				markedSlots(members[0].client.doc, members[0].person.memberId)
			);
		}
	});

	it('loses no confirmed stroke when a relay is SIGKILLed amid 500 strokes; its clients go on through the other', async () => {
		const [a, b] = [await shared(), await shared()];
		const { room, organizer, members } = await organizedRoom(a, { members: 3, draft: { ...DRAFT, slot: 15 } });
		const writers = [organizer, ...members];
		const trackers = writers.map((w) => tracker(w.client));
		const quarter = (i: number, n: number) => {
			const k = i * 125 + n;
			return `w${1 + Math.floor(k / 96)}T${String(Math.floor((k % 96) / 4)).padStart(2, '0')}:${String((k % 4) * 15).padStart(2, '0')}`;
		};
		const acknowledged = writers.map(() => new Set<string>());
		const written = writers.map(() => new Set<string>());
		for (const [i, t] of trackers.entries()) {
			t.subscribe(() => {
				if (t.snapshot.state === 'synced') for (const s of written[i]) acknowledged[i].add(s);
			});
		}
		let killed = false;
		const writing = writers.map(async (w, i) => {
			for (let n = 0; n < 125; n++) {
				const s = quarter(i, n);
				applyStroke(w.client.doc, w.person.memberId, [s], 1);
				written[i].add(s);
				// A person's pace; and no writing into a dead relay for long.
				await new Promise((resolve) => setTimeout(resolve, 10));
				if (killed && n % 25 === 0)
					await until(() => w.client.provider.wsconnected || !killed, 'reconnected', 30_000).catch(() => {});
			}
		});
		await until(() => acknowledged.every((set) => set.size >= 20), 'strokes confirmed by relay A', 30_000);
		await a.kill();
		killed = true;
		// Before any client reaches the other relay: everything confirmed is in the database.
		const stored = await readBack(b, room);
		for (const [i, w] of writers.entries()) {
			const have = markedSlots(stored, w.person.memberId);
			const missing = [...acknowledged[i]].filter((s) => !have.has(s));
			expect(missing, `writer ${i}'s confirmed strokes in the database`).toEqual([]);
		}
		// The load balancer sends them to B now: same documents, new connections.
		const moved = writers.map((w) => {
			w.client.provider.destroy();
			return client(b, room, w.person, w.client.doc);
		});
		await Promise.all(writing);
		await until(() => moved.every((c) => c.provider.synced), 'all on B');
		const reader = client(b, room);
		await until(
			() => writers.every((w, i) => markedSlots(reader.doc, w.person.memberId).size === written[i].size),
			'every stroke of every writer at a fresh reader on B',
			30_000
		);
		for (const c of moved) expect(c.closes.filter((close) => close.code >= 4400 && close.code < 4500)).toEqual([]);
		expect(writers.reduce((sum, _w, i) => sum + written[i].size, 0)).toBe(500);
	});

	it('still delivers within the poll when the listening connections are killed', async () => {
		const [a, b] = [await shared(), await shared()];
		const { room, organizer } = await organizedRoom(a);
		const observer = client(b, room);
		await until(() => readSettings(observer.doc) !== null, 'observer on B');
		const killed = await db.query<{ ok: boolean }>(
			"SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()"
		);
		expect(killed.rows.length).toBeGreaterThanOrEqual(2);
		applyStroke(organizer.client.doc, organizer.person.memberId, [slot(20)], 1);
		await until(() => markedSlots(observer.doc, organizer.person.memberId).has(slot(20)), 'stroke at B', 10_000);
		expect(b.output()).toContain('feed connection lost');
	});

	it('counts PIN guesses together on both relays, and keeps a lockout across restarting them', async () => {
		const env = { PIN_MAX_FAILURES: '4' };
		const [a, b] = [await shared(env), await shared(env)];
		const { room, members } = await organizedRoom(a, { members: 1 });
		const ana = members[0].person;
		const post = (r: { httpUrl: string }, path: string, body: unknown) =>
			fetch(r.httpUrl + path, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify(body)
			}).then((res) => res.status);
		// Set through B: A must see the PIN too.
		expect(
			await post(b, API_PATHS.pin(room), { member: ana.memberId, secret: ana.params[PARAM_MEMBER_SECRET], pin: '7351' })
		).toBe(204);
		const statuses = [];
		for (const [i, r] of [a, b, a, b].entries())
			statuses.push(await post(r, API_PATHS.recover(room), { member: ana.memberId, pin: `000${i}` }));
		// Four wrong guesses in all, two on each relay: the fourth locks, on either.
		expect(statuses).toEqual([403, 403, 403, 403]);
		expect(await post(a, API_PATHS.recover(room), { member: ana.memberId, pin: '7351' })).toBe(429);
		expect(await post(b, API_PATHS.recover(room), { member: ana.memberId, pin: '7351' })).toBe(429);
		await a.kill();
		await b.stop();
		const c = await shared(env);
		expect(await post(c, API_PATHS.recover(room), { member: ana.memberId, pin: '7351' })).toBe(429);
	});

	it('lets exactly one of two organizers claiming a new event through different relays win', async () => {
		const [a, b] = [await shared(), await shared()];
		const room = newEventId();
		const [first, second] = [person({ organizer: true }), person({ organizer: true })];
		const [onA, onB] = [client(a, room, first), client(b, room, second)];
		await until(
			() => onA.provider.synced || onB.provider.synced || onA.closes.length + onB.closes.length > 0,
			'either answered'
		);
		await until(
			() =>
				(onA.provider.synced && onB.closes.some((c) => c.code === CLOSE_NOT_AUTHENTICATED)) ||
				(onB.provider.synced && onA.closes.some((c) => c.code === CLOSE_NOT_AUTHENTICATED)),
			'one accepted, the other refused',
			15_000
		);
		const winner = onA.provider.synced ? onA : onB;
		const loser = winner === onA ? onB : onA;
		expect(loser.closes[0].reason).toBe('wrong-organizer-secret');
		createEvent(winner.doc, DRAFT, 1);
		const reader = client(winner === onA ? b : a, room);
		await until(() => readSettings(reader.doc)?.title === DRAFT.title, 'the winner’s event on the other relay');
	});

	it('survives restart -m immediate in the middle of a stream: nothing acknowledged lost, writers carry on, all converge', async () => {
		const [a, b] = [await shared(), await shared()];
		const { room, organizer, members } = await organizedRoom(a, { members: 1 });
		const onB = person();
		const second = client(b, room, onB);
		await until(() => readSettings(second.doc) !== null, 'event on B');
		joinEvent(second.doc, 'Dan', 3, onB.memberId);
		const writers = [
			{ who: members[0].person, c: members[0].client },
			{ who: onB, c: second }
		];
		const trackers = writers.map((w) => tracker(w.c));
		const written = writers.map(() => new Set<string>());
		const acknowledged = writers.map(() => new Set<string>());
		trackers.forEach((t, i) =>
			t.subscribe(() => {
				if (t.snapshot.state === 'synced') for (const s of written[i]) acknowledged[i].add(s);
			})
		);
		let restarted = false;
		const writing = writers.map(async (w, i) => {
			for (let n = 0; n < 60; n++) {
				const s = slot(i * 100 + n);
				applyStroke(w.c.doc, w.who.memberId, [s], 1);
				written[i].add(s);
				await new Promise((resolve) => setTimeout(resolve, 20));
				// Half the strokes come after the restart, whenever it is.
				if (n === 29) await until(() => restarted, 'the restart', 60_000);
			}
		});
		await until(() => acknowledged.every((set) => set.size >= 10), 'strokes acknowledged before the crash', 30_000);
		const before = acknowledged.map((set) => new Set(set));
		await server.restart('immediate');
		restarted = true;
		await Promise.all(writing);
		const reader = client(a, room);
		await until(
			() => writers.every((w, i) => markedSlots(reader.doc, w.who.memberId).size === written[i].size),
			'every stroke at a fresh reader',
			60_000
		).catch((err) => {
			const state = writers.map((w, i) => ({
				written: written[i].size,
				atReader: markedSlots(reader.doc, w.who.memberId).size,
				inOwnDoc: markedSlots(w.c.doc, w.who.memberId).size,
				synced: w.c.provider.synced,
				connected: w.c.provider.wsconnected,
				closes: w.c.closes
			}));
			const logs = [a, b].map((r) =>
				r
					.output()
					.split('\n')
					.filter((l) => /"level":(40|50)|^(?!\{)\S/.test(l))
					.slice(-15)
					.join('\n')
			);
			throw new Error(
				`${(err as Error).message}: ${JSON.stringify(state)}\nreader synced ${reader.provider.synced}\n${logs.join('\n---\n')}`
			);
		});
		for (const [i, w] of writers.entries()) {
			const have = markedSlots(reader.doc, w.who.memberId);
			expect([...before[i]].filter((s) => !have.has(s))).toEqual([]);
			expect(w.c.closes.filter((close) => close.code >= 4400 && close.code < 4500)).toEqual([]);
		}
		expect(markedSlots(organizer.client.doc, onB.memberId).size).toBeGreaterThan(0);
	});

	it.each(['fast', 'immediate'] as const)(
		'database shut down (%s): nothing forwarded or acknowledged, /readyz 503, clients told to come back; then all converges',
		async (mode) => {
			const [a, b] = [await shared(), await shared()];
			const { room, organizer, members } = await organizedRoom(a, { members: 1 });
			const observer = client(a, room);
			await until(() => readSettings(observer.doc) !== null, 'observer');
			const writer = members[0];
			const sync = tracker(writer.client);
			applyStroke(writer.client.doc, writer.person.memberId, [slot(29)], 1);
			await until(() => sync.snapshot.state === 'synced', 'a stroke confirmed before the shutdown');
			await server.shutdown(mode);
			try {
				applyStroke(writer.client.doc, writer.person.memberId, [slot(30)], 1);
				await eventually(async () => (await fetch(`${a.httpUrl}/readyz`)).status === 503, '/readyz 503');
				// The relay gives up after its retries: every client of the room is told to come back later.
				await until(
					() => observer.closes.some((c) => c.code === CLOSE_TRY_AGAIN_LATER),
					'clients closed with 1013',
					20_000
				);
				expect(markedSlots(observer.doc, writer.person.memberId).has(slot(30))).toBe(false);
				expect(markedSlots(organizer.client.doc, writer.person.memberId).has(slot(30))).toBe(false);
				expect(sync.snapshot.state).not.toBe('synced');
			} finally {
				await server.start();
			}
			await until(
				() => markedSlots(observer.doc, writer.person.memberId).has(slot(30)),
				'stroke after recovery',
				30_000
			);
			await until(() => sync.snapshot.state === 'synced', 'writer confirmed after recovery', 30_000);
			const fresh = await readBack(b, room);
			expect(markedSlots(fresh, writer.person.memberId)).toEqual(new Set([slot(29), slot(30)]));
		}
	);
});
