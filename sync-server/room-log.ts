/**
 * A room's writes to storage: the update log, its compaction into a
 * snapshot, and the room's size.
 *
 * Writes are group commits: updates that arrive while a write is in flight
 * go together in the next one, so under load the batches grow instead of
 * the queue, and each batch is one log record. Everything a room writes
 * (commits, compactions, credentials) goes through one promise chain, so
 * writes land in the order they were asked for.
 */
import * as Y from 'yjs';
import type { RoomStorage, StoredRoom } from './storage.js';
import { log } from './log.js';
import type { RelayMetrics } from './metrics.js';

/** The log is folded into a snapshot once it takes at least this much on disk (and outweighs the snapshot). */
const COMPACT_MIN_LOG_BYTES = 256 * 1024;

/** The write log of one room, loaded from `stored`. */
export class RoomLog {
	readonly #id: string;
	readonly #doc: Y.Doc;
	readonly #storage: RoomStorage;
	readonly #compactAfter: number;
	readonly #metrics: RelayMetrics | undefined;
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

	constructor(
		id: string,
		doc: Y.Doc,
		storage: RoomStorage,
		stored: StoredRoom,
		compactAfter: number,
		metrics: RelayMetrics | undefined
	) {
		this.#id = id;
		this.#doc = doc;
		this.#storage = storage;
		this.#compactAfter = compactAfter;
		this.#metrics = metrics;
		this.#nextSeq = stored.nextSeq;
		this.#logKeys = stored.logKeys;
		this.#handle = stored.handle;
		this.#logBytes = stored.logBytes;
		this.#snapshotBytes = stored.snapshotBytes;
		// Stored updates are v1 (the snapshot converted): all of them but the log is the snapshot's state.
		this.#stateBytes = Math.max(0, stored.updates.reduce((sum, u) => sum + u.byteLength, 0) - stored.logBytes);
		// A damaged room is rewritten at once: the snapshot replaces a bad one and the bad records go.
		if (this.#logIsLong() || stored.corrupt.length) this.#compact();
	}

	/** Queues `update` for the next group commit. */
	append(update: Uint8Array) {
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

	/** Runs `fn` once everything appended so far is on disk (or its write failed loudly). */
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
				const { key, handle } = await this.#storage.append(this.#id, this.#handle, seq, record);
				this.#handle = handle;
				this.#logKeys.push(key);
				this.#logBytes += record.byteLength;
				this.#committingBytes = 0;
				stopTimer?.();
			} catch (err) {
				// The updates stay in memory; the next snapshot will carry them.
				this.#committingBytes = 0;
				this.#needsSnapshot = true;
				log.error({ room: this.#id, err, updates: batch.length }, 'failed to store updates');
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
			const state = Y.encodeStateAsUpdateV2(this.#doc);
			const stateBytes = Y.encodeStateAsUpdate(this.#doc).byteLength;
			try {
				await this.#storage.compact(this.#id, state, covered);
				this.#snapshotBytes = state.byteLength;
				this.#stateBytes = stateBytes;
			} catch (err) {
				this.#logKeys = covered.concat(this.#logKeys);
				this.#logBytes += coveredBytes;
				this.#needsSnapshot = true;
				log.error({ room: this.#id, err }, 'failed to compact room');
			}
		});
	}

	/** Writes the room's credentials (serialized), in order with its other writes. */
	saveCredentials(json: string) {
		this.#writes = this.#writes
			.then(() => this.#storage.saveCredentials(this.#id, json))
			.catch((err) => log.error({ room: this.#id, err }, 'failed to store credentials'));
	}

	/** Updates appended and not yet handed to storage. */
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

	/**
	 * Writes what is pending and folds a log of more than one record, so the
	 * next load reads one snapshot. Resolves once every write has landed: the
	 * document may be destroyed then.
	 */
	async close(): Promise<void> {
		if (this.#logKeys.length + (this.#unwritten.length ? 1 : 0) > 1 || this.#needsSnapshot) this.#compact();
		await new Promise<void>((resolve) => this.whenWritten(resolve));
		// The compaction (queued behind that commit) reads the document: let it finish first.
		await this.#writes;
	}
}
