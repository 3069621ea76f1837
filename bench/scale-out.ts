/**
 * Scale-out benchmark (issue 17): two relay processes on one PostgreSQL
 * against one relay on its embedded LevelDB, measured in the same run with
 * the same raw protocol clients (bench/protocol-client.ts), relays compiled
 * as `npm start` runs them. Prints markdown tables. Three parts:
 * propagation with the writer and the observers on different instances,
 * sustained committed strokes/s over 100 rooms, and recovery of the clients
 * of a SIGKILLed relay through the other one. See bench/README.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import * as Y from 'yjs';
import { applyStroke, createEvent, joinEvent, readSettings } from '../src/lib/model/event-doc.js';
import { newEventId } from '../src/lib/model/ids.js';
import { startRelay, type RelayProcess } from '../tests/support/relay-process.js';
import { startPostgres, type PgServer } from '../tests/support/postgres.js';
import { person, query, READER_QUERY, type Person } from '../tests/support/identity.js';
import { Acks, BENCH_EVENT, histogram, RawClient } from './protocol-client.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const STROKES = Number(process.env.BENCH_STROKES ?? 100);
const INTERVAL_MS = Number(process.env.BENCH_INTERVAL_MS ?? 50);
const OBSERVERS = (process.env.BENCH_SCALE_OBSERVERS ?? '1,50').split(',').map(Number);
const ROOMS = Number(process.env.BENCH_ROOMS ?? 100);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 20_000);
/** Strokes a writer sends before it waits for their acknowledgement (1: each stroke waits, as a person who looks). */
const DEPTH = Number(process.env.BENCH_DEPTH ?? 1);
const RECOVERY_ROOMS = 10;
const RECOVERY_CLIENTS = 50;
/** Which parts to run (`BENCH_ONLY=throughput`); all when unset. */
const ONLY = process.env.BENCH_ONLY?.split(',');
const wanted = (part: 'propagation' | 'throughput' | 'recovery') => !ONLY || ONLY.includes(part);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '—');
function percentile(sorted: number[], p: number): number {
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Relay settings for load from one address; rooms leave memory soon so runs do not pile up. */
const RELAY_ENV = { MAX_CONNECTIONS_PER_ADDRESS: '100000', ROOM_IDLE_MS: '5000' };

/** One relay on LevelDB, as `npm start` runs it. */
const startLevel = () => startRelay({ compiled: !process.env.BENCH_TSX, env: RELAY_ENV });

/** Two relays sharing `db` (the feed's slow poll at its default, 1 s). */
async function startPair(db: PgServer): Promise<[RelayProcess, RelayProcess]> {
	const env = { ...RELAY_ENV, STORE: 'postgres', DATABASE_URL: db.url };
	const start = () => startRelay({ compiled: !process.env.BENCH_TSX, env });
	return [await start(), await start()];
}

async function stopRelay(relay: RelayProcess) {
	await relay.stop();
	fs.rmSync(relay.dataDir, { recursive: true, force: true });
}

const roomUrl = (relay: RelayProcess, room: string, who?: Person) =>
	`${relay.wsUrl}/${room}${who ? query(who) : READER_QUERY}`;

/** A member writing in a room through one relay. */
interface Writer {
	room: string;
	me: Person;
	doc: Y.Doc;
	client: RawClient;
	acks: Acks;
	/** One single-slot stroke (sent at once by the client). */
	stroke(): void;
}

function writer(relay: RelayProcess, room: string, me: Person, doc = new Y.Doc()): Writer {
	const client = new RawClient(roomUrl(relay, room, me), doc);
	let n = 0;
	return {
		room,
		me,
		doc,
		client,
		acks: new Acks(client),
		stroke() {
			// 672 distinct blocks (7 days × 96 quarters); later passes clear and re-mark them.
			const i = n++;
			const block = i % 672;
			const slot = `w${(block % 7) + 1}T${String(Math.floor(block / 7) % 24).padStart(2, '0')}:${String(Math.floor(block / 168) * 15).padStart(2, '0')}`;
			applyStroke(doc, me.memberId, [slot], Math.floor(i / 672) % 2 === 0 ? 1 : 0);
		}
	};
}

/** An organizer creating an event in a new room through `relay`; resolves once the relay has committed it. */
async function organize(relay: RelayProcess, room = newEventId()): Promise<Writer> {
	const w = writer(relay, room, person({ organizer: true }));
	await w.client.synced;
	createEvent(w.doc, BENCH_EVENT, 1);
	joinEvent(w.doc, 'Organizer', 1, w.me.memberId);
	await w.acks.probe();
	return w;
}

/** A new member joining an existing room through `relay`; resolves once the relay has committed the join. */
async function join(relay: RelayProcess, room: string): Promise<Writer> {
	const w = writer(relay, room, person());
	await w.client.synced;
	// The relay catches up before answering step 1, so the event is there even if made through another relay.
	if (!readSettings(w.doc)) throw new Error(`room ${room}: no event after sync through ${relay.wsUrl}`);
	joinEvent(w.doc, 'Member', 2, w.me.memberId);
	await w.acks.probe();
	return w;
}

/**
 * Time the threads of `pids` ran on a CPU and waited for one (runnable, in
 * the run queue), ms, from /proc/<pid>/task/<tid>/schedstat. The wait shows
 * how much the other work on this shared machine held them back.
 */
function sched(pids: number[]): { run: number; wait: number } {
	let run = 0;
	let wait = 0;
	for (const pid of pids) {
		try {
			for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
				const [r, w] = fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
				run += r / 1e6;
				wait += w / 1e6;
			}
		} catch {
			// The process or thread ended between the listing and the read.
		}
	}
	return { run, wait };
}

/** The PostgreSQL server's processes: the postmaster and every process it started (backends included). */
function postgresPids(db: PgServer): number[] {
	const postmaster = Number(fs.readFileSync(path.join(db.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
	const pids = [postmaster];
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const ppid = Number(fs.readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
			if (ppid === postmaster) pids.push(Number(entry));
		} catch {
			// Ended meanwhile.
		}
	}
	return pids;
}

/** Transactions the `moim` database has finished (committed or rolled back). */
async function transactions(db: PgServer): Promise<number> {
	const client = new pg.Client({ connectionString: db.url });
	await client.connect();
	try {
		const { rows } = await client.query<{ n: string }>(
			"SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = 'moim'"
		);
		return Number(rows[0].n);
	} finally {
		await client.end();
	}
}

/**
 * Samples what the relays' database connections are doing every 100 ms until
 * `stop()`: the share of samples per state and wait event (e.g. `active
 * WALSync` is the commit's flush, `idle in transaction ClientRead` is a
 * transaction waiting for the relay's next statement).
 */
function sampleActivity(db: PgServer) {
	const client = new pg.Client({ connectionString: db.url });
	const counts = new Map<string, number>();
	let samples = 0;
	let running = true;
	const done = (async () => {
		await client.connect();
		while (running) {
			const { rows } = await client.query<{ what: string; n: string }>(
				`SELECT state || coalesce(' ' || wait_event, '') AS what, count(*) AS n FROM pg_stat_activity
				WHERE datname = 'moim' AND pid <> pg_backend_pid() AND query NOT LIKE 'LISTEN%' GROUP BY 1`
			);
			for (const { what, n } of rows) counts.set(what, (counts.get(what) ?? 0) + Number(n));
			samples++;
			await sleep(100);
		}
		await client.end();
	})();
	return async () => {
		running = false;
		await done;
		return [...counts]
			.sort((x, y) => y[1] - x[1])
			.map(([what, n]) => `${what} ${fmt(n / samples)}`)
			.join(', ');
	};
}

// ---------------------------------------------------------------- propagation

/** One writer on `writerRelay` sending strokes at a steady rate to `observers` readers on `observerRelay`. */
async function propagation(writerRelay: RelayProcess, observerRelay: RelayProcess, observers: number) {
	const w = await organize(writerRelay);
	const readers = Array.from({ length: observers }, () => new RawClient(roomUrl(observerRelay, w.room)));
	await Promise.all(readers.map((r) => r.synced));
	await sleep(300);
	for (const r of readers) r.arrivals.length = 0;
	const sent: number[] = [];
	for (let i = 0; i < STROKES; i++) {
		sent.push(performance.now());
		w.stroke();
		await sleep(INTERVAL_MS);
	}
	const deadline = Date.now() + 10_000;
	while (readers.some((r) => r.arrivals.length < STROKES) && Date.now() < deadline) await sleep(50);
	const latencies: number[] = [];
	let delivered = 0;
	for (const r of readers) {
		delivered += r.arrivals.length;
		r.arrivals.forEach((t, i) => latencies.push(t - sent[i]));
	}
	latencies.sort((a, b) => a - b);
	w.client.close();
	for (const r of readers) r.close();
	return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), lost: STROKES * observers - delivered };
}

async function propagationPart(db: PgServer) {
	console.log(`\n## Propagation: ${STROKES} strokes every ${INTERVAL_MS} ms, median of ${RUNS} runs\n`);
	console.log(
		'| observers | metric | 1 relay, LevelDB | 2 relays on PostgreSQL, writer and observers on A | writer on A, observers on B | B / LevelDB |'
	);
	console.log('|---|---|---|---|---|---|');
	const level = await startLevel();
	const [a, b] = await startPair(db);
	try {
		for (const observers of OBSERVERS) {
			const configs = {
				level: () => propagation(level, level, observers),
				same: () => propagation(a, a, observers),
				cross: () => propagation(a, b, observers)
			};
			const results = { level: [], same: [], cross: [] } as Record<
				keyof typeof configs,
				Awaited<ReturnType<typeof propagation>>[]
			>;
			const names = Object.keys(configs) as (keyof typeof configs)[];
			for (let run = 0; run < RUNS; run++) {
				// Rotate which configuration goes first, so none always gets the calmer machine.
				for (let k = 0; k < names.length; k++) {
					const name = names[(run + k) % names.length];
					results[name].push(await configs[name]());
				}
			}
			const row = (metric: string, pick: (r: Awaited<ReturnType<typeof propagation>>) => number) => {
				const [l, s, c] = names.map((n) => median(results[n].map(pick)));
				console.log(`| ${observers} | ${metric} | ${fmt(l)} | ${fmt(s)} | ${fmt(c)} | ${fmt(c / l, 2)}× |`);
			};
			row('latency p50 (ms)', (r) => r.p50);
			row('latency p99 (ms)', (r) => r.p99);
			const lost = names.map((n) => results[n].reduce((sum, r) => sum + r.lost, 0));
			if (lost.some(Boolean))
				console.log(`| ${observers} | updates not delivered (all runs) | ${lost.join(' | ')} | |`);
		}
	} finally {
		await Promise.all([level, a, b].map(stopRelay));
	}
}

// ---------------------------------------------------------------- throughput

type Layout = 'level' | 'affinity' | 'spread';

/**
 * `ROOMS` rooms with two writers each, every writer painting for
 * `DURATION_MS` as fast as acknowledgements allow (at most `DEPTH` strokes
 * unacknowledged). Committed strokes/s counts acknowledgements that arrive
 * within the measured window (after a 2 s warm-up).
 */
async function throughput(layout: Layout, relays: RelayProcess[], db: PgServer | null) {
	const writers: Writer[] = [];
	const setUp = async (i: number) => {
		const first = relays[i % relays.length];
		// `affinity`: a room's clients on one relay (a load balancer hashing the path); `spread`: on both.
		const second = layout === 'spread' ? relays[(i + 1) % relays.length] : first;
		const organizer = await organize(first);
		writers.push(organizer, await join(second, organizer.room));
	};
	for (let i = 0; i < ROOMS; i += 10)
		await Promise.all(Array.from({ length: Math.min(10, ROOMS - i) }, (_, k) => setUp(i + k)));
	await sleep(500);

	let stop = false;
	let window: [number, number] = [Infinity, Infinity];
	let committed = 0;
	const latencies: number[] = [];
	const paint = async (w: Writer) => {
		while (!stop) {
			for (let k = 0; k < DEPTH; k++) w.stroke();
			const sent = performance.now();
			await w.acks.probe();
			const now = performance.now();
			if (now >= window[0] && now <= window[1]) {
				committed += DEPTH;
				latencies.push(now - sent);
			}
		}
	};
	const painting = writers.map(paint);
	await sleep(2000);
	// The pool's backends exist by now (after the warm-up).
	const groups = { relays: relays.map((r) => r.pid), postgres: db ? postgresPids(db) : [], bench: [process.pid] };
	const cpu = () => ({ relays: sched(groups.relays), postgres: sched(groups.postgres), bench: sched(groups.bench) });
	/** What the database did for the relays: transactions, and their calls' time (pool wait included). */
	const database = async () => {
		const calls = await Promise.all(relays.map((r) => histogram(r, 'moim_db_latency_seconds')));
		return {
			transactions: db ? await transactions(db) : 0,
			seconds: calls.reduce((sum, h) => sum + h.sum, 0),
			calls: calls.reduce((sum, h) => sum + h.count, 0)
		};
	};
	const dbBefore = await database();
	const activity = db ? sampleActivity(db) : null;
	const before = cpu();
	window = [performance.now(), performance.now() + DURATION_MS];
	await sleep(DURATION_MS);
	const after = cpu();
	const dbAfter = await database();
	const connections = (await activity?.()) ?? '';
	stop = true;
	// A writer whose relay stopped answering would hang here: give up after 10 s.
	await Promise.race([Promise.all(painting), sleep(10_000)]);
	for (const w of writers) w.client.close();
	latencies.sort((x, y) => x - y);
	const share = (k: keyof typeof before) => ({
		run: (after[k].run - before[k].run) / DURATION_MS,
		wait: (after[k].wait - before[k].wait) / DURATION_MS
	});
	return {
		perSecond: committed / (DURATION_MS / 1000),
		p50: percentile(latencies, 50),
		p99: percentile(latencies, 99),
		cpu: { relays: share('relays'), postgres: share('postgres'), bench: share('bench') },
		transactionsPerStroke: (dbAfter.transactions - dbBefore.transactions) / Math.max(1, committed),
		callsPerStroke: (dbAfter.calls - dbBefore.calls) / Math.max(1, committed),
		connections,
		callMs: ((dbAfter.seconds - dbBefore.seconds) * 1000) / Math.max(1, dbAfter.calls - dbBefore.calls)
	};
}

async function throughputPart(db: PgServer) {
	console.log(
		`\n## Sustained throughput: ${ROOMS} rooms × 2 writers, ${DURATION_MS / 1000} s each, ` +
			`${DEPTH} stroke(s) per acknowledgement round\n`
	);
	console.log(
		'| configuration | strokes/s committed | / LevelDB | acknowledgement p50 (ms) | p99 (ms) | relays: CPU / waiting for one (cores) | PostgreSQL | bench clients |'
	);
	console.log('|---|---|---|---|---|---|---|---|');
	const cores = (c: { run: number; wait: number }) => `${fmt(c.run, 2)} / ${fmt(c.wait, 2)}`;
	const labels: Record<Layout, string> = {
		level: '1 relay, LevelDB',
		affinity: "2 relays on PostgreSQL, a room's writers on one relay",
		spread: "2 relays on PostgreSQL, a room's writers on both"
	};
	let reference = NaN;
	const notes: string[] = [];
	for (const layout of ['level', 'affinity', 'spread'] as const) {
		const relays = layout === 'level' ? [await startLevel()] : await startPair(db);
		try {
			const r = await throughput(layout, relays, layout === 'level' ? null : db);
			if (layout === 'level') reference = r.perSecond;
			console.log(
				`| ${labels[layout]} | ${fmt(r.perSecond, 0)} | ${fmt(r.perSecond / reference, 2)}× | ${fmt(r.p50)} | ${fmt(r.p99)} | ` +
					`${cores(r.cpu.relays)} | ${layout === 'level' ? '—' : cores(r.cpu.postgres)} | ${cores(r.cpu.bench)} |`
			);
			if (layout !== 'level')
				notes.push(
					`${labels[layout]}: ${fmt(r.transactionsPerStroke, 2)} database transactions and ` +
						`${fmt(r.callsPerStroke, 2)} store calls per committed stroke, a call taking ${fmt(r.callMs)} ms on average (waiting for a pooled connection included). ` +
						`The relays' database connections, on average at a time: ${r.connections}.`
				);
		} finally {
			await Promise.all(relays.map(stopRelay));
		}
	}
	console.log('\n' + notes.map((n) => `- ${n}`).join('\n'));
}

// ---------------------------------------------------------------- recovery

/**
 * `RECOVERY_CLIENTS` clients in `RECOVERY_ROOMS` rooms on one relay (per
 * room an organizer painting every 20 ms, the rest readers holding the
 * document). The relay is SIGKILLed; each client opens a new connection
 * with the same document to wherever `reconnect` says. Times from the kill:
 * every client has its sync step 2 (`synced`), and every room's documents
 * are equal (the writers' strokes the dead relay never confirmed included).
 */
async function recovery(victim: RelayProcess, reconnect: () => Promise<RelayProcess>) {
	const perRoom = RECOVERY_CLIENTS / RECOVERY_ROOMS;
	const rooms: { writer: Writer; docs: Y.Doc[] }[] = [];
	for (let i = 0; i < RECOVERY_ROOMS; i++) {
		const w = await organize(victim);
		for (let k = 0; k < 20; k++) w.stroke();
		await w.acks.probe();
		rooms.push({ writer: w, docs: [w.doc] });
	}
	const readers = rooms.flatMap((room) =>
		Array.from({ length: perRoom - 1 }, () => {
			const doc = new Y.Doc();
			room.docs.push(doc);
			return new RawClient(roomUrl(victim, room.writer.room), doc);
		})
	);
	await Promise.all(readers.map((r) => r.synced));

	let painting = true;
	const strokes = rooms.map(async ({ writer }) => {
		while (painting) {
			writer.stroke();
			await sleep(20);
		}
	});
	await sleep(1000);

	const refusals: number[] = [];
	const again: Promise<void>[] = [];
	let killed!: () => void;
	// Asked only once the victim is dead: a restart reuses its port.
	const target = new Promise<void>((resolve) => (killed = resolve)).then(reconnect);
	const watch = (client: RawClient, doc: Y.Doc, room: string, who?: Person) =>
		client.ws.once('close', () =>
			again.push(
				(async () => {
					const to = await target;
					const next = new RawClient(roomUrl(to, room, who), doc);
					next.ws.on('close', (code) => code >= 4400 && code < 4500 && refusals.push(code));
					await next.synced;
				})()
			)
		);
	for (const { writer } of rooms) watch(writer.client, writer.doc, writer.room, writer.me);
	readers.forEach((r, i) => watch(r, r.doc!, rooms[Math.floor(i / (perRoom - 1))].writer.room));

	const start = performance.now();
	painting = false;
	await victim.kill();
	killed();
	await Promise.all(strokes);
	while (again.length < RECOVERY_CLIENTS) await sleep(1);
	const deadline = Date.now() + 30_000;
	const synced = await Promise.race([
		Promise.all(again).then(() => performance.now() - start),
		sleep(30_000).then(() => NaN)
	]);
	const vector = (doc: Y.Doc) => Buffer.from(Y.encodeStateVector(doc)).toString('base64');
	const equal = () => rooms.every(({ docs }) => docs.every((d) => vector(d) === vector(docs[0])));
	while (!equal() && Date.now() < deadline) await sleep(5);
	const converged = equal() ? performance.now() - start : NaN;
	return { synced, converged, refusals, finish: () => target.then(stopRelay) };
}

async function recoveryPart(db: PgServer) {
	console.log(
		`\n## Recovery: ${RECOVERY_CLIENTS} clients in ${RECOVERY_ROOMS} rooms, their relay SIGKILLed, median of ${RUNS} runs\n`
	);
	console.log(
		'| time from SIGKILL until (ms) | 1 relay, LevelDB: restarted on the same data | 2 relays on PostgreSQL: clients move to B | B / LevelDB |'
	);
	console.log('|---|---|---|---|');
	const level: Awaited<ReturnType<typeof recovery>>[] = [];
	const pair: Awaited<ReturnType<typeof recovery>>[] = [];
	for (let run = 0; run < RUNS; run++) {
		const order = run % 2 === 0 ? ['level', 'pair'] : ['pair', 'level'];
		for (const which of order) {
			if (which === 'level') {
				const relay = await startLevel();
				const r = await recovery(relay, () => relay.restart());
				level.push(r);
				await r.finish();
				fs.rmSync(relay.dataDir, { recursive: true, force: true });
			} else {
				const [a, b] = await startPair(db);
				const r = await recovery(a, async () => b);
				pair.push(r);
				await r.finish();
				fs.rmSync(a.dataDir, { recursive: true, force: true });
			}
		}
	}
	const row = (what: string, pick: (r: (typeof level)[number]) => number) => {
		const l = median(level.map(pick));
		const p = median(pair.map(pick));
		console.log(`| ${what} | ${fmt(l, 0)} | ${fmt(p, 0)} | ${fmt(p / l, 2)}× |`);
	};
	row('every client has its sync step 2', (r) => r.synced);
	row("every room's documents equal (unconfirmed strokes resent and forwarded)", (r) => r.converged);
	const refused = [...level, ...pair].flatMap((r) => r.refusals);
	console.log(`\nRefusals (44xx) after reconnecting, all runs: ${refused.length ? refused.join(', ') : 'none'}.`);
	const runs = (rs: typeof level) => rs.map((r) => `${fmt(r.synced, 0)}/${fmt(r.converged, 0)}`).join(', ');
	console.log(`Each run (synced/equal, ms): LevelDB ${runs(level)}; PostgreSQL ${runs(pair)}.`);
}

async function main() {
	const load = () =>
		os
			.loadavg()
			.map((x) => x.toFixed(2))
			.join(' ');
	const loadBefore = load();
	const db = await startPostgres();
	try {
		const client = new pg.Client({ connectionString: db.url });
		await client.connect();
		const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
		await client.end();
		console.log(
			`# Scale-out benchmark — ${new Date().toISOString()} — ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, ` +
				`${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, PostgreSQL ${rows[0].server_version} ` +
				`(fsync and synchronous_commit on, same machine)`
		);
		console.log(`Load average (1, 5, 15 min) at start: ${loadBefore}`);
		if (wanted('propagation')) await propagationPart(db);
		if (wanted('throughput')) await throughputPart(db);
		if (wanted('recovery')) await recoveryPart(db);
		console.log(`\nLoad average at the end: ${load()}`);
	} finally {
		await db.stop();
	}
}

await main();
