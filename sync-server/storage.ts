/**
 * Durable room storage on embedded LevelDB (classic-level).
 *
 * A room is a snapshot plus an append-only log of updates:
 *   `r/<room>/s2`         the snapshot: the whole state as one update in Yjs's
 *                         v2 format (an overwritten mark costs a few bits in v2,
 *                         tens of bytes in v1; docs/BENCHMARKS.md)
 *   `r/<room>/s`          a snapshot in v1 format, as earlier versions wrote it;
 *                         read if there is no `s2`, removed by the next compaction
 *   `r/<room>/u/<seq>`    one group commit: the updates that arrived together,
 *                         merged into one v1 update, seq zero-padded to sort
 *   `r/<room>/k`          write credentials (hashes of secrets, JSON; see auth.ts)
 * Every update is written before it is forwarded; compaction folds the log
 * into a new snapshot in one atomic batch, so a crash at any point leaves
 * either the old snapshot and its log or the new snapshot.
 */
import { ClassicLevel } from 'classic-level';
import * as Y from 'yjs';

const SEQ_WIDTH = 12;
const seqKey = (room: string, seq: number) => `r/${room}/u/${String(seq).padStart(SEQ_WIDTH, '0')}`;
const snapshotKey = (room: string) => `r/${room}/s2`;
const v1SnapshotKey = (room: string) => `r/${room}/s`;
const credentialsKey = (room: string) => `r/${room}/k`;

/** What is on disk for one room. */
export interface StoredRoom {
	/** All stored updates (v1 format), snapshot first, in the order they were written. */
	updates: Uint8Array[];
	/** Bytes the snapshot takes on disk (0 without one). */
	snapshotBytes: number;
	/** Bytes the log records take on disk. */
	logBytes: number;
	/** The seq the next appended update gets. */
	nextSeq: number;
	/** Seqs currently in the log (not yet folded into the snapshot). */
	logSeqs: number[];
	/** Keys of records that are not valid updates (skipped; see {@link RoomStorage.load}). */
	corrupt: string[];
}

/** The relay's store: one LevelDB for all rooms. */
export class RoomStorage {
	readonly #db: ClassicLevel<string, Uint8Array>;

	constructor(dir: string) {
		this.#db = new ClassicLevel<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' });
	}

	/** The database is open (for `/readyz`). */
	get isOpen(): boolean {
		return this.#db.status === 'open';
	}

	/** Opens the database (creating it if needed). */
	async open(): Promise<void> {
		await this.#db.open();
	}

	/**
	 * Reads a room's snapshot and log. A room never written reads as empty.
	 * A record that does not decode as an update (a torn or corrupted write)
	 * is left out and listed in `corrupt`, so the room loads from the rest.
	 */
	async load(room: string): Promise<StoredRoom> {
		const updates: Uint8Array[] = [];
		const logSeqs: number[] = [];
		const corrupt: string[] = [];
		const keep = (key: string, value: Uint8Array) => {
			if (isUpdate(value)) updates.push(value);
			else corrupt.push(key);
		};
		let snapshotBytes = 0;
		const snapshot = await this.#db.get(snapshotKey(room));
		if (snapshot) {
			snapshotBytes = snapshot.byteLength;
			// Merged with the log as v1, the format the rest of the relay speaks.
			const v1 = fromV2(snapshot);
			if (v1) updates.push(v1);
			else corrupt.push(snapshotKey(room));
		} else {
			const old = await this.#db.get(v1SnapshotKey(room));
			if (old) (snapshotBytes = old.byteLength), keep(v1SnapshotKey(room), old);
		}
		const prefix = `r/${room}/u/`;
		let logBytes = 0;
		for await (const [key, value] of this.#db.iterator({ gte: prefix, lt: prefix + '~' })) {
			keep(key, value);
			logBytes += value.byteLength;
			// Corrupted entries stay in the log so the next compaction removes them.
			logSeqs.push(Number(key.slice(prefix.length)));
		}
		const nextSeq = logSeqs.length ? logSeqs[logSeqs.length - 1] + 1 : 0;
		return { updates, snapshotBytes, logBytes, nextSeq, logSeqs, corrupt };
	}

	/** Appends one record (a v1 update) to a room's log. */
	async append(room: string, seq: number, update: Uint8Array): Promise<void> {
		await this.#db.put(seqKey(room, seq), update);
	}

	/**
	 * Replaces a room's snapshot with `stateV2` (the whole state, encoded
	 * with `Y.encodeStateAsUpdateV2`) and drops the log entries it covers
	 * and any v1 snapshot, atomically.
	 */
	async compact(room: string, stateV2: Uint8Array, coveredSeqs: number[]): Promise<void> {
		await this.#db.batch([
			{ type: 'put', key: snapshotKey(room), value: stateV2 },
			{ type: 'del', key: v1SnapshotKey(room) },
			...coveredSeqs.map((seq) => ({ type: 'del' as const, key: seqKey(room, seq) }))
		]);
	}

	/** A room's stored credentials (JSON text), if any. */
	async loadCredentials(room: string): Promise<string | undefined> {
		const value = await this.#db.get(credentialsKey(room));
		return value ? new TextDecoder().decode(value) : undefined;
	}

	/** Replaces a room's stored credentials. */
	async saveCredentials(room: string, json: string): Promise<void> {
		await this.#db.put(credentialsKey(room), new TextEncoder().encode(json));
	}

	/** Closes the database; pending writes finish first. */
	async close(): Promise<void> {
		await this.#db.close();
	}
}

/** Builds a document from stored updates. */
export function docFromStored(stored: StoredRoom): Y.Doc {
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
function fromV2(bytes: Uint8Array): Uint8Array | null {
	try {
		const v1 = Y.convertUpdateFormatV2ToV1(bytes);
		return isUpdate(v1) ? v1 : null;
	} catch {
		return null;
	}
}

/** Whether `bytes` is a complete, decodable Yjs update. */
function isUpdate(bytes: Uint8Array): boolean {
	try {
		Y.decodeUpdate(bytes);
		return true;
	} catch {
		return false;
	}
}
