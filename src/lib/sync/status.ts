/**
 * What the person needs to know about sync: are we connected, and is
 * everything I changed on the relay?
 *
 * "On the relay" is known, not guessed: after each local change the client
 * sends a sync step 1 (a probe) behind its updates. The relay handles one
 * client's messages in order and answers a step 1 with a step 2, so when the
 * answer to the last probe arrives, every earlier update has been applied
 * there. That covers deletions too, which a state vector cannot show.
 */
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';
import type { WebsocketProvider } from 'y-websocket';
import { MESSAGE_SYNC } from '../model/protocol.js';

/** The four states shown in the sync badge. */
export type SyncState = 'offline' | 'connecting' | 'synced' | 'pending';

/** Everything the sync badge shows. */
export interface SyncSnapshot {
	state: SyncState;
	/** Local changes exist that the relay has not confirmed. */
	unconfirmed: boolean;
	/** When the relay last confirmed all local changes (ms), or `null`. */
	lastSyncedAt: number | null;
}

/** Origins of transactions that are not this person's own edits. */
export type RemoteOrigins = ReadonlySet<unknown>;

/** Watches a provider and a document and derives the sync state. */
export class SyncTracker {
	readonly #provider: WebsocketProvider;
	readonly #doc: Y.Doc;
	readonly #remote: RemoteOrigins;
	readonly #listeners = new Set<() => void>();
	#outstanding = 0;
	#unconfirmed = false;
	#lastSyncedAt: number | null = null;
	#snapshot: SyncSnapshot;
	readonly #cleanup: (() => void)[] = [];

	/**
	 * `remoteOrigins`: transaction origins that carry other people's changes
	 * (the providers themselves), which never make this device "pending".
	 */
	constructor(provider: WebsocketProvider, doc: Y.Doc, remoteOrigins: RemoteOrigins) {
		this.#provider = provider;
		this.#doc = doc;
		this.#remote = remoteOrigins;
		this.#snapshot = this.#compute();

		const original = provider.messageHandlers[MESSAGE_SYNC];
		provider.messageHandlers[MESSAGE_SYNC] = (encoder, decoder, p, emitSynced, type) => {
			// Only websocket messages (emitSynced) come from the relay; after the
			// handshake every step 2 from it answers one of our probes.
			const answersProbe = emitSynced && p.synced && peekSyncStep(decoder) === syncProtocol.messageYjsSyncStep2;
			original(encoder, decoder, p, emitSynced, type);
			if (answersProbe && this.#outstanding > 0) {
				this.#outstanding--;
				if (this.#outstanding === 0) {
					this.#unconfirmed = false;
					this.#lastSyncedAt = Date.now();
				}
				this.#changed();
			}
		};
		this.#cleanup.push(() => (provider.messageHandlers[MESSAGE_SYNC] = original));

		const onUpdate = (_update: Uint8Array, origin: unknown) => {
			if (this.#remote.has(origin)) return;
			this.#unconfirmed = true;
			// After the provider's own update handler has sent the update.
			queueMicrotask(() => this.#probe());
			this.#changed();
		};
		const onSync = (synced: boolean) => {
			if (synced) this.#probe();
			this.#changed();
		};
		const onStatus = () => {
			if (!provider.wsconnected) this.#outstanding = 0;
			this.#changed();
		};
		const onNetwork = () => this.#changed();
		doc.on('update', onUpdate);
		provider.on('sync', onSync);
		provider.on('status', onStatus);
		provider.on('connection-close', onStatus);
		provider.on('connection-error', onStatus);
		globalThis.addEventListener?.('online', onNetwork);
		globalThis.addEventListener?.('offline', onNetwork);
		this.#cleanup.push(() => {
			doc.off('update', onUpdate);
			provider.off('sync', onSync);
			provider.off('status', onStatus);
			provider.off('connection-close', onStatus);
			provider.off('connection-error', onStatus);
			globalThis.removeEventListener?.('online', onNetwork);
			globalThis.removeEventListener?.('offline', onNetwork);
		});
	}

	/** Asks the relay to answer behind everything sent so far. */
	#probe() {
		const ws = this.#provider.ws;
		if (!ws || !this.#provider.wsconnected || !this.#provider.synced || ws.readyState !== ws.OPEN) return;
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, MESSAGE_SYNC);
		syncProtocol.writeSyncStep1(encoder, this.#doc);
		ws.send(encoding.toUint8Array(encoder));
		this.#outstanding++;
		this.#changed();
	}

	#compute(): SyncSnapshot {
		const p = this.#provider;
		const online = globalThis.navigator?.onLine ?? true;
		let state: SyncState;
		if (online && p.wsconnected && p.synced) state = this.#unconfirmed || this.#outstanding > 0 ? 'pending' : 'synced';
		else if (online && (p.wsconnected || (p.wsconnecting && p.wsUnsuccessfulReconnects === 0))) state = 'connecting';
		else state = 'offline';
		return { state, unconfirmed: this.#unconfirmed || this.#outstanding > 0, lastSyncedAt: this.#lastSyncedAt };
	}

	#changed() {
		const next = this.#compute();
		const prev = this.#snapshot;
		if (next.state === prev.state && next.unconfirmed === prev.unconfirmed && next.lastSyncedAt === prev.lastSyncedAt)
			return;
		this.#snapshot = next;
		for (const fn of this.#listeners) fn();
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

	/** Stops watching. */
	destroy() {
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
