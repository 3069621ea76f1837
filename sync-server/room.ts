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
import type * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import { docFromStored, type RoomStorage } from './storage.js';
import { log } from './log.js';
import { parseCredentials, serializeCredentials, type Credentials } from './auth.js';
import type { RelayMetrics } from './metrics.js';
import { encodeAwareness, encodeSyncStep1, encodeSyncUpdate } from './frames.js';
import { RoomLog } from './room-log.js';

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
	/** Who may write: hashes of registered secrets. */
	readonly credentials: Credentials;
	readonly #log: RoomLog;
	readonly #metrics: RelayMetrics | undefined;
	/** Timer that unloads the room once it has been empty for a while. */
	idleTimer: NodeJS.Timeout | null = null;

	private constructor(
		id: string,
		doc: Y.Doc,
		credentials: Credentials,
		roomLog: RoomLog,
		metrics: RelayMetrics | undefined
	) {
		this.id = id;
		this.doc = doc;
		this.credentials = credentials;
		this.#log = roomLog;
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
		const doc = docFromStored(stored);
		return new Room(id, doc, credentials, new RoomLog(id, doc, storage, stored, compactAfter, metrics), metrics);
	}

	#onUpdate = (update: Uint8Array, origin: unknown) => {
		this.#log.append(update);
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

	/** Runs `fn` once everything received so far is on disk (or its write failed loudly). */
	whenWritten(fn: () => void) {
		this.#log.whenWritten(fn);
	}

	/** Writes the credentials after a registration, in order with the room's other writes. */
	saveCredentials() {
		this.#log.saveCredentials(serializeCredentials(this.credentials));
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
		await this.#log.close();
		this.awareness.destroy();
		this.doc.destroy();
	}
}

/** Sends without waiting; a client whose socket fails is dropped (it reconnects and resyncs). */
function send(conn: Connection, message: Uint8Array) {
	if (conn.ws.readyState !== conn.ws.OPEN) return;
	conn.sent?.(message.byteLength);
	conn.ws.send(message, (err) => {
		if (err) conn.ws.terminate();
	});
}
