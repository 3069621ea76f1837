/**
 * What the person needs to know about sync: are we connected, when did the
 * relay last have everything, and is anything on this device not on the
 * relay yet?
 *
 * "On the relay" is known, not guessed. The tracker keeps the relay's
 * acknowledged state vector: everything the relay sent us (it holds that),
 * plus what we had when we sent a probe the relay has answered. A probe is a
 * sync step 1 sent behind our updates; the relay handles one client's
 * messages in order and answers a step 1 with a step 2, so when the answer
 * arrives every earlier update has been applied there. Local content beyond
 * the acknowledged vector is "not on the relay yet". A change that only
 * deletes does not move the state vector, so it is tracked separately until
 * a later probe's answer covers it.
 *
 * The acknowledged state is saved (see {@link AckStore}), so after a reload
 * offline, edits from an earlier session still show as not synced.
 */
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';
import type { WebsocketProvider } from 'y-websocket';
import { MESSAGE_SYNC } from '../model/relay-protocol.js';

/** The states shown in the sync badge. */
export type SyncState = 'offline' | 'connecting' | 'synced' | 'pending' | 'refused';

/** The relay closed the connection for good: credentials or a write refused (44xx). */
export interface Refusal {
	code: number;
	reason: string;
}

/** Everything the sync badge shows. */
export interface SyncSnapshot {
	state: SyncState;
	/** The browser reports a network connection. */
	network: boolean;
	/** Content on this device that the relay has not acknowledged. */
	unconfirmed: boolean;
	/** When the relay last acknowledged everything on this device (ms), or `null`. */
	lastSyncedAt: number | null;
	/** Why the relay stopped syncing with this device, while it does. */
	refusal: Refusal | null;
}

/** What the relay has acknowledged, as saved between sessions. */
export interface AckRecord {
	/** Acknowledged state vector as `[client, clock]` pairs. */
	sv: [number, number][];
	/** A deletion made here may not be on the relay yet. */
	deletes: boolean;
	/** See {@link SyncSnapshot.lastSyncedAt}. */
	at: number | null;
}

/** Keeps an event's {@link AckRecord} on the device. */
export interface AckStore {
	load(): Promise<AckRecord | null>;
	save(record: AckRecord): void;
}

/** Options of {@link SyncTracker}. */
export interface SyncTrackerOptions {
	/** Origins of transactions that load this device's stored copy (not edits). */
	loadOrigins?: ReadonlySet<unknown>;
	/** Where the acknowledged state lives between sessions. */
	store?: AckStore;
}

/** How long acknowledgements gather before they are saved. */
const SAVE_DELAY_MS = 300;

/** Watches a provider and a document and derives the sync state. */
export class SyncTracker {
	readonly #provider: WebsocketProvider;
	readonly #doc: Y.Doc;
	readonly #loadOrigins: ReadonlySet<unknown>;
	readonly #store: AckStore | undefined;
	readonly #listeners = new Set<() => void>();
	/** The acknowledged state vector; `null` until the saved one is loaded. */
	#acked: Map<number, number> | null = null;
	/** Counts local deletion-only changes; `#deletesAcked` is the count the relay has covered. */
	#deletes = 0;
	#deletesAcked = 0;
	/** What we had at each probe still waiting for its answer, oldest first. */
	readonly #probes: { sv: Map<number, number>; deletes: number }[] = [];
	#inRelayMessage = false;
	#lastSyncedAt: number | null = null;
	#refusal: Refusal | null = null;
	#saveTimer: ReturnType<typeof setTimeout> | null = null;
	#snapshot: SyncSnapshot;
	#destroyed = false;
	readonly #cleanup: (() => void)[] = [];
	/** Resolves once the saved acknowledged state is loaded (or found missing). */
	readonly ackLoaded: Promise<void>;

	constructor(provider: WebsocketProvider, doc: Y.Doc, options: SyncTrackerOptions = {}) {
		this.#provider = provider;
		this.#doc = doc;
		this.#loadOrigins = options.loadOrigins ?? new Set();
		this.#store = options.store;
		this.#snapshot = this.#compute();

		const original = provider.messageHandlers[MESSAGE_SYNC];
		provider.messageHandlers[MESSAGE_SYNC] = (encoder, decoder, p, emitSynced, type) => {
			// emitSynced is true for websocket messages (from the relay) and false
			// for BroadcastChannel messages (other tabs of this device).
			const answersProbe = emitSynced && p.synced && peekSyncStep(decoder) === syncProtocol.messageYjsSyncStep2;
			this.#inRelayMessage = emitSynced;
			try {
				original(encoder, decoder, p, emitSynced, type);
			} finally {
				this.#inRelayMessage = false;
			}
			if (answersProbe) this.#answered();
		};
		this.#cleanup.push(() => (provider.messageHandlers[MESSAGE_SYNC] = original));

		const onUpdate = (update: Uint8Array, origin: unknown) => {
			if (origin === provider && this.#inRelayMessage) {
				// The relay sent it, so the relay has it (and everything before it).
				this.#acknowledge(Y.parseUpdateMeta(update).to);
			} else if (!this.#loadOrigins.has(origin)) {
				// An edit here or in another tab: ask the relay to confirm it, after
				// the provider's own update handler has sent it.
				if (isDeletionOnly(update)) this.#deletes++;
				queueMicrotask(() => this.#probe());
			}
			this.#changed();
		};
		const onSync = (synced: boolean) => {
			if (synced) {
				this.#refusal = null;
				this.#probe();
			}
			this.#changed();
		};
		const onClosed = (close: Refusal) => {
			// y-websocket does not reconnect after these; the person must act.
			if (close.code >= 4400 && close.code < 4500) this.#refusal = { code: close.code, reason: close.reason };
			this.#changed();
		};
		provider.on('closed', onClosed);
		this.#cleanup.push(() => provider.off('closed', onClosed));
		const onStatus = () => {
			if (!provider.wsconnected) this.#probes.length = 0;
			this.#changed();
		};
		const onNetwork = () => this.#changed();
		doc.on('update', onUpdate);
		this.#cleanup.push(() => doc.off('update', onUpdate));
		for (const name of ['sync', 'status', 'connection-close', 'connection-error'] as const) {
			const handler = name === 'sync' ? onSync : onStatus;
			provider.on(name, handler);
			this.#cleanup.push(() => provider.off(name, handler));
		}
		for (const name of ['online', 'offline']) {
			globalThis.addEventListener?.(name, onNetwork);
			this.#cleanup.push(() => globalThis.removeEventListener?.(name, onNetwork));
		}

		if (this.#store) {
			this.ackLoaded = this.#store.load().then(
				(record) => this.#restore(record),
				() => this.#restore(null)
			);
		} else {
			this.#acked = new Map();
			this.ackLoaded = Promise.resolve();
		}
	}

	#restore(record: AckRecord | null) {
		if (this.#destroyed) return;
		const loaded = new Map(record?.sv ?? []);
		// Anything acknowledged during this session before the load still counts.
		for (const [client, clock] of this.#acked ?? []) loaded.set(client, Math.max(clock, loaded.get(client) ?? 0));
		this.#acked = loaded;
		if (record?.deletes) this.#deletes++;
		this.#lastSyncedAt = Math.max(record?.at ?? 0, this.#lastSyncedAt ?? 0) || null;
		this.#changed();
	}

	/** Asks the relay to answer behind everything sent so far. */
	#probe() {
		const ws = this.#provider.ws;
		if (this.#destroyed || !ws || !this.#provider.wsconnected || !this.#provider.synced || ws.readyState !== ws.OPEN)
			return;
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, MESSAGE_SYNC);
		syncProtocol.writeSyncStep1(encoder, this.#doc);
		ws.send(encoding.toUint8Array(encoder));
		this.#probes.push({ sv: Y.decodeStateVector(Y.encodeStateVector(this.#doc)), deletes: this.#deletes });
		this.#changed();
	}

	#answered() {
		const probe = this.#probes.shift();
		if (!probe) return;
		this.#acknowledge(probe.sv);
		this.#deletesAcked = Math.max(this.#deletesAcked, probe.deletes);
		if (!this.#unconfirmed()) this.#lastSyncedAt = Date.now();
		this.#scheduleSave();
		this.#changed();
	}

	#acknowledge(sv: Map<number, number>) {
		const acked = (this.#acked ??= new Map());
		for (const [client, clock] of sv) if (clock > (acked.get(client) ?? 0)) acked.set(client, clock);
		this.#scheduleSave();
	}

	#unconfirmed(): boolean {
		if (this.#probes.length > 0 || this.#deletes > this.#deletesAcked) return true;
		const acked = this.#acked;
		if (!acked) return false;
		for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(this.#doc))) {
			if (clock > (acked.get(client) ?? 0)) return true;
		}
		return false;
	}

	#scheduleSave() {
		if (!this.#store || this.#saveTimer) return;
		this.#saveTimer = setTimeout(() => this.#save(), SAVE_DELAY_MS);
	}

	#save() {
		if (this.#saveTimer) clearTimeout(this.#saveTimer);
		this.#saveTimer = null;
		if (!this.#store || !this.#acked) return;
		this.#store.save({ sv: [...this.#acked], deletes: this.#deletes > this.#deletesAcked, at: this.#lastSyncedAt });
	}

	#compute(): SyncSnapshot {
		const p = this.#provider;
		const network = globalThis.navigator?.onLine ?? true;
		const unconfirmed = this.#unconfirmed();
		let state: SyncState;
		if (this.#refusal) state = 'refused';
		else if (network && p.wsconnected && p.synced) state = unconfirmed ? 'pending' : 'synced';
		else if (network && (p.wsconnected || (p.wsconnecting && p.wsUnsuccessfulReconnects === 0))) state = 'connecting';
		else state = 'offline';
		return { state, network, unconfirmed, lastSyncedAt: this.#lastSyncedAt, refusal: this.#refusal };
	}

	#changed() {
		if (this.#destroyed) return;
		const next = this.#compute();
		const prev = this.#snapshot;
		if (
			next.state === prev.state &&
			next.network === prev.network &&
			next.unconfirmed === prev.unconfirmed &&
			next.lastSyncedAt === prev.lastSyncedAt &&
			next.refusal === prev.refusal
		)
			return;
		this.#snapshot = next;
		for (const fn of this.#listeners) fn();
	}

	/**
	 * The state vector the relay is known to hold: what it sent, what its
	 * answers to probes covered, and what earlier sessions saved. Content
	 * within it may be deleted without the relay refusing the deletion
	 * (compaction, log-compaction.ts). `null` until the saved one is loaded.
	 */
	get acknowledged(): ReadonlyMap<number, number> | null {
		return this.#acked;
	}

	/** The current state. */
	get snapshot(): SyncSnapshot {
		return this.#snapshot;
	}

	/** Calls `fn` whenever the snapshot changes; returns the unsubscribe. */
	subscribe(fn: () => void): () => void {
		this.#listeners.add(fn);
		return () => this.#listeners.delete(fn);
	}

	/** Saves what the relay has acknowledged and stops watching. */
	destroy() {
		this.#save();
		this.#destroyed = true;
		for (const fn of this.#cleanup.splice(0)) fn();
		this.#listeners.clear();
	}
}

function peekSyncStep(decoder: decoding.Decoder): number | null {
	try {
		return decoding.readVarUint(decoding.clone(decoder));
	} catch {
		return null;
	}
}

/** An update that removes content without adding any (its state vector is empty). */
function isDeletionOnly(update: Uint8Array): boolean {
	return Y.parseUpdateMeta(update).to.size === 0;
}
