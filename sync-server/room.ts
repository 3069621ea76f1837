/**
 * One event's room: its document, its connected clients and their presence.
 *
 * Write-ahead: an update is on disk (room-log.ts) before it is forwarded to
 * anyone or acknowledged, so no client can hold content the relay could
 * lose in a crash (a client re-sending content the relay lost would be
 * refused by the write check: it carries other members' items). Messages
 * from one client are handled and answered in order, so a client that
 * sends a sync step 1 after its updates knows, when the step 2 answer
 * comes, that the relay holds them on disk (see src/lib/sync/status.ts).
 */
import type { WebSocket } from 'ws';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import { CLOSE_TRY_AGAIN_LATER } from '../src/lib/model/relay-protocol.js';
import { docFromStored } from './storage.js';
import { log } from './log.js';
import { parseCredentials, serializeCredentials, type Credentials } from './auth.js';
import type { RelayMetrics } from './metrics.js';
import { encodeAwareness, encodeSyncStep1, encodeSyncStep2, encodeSyncUpdate } from './frames.js';
import { RoomLog, type Appended } from './room-log.js';
import type { RoomStore, StoredCredentials } from './store.js';

/** Origin of what another relay instance wrote: already durable, so forwarded at once and not stored again. */
export const FROM_FEED = Symbol('feed');

/** How many times a credentials save is retried after another instance saved first. */
const CREDENTIAL_RETRIES = 8;

/** A client connected to a room. */
interface Connection {
	ws: WebSocket;
	/** Awareness client ids this connection has announced, removed when it leaves. */
	awarenessIds: Set<number>;
	/** Counts what the room sends to it (metrics). */
	sent?: (bytes: number) => void;
}

/** A loaded room: what its clients share, and where their writes go. */
export class Room {
	readonly id: string;
	readonly doc: Y.Doc;
	readonly awareness: awarenessProtocol.Awareness;
	readonly connections = new Map<WebSocket, Connection>();
	/** Who may write: hashes of registered secrets (replaced, never changed in place). */
	credentials: Credentials;
	#credentialsVersion: number;
	readonly #store: RoomStore;
	readonly #log: RoomLog;
	readonly #metrics: RelayMetrics | undefined;
	/** The last seq of the room's sequence the document includes every record up to. */
	#applied: number;
	/** Catch-ups run one at a time, in order. */
	#catchingUp: Promise<void> = Promise.resolve();
	readonly #unwatch: () => void;
	/** The store failed for good: the room is being dropped. */
	#gone = false;
	/** Timer that unloads the room once it has been empty for a while. */
	idleTimer: NodeJS.Timeout | null = null;
	readonly #onFailed: (room: Room) => void;
	/** Client id bindings (client-ids.ts) known to this instance; a binding never changes. */
	readonly #clientOwners: Map<number, string>;
	/** Credential changes run one at a time (see `updateCredentials`). */
	#credentialChanges: Promise<unknown> = Promise.resolve();
	/** Bindings are asked for one at a time. */
	#binding: Promise<unknown> = Promise.resolve();
	/** While a client's update is being applied: what it produced, held back until the apply returns. */
	#held: Uint8Array[] | null = null;
	/**
	 * The answer to a sync step 1 from a client that has nothing yet, until
	 * the document changes: a crowd opening a link, or coming back after a
	 * restart, would otherwise encode the whole document once per client.
	 */
	#fullStep2: Uint8Array | null = null;

	private constructor(
		id: string,
		store: RoomStore,
		stored: Awaited<ReturnType<RoomStore['load']>>,
		credentials: { credentials: Credentials; version: number },
		clientOwners: Map<number, string>,
		compactAfter: number,
		metrics: RelayMetrics | undefined,
		onFailed: (room: Room) => void
	) {
		this.id = id;
		this.#store = store;
		this.doc = docFromStored(stored);
		this.credentials = credentials.credentials;
		this.#credentialsVersion = credentials.version;
		this.#applied = stored.seq;
		this.#metrics = metrics;
		this.#onFailed = onFailed;
		this.#clientOwners = clientOwners;
		this.#log = new RoomLog(id, this.doc, store, stored, compactAfter, metrics, {
			committed: (record, update, batch) => {
				store.feed.announce(id, record.seq, update);
				this.#forward(update, batch);
				if (record.seq === this.#applied + 1) this.#applied = record.seq;
				// Another instance wrote in between: fetch it, so the position stays true.
				else if (record.seq > this.#applied) void this.catchUp();
			},
			failed: () => this.#drop('storage-unavailable'),
			position: () => this.#applied
		});
		this.awareness = new awarenessProtocol.Awareness(this.doc);
		// The relay itself is not a participant.
		this.awareness.setLocalState(null);
		this.doc.on('update', this.#onUpdate);
		this.awareness.on('update', this.#onAwareness);
		this.#unwatch = store.feed.watch(id, {
			appended: (seq, update) => {
				if (seq <= this.#applied) return;
				if (seq === this.#applied + 1 && update) {
					this.#applyFromFeed(update);
					this.#applied = seq;
				} else void this.catchUp();
			},
			presence: (update) => awarenessProtocol.applyAwarenessUpdate(this.awareness, update, FROM_FEED),
			behind: () => void this.catchUp()
		});
	}

	/** Loads a room from the store (an unknown room starts empty). */
	static async load(
		id: string,
		store: RoomStore,
		compactAfter: number,
		metrics: RelayMetrics | undefined,
		onFailed: (room: Room) => void
	): Promise<Room> {
		const stored = await store.load(id);
		if (stored.corrupt.length) {
			log.error({ room: id, records: stored.corrupt }, 'corrupted records skipped; room loaded from the intact ones');
		}
		const credentials = parsedCredentials(id, stored.credentials);
		return new Room(id, store, stored, credentials, stored.clients, compactAfter, metrics, onFailed);
	}

	#applyFromFeed(update: Uint8Array) {
		try {
			Y.applyUpdate(this.doc, update, FROM_FEED);
		} catch (err) {
			// Written by a relay that checked it: a record that does not apply is damage, not a client's doing.
			log.error({ room: this.id, err }, 'a record from the shared store does not apply');
		}
	}

	/**
	 * Brings the document up to everything other instances have committed to
	 * the room (nothing to do with one process on LevelDB). Run before
	 * answering a client's sync step 1, and before refusing a write, which
	 * may only look wrong because this instance is behind.
	 */
	catchUp(): Promise<void> {
		if (!this.#store.feed.shared) return Promise.resolve();
		this.#catchingUp = this.#catchingUp.then(async () => {
			if (this.#gone) return;
			try {
				const found = await this.#store.feed.since(this.id, this.#applied);
				if (found.snapshot) this.#applyFromFeed(found.snapshot);
				for (const record of found.records) this.#applyFromFeed(record.update);
				this.#applied = Math.max(this.#applied, found.seq);
			} catch (err) {
				log.warn({ room: this.id, err }, 'catching up from the shared store failed');
			}
		});
		return this.#catchingUp;
	}

	/**
	 * Applies a client's checked update. Yjs reports a transaction's update
	 * even when applying threw midway (its cleanup runs in a `finally`), so
	 * what the apply produces is held back until it returns: only an update
	 * that applied whole is logged and forwarded. One that threw leaves the
	 * document holding part of it, which must never be stored or sent: the
	 * room is dropped unwritten and its clients reload it from the store.
	 * Throws what the apply threw.
	 */
	applyClientUpdate(update: Uint8Array, origin: object) {
		const held: Uint8Array[] = [];
		this.#held = held;
		try {
			Y.applyUpdate(this.doc, update, origin);
		} catch (err) {
			log.error({ room: this.id, err: String(err) }, 'an update failed midway; reloading the room from the store');
			this.#log.abandon();
			// The sender is closed for the message by its connection; the others come back.
			this.#drop('room-reloading', origin);
			throw err;
		} finally {
			this.#held = null;
		}
		for (const produced of held) this.#onUpdate(produced, origin);
	}

	/** Drops the room from memory: its clients are told to come back, and get a fresh load. */
	#drop(reason: string, except?: object) {
		if (this.#gone) return;
		this.#gone = true;
		for (const conn of this.connections.values()) if (conn.ws !== except) conn.ws.close(CLOSE_TRY_AGAIN_LATER, reason);
		this.#onFailed(this);
	}

	/** The sync step 2 frame answering a client's step 1 with `stateVector`: what it lacks of the document. */
	syncStep2(stateVector: Uint8Array): Uint8Array {
		// An empty state vector (no clients) is one byte, 0: the client lacks everything.
		if (stateVector.length !== 1 || stateVector[0] !== 0) return encodeSyncStep2(this.doc, stateVector);
		return (this.#fullStep2 ??= encodeSyncStep2(this.doc, stateVector));
	}

	/** Who `client` is bound to (client-ids.ts), if this instance knows. */
	ownerOfClient(client: number): string | undefined {
		return this.#clientOwners.get(client);
	}

	/**
	 * Binds the unbound of `clients` to `owner` in the store (first write
	 * wins, across instances) and resolves with each one's owner.
	 */
	bindClients(clients: number[], owner: string): Promise<Map<number, string>> {
		const bound = this.#binding.then(async () => {
			const unknown = clients.filter((client) => !this.#clientOwners.has(client));
			if (unknown.length) {
				const stored = await this.#store.bindClients(this.id, unknown, owner);
				for (const [client, who] of stored) this.#clientOwners.set(client, who);
			}
			return new Map(clients.map((client) => [client, this.#clientOwners.get(client)!]));
		});
		this.#binding = bound.catch(() => {});
		return bound;
	}

	#onUpdate = (update: Uint8Array, origin: unknown) => {
		this.#fullStep2 = null;
		if (this.#held && origin !== FROM_FEED) {
			this.#held.push(update);
			return;
		}
		if (origin === FROM_FEED) {
			const message = encodeSyncUpdate(update);
			for (const conn of this.connections.values()) {
				send(conn, message);
				this.#metrics?.updatesOut.inc();
			}
			return;
		}
		// Forwarded by #forward once its group commit is on disk.
		this.#log.append(update, origin);
	};

	/**
	 * Forwards one group commit: `merged` (the batch's updates merged, as
	 * stored) as one frame to every client that sent none of them, and to
	 * each sender the merge of the others' updates, if any: nobody is sent
	 * back what it sent. In a crowd this is one frame per commit to each
	 * observer instead of one per update, so the encoding, the syscalls and
	 * the observers' applies shrink with the batch. Runs before what waited
	 * for the commit (replies), and commits run one at a time, so clients
	 * get the batches in the order they were stored.
	 */
	#forward(merged: Uint8Array, batch: readonly Appended[]) {
		const senders = new Set(batch.map((a) => a.origin));
		let frame: Uint8Array | null = null;
		for (const conn of this.connections.values()) {
			const message = senders.has(conn.ws) ? othersFor(conn.ws, batch) : (frame ??= encodeSyncUpdate(merged));
			if (!message) continue;
			send(conn, message);
			this.#metrics?.updatesOut.inc();
		}
	}

	#onAwareness = (
		{ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
		origin: unknown
	) => {
		const changed = [...added, ...updated, ...removed];
		const conn = origin instanceof Object ? this.connections.get(origin as WebSocket) : undefined;
		if (conn) {
			for (const id of [...added, ...updated]) {
				// A client that reconnects announces itself on the new connection
				// before the old one has closed: the old one must not remove it then.
				for (const other of this.connections.values()) if (other !== conn) other.awarenessIds.delete(id);
				conn.awarenessIds.add(id);
			}
			for (const id of removed) conn.awarenessIds.delete(id);
		}
		const message = encodeAwareness(this.awareness, changed);
		for (const c of this.connections.values()) send(c, message);
		if (origin !== FROM_FEED && this.#store.feed.shared) {
			this.#store.feed.announcePresence(this.id, awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed));
		}
	};

	/** The store failed for good and the room was dropped: nobody may join it (they reload it). */
	get gone(): boolean {
		return this.#gone;
	}

	/** Runs `fn` once everything received so far is durably stored (never, if the store fails for good). */
	whenWritten(fn: () => void) {
		this.#log.whenWritten(fn);
	}

	/** Reads the credentials again (another instance may have registered someone), after any change under way. */
	reloadCredentials(): Promise<void> {
		const run = this.#credentialChanges.then(() => this.#reloadCredentials());
		this.#credentialChanges = run.catch(() => {});
		return run;
	}

	async #reloadCredentials(): Promise<void> {
		const loaded = await loadCredentials(this.#store, this.id);
		this.credentials = loaded.credentials;
		this.#credentialsVersion = loaded.version;
	}

	/**
	 * Changes the credentials with `change` (given a copy) and saves them if
	 * no other instance saved in between; otherwise reloads and runs `change`
	 * again on what is there now, which may decide differently (throw, or
	 * return a refusal). Resolves with `change`'s result once saved.
	 */
	updateCredentials<T>(change: (draft: Credentials) => T, changed: (result: T) => boolean = () => true): Promise<T> {
		// One change at a time: a change that found the version moved must not reload credentials
		// while another change of this room is still being saved (it would read them from before
		// that save, and overwrite it).
		const run = this.#credentialChanges.then(() => this.#updateCredentials(change, changed));
		this.#credentialChanges = run.catch(() => {});
		return run;
	}

	async #updateCredentials<T>(change: (draft: Credentials) => T, changed: (result: T) => boolean): Promise<T> {
		for (let attempt = 0; ; attempt++) {
			const draft = structuredClone(this.credentials);
			const result = change(draft);
			if (!changed(result)) return result;
			const version = await this.#store.saveCredentials(this.id, serializeCredentials(draft), this.#credentialsVersion);
			if (version !== null) {
				this.credentials = draft;
				this.#credentialsVersion = version;
				return result;
			}
			if (attempt === CREDENTIAL_RETRIES) throw new Error('credentials kept changing while saving');
			await this.#reloadCredentials();
		}
	}

	/** Updates received and not yet handed to storage. */
	get unwritten(): number {
		return this.#log.unwritten;
	}

	/** How big the room is, for `MAX_ROOM_BYTES` (see {@link RoomLog.bytes}). */
	get bytes(): number {
		return this.#log.bytes;
	}

	/** Registers a client and starts the sync handshake with it. */
	add(ws: WebSocket, sent?: (bytes: number) => void) {
		const conn: Connection = { ws, awarenessIds: new Set(), sent };
		this.connections.set(ws, conn);
		send(conn, encodeSyncStep1(this.doc));
		const states = this.awareness.getStates();
		if (states.size > 0) send(conn, encodeAwareness(this.awareness, [...states.keys()]));
	}

	/** Removes a client and the presence it announced. */
	remove(ws: WebSocket) {
		const conn = this.connections.get(ws);
		if (!conn) return;
		this.connections.delete(ws);
		if (conn.awarenessIds.size) awarenessProtocol.removeAwarenessStates(this.awareness, [...conn.awarenessIds], null);
	}

	/** Writes what is pending, folds the log if it has grown, and frees memory. */
	async unload(): Promise<void> {
		this.#unwatch();
		await this.#log.close();
		this.#store.forget(this.id);
		this.awareness.destroy();
		this.doc.destroy();
	}
}

/** A room's credentials from the store. */
async function loadCredentials(store: RoomStore, id: string) {
	return parsedCredentials(id, await store.loadCredentials(id));
}

/** Stored credentials parsed; an unreadable record gives frozen, empty ones (logged). */
function parsedCredentials(id: string, stored: StoredCredentials) {
	const credentials = parseCredentials(stored.json);
	if (credentials.frozen) log.error({ room: id }, 'stored credentials unreadable; registering no new writers');
	return { credentials, version: stored.version };
}

/** The frame for `sender` of a batch it took part in: the other senders' updates merged, or null if it sent them all. */
function othersFor(sender: WebSocket, batch: readonly Appended[]): Uint8Array | null {
	const others = batch.filter((a) => a.origin !== sender).map((a) => a.update);
	if (!others.length) return null;
	return encodeSyncUpdate(others.length === 1 ? others[0] : Y.mergeUpdates(others));
}

/** Sends without waiting; a client whose socket fails is dropped (it reconnects and resyncs). */
function send(conn: Connection, message: Uint8Array) {
	if (conn.ws.readyState !== conn.ws.OPEN) return;
	conn.sent?.(message.byteLength);
	conn.ws.send(message, (err) => {
		if (err) conn.ws.terminate();
	});
}
