/**
 * Durable room storage on embedded LevelDB (classic-level).
 *
 * A room is a snapshot plus an append-only log of updates:
 *   `r/<room>/s2`         the snapshot: the whole state as one update in Yjs's
 *                         v2 format (an overwritten mark costs a few bits in v2,
 *                         tens of bytes in v1; docs/BENCHMARKS.md)
 *   `r/<room>/s`          a snapshot in v1 format, as earlier versions wrote it;
 *                         read if there is no `s2`, removed by the next compaction
 *   `l/<handle>/<seq>`    one group commit: the updates that arrived together,
 *                         merged into one v1 update; `handle` is the room's
 *                         short name (`r/<room>/h`), seq base 36, padded to sort.
 *                         Short keys matter: a stroke is ~30 bytes, and each
 *                         record's key is written once and deleted once
 *   `r/<room>/h`          the room's handle, given at its first write (`h`
 *                         holds the next one; `H/<handle>` names the room, so
 *                         a damaged handle or counter can be rebuilt)
 *   `r/<room>/u/<seq>`    log records as earlier versions wrote them; read,
 *                         and removed by the next compaction
 *   `r/<room>/k`          write credentials (hashes of secrets, JSON; see auth.ts)
 *   `a/<key>`             a PIN attempt counter (JSON: the entry and when it expires)
 * Every update is written before it is forwarded; compaction folds the log
 * into a new snapshot in one atomic batch, so a crash at any point leaves
 * either the old snapshot and its log or the new snapshot.
 *
 * Every write is synchronous (`sync: true`: LevelDB fsyncs its log before
 * the write resolves). Without it a write is only in the OS's page cache:
 * it survives the relay crashing but not a power loss or a kernel crash,
 * and the relay would have forwarded and acknowledged it already. Group
 * commit makes that one fsync per batch, not per update: per room (room-log.ts
 * merges the updates that arrive during a write into one record), and here
 * across rooms: writes asked for while one is on its way to disk go
 * together in the next batch, one fsync for all of them.
 */
import { ClassicLevel } from 'classic-level';
import * as Y from 'yjs';

const SEQ_WIDTH = 8;
const NEXT_HANDLE_KEY = 'h';
const handleKey = (room: string) => `r/${room}/h`;
const roomOfHandleKey = (handle: string) => `H/${handle}`;
const HANDLE_PATTERN = /^[0-9a-z]{1,10}$/;
const logPrefix = (handle: string) => `l/${handle}/`;
const logKey = (handle: string, seq: number) => logPrefix(handle) + seq.toString(36).padStart(SEQ_WIDTH, '0');
const text = new TextDecoder();
const bytesOf = (value: string) => new TextEncoder().encode(value);
const snapshotKey = (room: string) => `r/${room}/s2`;
const v1SnapshotKey = (room: string) => `r/${room}/s`;
const credentialsKey = (room: string) => `r/${room}/k`;
const clientPrefix = (room: string) => `r/${room}/c/`;
const roomPrefix = (room: string) => `r/${room}/`;
/** Just past every key of `room` (`0` follows `/`). */
const roomEnd = (room: string) => `r/${room}0`;

/** What is on disk for one room. */
export interface StoredRoom {
	/** All stored updates (v1 format), snapshot first, in the order they were written. */
	updates: Uint8Array[];
	/** Bytes the snapshot takes on disk (0 without one). */
	snapshotBytes: number;
	/** Bytes the log records take on disk. */
	logBytes: number;
	/** The room's handle in log keys, `null` until its first write. */
	handle: string | null;
	/** The seq the next appended update gets. */
	nextSeq: number;
	/** Keys of the records currently in the log (not yet folded into the snapshot). */
	logKeys: string[];
	/** Bytes of each of those records, in the same order. */
	logSizes: number[];
	/** Keys of records that are not valid updates (skipped; see {@link RoomStorage.load}). */
	corrupt: string[];
	/** The room's write credentials (JSON, see auth.ts), if any. */
	credentials: string | undefined;
	/** The room's client id bindings (see client-ids.ts): client id to owner. */
	clients: Map<number, string>;
}

/** How a {@link RoomStorage} writes. */
export interface StorageOptions {
	/**
	 * Whether each write waits for the disk (fsync), default `true`. `false`
	 * loses acknowledged writes on a power loss: only for benchmarks that
	 * measure what the fsync costs (`STORE_SYNC=0`).
	 */
	sync?: boolean;
}

type Operation = { type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string };

/** One write waiting for the batch it goes to disk in. */
interface Pending {
	ops: Operation[];
	done: () => void;
	failed: (err: unknown) => void;
}

/** The relay's store: one LevelDB for all rooms. */
export class RoomStorage {
	readonly #db: ClassicLevel<string, Uint8Array>;
	/** Options of every batch (see the file comment). */
	readonly #write: { sync: boolean };
	/** Writes asked for while a batch is on its way to disk; they go in the next one. */
	#pending: Pending[] = [];
	/** The batches under way, until the queue is empty; `null` when idle. */
	#draining: Promise<void> | null = null;
	#nextHandle = 0;
	/** Handles are given one at a time, so `h` only ever grows on disk. */
	#handing: Promise<unknown> = Promise.resolve();

	constructor(dir: string, options: StorageOptions = {}) {
		this.#db = new ClassicLevel<string, Uint8Array>(dir, {
			keyEncoding: 'utf8',
			valueEncoding: 'view',
			// 1 MB each instead of LevelDB's 8 MB block cache and 4 MB write buffer: both are
			// held for good once filled, and were most of what a relay kept after a crowd had
			// left (docs/RELIABILITY.md, finding 3). Loaded rooms live in memory, so the block
			// cache only serves room loads, which the OS's page cache serves nearly as well.
			cacheSize: 1 << 20,
			writeBufferSize: 1 << 20
		});
		this.#write = { sync: options.sync ?? true };
	}

	/**
	 * Writes `ops` atomically, together with whatever else is asked for
	 * meanwhile (group commit across rooms). A failed batch fails every
	 * write in it; each caller retries or reports its own.
	 */
	#commit(ops: Operation[]): Promise<void> {
		return new Promise((done, failed) => {
			this.#pending.push({ ops, done, failed });
			this.#draining ??= this.#drain();
		});
	}

	async #drain() {
		while (this.#pending.length) {
			const group = this.#pending;
			this.#pending = [];
			try {
				await this.#db.batch(group.length === 1 ? group[0].ops : group.flatMap((w) => w.ops), this.#write);
				for (const w of group) w.done();
			} catch (err) {
				for (const w of group) w.failed(err);
			}
		}
		this.#draining = null;
	}

	/** The database is open (for `/readyz`). */
	get isOpen(): boolean {
		return this.#db.status === 'open';
	}

	/** Opens the database (creating it if needed). */
	async open(): Promise<void> {
		await this.#db.open();
		const next = await this.#db.get(NEXT_HANDLE_KEY);
		const counted = next ? text.decode(next) : '';
		if (HANDLE_PATTERN.test(counted)) {
			this.#nextHandle = parseInt(counted, 36);
			return;
		}
		// No counter (a new database) or a damaged one: one past every handle given, so none is given twice.
		this.#nextHandle = 0;
		for await (const key of this.#db.keys({ gte: 'H/', lt: 'H/~' })) {
			const handle = key.slice(2);
			if (HANDLE_PATTERN.test(handle)) this.#nextHandle = Math.max(this.#nextHandle, parseInt(handle, 36) + 1);
		}
	}

	/**
	 * A room's handle from its stored record (`stored`), or `null` if it has
	 * none yet. A damaged handle record is rebuilt from the `H/` index (and
	 * reported in `corrupt`), so the room's log is not lost.
	 */
	async #handleOf(room: string, stored: Uint8Array | undefined, corrupt: string[]): Promise<string | null> {
		if (!stored) return null;
		const handle = text.decode(stored);
		if (HANDLE_PATTERN.test(handle)) return handle;
		corrupt.push(handleKey(room));
		for await (const [key, value] of this.#db.iterator({ gte: 'H/', lt: 'H/~' })) {
			if (text.decode(value) !== room) continue;
			const found = key.slice(2);
			await this.#commit([{ type: 'put', key: handleKey(room), value: bytesOf(found) }]);
			return found;
		}
		// Nothing names this room: its log (if any) cannot be found; a fresh handle is given at the next write.
		await this.#commit([{ type: 'del', key: handleKey(room) }]);
		return null;
	}

	/**
	 * Reads everything stored for a room: snapshot, log, credentials and
	 * client id bindings. A room never written reads as empty. A record that
	 * does not decode as an update (a torn or corrupted write) is left out
	 * and listed in `corrupt`, so the room loads from the rest.
	 *
	 * Two range reads, not one point read per key: classic-level takes each
	 * read's snapshot synchronously on the main thread, so a restart's
	 * reconnecting crowd waited on ~7 of them per room (docs/BENCHMARKS.md,
	 * 2026-11-30). One iterator over the room's own keys (`r/<room>/…`, which
	 * sort together: room ids have no `/`), then one over its log, which is
	 * under its handle.
	 */
	async load(room: string): Promise<StoredRoom> {
		const prefix = roomPrefix(room);
		let snapshot: Uint8Array | undefined;
		let v1Snapshot: Uint8Array | undefined;
		let storedHandle: Uint8Array | undefined;
		let credentials: string | undefined;
		const clients = new Map<number, string>();
		const legacy: [string, Uint8Array][] = [];
		for await (const [key, value] of this.#db.iterator({ gte: prefix, lt: roomEnd(room) })) {
			const rest = key.slice(prefix.length);
			if (rest === 's2') snapshot = value;
			else if (rest === 's') v1Snapshot = value;
			else if (rest === 'h') storedHandle = value;
			else if (rest === 'k') credentials = text.decode(value);
			else if (rest.startsWith('c/')) clients.set(parseInt(rest.slice(2), 36), text.decode(value));
			else if (rest.startsWith('u/')) legacy.push([key, value]);
		}
		const updates: Uint8Array[] = [];
		const logKeys: string[] = [];
		const logSizes: number[] = [];
		const corrupt: string[] = [];
		const keep = (key: string, value: Uint8Array) => {
			if (isUpdate(value)) updates.push(value);
			else corrupt.push(key);
		};
		let snapshotBytes = 0;
		if (snapshot) {
			snapshotBytes = snapshot.byteLength;
			// Merged with the log as v1, the format the rest of the relay speaks.
			const v1 = fromV2(snapshot);
			if (v1) updates.push(v1);
			else corrupt.push(snapshotKey(room));
		} else if (v1Snapshot) {
			snapshotBytes = v1Snapshot.byteLength;
			keep(v1SnapshotKey(room), v1Snapshot);
		}
		const handle = await this.#handleOf(room, storedHandle, corrupt);
		let logBytes = 0;
		let nextSeq = 0;
		const record = (key: string, value: Uint8Array) => {
			keep(key, value);
			logBytes += value.byteLength;
			// Corrupted entries stay in the log so the next compaction removes them.
			logKeys.push(key);
			logSizes.push(value.byteLength);
		};
		for (const [key, value] of legacy) record(key, value);
		if (handle) {
			const log = logPrefix(handle);
			for await (const [key, value] of this.#db.iterator({ gte: log, lt: log + '~' })) {
				record(key, value);
				const seq = parseInt(key.slice(log.length), 36);
				if (Number.isFinite(seq)) nextSeq = Math.max(nextSeq, seq + 1);
			}
		}
		return { updates, snapshotBytes, logBytes, handle, nextSeq, logKeys, logSizes, corrupt, credentials, clients };
	}

	/**
	 * Appends one record (a v1 update) to a room's log. A room without a
	 * handle (`null`) gets one in the same atomic write. Resolves with the
	 * record's key and the room's handle.
	 */
	async append(
		room: string,
		handle: string | null,
		seq: number,
		update: Uint8Array
	): Promise<{ key: string; handle: string }> {
		if (handle) {
			const key = logKey(handle, seq);
			await this.#commit([{ type: 'put', key, value: update }]);
			return { key, handle };
		}
		const given = this.#handing.then(async () => {
			const fresh = (this.#nextHandle++).toString(36);
			const key = logKey(fresh, seq);
			await this.#commit([
				{ type: 'put', key: NEXT_HANDLE_KEY, value: bytesOf(this.#nextHandle.toString(36)) },
				{ type: 'put', key: handleKey(room), value: bytesOf(fresh) },
				{ type: 'put', key: roomOfHandleKey(fresh), value: bytesOf(room) },
				{ type: 'put', key, value: update }
			]);
			return { key, handle: fresh };
		});
		this.#handing = given.catch(() => {});
		return given;
	}

	/**
	 * Replaces a room's snapshot with `stateV2` (the whole state, encoded
	 * with `Y.encodeStateAsUpdateV2`) and drops the log entries it covers
	 * and any v1 snapshot, atomically.
	 */
	async compact(room: string, stateV2: Uint8Array, coveredKeys: string[]): Promise<void> {
		await this.#commit([
			{ type: 'put', key: snapshotKey(room), value: stateV2 },
			{ type: 'del', key: v1SnapshotKey(room) },
			...coveredKeys.map((key) => ({ type: 'del' as const, key }))
		]);
	}

	/** A room's stored credentials (JSON text), if any. */
	async loadCredentials(room: string): Promise<string | undefined> {
		const value = await this.#db.get(credentialsKey(room));
		return value ? text.decode(value) : undefined;
	}

	/** Replaces a room's stored credentials. */
	async saveCredentials(room: string, json: string): Promise<void> {
		await this.#commit([{ type: 'put', key: credentialsKey(room), value: bytesOf(json) }]);
	}

	/** A room's client id bindings (see client-ids.ts): client id to owner. */
	async loadClients(room: string): Promise<Map<number, string>> {
		const owners = new Map<number, string>();
		const prefix = clientPrefix(room);
		for await (const [key, value] of this.#db.iterator({ gte: prefix, lt: prefix + '~' }))
			owners.set(parseInt(key.slice(prefix.length), 36), text.decode(value));
		return owners;
	}

	/** Binds each of `clients` to `owner` (the caller knows they are unbound), in one write. */
	async bindClients(room: string, clients: number[], owner: string): Promise<void> {
		const value = bytesOf(owner);
		await this.#commit(
			clients.map((client) => ({ type: 'put' as const, key: clientPrefix(room) + client.toString(36), value }))
		);
	}

	/** The attempt counter record of `key` (JSON), if any. */
	async loadAttempts(key: string): Promise<string | undefined> {
		const value = await this.#db.get(`a/${key}`);
		return value ? text.decode(value) : undefined;
	}

	/** Replaces (or with `undefined`, deletes) the attempt counter record of `key`. */
	async saveAttempts(key: string, json: string | undefined): Promise<void> {
		await this.#commit([
			json === undefined ? { type: 'del', key: `a/${key}` } : { type: 'put', key: `a/${key}`, value: bytesOf(json) }
		]);
	}

	/** Every attempt counter record, as key and JSON. */
	async *allAttempts(): AsyncGenerator<[string, string]> {
		for await (const [key, value] of this.#db.iterator({ gte: 'a/', lt: 'a/~' }))
			yield [key.slice(2), text.decode(value)];
	}

	/** Closes the database; pending writes finish first. */
	async close(): Promise<void> {
		await this.#draining;
		await this.#db.close();
	}
}

/** Builds a document from stored updates. */
export function docFromStored(stored: Pick<StoredRoom, 'updates'>): Y.Doc {
	const doc = new Y.Doc({ gc: true });
	if (!stored.updates.length) return doc;
	try {
		// Merging first applies the whole history in one transaction, far cheaper
		// than one transaction per logged update.
		Y.applyUpdate(doc, Y.mergeUpdates(stored.updates));
	} catch {
		// A record that decodes but does not merge: apply what does, one by one.
		for (const update of stored.updates) {
			try {
				Y.applyUpdate(doc, update);
			} catch {
				// Already reported as part of the load; the rest still counts.
			}
		}
	}
	return doc;
}

/** A v2 update converted to v1, or `null` if it does not decode. */
export function fromV2(bytes: Uint8Array): Uint8Array | null {
	try {
		const v1 = Y.convertUpdateFormatV2ToV1(bytes);
		return isUpdate(v1) ? v1 : null;
	} catch {
		return null;
	}
}

/** Whether `bytes` is a complete, decodable Yjs update. */
export function isUpdate(bytes: Uint8Array): boolean {
	try {
		Y.decodeUpdate(bytes);
		return true;
	} catch {
		return false;
	}
}
