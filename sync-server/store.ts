/**
 * Where rooms are kept, as the relay's room logic sees it: a room store
 * (load, append, compact, credentials) and a room feed (hear what other
 * relay instances appended). Two implementations: embedded LevelDB, one
 * process, whose feed hears nothing (store-level.ts); PostgreSQL shared by
 * several processes, whose feed is LISTEN/NOTIFY with the log behind it
 * (store-postgres.ts). The room logic does not know which one it has.
 */
import type { AttemptStore } from './pins.js';

/** One record appended to a room's log. */
export interface LogRecord {
	/** The record's place in the room's sequence (gapless per room in PostgreSQL; per process in LevelDB). */
	seq: number;
	/** The store's own name for the record (a LevelDB key), for compaction. */
	key: string;
	/** Bytes the record takes. */
	bytes: number;
}

/** What is stored for one room. */
export interface StoredRoom {
	/** All stored updates (v1 format), snapshot first, in the order they were written. */
	updates: Uint8Array[];
	/** Bytes the snapshot takes in the store (0 without one). */
	snapshotBytes: number;
	/** The log records not yet folded into the snapshot. */
	records: LogRecord[];
	/** The last seq this load includes (the snapshot's or the last record's). */
	seq: number;
	/** Records that are not valid updates (skipped; the room loads from the rest). */
	corrupt: string[];
	/** The room's credentials, read with the rest (a room load is one read, not one per kind of key). */
	credentials: StoredCredentials;
	/** The room's client id bindings (see client-ids.ts): client id to owner. */
	clients: Map<number, string>;
}

/** A room's credentials as stored (JSON, see auth.ts), with the version that changes on every save. */
export interface StoredCredentials {
	json: string | undefined;
	version: number;
}

/** What other instances appended, to catch a room up from `seq`. */
export interface CatchUp {
	/** The room's snapshot (v1) when the log no longer reaches back to `seq` (another instance compacted). */
	snapshot: Uint8Array | null;
	/** Records after `seq` (or after the snapshot), in order. */
	records: { seq: number; update: Uint8Array }[];
	/** The last seq included. */
	seq: number;
}

/** What a room hears from other instances. */
export interface FeedListener {
	/** Another instance appended record `seq`; `update` when it was small enough to come along. */
	appended(seq: number, update: Uint8Array | null): void;
	/** Presence (an awareness update) from another instance's clients. */
	presence(update: Uint8Array): void;
	/** The feed may have missed appends (its connection dropped, the poll found a newer seq): catch up. */
	behind(): void;
}

/** Hearing other instances' appends and presence. */
export interface RoomFeed {
	/** Starts hearing `room`; returns the function that stops. */
	watch(room: string, listener: FeedListener): () => void;
	/** Tells the other instances that `seq` was committed (after the commit). */
	announce(room: string, seq: number, update: Uint8Array): void;
	/** Tells the other instances of a presence change; nothing is stored. */
	announcePresence(room: string, update: Uint8Array): void;
	/** What was appended to `room` after `seq`. */
	since(room: string, seq: number): Promise<CatchUp>;
	/** Whether the feed hears anything at all (false for one process on LevelDB). */
	readonly shared: boolean;
}

/** The relay's storage: rooms, and the PIN attempt counters (see pins.ts). */
export interface RoomStore extends AttemptStore {
	/** The store can take writes (for `/readyz`). */
	readonly isOpen: boolean;
	/** Which store this is, for logs. */
	readonly kind: 'leveldb' | 'postgres';
	readonly feed: RoomFeed;
	open(): Promise<void>;
	/** Finishes pending writes and closes. */
	close(): Promise<void>;
	/** Reads all a room needs (updates, credentials, bindings) at once; a room never written reads as empty. */
	load(room: string): Promise<StoredRoom>;
	/** Appends one update (v1) to the room's log, durably; resolves with its record. */
	append(room: string, update: Uint8Array): Promise<LogRecord>;
	/**
	 * Replaces the room's snapshot with `stateV2` (the whole state, v2), which
	 * includes every record up to `seq`, and drops those records; `covered`
	 * are the ones this instance wrote. Atomic: a crash leaves the old
	 * snapshot and its log or the new one.
	 */
	compact(room: string, stateV2: Uint8Array, seq: number, covered: LogRecord[]): Promise<void>;
	loadCredentials(room: string): Promise<StoredCredentials>;
	/**
	 * Saves credentials if they are still at `version` (compare-and-set);
	 * resolves with the new version, or `null` when another instance saved
	 * first (reload and decide again).
	 */
	saveCredentials(room: string, json: string, version: number): Promise<number | null>;
	/** A room's client id bindings (see client-ids.ts): client id to owner. */
	loadClients(room: string): Promise<Map<number, string>>;
	/**
	 * Binds each of `clients` to `owner`, except those already bound (first
	 * write wins, across instances); resolves with the owner of each as stored.
	 */
	bindClients(room: string, clients: number[], owner: string): Promise<Map<number, string>>;
	/** The room left memory: drop what the store keeps about it. */
	forget(room: string): void;
}

/** A feed for a store that is the only one: it hears nothing, and a catch-up finds nothing. */
export const soloFeed: RoomFeed = {
	shared: false,
	watch: () => () => {},
	announce: () => {},
	announcePresence: () => {},
	since: async (_room, seq) => ({ snapshot: null, records: [], seq })
};
