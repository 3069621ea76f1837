/**
 * Relay benchmarks, ours against the reference y-websocket server
 * (@y/websocket-server 0.1.1 with LevelDB persistence), driven by the same
 * raw protocol clients on loopback. Prints a markdown table; run with
 * `npm run bench`. Scenarios measured so far: propagation latency and CPU
 * per delivered update (see bench/README.md for what is not yet).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as Y from 'yjs';
import { applyStroke, createEvent, joinEvent } from '../src/lib/model/event-doc.js';
import { newEventId } from '../src/lib/model/ids.js';
import { startRelay, ROOT, tempDir } from '../tests/support/relay-process.js';
import { person, query } from '../tests/support/identity.js';
import { RawClient } from './protocol-client.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const STROKES = Number(process.env.BENCH_STROKES ?? 100);
const INTERVAL_MS = Number(process.env.BENCH_INTERVAL_MS ?? 50);
const OBSERVERS = (process.env.BENCH_OBSERVERS ?? '1,50,200').split(',').map(Number);

interface Server {
	name: 'ours' | 'reference';
	pid: number;
	/** WebSocket URL of a room. */
	url(room: string, params?: string): string;
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

async function startOurs(): Promise<Server> {
	const relay = await startRelay({ env: { MAX_CONNECTIONS_PER_ADDRESS: '100000' } });
	return { name: 'ours', pid: relay.pid, url: (room, params = '') => `${relay.wsUrl}/${room}${params}`, stop: () => relay.kill() };
}

async function startReference(): Promise<Server> {
	const port = await freePort();
	const dir = tempDir('moim-bench-ref-');
	const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'node_modules/@y/websocket-server/src/server.js')], {
		env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), YPERSISTENCE: dir },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	await new Promise<void>((resolve, reject) => {
		child.stdout!.on('data', (d) => String(d).includes('running at') && resolve());
		child.once('exit', (code) => reject(new Error(`reference server exited with ${code}`)));
	});
	return {
		name: 'reference',
		pid: child.pid!,
		url: (room) => `ws://127.0.0.1:${port}/${room}`,
		stop: async () => {
			child.kill('SIGKILL');
			fs.rmSync(dir, { recursive: true, force: true });
		}
	};
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
	const room = newEventId();
	const writerPerson = person({ organizer: true });
	const doc = new Y.Doc();
	const writer = new RawClient(server.url(room, query(writerPerson)), doc);
	await writer.synced;
	createEvent(doc, { title: 'Bench', kind: 'weekdays', dates: [], weekdays: [1, 2, 3, 4, 5, 6, 7], start: 0, end: 1440, slot: 15, tz: 'UTC' }, 1);
	joinEvent(doc, 'Writer', 1, writerPerson.memberId);
	const readers: RawClient[] = [];
	for (let i = 0; i < observers; i++) readers.push(new RawClient(server.url(room)));
	await Promise.all(readers.map((r) => r.synced));
	await sleep(300);
	for (const r of readers) r.arrivals.length = 0;

	const sent: number[] = [];
	const cpuBefore = cpuMs(server.pid);
	for (let i = 0; i < STROKES; i++) {
		const slot = `w${(i % 7) + 1}T${String(Math.floor(i / 7) % 24).padStart(2, '0')}:${String((i * 15) % 60).padStart(2, '0')}`;
		sent.push(performance.now());
		applyStroke(doc, writerPerson.memberId, [slot], 1);
		await sleep(INTERVAL_MS);
	}
	const deadline = Date.now() + 10_000;
	while (readers.some((r) => r.arrivals.length < STROKES) && Date.now() < deadline) await sleep(50);
	const cpu = cpuMs(server.pid) - cpuBefore;
	const latencies: number[] = [];
	let delivered = 0;
	for (const r of readers) {
		delivered += r.arrivals.length;
		r.arrivals.forEach((t, i) => latencies.push(t - sent[i]));
	}
	latencies.sort((a, b) => a - b);
	writer.close();
	for (const r of readers) r.close();
	return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), cpuPerUpdate: cpu / Math.max(1, delivered), lost: STROKES * observers - delivered };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (n: number, digits = 2) => n.toFixed(digits);

async function main() {
	console.log(`# Relay benchmark — ${new Date().toISOString()} — ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, Node ${process.version}`);
	console.log(`${STROKES} strokes every ${INTERVAL_MS} ms per run, median of ${RUNS} runs\n`);
	console.log('| observers | metric | ours | reference | ours / reference |');
	console.log('|---|---|---|---|---|');
	for (const observers of OBSERVERS) {
		const results: Record<string, { p50: number[]; p99: number[]; cpu: number[]; lost: number }> = {};
		for (let run = 0; run < RUNS; run++) {
			// Alternate which server goes first, so neither always gets the warmer machine.
			const order = run % 2 === 0 ? [startOurs, startReference] : [startReference, startOurs];
			for (const start of order) {
				const server = await start();
				try {
					const r = await propagation(server, observers);
					const slot = (results[server.name] ??= { p50: [], p99: [], cpu: [], lost: 0 });
					slot.p50.push(r.p50);
					slot.p99.push(r.p99);
					slot.cpu.push(r.cpuPerUpdate);
					slot.lost += r.lost;
				} finally {
					await server.stop();
				}
			}
		}
		const row = (metric: string, pick: (x: (typeof results)[string]) => number, digits = 2) => {
			const a = pick(results.ours);
			const b = pick(results.reference);
			console.log(`| ${observers} | ${metric} | ${fmt(a, digits)} | ${fmt(b, digits)} | ${fmt(a / b)}× |`);
		};
		row('latency p50 (ms)', (x) => median(x.p50));
		row('latency p99 (ms)', (x) => median(x.p99));
		row('CPU per update per observer (ms)', (x) => median(x.cpu), 4);
		if (results.ours.lost || results.reference.lost) console.log(`| ${observers} | updates not delivered | ${results.ours.lost} | ${results.reference.lost} | |`);
	}
}

await main();
