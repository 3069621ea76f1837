/**
 * A raw y-websocket protocol client for load generation: no provider, no
 * awareness, no reconnects — just the sync messages, so thousands fit in
 * one process and both relays see exactly the same traffic.
 */
import fs from 'node:fs';
import WebSocket from 'ws';
import type { EventDraft } from '../src/lib/model/settings.js';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';

const MESSAGE_SYNC = 0;

/** The event the relay benchmarks create: every 15-minute block of the week can be marked. */
export const BENCH_EVENT: EventDraft = {
	title: 'Bench',
	kind: 'weekdays',
	dates: [],
	weekdays: [1, 2, 3, 4, 5, 6, 7],
	start: 0,
	end: 1440,
	slot: 15,
	tz: 'UTC'
};

export class RawClient {
	readonly ws: WebSocket;
	/** Arrival times (performance.now()) of update messages. */
	readonly arrivals: number[] = [];
	readonly synced: Promise<void>;
	readonly opened: Promise<void>;
	#resolveSynced!: () => void;
	#rejectSynced!: (err: Error) => void;

	/** `doc`, when given, receives the relay's state and sends its own updates. */
	constructor(
		url: string,
		readonly doc: Y.Doc | null = null
	) {
		this.ws = new WebSocket(url);
		this.ws.binaryType = 'nodebuffer';
		this.synced = new Promise((resolve, reject) => ((this.#resolveSynced = resolve), (this.#rejectSynced = reject)));
		// A refused or dropped connection fails the wait instead of hanging it.
		this.synced.catch(() => {});
		this.ws.on('close', (code, reason) =>
			this.#rejectSynced(new Error(`connection closed before sync: ${code} ${reason}`))
		);
		this.opened = new Promise((resolve, reject) => {
			this.ws.once('open', () => resolve());
			// Every error, not just the first: a second (ECONNRESET under load) was uncaught and ended the run.
			this.ws.on('error', reject);
		});
		this.ws.on('open', () => {
			const e = encoding.createEncoder();
			encoding.writeVarUint(e, MESSAGE_SYNC);
			syncProtocol.writeSyncStep1(e, this.doc ?? new Y.Doc());
			this.ws.send(encoding.toUint8Array(e));
		});
		this.ws.on('message', (data: Buffer) => this.#receive(new Uint8Array(data)));
		doc?.on('update', (update: Uint8Array, origin: unknown) => {
			if (origin !== this) this.sendUpdate(update);
		});
	}

	sendUpdate(update: Uint8Array) {
		const e = encoding.createEncoder();
		encoding.writeVarUint(e, MESSAGE_SYNC);
		syncProtocol.writeUpdate(e, update);
		this.ws.send(encoding.toUint8Array(e));
	}

	#receive(bytes: Uint8Array) {
		const d = decoding.createDecoder(bytes);
		if (decoding.readVarUint(d) !== MESSAGE_SYNC) return; // awareness and the rest
		const kind = decoding.readVarUint(d);
		if (kind === syncProtocol.messageYjsSyncStep1) {
			// Answer the relay's question about our state (empty for observers).
			const e = encoding.createEncoder();
			encoding.writeVarUint(e, MESSAGE_SYNC);
			syncProtocol.writeSyncStep2(e, this.doc ?? new Y.Doc(), decoding.readVarUint8Array(d));
			this.ws.send(encoding.toUint8Array(e));
		} else if (kind === syncProtocol.messageYjsSyncStep2) {
			if (this.doc) Y.applyUpdate(this.doc, decoding.readVarUint8Array(d), this);
			this.#resolveSynced();
		} else if (kind === syncProtocol.messageYjsUpdate) {
			this.arrivals.push(performance.now());
			if (this.doc) Y.applyUpdate(this.doc, decoding.readVarUint8Array(d), this);
		}
	}

	close() {
		this.ws.terminate();
	}
}

/**
 * A client's acknowledgements, as the app's sync tracker gets them: a sync
 * step 1 sent behind its updates is answered with a step 2 once the relay
 * has committed them (the relay answers each client's messages in order).
 * Make it right after the client, before its first answer arrives.
 */
export class Acks {
	/** Step 2 answers received; the first answers RawClient's own step 1 on open. */
	#answers = 0;
	#asked = 1;
	#waiting: { n: number; resolve: () => void }[] = [];

	constructor(readonly client: RawClient) {
		client.ws.on('message', (data: Buffer) => {
			// [MESSAGE_SYNC, step 2, …]: RawClient's listener, added first, has applied it already.
			if (data[0] !== MESSAGE_SYNC || data[1] !== syncProtocol.messageYjsSyncStep2) return;
			this.#answers++;
			while (this.#waiting.length && this.#waiting[0].n <= this.#answers) this.#waiting.shift()!.resolve();
		});
	}

	/** Resolves once the relay holds everything the client has sent so far. */
	probe(): Promise<void> {
		const e = encoding.createEncoder();
		encoding.writeVarUint(e, MESSAGE_SYNC);
		syncProtocol.writeSyncStep1(e, this.client.doc ?? new Y.Doc());
		this.client.ws.send(encoding.toUint8Array(e));
		const n = ++this.#asked;
		return new Promise((resolve) => this.#waiting.push({ n, resolve }));
	}
}

/** Sum and count of a histogram in a relay's /metrics (all label sets). */
export async function histogram(relay: { httpUrl?: string }, name: string): Promise<{ sum: number; count: number }> {
	const text = await (await fetch(`${relay.httpUrl}/metrics`)).text();
	const total = (suffix: string) =>
		text
			.split('\n')
			.filter((l) => l.startsWith(`${name}_${suffix}`))
			.reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
	return { sum: total('sum'), count: total('count') };
}

/** Resident memory of a process, MB (Linux `/proc`). */
export function rssMb(pid: number): number {
	const line = fs
		.readFileSync(`/proc/${pid}/status`, 'utf8')
		.split('\n')
		.find((l) => l.startsWith('VmRSS:'))!;
	return Number(line.split(/\s+/)[1]) / 1024;
}

/**
 * Resident memory split by what backs it, MB: `anon` is what the process
 * allocated (heap, malloc, stacks); `file` is pages of mapped files, mostly
 * the node binary's code, which grows as more of it runs and is not a leak.
 */
export function memoryMb(pid: number): { rss: number; anon: number; file: number } {
	const fields = new Map(
		fs
			.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')
			.split('\n')
			.map((l) => /^(\w+):\s+(\d+) kB/.exec(l))
			.filter((m) => m !== null)
			.map((m) => [m[1], Number(m[2]) / 1024])
	);
	const rss = fields.get('Rss') ?? 0;
	const anon = fields.get('Anonymous') ?? 0;
	return { rss, anon, file: rss - anon };
}
