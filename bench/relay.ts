/**
 * Relay benchmarks, ours against the reference y-websocket server
 * (@y/websocket-server 0.1.1 with LevelDB persistence), driven by the same
 * raw protocol clients on loopback, beside a floor line: a bare websocket
 * fan-out server (bench/floor-server.js, no Yjs, no storage) taking the
 * same frames, the most this machine could do. Prints markdown tables; run with
 * `npm run bench`. The `durable` part measures our relay against itself
 * with LevelDB's fsync turned off (`STORE_SYNC=0`): what durability costs.
 * See bench/README.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { applyStroke, createEvent, joinEvent } from '../src/lib/model/event-doc.js';
import { newEventId } from '../src/lib/model/ids.js';
import { startRelay, ROOT, tempDir } from '../tests/support/relay-process.js';
import { person, query, READER_QUERY } from '../tests/support/identity.js';
import { Acks, BENCH_EVENT, histogram, RawClient, rssMb } from './protocol-client.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const STROKES = Number(process.env.BENCH_STROKES ?? 100);
const INTERVAL_MS = Number(process.env.BENCH_INTERVAL_MS ?? 50);
const OBSERVERS = (process.env.BENCH_OBSERVERS ?? '1,50,200').split(',').map(Number);
/** Which parts to run (`BENCH_ONLY=storage,restart`); all when unset. */
const ONLY = process.env.BENCH_ONLY?.split(',');
/** Which servers to run (`BENCH_SERVERS=ours,floor`); all three when unset. */
const SERVERS = (process.env.BENCH_SERVERS?.split(',') ?? ['ours', 'reference', 'floor']) as Server['name'][];
const wanted = (part: 'latency' | 'crowd' | 'storm' | 'memory' | 'storage' | 'restart' | 'durable') =>
	!ONLY || ONLY.includes(part);
/** Observers in the `durable` part's propagation runs. */
const DURABLE_OBSERVERS = (process.env.BENCH_DURABLE_OBSERVERS ?? '1,50').split(',').map(Number);
/** The `durable` part's throughput: rooms (2 writers each) and the measured window. */
const ROOMS = Number(process.env.BENCH_ROOMS ?? 100);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 20_000);
/** The crowd: writers and observers in one room, and how long the writers paint. */
const CROWD_WRITERS = Number(process.env.BENCH_CROWD_WRITERS ?? 30);
const CROWD_OBSERVERS = Number(process.env.BENCH_CROWD_OBSERVERS ?? 50);
const CROWD_MS = Number(process.env.BENCH_CROWD_MS ?? 15_000);

interface Server {
	name: 'ours' | 'reference' | 'floor';
	pid: number;
	/** Where it stores rooms. */
	dataDir: string;
	/** Its HTTP base URL (ours only: `/metrics`). */
	httpUrl?: string;
	/** WebSocket URL of a room. */
	url(room: string, params?: string): string;
	/** Kills the process and starts a new one on the same port and data; resolves when it listens. */
	restart(): Promise<void>;
	stop(): Promise<void>;
}

async function freePort(): Promise<number> {
	return new Promise((resolve) => {
		const s = net.createServer().listen(0, '127.0.0.1', () => {
			const { port } = s.address() as net.AddressInfo;
			s.close(() => resolve(port));
		});
	});
}

/** A folder for CPU profiles of our relay (`node --cpu-prof`): each process writes one when stopped. */
const CPU_PROF = process.env.BENCH_CPU_PROF;

/** `BENCH_STORE_SYNC=0`: our relay without fsync in every part (what durability costs, for any table). */
const STORE_SYNC = process.env.BENCH_STORE_SYNC;

/** Our relay; `env` adds settings (`STORE_SYNC: '0'` in the durable part). */
async function startOurs(env: Record<string, string> = {}): Promise<Server> {
	let relay = await startRelay({
		compiled: !process.env.BENCH_TSX,
		nodeArgs: CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(CPU_PROF)}`] : [],
		env: {
			MAX_CONNECTIONS_PER_ADDRESS: '100000',
			// Every benchmark client comes from one address: the storm and memory parts make 100 and 1,000 rooms.
			MAX_NEW_ROOMS_PER_HOUR: '100000',
			ROOM_IDLE_MS: '5000',
			...(STORE_SYNC ? { STORE_SYNC } : {}),
			...env
		}
	});
	const server: Server = {
		name: 'ours',
		pid: relay.pid,
		dataDir: relay.dataDir,
		httpUrl: relay.httpUrl,
		url: (room, params = READER_QUERY) => `${relay.wsUrl}/${room}${params}`,
		async restart() {
			// A crash, unless profiling: then a stop, so the profile is written.
			await (CPU_PROF ? relay.stop() : relay.kill());
			relay = await relay.restart();
			server.pid = relay.pid;
		},
		stop: async () => {
			await (CPU_PROF ? relay.stop() : relay.kill());
			fs.rmSync(relay.dataDir, { recursive: true, force: true });
		}
	};
	return server;
}

/** The reference server, @y/websocket-server with LevelDB persistence. */
const startReference = () =>
	startScript('reference', path.join(ROOT, 'node_modules/@y/websocket-server/src/server.js'), true);

/** The floor line: bench/floor-server.js. */
const startFloor = () => startScript('floor', path.join(ROOT, 'bench/floor-server.js'), false);

/** A server run from `script`, which logs `running at` once it listens; `persist`: give it a LevelDB folder. */
async function startScript(name: 'reference' | 'floor', script: string, persist: boolean): Promise<Server> {
	const port = await freePort();
	const dir = tempDir(`moim-bench-${name}-`);
	const launch = async () => {
		const child: ChildProcess = spawn(process.execPath, [script], {
			env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), ...(persist ? { YPERSISTENCE: dir } : {}) },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		await new Promise<void>((resolve, reject) => {
			child.stdout!.on('data', (d) => String(d).includes('running at') && resolve());
			child.once('exit', (code) => reject(new Error(`${name} server exited with ${code}`)));
		});
		return child;
	};
	let child = await launch();
	const kill = () =>
		new Promise<void>((resolve) => {
			if (child.exitCode !== null || child.signalCode !== null) return resolve();
			child.once('exit', () => resolve());
			child.kill('SIGKILL');
		});
	const server: Server = {
		name,
		pid: child.pid!,
		dataDir: dir,
		url: (room) => `ws://127.0.0.1:${port}/${room}`,
		async restart() {
			await kill();
			child = await launch();
			server.pid = child.pid!;
		},
		stop: async () => {
			await kill();
			fs.rmSync(dir, { recursive: true, force: true });
		}
	};
	return server;
}

/** Bytes a process has caused to be written to storage (/proc/<pid>/io write_bytes). */
function writeBytes(pid: number): number {
	const line = fs
		.readFileSync(`/proc/${pid}/io`, 'utf8')
		.split('\n')
		.find((l) => l.startsWith('write_bytes:'))!;
	return Number(line.split(/\s+/)[1]);
}

/** Total size of the files under `dir`, bytes. */
function dirBytes(dir: string): number {
	let total = 0;
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const p = path.join(dir, entry.name);
		total += entry.isDirectory() ? dirBytes(p) : fs.statSync(p).size;
	}
	return total;
}

/** A writer in a new room: an event it organizes and has joined. Returns a stroke function. */
async function eventRoom(server: Server, room = newEventId()) {
	const me = person({ organizer: true });
	const doc = new Y.Doc();
	const writer = new RawClient(server.url(room, query(me)), doc);
	// Before the first answer arrives (Acks counts them).
	const acks = new Acks(writer);
	await writer.synced;
	createEvent(doc, BENCH_EVENT, 1);
	joinEvent(doc, 'Writer', 1, me.memberId);
	return { room, writer, doc, acks, stroke: strokes(doc, me.memberId) };
}

/** A second member joining `room`; resolves once the relay has committed the join. */
async function memberOf(server: Server, room: string) {
	const me = person();
	const doc = new Y.Doc();
	const client = new RawClient(server.url(room, query(me)), doc);
	const acks = new Acks(client);
	await client.synced;
	joinEvent(doc, 'Member', 2, me.memberId);
	await acks.probe();
	return { client, acks, stroke: strokes(doc, me.memberId) };
}

/** Single-slot strokes by `memberId` in `doc`: each call is one stroke and returns the bytes of the update sent. */
function strokes(doc: Y.Doc, memberId: string) {
	let n = 0;
	return () => {
		// 672 distinct blocks (7 days × 96 quarters); later passes clear and re-mark them.
		const i = n++;
		const block = i % 672;
		const slot = `w${(block % 7) + 1}T${String(Math.floor(block / 7) % 24).padStart(2, '0')}:${String(Math.floor(block / 168) * 15).padStart(2, '0')}`;
		let bytes = 0;
		const count = (u: Uint8Array) => (bytes += u.byteLength);
		doc.on('update', count);
		applyStroke(doc, memberId, [slot], Math.floor(i / 672) % 2 === 0 ? 1 : 0);
		doc.off('update', count);
		return bytes;
	};
}

/** 500 clients join 100 rooms (each with an event and a few strokes) at once: time until all have synced. */
async function joinStorm(server: Server) {
	const rooms: string[] = [];
	for (let i = 0; i < 100; i++) {
		const { room, writer, stroke } = await eventRoom(server);
		for (let k = 0; k < 20; k++) stroke();
		await sleep(5);
		writer.close();
		rooms.push(room);
	}
	await sleep(500);
	const start = performance.now();
	const clients = Array.from({ length: 500 }, (_, i) => new RawClient(server.url(rooms[i % 100])));
	await Promise.all(clients.map((c) => c.synced));
	const ms = performance.now() - start;
	for (const c of clients) c.close();
	return ms;
}

/** RSS fresh, with 1,000 rooms of one client each, and a minute after they all left. */
async function memory(server: Server, afterMs: number) {
	await sleep(1000);
	const fresh = rssMb(server.pid);
	const clients: RawClient[] = [];
	for (let i = 0; i < 1000; i++) {
		const { writer, stroke } = await eventRoom(server);
		for (let k = 0; k < 5; k++) stroke();
		clients.push(writer);
	}
	await sleep(1000);
	const loaded = rssMb(server.pid);
	for (const c of clients) c.close();
	await sleep(afterMs);
	return { fresh, loaded, after: rssMb(server.pid) };
}

/** 10,000 strokes in one room: bytes written to disk per byte received, and the stored size. */
async function storage(server: Server) {
	const { room, writer, stroke } = await eventRoom(server);
	await sleep(500);
	const before = writeBytes(server.pid);
	let received = 0;
	for (let i = 0; i < 10_000; i++) {
		received += stroke();
		if (i % 50 === 49) await sleep(2);
	}
	// A fresh reader syncing means the relay has taken in every stroke.
	const probe = new RawClient(server.url(room));
	await probe.synced;
	writer.close();
	probe.close();
	await sleep(3000);
	return { amplification: (writeBytes(server.pid) - before) / received, stored: dirBytes(server.dataDir), received };
}

/** 2,000 strokes one at a time (each its own group commit, as from a single person): bytes to disk per byte received. */
async function storageSteady(server: Server) {
	const { writer, stroke } = await eventRoom(server);
	await sleep(500);
	const before = writeBytes(server.pid);
	let received = 0;
	for (let i = 0; i < 2_000; i++) {
		received += stroke();
		await sleep(3);
	}
	writer.close();
	await sleep(3000);
	return (writeBytes(server.pid) - before) / received;
}

/** 200 clients in 20 rooms; the relay restarts; time from its return until all 200 are synced again. */
async function restart(server: Server) {
	const rooms: string[] = [];
	for (let i = 0; i < 20; i++) {
		const { room, writer, stroke } = await eventRoom(server);
		for (let k = 0; k < 20; k++) stroke();
		await sleep(20);
		writer.close();
		rooms.push(room);
	}
	const clients = Array.from({ length: 200 }, (_, i) => new RawClient(server.url(rooms[i % 20])));
	await Promise.all(clients.map((c) => c.synced));
	await sleep(500);
	await server.restart();
	const start = performance.now();
	// Clients reconnect at once (as y-websocket does on its first retry).
	const again = Array.from({ length: 200 }, (_, i) => new RawClient(server.url(rooms[i % 20])));
	await Promise.all(again.map((c) => c.synced));
	const ms = performance.now() - start;
	for (const c of [...clients, ...again]) c.close();
	return ms;
}

/** Process CPU time (user + system), ms, from /proc. */
function cpuMs(pid: number): number {
	const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
	// utime and stime are fields 14 and 15 of the full line; here offset by the two before ') '.
	return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** One writer sending single-slot strokes at a steady rate to `observers` readers of one room. */
async function propagation(server: Server, observers: number) {
	const { room, writer, doc, stroke } = await eventRoom(server);
	const readers: RawClient[] = [];
	for (let i = 0; i < observers; i++) readers.push(new RawClient(server.url(room)));
	await Promise.all(readers.map((r) => r.synced));
	await sleep(300);

	const tracker = deliveries(readers, [doc]);
	const cpuBefore = cpuMs(server.pid);
	for (let i = 0; i < STROKES; i++) {
		tracker.stroke(doc, stroke);
		await sleep(INTERVAL_MS);
	}
	const deadline = Date.now() + 10_000;
	while (tracker.delivered < STROKES * observers && Date.now() < deadline) await sleep(50);
	const cpu = cpuMs(server.pid) - cpuBefore;
	writer.close();
	for (const r of readers) r.close();
	const latencies = tracker.latencies.sort((a, b) => a - b);
	return {
		p50: percentile(latencies, 50),
		p99: percentile(latencies, 99),
		cpuPerUpdate: cpu / Math.max(1, tracker.delivered),
		lost: STROKES * observers - tracker.delivered
	};
}

/**
 * Counts strokes of `writers` as they reach `observers`: a stroke is
 * delivered to an observer when a frame carrying its writer's clock that
 * far arrives, so a merged frame delivers several (counting frames would
 * undercount them, and pair arrivals with the wrong strokes).
 */
function deliveries(observers: RawClient[], writers: Y.Doc[]) {
	/** Per writer's client id: each stroke's clock once made, and when it was sent. */
	const sent = new Map<number, { clock: number; at: number }[]>(writers.map((w) => [w.clientID, []]));
	/** Latency of each delivery, deliveries (strokes × observers), and update frames the observers got. */
	const out = { latencies: [] as number[], delivered: 0, frames: 0 };
	/** Clock ranges already parsed, by frame content: the same frame reaches every observer. */
	const metas = new Map<string, Map<number, number>>();
	for (const o of observers) {
		const seen = new Map<number, number>();
		o.ws.on('message', (data: Buffer) => {
			if (data[0] !== 0 || data[1] !== 2) return;
			const now = performance.now();
			out.frames++;
			const key = data.toString('base64');
			let to = metas.get(key);
			if (!to) {
				const d = decoding.createDecoder(new Uint8Array(data));
				decoding.readVarUint(d);
				decoding.readVarUint(d);
				to = Y.parseUpdateMeta(decoding.readVarUint8Array(d)).to;
				metas.set(key, to);
			}
			for (const [client, clock] of to) {
				const list = sent.get(client);
				if (!list) continue;
				const from = seen.get(client) ?? 0;
				let i = from;
				for (; i < list.length && list[i].clock <= clock; i++) out.latencies.push(now - list[i].at);
				out.delivered += i - from;
				seen.set(client, i);
			}
		});
	}
	return Object.assign(out, {
		/** Paints one stroke on `doc` with `paint`, noting its clock and time. */
		stroke(doc: Y.Doc, paint: () => unknown) {
			const at = performance.now();
			paint();
			sent.get(doc.clientID)!.push({ clock: Y.getState(doc.store, doc.clientID), at });
		}
	});
}

/** A small deterministic generator (mulberry32): every server gets the same crowd. */
function random(seed: number) {
	return () => {
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/**
 * The moment a link lands in a group chat: `CROWD_WRITERS` members paint
 * in one room at once, each a stroke every 200–500 ms, watched by
 * `CROWD_OBSERVERS` readers. A stroke counts as delivered to an observer
 * when a frame carrying its writer's clock that far arrives (a merged
 * frame delivers several). CPU is the server's over the painting and the
 * drain after it, per stroke delivered to an observer.
 */
async function crowd(server: Server) {
	const organizer = await eventRoom(server);
	await organizer.acks.probe();
	// The room as it stands: each writer starts from it, so on the floor (which keeps nothing) every
	// writer too holds every member's entry, and strokes apply at once instead of waiting as pending.
	const known = new Y.Doc();
	Y.applyUpdate(known, Y.encodeStateAsUpdate(organizer.doc));
	const writers = [{ client: organizer.writer, doc: organizer.doc, stroke: organizer.stroke }];
	for (let i = 1; i < CROWD_WRITERS; i++) {
		const me = person();
		const doc = new Y.Doc();
		Y.applyUpdate(doc, Y.encodeStateAsUpdate(known));
		const client = new RawClient(server.url(organizer.room, query(me)), doc);
		const acks = new Acks(client);
		await client.synced;
		joinEvent(doc, 'Member', 2, me.memberId);
		await acks.probe();
		Y.applyUpdate(known, Y.encodeStateAsUpdate(doc));
		writers.push({ client, doc, stroke: strokes(doc, me.memberId) });
	}
	const observers: RawClient[] = [];
	for (let i = 0; i < CROWD_OBSERVERS; i++) observers.push(new RawClient(server.url(organizer.room)));
	await Promise.all(observers.map((o) => o.synced));
	await sleep(500);

	const tracker = deliveries(
		observers,
		writers.map((w) => w.doc)
	);

	const cpuBefore = cpuMs(server.pid);
	const end = performance.now() + CROWD_MS;
	let strokeCount = 0;
	await Promise.all(
		writers.map(async (w, n) => {
			const next = random(n + 1);
			await sleep(next() * 500);
			while (performance.now() < end) {
				tracker.stroke(w.doc, w.stroke);
				strokeCount++;
				await sleep(200 + next() * 300);
			}
		})
	);
	const expected = strokeCount * CROWD_OBSERVERS;
	const deadline = Date.now() + 15_000;
	while (tracker.delivered < expected && Date.now() < deadline) await sleep(50);
	const cpu = cpuMs(server.pid) - cpuBefore;
	for (const c of [...writers.map((w) => w.client), ...observers]) c.close();
	const latencies = tracker.latencies.sort((a, b) => a - b);
	return {
		strokes: strokeCount,
		p50: percentile(latencies, 50),
		p99: percentile(latencies, 99),
		cpuPerStroke: cpu / Math.max(1, tracker.delivered),
		strokesPerFrame: tracker.delivered / Math.max(1, tracker.frames),
		lost: expected - tracker.delivered
	};
}

/**
 * `ROOMS` rooms with two writers each, every writer painting one stroke,
 * then sending the app's acknowledgement probe (sync step 1) and waiting
 * for its answer, which the relay sends once the stroke is stored. Counts
 * the acknowledgements within `DURATION_MS` (after a 2 s warm-up), and the
 * store writes (group commits) they took, from the relay's persist histogram.
 */
async function committed(server: Server) {
	const writers: { acks: Acks; stroke: () => number; close: () => void }[] = [];
	const setUp = async () => {
		const organizer = await eventRoom(server);
		await organizer.acks.probe();
		const member = await memberOf(server, organizer.room);
		writers.push(
			{ acks: organizer.acks, stroke: organizer.stroke, close: () => organizer.writer.close() },
			{ acks: member.acks, stroke: member.stroke, close: () => member.client.close() }
		);
	};
	for (let i = 0; i < ROOMS; i += 10) await Promise.all(Array.from({ length: Math.min(10, ROOMS - i) }, setUp));
	await sleep(500);
	let stop = false;
	let window: [number, number] = [Infinity, Infinity];
	let strokes = 0;
	const latencies: number[] = [];
	const paint = async (w: (typeof writers)[number]) => {
		while (!stop) {
			w.stroke();
			const sent = performance.now();
			await w.acks.probe();
			const now = performance.now();
			if (now >= window[0] && now <= window[1]) {
				strokes++;
				latencies.push(now - sent);
			}
		}
	};
	const painting = writers.map(paint);
	await sleep(2000);
	const before = await histogram(server, 'moim_persist_seconds');
	window = [performance.now(), performance.now() + DURATION_MS];
	await sleep(DURATION_MS);
	const after = await histogram(server, 'moim_persist_seconds');
	stop = true;
	await Promise.race([Promise.all(painting), sleep(10_000)]);
	for (const w of writers) w.close();
	latencies.sort((a, b) => a - b);
	const writes = after.count - before.count;
	return {
		perSecond: strokes / (DURATION_MS / 1000),
		p50: percentile(latencies, 50),
		p99: percentile(latencies, 99),
		writeMs: ((after.sum - before.sum) * 1000) / Math.max(1, writes),
		strokesPerWrite: strokes / Math.max(1, writes)
	};
}

/**
 * Our relay with LevelDB writes synced (the default) against the same relay
 * with `STORE_SYNC=0` (acknowledged writes only in the page cache): the
 * propagation latency and committed strokes/s that durability costs.
 */
async function durablePart() {
	const modes = { on: {}, off: { STORE_SYNC: '0' } };
	const names = ['on', 'off'] as const;
	/** `RUNS` runs of `run` on a fresh relay per mode, alternating which mode goes first; per mode, every run's result. */
	const alternate = async <T>(run: (server: Server) => Promise<T>) => {
		const out = { on: [] as T[], off: [] as T[] };
		for (let i = 0; i < RUNS; i++) {
			for (const mode of i % 2 === 0 ? names : [...names].reverse()) {
				const server = await startOurs(modes[mode]);
				try {
					out[mode].push(await run(server));
				} finally {
					await server.stop();
				}
			}
		}
		return out;
	};
	console.log(
		`\n## Durable group commit: our relay, LevelDB writes synced (fsync) or not (STORE_SYNC=0), median of ${RUNS} runs\n`
	);
	console.log('| what | sync on | sync off | on / off |');
	console.log('|---|---|---|---|');
	const row = (what: string, on: number, off: number, digits = 2) =>
		console.log(`| ${what} | ${fmt(on, digits)} | ${fmt(off, digits)} | ${fmt(on / off)}× |`);
	for (const observers of DURABLE_OBSERVERS) {
		const r = await alternate((server) => propagation(server, observers));
		const pick = (k: 'p50' | 'p99') => names.map((m) => median(r[m].map((x) => x[k])));
		row(`${observers} observer(s): propagation p50 (ms)`, ...(pick('p50') as [number, number]));
		row(`${observers} observer(s): propagation p99 (ms)`, ...(pick('p99') as [number, number]));
		const lost = names.map((m) => r[m].reduce((sum, x) => sum + x.lost, 0));
		if (lost.some(Boolean)) console.log(`| ${observers} observer(s): updates not delivered | ${lost.join(' | ')} | |`);
	}
	const t = await alternate(committed);
	const pick = (k: keyof (typeof t.on)[number]) => names.map((m) => median(t[m].map((x) => x[k]))) as [number, number];
	const rooms = `${ROOMS} rooms × 2 writers, ${DURATION_MS / 1000} s`;
	row(`${rooms}: strokes/s committed`, ...pick('perSecond'), 0);
	row(`${rooms}: acknowledgement p50 (ms)`, ...pick('p50'), 1);
	row(`${rooms}: acknowledgement p99 (ms)`, ...pick('p99'), 1);
	row(`${rooms}: log append mean, queue for the disk included (ms)`, ...pick('writeMs'));
	row(`${rooms}: strokes per log record (a room's group commit)`, ...pick('strokesPerWrite'));
	const each = (m: 'on' | 'off') => t[m].map((x) => fmt(x.perSecond, 0)).join(', ');
	console.log(`\nStrokes/s committed, each run: sync on ${each('on')}; sync off ${each('off')}.`);
}

/** The median; NaN for none (a server left out with BENCH_SERVERS). */
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const fmt = (n: number, digits = 2) => n.toFixed(digits);

const STARTERS = { ours: startOurs, reference: startReference, floor: startFloor };

async function both<T>(fn: (server: Server) => Promise<T>): Promise<Record<'ours' | 'reference', T>> {
	return (await each(fn, ['ours', 'reference'])) as Record<'ours' | 'reference', T>;
}

/** `fn` once on a fresh server of each of `names`, in turn. */
async function each<T>(
	fn: (server: Server) => Promise<T>,
	names: Server['name'][] = ['ours', 'reference', 'floor']
): Promise<Partial<Record<Server['name'], T>>> {
	const out: Partial<Record<Server['name'], T>> = {};
	for (const name of names) {
		const server = await STARTERS[name]();
		try {
			out[name] = await fn(server);
		} finally {
			await server.stop();
		}
	}
	return out;
}

/** `RUNS` runs of `fn` on each server (a fresh one per run, the order rotating); per server, every run's result. */
async function rotate<T>(fn: (server: Server) => Promise<T>): Promise<Record<Server['name'], T[]>> {
	const names = SERVERS;
	const out: Record<Server['name'], T[]> = { ours: [], reference: [], floor: [] };
	for (let run = 0; run < RUNS; run++) {
		// Rotate which server goes first, so none always gets the warmer machine.
		const order = names.map((_, i) => names[(i + run) % names.length]);
		const results = await each(fn, order);
		for (const name of names) out[name].push(results[name]!);
	}
	return out;
}

/** A table row: ours, the reference, and (when measured) the floor, with ours against both. */
function line(what: string, ours: number, reference: number, digits = 2, floor?: number) {
	const f = floor === undefined ? '| – | – |' : `| ${fmt(floor, digits)} | ${fmt(ours / floor)}× |`;
	console.log(`| ${what} | ${fmt(ours, digits)} | ${fmt(reference, digits)} | ${fmt(ours / reference)}× ${f}`);
}

async function main() {
	const load = () =>
		os
			.loadavg()
			.map((x) => x.toFixed(2))
			.join(' ');
	console.log(
		`# Relay benchmark — ${new Date().toISOString()} — ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, Node ${process.version}`
	);
	console.log(`Load average (1, 5, 15 min) at start: ${load()}`);
	console.log(`${STROKES} strokes every ${INTERVAL_MS} ms per run, median of ${RUNS} runs`);
	if (wanted('latency')) {
		console.log('\n| observers | metric | ours | reference | ours / reference | floor | ours / floor |');
		console.log('|---|---|---|---|---|---|---|');
	}
	for (const observers of wanted('latency') ? OBSERVERS : []) {
		const r = await rotate((server) => propagation(server, observers));
		const row = (metric: string, pick: (x: Awaited<ReturnType<typeof propagation>>) => number, digits = 2) => {
			const [a, b, f] = (['ours', 'reference', 'floor'] as const).map((n) => median(r[n].map(pick)));
			console.log(
				`| ${observers} | ${metric} | ${fmt(a, digits)} | ${fmt(b, digits)} | ${fmt(a / b)}× | ${fmt(f, digits)} | ${fmt(a / f)}× |`
			);
		};
		row('latency p50 (ms)', (x) => x.p50);
		row('latency p99 (ms)', (x) => x.p99);
		row('CPU per update per observer (ms)', (x) => x.cpuPerUpdate, 4);
		const lost = (['ours', 'reference', 'floor'] as const).map((n) => r[n].reduce((sum, x) => sum + x.lost, 0));
		if (lost.some(Boolean)) console.log(`| ${observers} | updates not delivered | ${lost.join(' | ')} | | |`);
	}

	if (wanted('crowd')) {
		const r = await rotate(crowd);
		console.log(
			`\n## Crowd: ${CROWD_WRITERS} writers (a stroke every 200–500 ms each) and ${CROWD_OBSERVERS} observers in one room, ${CROWD_MS / 1000} s, median of ${RUNS} runs\n`
		);
		console.log('| metric | ours | reference | ours / reference | floor | ours / floor |');
		console.log('|---|---|---|---|---|---|');
		const pick = (k: keyof Awaited<ReturnType<typeof crowd>>) =>
			(['ours', 'reference', 'floor'] as const).map((n) => median(r[n].map((x) => x[k]))) as [number, number, number];
		const crowdLine = (what: string, k: keyof Awaited<ReturnType<typeof crowd>>, digits = 2) => {
			const [a, b, f] = pick(k);
			line(what, a, b, digits, f);
		};
		crowdLine('strokes painted', 'strokes', 0);
		crowdLine('latency p50, stroke → observer (ms)', 'p50');
		crowdLine('latency p99, stroke → observer (ms)', 'p99');
		crowdLine('CPU per delivered stroke (ms)', 'cpuPerStroke', 4);
		crowdLine('strokes per frame an observer gets', 'strokesPerFrame');
		const lost = (['ours', 'reference', 'floor'] as const).map((n) => r[n].reduce((sum, x) => sum + x.lost, 0));
		if (lost.some(Boolean)) console.log(`| strokes not delivered (all runs) | ${lost.join(' | ')} | | |`);
	}

	if ((['storm', 'memory', 'storage', 'restart'] as const).some(wanted)) {
		console.log('\n| scenario | ours | reference | ours / reference | floor | ours / floor |');
		console.log('|---|---|---|---|---|---|');
	}
	if (wanted('storm')) {
		const storms = await rotate(joinStorm);
		const [a, b, f] = (['ours', 'reference', 'floor'] as const).map((n) => median(storms[n]));
		line('join storm: 500 clients, 100 rooms, until all synced (ms)', a, b, 0, f);
	}
	if (wanted('memory')) {
		const afterMs = Number(process.env.BENCH_AFTER_MS ?? 60_000);
		const mem = await both((s) => memory(s, afterMs));
		line('RSS fresh (MB)', mem.ours.fresh, mem.reference.fresh, 1);
		line('RSS with 1,000 rooms × 1 client (MB)', mem.ours.loaded, mem.reference.loaded, 1);
		line(`RSS ${afterMs / 1000} s after all left (MB)`, mem.ours.after, mem.reference.after, 1);
		line(
			'  … back within 10% of fresh? (after / fresh)',
			mem.ours.after / mem.ours.fresh,
			mem.reference.after / mem.reference.fresh
		);
	}
	if (wanted('storage')) {
		const disk = await both(storage);
		line(
			'write amplification (bytes to disk / bytes received), 10,000 strokes in bursts of 50',
			disk.ours.amplification,
			disk.reference.amplification
		);
		line('stored size after 10,000 strokes (KB)', disk.ours.stored / 1024, disk.reference.stored / 1024, 1);
		const steady = await both(storageSteady);
		line('write amplification, 2,000 strokes one at a time', steady.ours, steady.reference);
	}
	if (wanted('restart')) {
		const restarts = await rotate(restart);
		const [a, b, f] = (['ours', 'reference', 'floor'] as const).map((n) => median(restarts[n]));
		line('restart: 200 clients resynced after the relay is back (ms)', a, b, 0, f);
	}
	if (wanted('durable')) await durablePart();
	console.log(`\nLoad average at the end: ${load()}`);
}

await main();
