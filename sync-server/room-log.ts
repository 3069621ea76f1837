/**
 * A room's writes to storage: the update log, its compaction into a
 * snapshot, and the room's size.
 *
 * Writes are group commits: updates that arrive while a write is in flight
 * go together in the next one, so under load the batches grow instead of
 * the queue, and each batch is one log record, forwarded to the room's
 * clients as one frame (room.ts). Everything a room writes
 * (commits, compactions, credentials) goes through one promise chain, so
 * writes land in the order they were asked for.
 */
import * as Y from 'yjs';
import type { LogRecord, RoomStore, StoredRoom } from './store.js';
import { log } from './log.js';
import type { RelayMetrics } from './metrics.js';

/** Waits before each retry of a failed commit; after the last, the room gives up (fail closed). */
const RETRY_DELAYS_MS = [50, 250, 1000, 3000];

/** What a room's log tells its room. */
export interface RoomLogHooks {
	/**
	 * `update` is durably in the store as `record`: the merge of `batch`,
	 * the updates of one group commit in the order they were appended, each
	 * with the origin it was appended with.
	 */
	committed(record: LogRecord, update: Uint8Array, batch: readonly Appended[]): void;
	/**
	 * The store kept failing: nothing since the last commit was forwarded or
	 * acknowledged, and nothing will be. The room must be dropped from memory
	 * (its clients resend what the store lacks when they reconnect).
	 */
	failed(err: unknown): void;
	/** The last seq the document includes all records up to, for compaction. */
	position(): number;
}

/** An update appended to the log, and where it came from (the room forwards it to everyone else). */
export interface Appended {
	update: Uint8Array;
	origin: unknown;
}

/** The log is folded into a snapshot once it takes at least this much on disk (and outweighs the snapshot). */
const COMPACT_MIN_LOG_BYTES = 256 * 1024;

/** The write log of one room, loaded from `stored`. */
export class RoomLog {
	readonly #id: string;
	readonly #doc: Y.Doc;
	readonly #store: RoomStore;
	readonly #hooks: RoomLogHooks;
	readonly #compactAfter: number;
	readonly #metrics: RelayMetrics | undefined;
	/** Updates received but not yet handed to storage. */
	#unwritten: Appended[] = [];
	#unwrittenBytes = 0;
	/** Bytes of the batch being written (counted until its record is in the log). */
	#committingBytes = 0;
	/** What waits for those updates to be on disk (forwards, replies), in order. */
	#whenWritten: (() => void)[] = [];
	/** A commit is queued and has not started yet. */
	#commitQueued = false;
	/** A compaction is queued and has not started yet. */
	#compactionQueued = false;
	/** The log records written since the snapshot. */
	#records: LogRecord[];
	#logBytes: number;
	#snapshotBytes: number;
	/** The snapshot's state in v1 encoding, bytes: what the size limit counts (see `bytes`). */
	#stateBytes: number;
	#writes: Promise<void> = Promise.resolve();
	#needsSnapshot = false;
	/** The store failed for good: nothing more is written, released or acknowledged. */
	#failed = false;
	/** What waits for the log to close, told when it gives up instead. */
	#onGiveUp: (() => void)[] = [];

	constructor(
		id: string,
		doc: Y.Doc,
		store: RoomStore,
		stored: StoredRoom,
		compactAfter: number,
		metrics: RelayMetrics | undefined,
		hooks: RoomLogHooks
	) {
		this.#id = id;
		this.#doc = doc;
		this.#store = store;
		this.#hooks = hooks;
		this.#compactAfter = compactAfter;
		this.#metrics = metrics;
		this.#records = stored.records;
		this.#logBytes = stored.records.reduce((sum, record) => sum + record.bytes, 0);
		this.#snapshotBytes = stored.snapshotBytes;
		// Stored updates are v1 (the snapshot converted): all of them but the log is the snapshot's state.
		this.#stateBytes = Math.max(0, stored.updates.reduce((sum, u) => sum + u.byteLength, 0) - this.#logBytes);
		// A damaged room is rewritten at once: the snapshot replaces a bad one and the bad records go.
		if (this.#logIsLong() || stored.corrupt.length) this.#compact();
	}

	/** Queues `update` (from `origin`, handed back with it once committed) for the next group commit. */
	append(update: Uint8Array, origin?: unknown) {
		if (this.#failed) return;
		this.#unwritten.push({ update, origin });
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
			this.#records.length >= this.#compactAfter ||
			this.#logBytes >= Math.max(COMPACT_MIN_LOG_BYTES, this.#snapshotBytes)
		);
	}

	/** Runs `fn` once everything appended so far is durably stored; never, if the store fails for good. */
	whenWritten(fn: () => void) {
		if (this.#failed) return;
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
	 * releases what waited for it. A failed write is retried; if the store
	 * keeps failing, nothing that waited is released (forwards and replies
	 * would promise what may be lost) and the room gives up.
	 */
	async #commit() {
		this.#commitQueued = false;
		if (this.#failed) return;
		const batch = this.#unwritten;
		const waiting = this.#whenWritten;
		this.#committingBytes = this.#unwrittenBytes;
		this.#unwritten = [];
		this.#unwrittenBytes = 0;
		this.#whenWritten = [];
		if (batch.length) {
			const record = batch.length === 1 ? batch[0].update : Y.mergeUpdates(batch.map((a) => a.update));
			const stopTimer = this.#metrics?.persistSeconds.startTimer();
			let written: LogRecord | null = null;
			for (let attempt = 0; !written; attempt++) {
				try {
					written = await this.#store.append(this.#id, record);
				} catch (err) {
					if (attempt === RETRY_DELAYS_MS.length) {
						this.#fail(err, batch.length);
						return;
					}
					log.warn({ room: this.#id, err, attempt: attempt + 1 }, 'failed to store updates; retrying');
					await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[attempt]));
				}
			}
			stopTimer?.();
			this.#records.push(written);
			this.#logBytes += written.bytes;
			this.#committingBytes = 0;
			this.#hooks.committed(written, record, batch);
			if (this.#logIsLong()) this.#compact();
		}
		for (const fn of waiting) fn();
	}

	/**
	 * Stops writing for good, without a word to the store: the document now
	 * holds something the log must never get (an update that failed midway),
	 * so nothing more is committed and no compaction reads it. Updates not
	 * yet committed are dropped unacknowledged, as when the store fails; a
	 * commit already under way still lands and releases what waited for it.
	 */
	abandon() {
		if (this.#failed) return;
		this.#failed = true;
		this.#unwritten = [];
		this.#unwrittenBytes = 0;
		this.#whenWritten = [];
		for (const fn of this.#onGiveUp.splice(0)) fn();
	}

	#fail(err: unknown, updates: number) {
		this.#failed = true;
		this.#unwritten = [];
		this.#whenWritten = [];
		log.error({ room: this.#id, err, updates }, 'store keeps failing; dropping the room unacknowledged');
		this.#hooks.failed(err);
		for (const fn of this.#onGiveUp.splice(0)) fn();
	}

	/**
	 * Folds the log into a new snapshot, behind the commit of everything
	 * received so far. The state is read when the compaction runs, so it
	 * covers every record written before it. A failed compaction loses
	 * nothing (the log stays) and is tried again later.
	 */
	#compact() {
		if (this.#compactionQueued || this.#failed) return;
		this.#compactionQueued = true;
		this.#needsSnapshot = false;
		this.#queueCommit();
		this.#writes = this.#writes.then(async () => {
			this.#compactionQueued = false;
			if (this.#failed) return;
			const covered = this.#records;
			const coveredBytes = this.#logBytes;
			this.#records = [];
			this.#logBytes = 0;
			const seq = this.#hooks.position();
			const state = Y.encodeStateAsUpdateV2(this.#doc);
			const stateBytes = Y.encodeStateAsUpdate(this.#doc).byteLength;
			try {
				await this.#store.compact(this.#id, state, seq, covered);
				this.#snapshotBytes = state.byteLength;
				this.#stateBytes = stateBytes;
			} catch (err) {
				this.#records = covered.concat(this.#records);
				this.#logBytes += coveredBytes;
				this.#needsSnapshot = true;
				log.error({ room: this.#id, err }, 'failed to compact room');
			}
		});
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
		// Given up: only a commit already under way may still land.
		if (this.#failed) return this.#writes;
		if (this.#records.length + (this.#unwritten.length ? 1 : 0) > 1 || this.#needsSnapshot) this.#compact();
		await new Promise<void>((resolve) => {
			if (this.#failed) return resolve();
			this.whenWritten(resolve);
			// Or given up meanwhile: then nothing more will land.
			this.#onGiveUp.push(resolve);
		});
		// The compaction (queued behind that commit) reads the document: let it finish first.
		await this.#writes;
	}
}
