/**
 * One event's room: its document, presence, and connected clients.
 *
 * Write-ahead: an update is on disk before it is forwarded to anyone or
 * acknowledged, so no client can hold content the relay could lose in a
 * crash (a client re-sending content the relay lost would be refused by the
 * write check: it carries other members' items). Writes are group commits:
 * updates that arrive while a write is in flight go together in the next
 * one, so under load the batches grow instead of the queue, and each batch
 * is one log record. Messages from
 * one client are handled and answered in order, so a client that sends a
 * sync step 1 after its updates knows, when the step 2 answer comes, that
 * the relay holds them on disk (see src/lib/sync/status.ts).
 */
import type { WebSocket } from 'ws';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as encoding from 'lib0/encoding';
import { MESSAGE_AWARENESS, MESSAGE_SYNC } from '../src/lib/model/relay-protocol.js';
import { docFromStored, type RoomStorage, type StoredRoom } from './storage.js';
import { log } from './log.js';
import { parseCredentials, serializeCredentials, type Credentials } from './auth.js';
import type { RelayMetrics } from './metrics.js';

/** The log is folded into a snapshot once it takes at least this much on disk (and outweighs the snapshot). */
export const COMPACT_MIN_LOG_BYTES = 256 * 1024;

/** A client connected to a room. */
export interface Connection {
	ws: WebSocket;
	/** Awareness client ids this connection has announced, removed when it leaves. */
	awarenessIds: Set<number>;
	/** Counts what the room sends to it (metrics). */
	sent?: (bytes: number) => void;
}

export class Room {
	readonly id: string;
	readonly doc: Y.Doc;
	readonly awareness: awarenessProtocol.Awareness;
	readonly connections = new Map<WebSocket, Connection>();
	/** Who may write: hashes of registered secrets. */
	readonly credentials: Credentials;
	readonly #storage: RoomStorage;
	readonly #compactAfter: number;
	/** Updates received but not yet handed to storage. */
	#unwritten: Uint8Array[] = [];
	#unwrittenBytes = 0;
	/** Bytes of the batch being written (counted until its record is in the log). */
	#committingBytes = 0;
	/** What waits for those updates to be on disk (forwards, replies), in order. */
	#whenWritten: (() => void)[] = [];
	/** A commit is queued and has not started yet. */
	#commitQueued = false;
	/** A compaction is queued and has not started yet. */
	#compactionQueued = false;
	readonly #metrics: RelayMetrics | undefined;
	#nextSeq: number;
	/** Keys of the log records written since the snapshot. */
	#logKeys: string[];
	/** The room's handle in log keys (storage.ts), once it has one. */
	#handle: string | null;
	#logBytes: number;
	#snapshotBytes: number;
	/** The snapshot's state in v1 encoding, bytes: what the size limit counts (see `bytes`). */
	#stateBytes: number;
	#writes: Promise<void> = Promise.resolve();
	#needsSnapshot = false;
	/** Timer that unloads the room once it has been empty for a while. */
	idleTimer: NodeJS.Timeout | null = null;

	private constructor(
		id: string,
		doc: Y.Doc,
		credentials: Credentials,
		storage: RoomStorage,
		stored: StoredRoom,
		compactAfter: number,
		metrics: RelayMetrics | undefined
	) {
		this.id = id;
		this.doc = doc;
		this.credentials = credentials;
		this.#storage = storage;
		this.#nextSeq = stored.nextSeq;
		this.#logKeys = stored.logKeys;
		this.#handle = stored.handle;
		this.#logBytes = stored.logBytes;
		this.#snapshotBytes = stored.snapshotBytes;
		// Stored updates are v1 (the snapshot converted): all of them but the log is the snapshot's state.
		this.#stateBytes = Math.max(0, stored.updates.reduce((sum, u) => sum + u.byteLength, 0) - stored.logBytes);
		this.#compactAfter = compactAfter;
		this.#metrics = metrics;
		this.awareness = new awarenessProtocol.Awareness(doc);
		// The relay itself is not a participant.
		this.awareness.setLocalState(null);
		doc.on('update', this.#onUpdate);
		this.awareness.on('update', this.#onAwareness);
	}

	/** Loads a room from storage (an unknown room starts empty). */
	static async load(id: string, storage: RoomStorage, compactAfter: number, metrics?: RelayMetrics): Promise<Room> {
		const stored = await storage.load(id);
		if (stored.corrupt.length) {
			log.error({ room: id, records: stored.corrupt }, 'corrupted records skipped; room loaded from the intact ones');
		}
		const credentials = parseCredentials(await storage.loadCredentials(id));
		if (credentials.frozen) log.error({ room: id }, 'stored credentials unreadable; registering no new writers');
		const room = new Room(id, docFromStored(stored), credentials, storage, stored, compactAfter, metrics);
		if (room.#logIsLong() || stored.corrupt.length) room.#compact();
		return room;
	}

	#onUpdate = (update: Uint8Array, origin: unknown) => {
		this.#persist(update);
		const message = encodeSyncUpdate(update);
		this.whenWritten(() => {
			for (const conn of this.connections.values()) {
				if (conn.ws === origin) continue;
				send(conn, message);
				this.#metrics?.updatesOut.inc();
			}
		});
	};

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
	};

	#persist(update: Uint8Array) {
		this.#unwritten.push(update);
		this.#unwrittenBytes += update.byteLength;
		this.#queueCommit();
		if (this.#needsSnapshot) this.#compact();
	}

	/**
	 * When the log is folded into a snapshot: after `compactAfter` records
	 * (bounds the work of loading the room), or once the log outweighs the
	 * snapshot and a floor (bounds its size on disk). A snapshot rewrites the
	 * whole state, so folding by size, not after every few updates, keeps the
	 * bytes written per byte received low (docs/BENCHMARKS.md).
	 */
	#logIsLong(): boolean {
		return (
			this.#logKeys.length >= this.#compactAfter ||
			this.#logBytes >= Math.max(COMPACT_MIN_LOG_BYTES, this.#snapshotBytes)
		);
	}

	/** Runs `fn` once everything received so far is on disk (or its write failed loudly). */
	whenWritten(fn: () => void) {
		this.#whenWritten.push(fn);
		this.#queueCommit();
	}

	#queueCommit() {
		if (this.#commitQueued) return;
		this.#commitQueued = true;
		this.#writes = this.#writes.then(() => this.#commit());
	}

	/**
	 * Writes what has gathered since the last commit as one log record (the
	 * updates merged: one key and one record header for the lot), then
	 * releases what waited for it.
	 */
	async #commit() {
		this.#commitQueued = false;
		const batch = this.#unwritten;
		const waiting = this.#whenWritten;
		this.#committingBytes = this.#unwrittenBytes;
		this.#unwritten = [];
		this.#unwrittenBytes = 0;
		this.#whenWritten = [];
		if (batch.length) {
			const stopTimer = this.#metrics?.persistSeconds.startTimer();
			try {
				const record = batch.length === 1 ? batch[0] : Y.mergeUpdates(batch);
				const seq = this.#nextSeq++;
				const { key, handle } = await this.#storage.append(this.id, this.#handle, seq, record);
				this.#handle = handle;
				this.#logKeys.push(key);
				this.#logBytes += record.byteLength;
				this.#committingBytes = 0;
				stopTimer?.();
			} catch (err) {
				// The updates stay in memory; the next snapshot will carry them.
				this.#committingBytes = 0;
				this.#needsSnapshot = true;
				log.error({ room: this.id, err, updates: batch.length }, 'failed to store updates');
			}
			if (this.#logIsLong()) this.#compact();
		}
		for (const fn of waiting) fn();
	}

	/**
	 * Folds the log into a new snapshot, behind the commit of everything
	 * received so far. The state is read when the compaction runs, so it
	 * covers every record written before it.
	 */
	#compact() {
		if (this.#compactionQueued) return;
		this.#compactionQueued = true;
		this.#needsSnapshot = false;
		this.#queueCommit();
		this.#writes = this.#writes.then(async () => {
			this.#compactionQueued = false;
			const covered = this.#logKeys;
			const coveredBytes = this.#logBytes;
			this.#logKeys = [];
			this.#logBytes = 0;
			const state = Y.encodeStateAsUpdateV2(this.doc);
			const stateBytes = Y.encodeStateAsUpdate(this.doc).byteLength;
			try {
				await this.#storage.compact(this.id, state, covered);
				this.#snapshotBytes = state.byteLength;
				this.#stateBytes = stateBytes;
			} catch (err) {
				this.#logKeys = covered.concat(this.#logKeys);
				this.#logBytes += coveredBytes;
				this.#needsSnapshot = true;
				log.error({ room: this.id, err }, 'failed to compact room');
			}
		});
	}

	/** Writes the credentials after a registration, in order with the room's other writes. */
	saveCredentials() {
		const json = serializeCredentials(this.credentials);
		this.#writes = this.#writes
			.then(() => this.#storage.saveCredentials(this.id, json))
			.catch((err) => log.error({ room: this.id, err }, 'failed to store credentials'));
	}

	/** Resolves once every update received so far is on disk (or failed loudly). */
	flush(): Promise<void> {
		return new Promise((resolve) => this.whenWritten(resolve));
	}

	/** Updates received and not yet handed to storage. */
	get unwritten(): number {
		return this.#unwritten.length;
	}

	/**
	 * How big the room is, for `MAX_ROOM_BYTES`: its state as of the snapshot
	 * in v1 encoding, plus the log since and updates being written. Not the
	 * v2 snapshot's size on disk: v2 shrinks a long history of overwrites to
	 * a few bits each, while the document in memory keeps an item for each.
	 */
	get bytes(): number {
		return this.#stateBytes + this.#logBytes + this.#committingBytes + this.#unwrittenBytes;
	}

	/** Registers a client and starts the sync handshake with it. */
	add(ws: WebSocket, sent?: (bytes: number) => void): Connection {
		const conn: Connection = { ws, awarenessIds: new Set(), sent };
		this.connections.set(ws, conn);
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, MESSAGE_SYNC);
		syncProtocol.writeSyncStep1(encoder, this.doc);
		send(conn, encoding.toUint8Array(encoder));
		const states = this.awareness.getStates();
		if (states.size > 0) send(conn, encodeAwareness(this.awareness, [...states.keys()]));
		return conn;
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
		if (this.#logKeys.length + (this.#unwritten.length ? 1 : 0) > 1 || this.#needsSnapshot) this.#compact();
		await this.flush();
		// The compaction (queued behind that commit) reads the document: let it finish first.
		await this.#writes;
		this.awareness.destroy();
		this.doc.destroy();
	}
}

/** Encodes a document update as a y-websocket sync message. */
export function encodeSyncUpdate(update: Uint8Array): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, MESSAGE_SYNC);
	syncProtocol.writeUpdate(encoder, update);
	return encoding.toUint8Array(encoder);
}

/** Encodes awareness states as a y-websocket awareness message. */
export function encodeAwareness(awareness: awarenessProtocol.Awareness, clients: number[]): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
	encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, clients));
	return encoding.toUint8Array(encoder);
}

function send(conn: Connection, message: Uint8Array) {
	if (conn.ws.readyState !== conn.ws.OPEN) return;
	conn.sent?.(message.byteLength);
	conn.ws.send(message, (err) => {
		if (err) conn.ws.terminate();
	});
}
