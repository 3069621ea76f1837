/**
 * Soak (issue 18, `npm run soak`): the relay under load and faults for a
 * bounded time (`SOAK_S`, default 600 s). Honest stock y-websocket clients
 * paint in their rooms with the app's model, drop their connections and go
 * offline at random, while the relay (a real process on one data folder) is
 * SIGKILLed and restarted every ~60 s and stopped gracefully once, and
 * hostile clients send forged writes and random frames. Then every client
 * comes back and the run checks: each honest document equals the relay's,
 * no acknowledged stroke is missing, no honest client was refused, every
 * forged write was refused, and the relay's memory went back to where it
 * started. Prints one markdown table and exits 1 if a check failed.
 *
 * A stroke counts as acknowledged the way the app knows it
 * (src/lib/sync/status.ts): the client sends a sync step 1 behind its
 * updates, and the relay's step 2 answer means it holds them on disk.
 *
 * Credentials and connections come only from tests/support (identity.ts,
 * clients.ts), so the soak follows any change to how they reach the relay.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';
import {
	applyStroke,
	availabilityMap,
	createEvent,
	eventMap,
	joinEvent,
	membersMap,
	readMarks,
	readMembers,
	readSettings,
	slotMap,
	type Mark
} from '../src/lib/model/event-doc.js';
import { newEventId, newMemberId } from '../src/lib/model/ids.js';
import { MESSAGE_SYNC } from '../src/lib/model/relay-protocol.js';
import { compactSlotKey, weekdaySlotKey } from '../src/lib/model/slots.js';
import { stockClient, until, type StockClient } from '../tests/support/clients.js';
import { person, type Person } from '../tests/support/identity.js';
import { startRelay, type RelayProcess } from '../tests/support/relay-process.js';
import { BENCH_EVENT, memoryMb, rssMb } from './protocol-client.js';

function setting(name: string, fallback: number): number {
	const raw = process.env[name];
	if (raw === undefined || raw === '') return fallback;
	const n = Number(raw);
	if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
	return n;
}

const DURATION_S = setting('SOAK_S', 600);
const CLIENTS = Math.round(setting('SOAK_CLIENTS', 200));
const ROOMS = Math.round(setting('SOAK_ROOMS', 50));
const HOSTILE = Math.round(setting('SOAK_HOSTILE', 4));
/** Mean time between one client's strokes. */
const STROKE_MS = setting('SOAK_STROKE_MS', 2500);
/** Time between relay faults; short runs get at least three (two kills around the SIGTERM). */
const FAULT_S = Math.min(setting('SOAK_KILL_S', 60), DURATION_S / 4);
const SEED = Math.round(setting('SOAK_SEED', 18));
/** Chance, per client action, of a dropped connection and of an offline spell. */
const P_DROP = 0.01;
const P_OFFLINE = 0.01;
/** How long a forged write may take to be refused: it may be sent just before a kill and again after. */
const REFUSE_MS = 90_000;
const METRICS_TOKEN = 'soak-metrics-token';
/** `1`: run the relay with an inspector and, at the end, report its heap before and after a forced GC. */
const INSPECT = process.env.SOAK_INSPECT === '1';
/**
 * Seconds of a second crowd on the same relay process after the first has
 * left (0: none): everyone comes back on a new device copy and paints, with
 * no faults. Its RSS afterwards, against the first crowd's, tells memory a
 * crowd leaves for good (a leak) from memory kept for reuse (a plateau).
 */
const SECOND_S = setting('SOAK_SECOND_S', 60);
/** How many such crowds, one after another (a plateau stops growing; a leak does not). */
const MORE_CROWDS = Math.round(setting('SOAK_MORE_CROWDS', 1));

/**
 * Every client comes from one address, so per-address limits are lifted;
 * each hostile connection registers a member, so members per event too.
 * Empty rooms leave memory after 2 s, so the end reading of RSS has no rooms.
 */
const RELAY_ENV: Record<string, string> = {
	MAX_CONNECTIONS_PER_ADDRESS: '100000',
	MAX_NEW_ROOMS_PER_HOUR: '100000',
	MAX_MEMBERS_PER_EVENT: '100000',
	ROOM_IDLE_MS: '2000',
	METRICS_TOKEN,
	...(INSPECT ? { NODE_OPTIONS: '--inspect=127.0.0.1:0' } : {}),
	// Diagnosis: more environment for the relay only, e.g. a heap profiler's
	// LD_PRELOAD, which would otherwise also load into the soak's own process.
	...(process.env.SOAK_RELAY_ENV ? (JSON.parse(process.env.SOAK_RELAY_ENV) as Record<string, string>) : {})
};

/** mulberry32: a seeded generator, so a run's choices can be replayed (timing aside). */
let seed = SEED >>> 0;
function rand(): number {
	seed = (seed + 0x6d2b79f5) >>> 0;
	let t = seed;
	t = Math.imul(t ^ (t >>> 15), t | 1);
	t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
	return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const randInt = (n: number) => Math.floor(rand() * n);
const pick = <T>(items: readonly T[]): T => items[randInt(items.length)];
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const isRefusal = (code: number) => code >= 4400 && code < 4500;

function peekSyncStep(decoder: decoding.Decoder): number | null {
	try {
		return decoding.readVarUint(decoding.clone(decoder));
	} catch {
		return null;
	}
}

/**
 * A stock client with the app's acknowledgement probes: what the relay has
 * confirmed holding, as a state vector (see src/lib/sync/status.ts, which
 * keeps the same but does not expose it).
 */
class Tracked {
	readonly client: StockClient;
	/** Highest clock per Yjs client id the relay has confirmed holding. */
	readonly acked = new Map<number, number>();
	/** Probes answered so far. */
	answers = 0;
	/** The local state vector at each probe still waiting for its answer, oldest first. */
	readonly #probes: Map<number, number>[] = [];

	constructor(room: string, who: Person | undefined, onAnswer?: () => void) {
		this.client = stockClient(wsUrl, room, who);
		const { provider } = this.client;
		const original = provider.messageHandlers[MESSAGE_SYNC];
		provider.messageHandlers[MESSAGE_SYNC] = (encoder, decoder, p, emitSynced, type) => {
			// The first step 2 of a connection answers the provider's handshake; later ones our probes.
			const answersProbe = p.synced && peekSyncStep(decoder) === syncProtocol.messageYjsSyncStep2;
			original(encoder, decoder, p, emitSynced, type);
			if (!answersProbe) return;
			const sv = this.#probes.shift();
			if (!sv) return;
			this.answers++;
			for (const [client, clock] of sv) if (clock > (this.acked.get(client) ?? 0)) this.acked.set(client, clock);
			onAnswer?.();
		};
		// Probes on a closed connection are never answered; what they covered is sent again on reconnect.
		provider.on('status', () => {
			if (!provider.wsconnected) this.#probes.length = 0;
		});
		// After a reconnect the provider sends offline edits in answer to the relay's step 1: probe behind them.
		provider.on('sync', (synced: boolean) => {
			if (synced) this.probe();
		});
	}

	get doc(): Y.Doc {
		return this.client.doc;
	}

	get pendingProbes(): number {
		return this.#probes.length;
	}

	/** Sends a sync step 1 behind everything sent so far; false when not connected and synced. */
	probe(): boolean {
		const { provider, doc } = this.client;
		const ws = provider.ws;
		if (!ws || !provider.wsconnected || !provider.synced || ws.readyState !== ws.OPEN) return false;
		const e = encoding.createEncoder();
		encoding.writeVarUint(e, MESSAGE_SYNC);
		syncProtocol.writeSyncStep1(e, doc);
		ws.send(encoding.toUint8Array(e));
		this.#probes.push(Y.decodeStateVector(Y.encodeStateVector(doc)));
		return true;
	}

	/** Whether the relay has confirmed all this client wrote. */
	confirmed(): boolean {
		const own = this.doc.clientID;
		return (this.acked.get(own) ?? 0) >= Y.getState(this.doc.store, own);
	}

	/** The first close with a 44xx code (the relay refused this client), if any. */
	refusal(): { code: number; reason: string } | undefined {
		return this.client.closes.find((c) => isRefusal(c.code));
	}
}

/** One stroke of an honest client: the clock its items end at, and what it set. */
interface Stroke {
	clock: number;
	slots: string[];
	mark: Mark;
	acked: boolean;
}

/** A person painting in a room from one device. */
class Honest {
	readonly tracked: Tracked;
	readonly strokes: Stroke[] = [];
	#firstUnacked = 0;
	offline = false;
	timer: NodeJS.Timeout | null = null;
	offlineTimer: NodeJS.Timeout | null = null;

	constructor(
		readonly room: string,
		readonly person: Person,
		readonly name: string
	) {
		this.tracked = new Tracked(room, person, () => this.#acknowledged());
	}

	get doc(): Y.Doc {
		return this.tracked.doc;
	}

	get provider() {
		return this.tracked.client.provider;
	}

	/** One random stroke of 1–6 neighbouring slots on one day, sent (if online) and probed. */
	paint() {
		const day = 1 + randInt(7);
		const length = 1 + randInt(6);
		const blocks = (BENCH_EVENT.end - BENCH_EVENT.start) / BENCH_EVENT.slot;
		const first = randInt(blocks - length);
		const slots = Array.from({ length }, (_, i) =>
			weekdaySlotKey(day, BENCH_EVENT.start + (first + i) * BENCH_EVENT.slot)
		);
		const mark = pick([0, 1, 1, 2] as const);
		if (applyStroke(this.doc, this.person.memberId, slots, mark) === 0) return;
		this.strokes.push({ clock: Y.getState(this.doc.store, this.doc.clientID), slots, mark, acked: false });
		// The provider sent the update synchronously inside the transaction: the probe goes behind it.
		this.tracked.probe();
	}

	#acknowledged() {
		const acked = this.tracked.acked.get(this.doc.clientID) ?? 0;
		while (this.#firstUnacked < this.strokes.length && this.strokes[this.#firstUnacked].clock <= acked) {
			this.strokes[this.#firstUnacked++].acked = true;
		}
	}

	get ackedCount(): number {
		return this.#firstUnacked;
	}
}

interface RoomState {
	id: string;
	honest: Honest[];
}

const NAMES = ['Olga', 'Ben', 'Cara', 'Dan', 'Eun', 'Fay', 'Gil', 'Hana'];

const stats = {
	disconnects: 0,
	offlineSpells: 0,
	kills: 0,
	sigterms: 0,
	restartMs: [] as number[],
	forged: new Map<string, number>(),
	forgedRefused: 0,
	hostileRefusedEarly: 0,
	randomFrames: 0,
	randomConnections: 0,
	randomRefused: 0
};
const failures: string[] = [];

let relay: RelayProcess;
let wsUrl = '';
/** Output of every relay process so far, in order (the current one's is read live). */
const pastLogs: string[] = [];
let phase: 'setup' | 'run' | 'drain' = 'setup';

async function setupRoom(size: number): Promise<RoomState> {
	const id = newEventId();
	const organizer = new Honest(id, person({ organizer: true }), NAMES[0]);
	await until(() => organizer.provider.synced, `organizer of ${id} synced`, 60_000);
	createEvent(organizer.doc, BENCH_EVENT, Date.now());
	joinEvent(organizer.doc, organizer.name, Date.now(), organizer.person.memberId);
	organizer.tracked.probe();
	await until(() => organizer.tracked.confirmed(), `event ${id} confirmed`, 60_000);
	const members = await Promise.all(
		Array.from({ length: size - 1 }, async (_, i) => {
			const h = new Honest(id, person(), NAMES[i + 1] ?? `Member ${i + 1}`);
			await until(() => readSettings(h.doc) !== null, `member ${i} of ${id} has the event`, 60_000);
			joinEvent(h.doc, h.name, Date.now(), h.person.memberId);
			h.tracked.probe();
			await until(() => h.tracked.confirmed(), `member ${i} of ${id} confirmed`, 60_000);
			return h;
		})
	);
	return { id, honest: [organizer, ...members] };
}

/** Paints, drops the connection or goes offline for 2–20 s, until the run ends. */
function act(h: Honest) {
	if (phase !== 'run') return;
	h.timer = setTimeout(
		() => {
			if (phase !== 'run') return;
			h.paint();
			const roll = rand();
			if (!h.offline && roll < P_DROP) {
				// An abrupt drop (no close handshake); the provider reconnects by itself.
				(h.provider.ws as unknown as { terminate?: () => void } | null)?.terminate?.();
				stats.disconnects++;
			} else if (!h.offline && roll < P_DROP + P_OFFLINE) {
				h.offline = true;
				h.provider.disconnect();
				stats.offlineSpells++;
				h.offlineTimer = setTimeout(
					() => {
						h.offline = false;
						h.provider.connect();
					},
					2000 + rand() * 18_000
				);
			}
			act(h);
		},
		STROKE_MS * (0.5 + rand())
	);
}

/** The forgeries a hostile client tries; `random` sends random and mutated frames instead. */
const KINDS = ['marks', 'settings', 'member', 'reader', 'impersonate', 'random'] as const;
type Kind = (typeof KINDS)[number];

/** A sync update writing a mark into `memberId`'s availability, as a frame (refused from anyone else). */
function forgedMarkFrame(memberId: string): Uint8Array {
	const doc = new Y.Doc();
	doc.getMap('availability').set(memberId, new Y.Map());
	const updates: Uint8Array[] = [];
	doc.on('update', (u: Uint8Array) => updates.push(u));
	slotMap(doc, memberId)!.set(compactSlotKey(weekdaySlotKey(1 + randInt(7), 60 * randInt(24))), 1);
	const e = encoding.createEncoder();
	encoding.writeVarUint(e, MESSAGE_SYNC);
	syncProtocol.writeUpdate(e, updates[0]);
	return encoding.toUint8Array(e);
}

const randomBytes = (n: number) => Uint8Array.from({ length: n }, () => randInt(256));

/** Garbage of the kinds tests/relay/fuzz.test.ts sends. */
function randomFrame(victim: string): Uint8Array {
	const e = encoding.createEncoder();
	switch (randInt(5)) {
		case 0:
			return randomBytes(randInt(97));
		case 1:
			encoding.writeVarUint(e, randInt(301));
			encoding.writeUint8Array(e, randomBytes(randInt(49)));
			return encoding.toUint8Array(e);
		case 2:
			// A sync message whose declared length is wrong or huge.
			encoding.writeVarUint(e, MESSAGE_SYNC);
			encoding.writeVarUint(e, randInt(4));
			encoding.writeVarUint(e, randInt(2 ** 31));
			encoding.writeUint8Array(e, randomBytes(randInt(33)));
			return encoding.toUint8Array(e);
		case 3:
			return new Uint8Array(1 + randInt(12)).fill(0xff);
		default: {
			const frame = forgedMarkFrame(victim);
			if (rand() < 0.5) return frame.slice(0, randInt(frame.length));
			frame[randInt(frame.length)] = randInt(256);
			return frame;
		}
	}
}

/** One hostile connection to `room`: a forged write that must be refused, or random frames. */
async function hostileAttempt(kind: Kind, room: RoomState) {
	const victim = pick(room.honest);
	const who =
		kind === 'reader' ? undefined : kind === 'impersonate' ? person({ memberId: victim.person.memberId }) : person();
	const t = new Tracked(room.id, who);
	const { provider } = t.client;
	try {
		if (kind === 'impersonate') {
			// Someone else's member id with a secret of one's own: refused before any write.
			stats.forged.set(kind, (stats.forged.get(kind) ?? 0) + 1);
			await until(() => !!t.refusal() || provider.synced, 'the outcome of an impersonation', REFUSE_MS);
			if (t.refusal()) stats.forgedRefused++;
			else failures.push(`room ${room.id}: a connection claiming ${victim.name}'s member id was accepted`);
			return;
		}
		await until(() => provider.synced || !!t.refusal(), 'a hostile client synced', REFUSE_MS);
		if (t.refusal()) {
			stats.hostileRefusedEarly++;
			return;
		}
		if (kind === 'random') {
			const ws = provider.ws;
			if (!ws || ws.readyState !== ws.OPEN) return;
			stats.randomConnections++;
			for (let i = 1 + randInt(3); i > 0; i--) {
				ws.send(randomFrame(victim.person.memberId));
				stats.randomFrames++;
			}
			t.probe();
			// Probes are answered in order: ours is answered once all before it are.
			const answered = t.answers + t.pendingProbes;
			// Answered (ignored garbage), refused, or cut by a relay fault: all fine, counted.
			await until(
				() => t.answers >= answered || t.client.closes.length > 0,
				'the answer to random frames',
				REFUSE_MS
			).catch(() => {});
			if (t.refusal()) stats.randomRefused++;
			return;
		}
		const doc = t.doc;
		if (kind === 'marks') {
			// The victim's entry is a stroke log (v3) or a map (v2); either way a mark that changes, so there is a write.
			const slot = weekdaySlotKey(1 + randInt(7), 60 * randInt(24));
			applyStroke(doc, victim.person.memberId, [slot], readMarks(doc, victim.person.memberId).get(slot) === 1 ? 2 : 1);
		} else if (kind === 'settings') eventMap(doc).set('title', 'Hijacked');
		else if (kind === 'member') membersMap(doc).set(victim.person.memberId, { name: 'Mallory', joinedAt: 2 });
		else joinEvent(doc, 'Rita', Date.now(), newMemberId());
		stats.forged.set(kind, (stats.forged.get(kind) ?? 0) + 1);
		// Sent now, or (cut by a relay fault) again in the provider's step 2 after reconnecting.
		try {
			await until(() => !!t.refusal(), `the refusal of a forged ${kind} write`, REFUSE_MS);
			stats.forgedRefused++;
		} catch {
			failures.push(
				`room ${room.id}: a forged ${kind} write was not refused within ${REFUSE_MS / 1000} s (closes: ${JSON.stringify(t.client.closes)})`
			);
		}
	} catch (err) {
		failures.push(`room ${room.id}: hostile ${kind}: ${(err as Error).message}`);
	} finally {
		t.client.destroy();
	}
}

async function hostileAgent(index: number, rooms: RoomState[]) {
	for (let n = index; phase === 'run'; n++) {
		await hostileAttempt(KINDS[n % KINDS.length], pick(rooms));
		await sleep(200 + rand() * 800);
	}
}

/** SIGKILL and restart every ~FAULT_S (±20%), the middle one a SIGTERM instead. */
/** Memory of the relay process running now, read as soon as it listened. */
/**
 * Diagnosis (`SOAK_SMAPS_DIR`): each reading also keeps the relay's
 * `/proc/<pid>/smaps`, numbered, so mappings can be compared between crowds
 * (the main malloc arena is `[heap]`, V8's pages are 256 KB-aligned anonymous
 * mappings, other threads' arenas are 64 MB reservations).
 */
let smapsCount = 0;
function readMemory(pid: number): ReturnType<typeof memoryMb> {
	const dir = process.env.SOAK_SMAPS_DIR;
	if (dir) {
		fs.mkdirSync(dir, { recursive: true });
		fs.writeFileSync(
			path.join(dir, `smaps.${String(++smapsCount).padStart(2, '0')}`),
			fs.readFileSync(`/proc/${pid}/smaps`)
		);
	}
	return memoryMb(pid);
}

let lastStart: ReturnType<typeof memoryMb>;

const formatMemory = (m: ReturnType<typeof memoryMb>) =>
	`${m.rss.toFixed(1)} MB (anonymous ${m.anon.toFixed(1)}, file-backed ${m.file.toFixed(1)})`;

async function faults(startedAt: number) {
	const times: number[] = [];
	for (let t = FAULT_S; t < DURATION_S - FAULT_S / 2; t += FAULT_S) times.push(t);
	const graceful = Math.floor(times.length / 2);
	for (const [i, t] of times.entries()) {
		const at = startedAt + (t + (rand() - 0.5) * 0.4 * FAULT_S) * 1000;
		await sleep(Math.max(0, at - Date.now()));
		if (i === graceful) {
			const code = await relay.stop();
			stats.sigterms++;
			if (code !== 0) failures.push(`the relay exited with ${code} after SIGTERM`);
		} else {
			await relay.kill();
			stats.kills++;
		}
		// Taken after the exit, so a graceful stop's last lines are in it.
		pastLogs.push(relay.output());
		const restarting = performance.now();
		relay = await relay.restart();
		stats.restartMs.push(performance.now() - restarting);
		lastStart = readMemory(relay.pid);
	}
}

/**
 * Diagnosis (SOAK_INSPECT=1): the relay's `process.memoryUsage()` before
 * and after a full GC, through its inspector, to tell a leak (heap stays
 * up) from memory V8 or malloc keep after use.
 */
async function heapReport(): Promise<string> {
	const url = /Debugger listening on (ws:\S+)/.exec(relay.output())?.[1];
	if (!url) return 'no inspector';
	const ws = new WebSocket(url);
	await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
	let id = 0;
	const call = (method: string, params: object = {}) =>
		new Promise<{ result?: { result?: { value?: string } } }>((resolve) => {
			const mine = ++id;
			ws.on('message', function on(data: Buffer) {
				const msg = JSON.parse(String(data));
				if (msg.id !== mine) return;
				ws.off('message', on);
				resolve(msg);
			});
			ws.send(JSON.stringify({ id: mine, method, params }));
		});
	const usage = async () => {
		const r = await call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())' });
		const u = JSON.parse(r.result?.result?.value ?? '{}') as Record<string, number>;
		return `rss ${(u.rss / 2 ** 20).toFixed(1)}, heap ${(u.heapUsed / 2 ** 20).toFixed(1)}/${(u.heapTotal / 2 ** 20).toFixed(1)}, external ${(u.external / 2 ** 20).toFixed(1)}, buffers ${(u.arrayBuffers / 2 ** 20).toFixed(1)} MB`;
	};
	const before = await usage();
	await call('HeapProfiler.collectGarbage');
	const after = await usage();
	ws.close();
	return `before GC: ${before}; after: ${after}`;
}

/** Rooms unloaded within 60 s (false if not). */
async function unloadedSoon(): Promise<boolean> {
	const since = Date.now();
	while ((await roomsLoaded()) > 0) {
		if (Date.now() - since > 60_000) return false;
		await sleep(500);
	}
	return true;
}

/**
 * The second crowd (`SOAK_SECOND_S`): every honest member back on a new
 * device copy, painting with drops and offline spells but no relay faults,
 * until all is confirmed; then everyone leaves. Returns the settled RSS.
 */
async function secondCrowd(
	rooms: RoomState[]
): Promise<{ rss: number; memory: ReturnType<typeof memoryMb>; strokes: number }> {
	const crowd = rooms.flatMap((room) => room.honest.map((h) => new Honest(room.id, h.person, h.name)));
	await until(() => crowd.every((h) => h.provider.synced), 'second crowd synced', 120_000);
	phase = 'run';
	crowd.forEach(act);
	await sleep(SECOND_S * 1000);
	phase = 'drain';
	for (const h of crowd) {
		if (h.timer) clearTimeout(h.timer);
		if (h.offlineTimer) clearTimeout(h.offlineTimer);
		if (h.offline) {
			h.offline = false;
			h.provider.connect();
		}
	}
	await until(
		() => crowd.every((h) => !!h.tracked.refusal() || (h.provider.synced && h.tracked.confirmed())),
		'second crowd confirmed',
		120_000
	).catch(() =>
		failures.push(`${crowd.filter((h) => !h.tracked.confirmed()).length} clients of the second crowd never confirmed`)
	);
	const refused = crowd.filter((h) => h.tracked.refusal());
	if (refused.length) failures.push(`${refused.length} honest clients of the second crowd refused`);
	for (const h of crowd) h.tracked.client.destroy();
	if (!(await unloadedSoon())) failures.push('rooms still loaded 60 s after the second crowd left');
	const rss = await settledRss(relay.pid);
	return { rss, memory: readMemory(relay.pid), strokes: crowd.reduce((n, h) => n + h.strokes.length, 0) };
}

async function roomsLoaded(): Promise<number> {
	const res = await fetch(`${relay.httpUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
	const match = /^moim_rooms_loaded (\d+)/m.exec(await res.text());
	if (!match) throw new Error(`no moim_rooms_loaded in /metrics (HTTP ${res.status})`);
	return Number(match[1]);
}

/** RSS once it stops moving: ten readings a second apart within 1% of each other, or after 60 s. */
async function settledRss(pid: number): Promise<number> {
	const readings: number[] = [];
	const started = Date.now();
	for (;;) {
		readings.push(rssMb(pid));
		const last = readings.slice(-10);
		if (last.length === 10 && (Math.max(...last) - Math.min(...last)) / Math.max(...last) < 0.01) break;
		if (Date.now() - started > 60_000) break;
		await sleep(1000);
	}
	return readings.at(-1)!;
}

/** Keys sorted at every level, so two documents compare by content, not by the order keys arrived in. */
function canonical(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(canonical);
	if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
		return Object.fromEntries(
			Object.keys(value)
				.sort()
				.map((k) => [k, canonical((value as Record<string, unknown>)[k])])
		);
	}
	return value;
}

/** A document's content: its three root maps (a doc's `toJSON` lists only the types it has asked for). */
function content(doc: Y.Doc): Record<string, unknown> {
	return canonical({
		event: eventMap(doc).toJSON(),
		members: membersMap(doc).toJSON(),
		availability: availabilityMap(doc).toJSON()
	}) as Record<string, unknown>;
}

function sameDoc(a: Y.Doc, b: Y.Doc): boolean {
	const sa = Y.decodeStateVector(Y.encodeStateVector(a));
	const sb = Y.decodeStateVector(Y.encodeStateVector(b));
	if (sa.size !== sb.size) return false;
	for (const [client, clock] of sa) if (sb.get(client) !== clock) return false;
	return JSON.stringify(content(a)) === JSON.stringify(content(b));
}

/** What differs between a client's document and the relay's, briefly. */
function describeDifference(mine: Y.Doc, relays: Y.Doc): string {
	const a = Y.decodeStateVector(Y.encodeStateVector(mine));
	const b = Y.decodeStateVector(Y.encodeStateVector(relays));
	const clocks = [...new Set([...a.keys(), ...b.keys()])]
		.filter((c) => a.get(c) !== b.get(c))
		.map((c) => `${c}: ${a.get(c) ?? 0} here, ${b.get(c) ?? 0} on the relay`);
	const ja = content(mine);
	const jb = content(relays);
	const keys = [...new Set([...Object.keys(ja), ...Object.keys(jb)])].filter(
		(k) => JSON.stringify(ja[k]) !== JSON.stringify(jb[k])
	);
	return `clocks ${clocks.join('; ') || 'equal'}; content differs in ${keys.join(', ') || 'nothing'}`;
}

/** Relay log lines about `room` that report a problem. */
function roomLog(room: string): string[] {
	return allLogs()
		.split('\n')
		.filter((l) => l.includes(room) && /"level":(40|50|60)/.test(l))
		.slice(-10);
}

const allLogs = () => [...pastLogs, relay.output()].join('');

/** Where a run leaves the relays' log, and the documents of the clients that failed. */
const outDir = path.join(os.tmpdir(), `moim-soak-${new Date().toISOString().replace(/[:.]/g, '-')}`);

/** Keeps `h`'s document (a Yjs update) for a post-mortem against the relay's data. */
function keepDoc(h: Honest) {
	fs.mkdirSync(outDir, { recursive: true });
	fs.writeFileSync(path.join(outDir, `${h.room}-${h.name}-${h.doc.clientID}.yjs`), Y.encodeStateAsUpdate(h.doc));
}

/**
 * Checks one room after the drain against a fresh reader's copy (the
 * relay's): documents equal, every acknowledged stroke present with its
 * marks where no later stroke of the same member overwrote them, members'
 * marks exactly their own strokes, settings and names untouched.
 */
async function checkRoom(room: RoomState): Promise<{ lost: number; converged: boolean }> {
	const reader = stockClient(wsUrl, room.id);
	try {
		await until(() => reader.provider.synced, `reader of ${room.id} synced`, 60_000);
		const relayDoc = reader.doc;
		let converged = true;
		// A refused client stopped syncing (its refusal is reported): the others must match.
		const live = room.honest.filter((h) => !h.tracked.refusal());
		if (live.length < room.honest.length) converged = false;
		await until(() => live.every((h) => sameDoc(h.doc, relayDoc)), `room ${room.id} converged`, 30_000).catch(() => {
			converged = false;
			const differ = live.filter((h) => !sameDoc(h.doc, relayDoc));
			differ.forEach(keepDoc);
			failures.push(
				`room ${room.id}: documents differ from the relay's: ${differ.map((h) => h.name).join(', ')}; ${describeDifference(differ[0].doc, relayDoc)}`
			);
		});
		let lost = 0;
		for (const h of room.honest) {
			const relayClock = Y.getState(relayDoc.store, h.doc.clientID);
			const onRelay = readMarks(relayDoc, h.person.memberId);
			// The stroke that set each slot last, and what the member's marks must be.
			const lastWriter = new Map<string, number>();
			h.strokes.forEach((s, i) => s.slots.forEach((slot) => lastWriter.set(slot, i)));
			h.strokes.forEach((s, i) => {
				if (!s.acked) return;
				const missing =
					relayClock < s.clock ||
					s.slots.some((slot) => lastWriter.get(slot) === i && (onRelay.get(slot) ?? 0) !== s.mark);
				if (missing) {
					lost++;
					if (lost <= 5) failures.push(`room ${room.id}: ${h.name}'s acknowledged stroke ${i} is missing`);
				}
			});
			const expected = new Map<string, Mark>();
			for (const [slot, i] of lastWriter) if (h.strokes[i].mark !== 0) expected.set(slot, h.strokes[i].mark);
			const wrong = [...onRelay].filter(([slot, level]) => expected.get(slot) !== level).length;
			const missing = [...expected.keys()].filter((slot) => !onRelay.has(slot)).length;
			// A refused client's last strokes never reached the relay (its refusal is reported).
			if (!h.tracked.refusal() && (wrong || missing))
				failures.push(
					`room ${room.id}: ${h.name}'s marks on the relay are not their strokes': ${wrong} wrong or extra, ${missing} missing`
				);
		}
		if (readSettings(relayDoc)?.title !== BENCH_EVENT.title)
			failures.push(`room ${room.id}: the title is "${readSettings(relayDoc)?.title}"`);
		const members = readMembers(relayDoc);
		const names = room.honest.map((h) => members.get(h.person.memberId)?.name);
		if (members.size !== room.honest.length || names.some((n, i) => n !== room.honest[i].name))
			failures.push(`room ${room.id}: members on the relay are ${JSON.stringify([...members.values()])}`);
		return { lost, converged };
	} finally {
		reader.destroy();
	}
}

function machine() {
	const cpu = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
	return `${os.availableParallelism()} × ${cpu}, Node ${process.version}`;
}

async function main() {
	// Every stock provider adds an exit listener to the process.
	process.setMaxListeners(0);
	const perRoom = Math.max(1, Math.floor(CLIENTS / ROOMS));
	relay = await startRelay({ compiled: !process.env.SOAK_TSX, env: RELAY_ENV });
	wsUrl = relay.wsUrl;
	const rssStart = rssMb(relay.pid);
	const memoryStart = readMemory(relay.pid);
	lastStart = memoryStart;
	const dataDir = relay.dataDir;
	console.error(
		`soak: ${DURATION_S} s, ${ROOMS} rooms × ${perRoom} clients, ${HOSTILE} hostile, seed ${SEED}, data in ${dataDir}`
	);

	const rooms: RoomState[] = [];
	// A few rooms at a time: 200 handshakes at once would only measure the setup.
	const queue = Array.from({ length: ROOMS }, () => perRoom);
	await Promise.all(
		Array.from({ length: 10 }, async () => {
			while (queue.length) rooms.push(await setupRoom(queue.pop()!));
		})
	);
	const honest = rooms.flatMap((r) => r.honest);
	console.error(`soak: ${honest.length} clients joined in ${Math.round(performance.now() / 1000)} s; running`);

	phase = 'run';
	const startedAt = Date.now();
	honest.forEach(act);
	const agents = Array.from({ length: HOSTILE }, (_, i) => hostileAgent(i, rooms));
	const faultsDone = faults(startedAt);
	let rssPeak = rssStart;
	const sampler = setInterval(() => {
		try {
			rssPeak = Math.max(rssPeak, rssMb(relay.pid));
		} catch {
			// Between a kill and the restart.
		}
	}, 2000);
	const progress = setInterval(() => {
		const sent = honest.reduce((n, h) => n + h.strokes.length, 0);
		const acked = honest.reduce((n, h) => n + h.ackedCount, 0);
		console.error(
			`soak: ${Math.round((Date.now() - startedAt) / 1000)} s, ${sent} strokes, ${acked} acknowledged, ${stats.kills} kills, ${stats.sigterms} SIGTERMs`
		);
	}, 30_000);
	await sleep(DURATION_S * 1000);
	await faultsDone;
	const runSeconds = (Date.now() - startedAt) / 1000;

	// Drain: everyone back online until the relay has confirmed all they wrote.
	phase = 'drain';
	clearInterval(progress);
	clearInterval(sampler);
	const drainStarted = Date.now();
	for (const h of honest) {
		if (h.timer) clearTimeout(h.timer);
		if (h.offline) {
			if (h.offlineTimer) clearTimeout(h.offlineTimer);
			h.offline = false;
			h.provider.connect();
		}
	}
	await Promise.all(agents);
	const reprobe = setInterval(() => {
		for (const h of honest) if (!h.tracked.confirmed() && h.tracked.pendingProbes === 0) h.tracked.probe();
	}, 1000);
	await until(
		() => honest.every((h) => !!h.tracked.refusal() || (h.provider.synced && h.tracked.confirmed())),
		'every honest client confirmed',
		120_000
	).catch(() => failures.push(`${honest.filter((h) => !h.tracked.confirmed()).length} clients never confirmed`));
	clearInterval(reprobe);
	console.error(`soak: drained in ${Math.round((Date.now() - drainStarted) / 1000)} s; checking`);

	let lost = 0;
	let converged = 0;
	for (const room of rooms) {
		const result = await checkRoom(room);
		lost += result.lost;
		if (result.converged) converged++;
	}
	const sent = honest.reduce((n, h) => n + h.strokes.length, 0);
	const acked = honest.reduce((n, h) => n + h.ackedCount, 0);
	const byRefused = honest.filter((h) => h.tracked.refusal()).reduce((n, h) => n + h.strokes.length - h.ackedCount, 0);
	if (acked < sent)
		failures.push(`${sent - acked} strokes were never acknowledged (${byRefused} of them by refused clients)`);
	if (lost) failures.push(`${lost} acknowledged strokes lost`);

	const refusedHonest = honest.filter((h) => h.tracked.refusal());
	for (const h of refusedHonest) {
		keepDoc(h);
		const r = h.tracked.refusal()!;
		failures.push(
			`room ${h.room}: honest ${h.name} (${h.person.memberId}) refused ${r.code} ${r.reason}\n    ${roomLog(h.room).join('\n    ')}`
		);
	}
	const upgradeRefusals = allLogs()
		.split('\n')
		.filter((l) => l.includes('"refused websocket"'));
	if (upgradeRefusals.length)
		failures.push(`${upgradeRefusals.length} websocket upgrades refused, e.g. ${upgradeRefusals[0]}`);
	const forged = [...stats.forged.values()].reduce((a, b) => a + b, 0);

	// Everyone leaves; the relay unloads the rooms and its memory settles.
	for (const h of honest) h.tracked.client.destroy();
	let unloaded = true;
	const leftAt = Date.now();
	for (;;) {
		if ((await roomsLoaded()) === 0) break;
		if (Date.now() - leftAt > 60_000) {
			unloaded = false;
			failures.push(`rooms still loaded 60 s after everyone left: ${await roomsLoaded()}`);
			break;
		}
		await sleep(500);
	}
	const rssEnd = await settledRss(relay.pid);
	const memoryEnd = readMemory(relay.pid);
	const more: Awaited<ReturnType<typeof secondCrowd>>[] = [];
	for (let i = 0; SECOND_S > 0 && i < MORE_CROWDS; i++) more.push(await secondCrowd(rooms));
	const last = more.at(-1);
	if (last && last.rss > rssEnd * 1.1)
		failures.push(
			`relay RSS ${last.rss.toFixed(1)} MB after ${more.length} more crowds, over 110% of ${rssEnd.toFixed(1)} MB after the first: memory grows per crowd`
		);
	console.error(
		`soak: relay memory at the first start ${formatMemory(memoryStart)}, at the last restart ${formatMemory(lastStart)}, at the end ${formatMemory(memoryEnd)}`
	);
	if (rssEnd > rssStart * 1.1)
		failures.push(`relay RSS ${rssEnd.toFixed(1)} MB after clients left, over 110% of ${rssStart.toFixed(1)} MB`);

	const heap = INSPECT ? await heapReport() : null;
	const logs = allLogs();
	const errors = logs.split('\n').filter((l) => /"level":(50|60)/.test(l));
	await relay.stop();
	fs.mkdirSync(outDir, { recursive: true });
	const logFile = path.join(outDir, 'relay.log');
	fs.writeFileSync(logFile, allLogs());

	const ms = (n: number) => `${Math.round(n)} ms`;
	const rows: [string, string][] = [
		['date', new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC'],
		['machine', machine()],
		['duration (painting)', `${Math.round(runSeconds)} s`],
		['honest clients / rooms', `${honest.length} / ${rooms.length}`],
		['strokes sent', String(sent)],
		['strokes acknowledged', String(acked)],
		['**lost** (acknowledged, missing on the relay)', `**${lost}**`],
		['documents equal to the relay’s (rooms)', `${converged} / ${rooms.length}`],
		['random disconnects / offline spells', `${stats.disconnects} / ${stats.offlineSpells}`],
		['relay SIGKILLs / SIGTERMs', `${stats.kills} / ${stats.sigterms}`],
		['restart (median / max)', `${ms(median(stats.restartMs))} / ${ms(Math.max(0, ...stats.restartMs))}`],
		[
			'hostile forged writes (' + KINDS.filter((k) => k !== 'random').join(', ') + ')',
			KINDS.filter((k) => k !== 'random')
				.map((k) => stats.forged.get(k) ?? 0)
				.join(', ') + ` = ${forged}`
		],
		[
			'hostile attempts: forged writes + random-frame connections, refused',
			`${forged + stats.randomConnections}, ${stats.forgedRefused + stats.randomRefused}`
		],
		['refusals of forged writes', `${stats.forgedRefused} / ${forged}`],
		['hostile clients refused before writing', String(stats.hostileRefusedEarly)],
		['hostile random frames (connections)', `${stats.randomFrames} (${stats.randomConnections})`],
		['refusals after random frames', `${stats.randomRefused} / ${stats.randomConnections}`],
		['**refusals of honest clients**', `**${refusedHonest.length}**`],
		['relay errors logged', String(errors.length)],
		[
			'relay RSS start → end, rooms unloaded (peak)',
			`${rssStart.toFixed(1)} → ${rssEnd.toFixed(1)} MB, ${((rssEnd / rssStart) * 100).toFixed(0)}%${unloaded ? '' : ', rooms still loaded'} (${rssPeak.toFixed(1)} MB)`
		],
		...(last
			? [
					[
						`relay RSS after ${more.length} more crowd(s) (${SECOND_S} s each, ${more.map((c) => c.strokes).join(', ')} strokes, no faults)`,
						`${more.map((c) => `${c.rss.toFixed(1)} MB`).join(', ')}: ${((last.rss / rssEnd) * 100).toFixed(0)}% of after the first; last ${formatMemory(last.memory)}`
					] as [string, string]
				]
			: []),
		...(heap ? [['relay memory (inspector; diagnosis)', heap] as [string, string]] : []),
		['result', failures.length ? `**FAILED** (${failures.length})` : 'passed']
	];
	console.log('| soak | |\n|---|---|');
	for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
	console.error(`\nrelay log${failures.length ? " and failed clients' documents" : ''}: ${outDir}`);
	if (errors.length) console.error(`relay errors:\n  ${errors.slice(0, 10).join('\n  ')}`);
	if (failures.length) {
		console.error(`\nFAILED, data kept in ${dataDir}:\n- ${failures.join('\n- ')}`);
		process.exitCode = 1;
	} else {
		fs.rmSync(dataDir, { recursive: true, force: true });
	}
}

function median(values: number[]): number {
	if (!values.length) return 0;
	return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

main().then(
	() => process.exit(),
	async (err) => {
		console.error(err);
		await relay?.kill();
		process.exit(1);
	}
);
