/**
 * The shared store: PostgreSQL, for several relay processes behind one load
 * balancer (`STORE=postgres`, `DATABASE_URL`).
 *
 *   moim_rooms (id, seq, snap_seq, snapshot, credentials, cred_version)
 *   moim_log   (room, seq, data)      primary key (room, seq)
 *   moim_clients (room, client, owner) primary key (room, client)
 *
 * An append takes the room's next `seq` in the same statement that inserts
 * the record; the room row's lock orders appends, so each room's sequence is
 * gapless and in commit order. Commits are synchronous (durable before the
 * relay forwards or acknowledges). After a commit the relay announces it with
 * `pg_notify` in its own statement (a NOTIFY inside the append transaction
 * would serialise every commit on the database's notify lock); the payload
 * names the room and seq and carries the update when it is small. Other
 * instances apply announced records in seq order and fetch what they missed
 * from the log; a slow poll catches up after anything the feed lost.
 * Compaction writes a snapshot covering records up to a seq and deletes
 * them, in one transaction, and only ever moves `snap_seq` forward, so two
 * instances compacting at once lose nothing. Credentials are saved by
 * compare-and-set on their version.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { log } from './log.js';
import { fromV2, isUpdate } from './storage.js';
import type { RelayMetrics } from './metrics.js';
import { parseAttemptRecord, type AttemptEntry } from './pins.js';
import type { CatchUp, FeedListener, LogRecord, RoomFeed, RoomStore, StoredCredentials, StoredRoom } from './store.js';

/** The channel of append and presence announcements. */
const CHANNEL = 'moim_feed';
/** Updates up to this many bytes travel in the announcement (NOTIFY payloads stop at 8,000 bytes). */
const INLINE_BYTES = 4000;

/**
 * The schema, one step per version. The relay applies the missing steps at
 * start, under an advisory lock, so instances starting together agree.
 */
const MIGRATIONS = [
	`CREATE TABLE moim_rooms (
		id text PRIMARY KEY,
		seq bigint NOT NULL DEFAULT 0,
		snap_seq bigint NOT NULL DEFAULT 0,
		snapshot bytea,
		credentials text,
		cred_version bigint NOT NULL DEFAULT 0
	);
	CREATE TABLE moim_log (
		room text NOT NULL,
		seq bigint NOT NULL,
		data bytea NOT NULL,
		PRIMARY KEY (room, seq)
	);`,
	// PIN attempt counters (pins.ts), by key; `expires` for pruning.
	`CREATE TABLE moim_attempts (
		key text PRIMARY KEY,
		entry text NOT NULL,
		expires bigint NOT NULL
	);`,
	// Yjs client ids bound to who first wrote with them (client-ids.ts).
	`CREATE TABLE moim_clients (
		room text NOT NULL,
		client bigint NOT NULL,
		owner text NOT NULL,
		PRIMARY KEY (room, client)
	);`
];
/** Key of the advisory lock held while migrating. */
const MIGRATION_LOCK = 7_305_146;

/** An announcement on {@link CHANNEL}. */
interface Announcement {
	/** The announcing instance (it ignores its own). */
	i: string;
	r: string;
	/** Seq of an appended record. */
	s?: number;
	/** The record's update (base64), when small. */
	u?: string;
	/** A presence (awareness) update, base64. */
	p?: string;
	/** When it was sent (ms), for the feed lag. */
	t: number;
}

/** Settings of a {@link PostgresStore}. */
export interface PostgresOptions {
	/** How often rooms in memory are checked for appends the feed did not bring. */
	pollMs: number;
	/** Most database connections this relay opens at once (besides its listening one). */
	poolSize: number;
	metrics?: RelayMetrics;
}

/** PostgreSQL as a {@link RoomStore} with its {@link RoomFeed}. */
export class PostgresStore implements RoomStore, RoomFeed {
	readonly kind = 'postgres';
	readonly shared = true;
	readonly feed: RoomFeed = this;
	readonly #url: string;
	readonly #options: PostgresOptions;
	readonly #instance = randomUUID();
	#pool: pg.Pool | null = null;
	#listener: pg.Client | null = null;
	#pg: typeof pg | null = null;
	#up = false;
	#closing = false;
	#poll: NodeJS.Timeout | null = null;
	#reconnect: NodeJS.Timeout | null = null;
	readonly #watchers = new Map<string, Set<FeedListener>>();

	constructor(url: string, options: PostgresOptions) {
		this.#url = url;
		this.#options = options;
	}

	get isOpen() {
		return this.#up && !this.#closing;
	}

	async open(): Promise<void> {
		// Loaded here, not at the top: the one-machine relay never loads pg.
		this.#pg = (await import('pg')).default;
		this.#pool = new this.#pg.Pool({
			connectionString: this.#url,
			max: this.#options.poolSize,
			// Durable before acknowledged, whatever the server's default.
			options: '-c synchronous_commit=on'
		});
		this.#pool.on('error', (err) => log.warn({ err: err.message }, 'idle database connection failed'));
		// A connection lost while checked out (between two statements of a transaction) emits an
		// error the pool does not catch; the statement that fails on it is what handles it.
		this.#pool.on('connect', (client) =>
			client.on('error', (err) => log.warn({ err: err.message }, 'database connection failed'))
		);
		await this.#migrate();
		this.#setUp(true);
		await this.#listen();
		this.#poll = setInterval(() => void this.#pollRooms(), this.#options.pollMs);
		this.#poll.unref();
	}

	async close(): Promise<void> {
		this.#closing = true;
		if (this.#poll) clearInterval(this.#poll);
		if (this.#reconnect) clearTimeout(this.#reconnect);
		await this.#listener?.end().catch(() => {});
		await this.#pool?.end();
	}

	#setUp(up: boolean) {
		this.#up = up;
		this.#options.metrics?.storeUp.set(up ? 1 : 0);
	}

	/**
	 * Runs `work` on a pooled connection, timing it (not the wait for the
	 * connection: that is the relay's queue, not the database) and tracking
	 * whether the database answers. A connection that failed is destroyed,
	 * not returned to the pool.
	 */
	async #withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
		let client: pg.PoolClient;
		try {
			client = await this.#pool!.connect();
		} catch (err) {
			this.#setUp(false);
			throw err;
		}
		const stop = this.#options.metrics?.dbSeconds.startTimer();
		let broken: Error | undefined;
		try {
			const result = await work(client);
			this.#setUp(true);
			return result;
		} catch (err) {
			if (isConnectionError(err)) {
				this.#setUp(false);
				broken = err as Error;
			}
			throw err;
		} finally {
			stop?.();
			client.release(broken);
		}
	}

	/** Runs one statement. */
	#query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
		return this.#withClient((client) => client.query<R>(text, values));
	}

	/** Runs `work` in one transaction opened by `begin`, on one connection. */
	#transaction<T>(begin: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
		return this.#withClient(async (client) => {
			await client.query(begin);
			try {
				const result = await work(client);
				await client.query('COMMIT');
				return result;
			} catch (err) {
				await client.query('ROLLBACK').catch(() => {});
				throw err;
			}
		});
	}

	async #migrate() {
		await this.#transaction('BEGIN', async (client) => {
			await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
			await client.query('CREATE TABLE IF NOT EXISTS moim_schema (version integer NOT NULL)');
			const { rows } = await client.query<{ version: number }>('SELECT version FROM moim_schema');
			const from = rows[0]?.version ?? 0;
			for (let version = from; version < MIGRATIONS.length; version++) await client.query(MIGRATIONS[version]);
			if (!rows.length) await client.query('INSERT INTO moim_schema (version) VALUES ($1)', [MIGRATIONS.length]);
			else if (from < MIGRATIONS.length) await client.query('UPDATE moim_schema SET version = $1', [MIGRATIONS.length]);
			if (from > MIGRATIONS.length) {
				throw new Error(`the database has schema version ${from}, newer than this relay's ${MIGRATIONS.length}`);
			}
		});
	}

	async load(room: string): Promise<StoredRoom> {
		return this.#transaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', async (client) => {
			// Credentials and bindings in the same snapshot and round trips as the document.
			const row = await roomHead(client, room);
			const updates: Uint8Array[] = [];
			const corrupt: string[] = [];
			if (row?.snapshot) {
				const v1 = fromV2(row.snapshot);
				if (v1) updates.push(v1);
				else corrupt.push(`snapshot of ${room}`);
			}
			const snapSeq = Number(row?.snap_seq ?? 0);
			const logged = await client.query<{ seq: string; data: Buffer }>(
				'SELECT seq, data FROM moim_log WHERE room = $1 AND seq > $2 ORDER BY seq',
				[room, snapSeq]
			);
			const records: LogRecord[] = [];
			for (const { seq, data } of logged.rows) {
				const update = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
				if (isUpdate(update)) updates.push(update);
				else corrupt.push(`record ${seq} of ${room}`);
				records.push({ seq: Number(seq), key: seq, bytes: data.byteLength });
			}
			const bound = await client.query<{ client: string; owner: string }>(
				'SELECT client, owner FROM moim_clients WHERE room = $1',
				[room]
			);
			return {
				updates,
				snapshotBytes: row?.snapshot?.byteLength ?? 0,
				records,
				seq: Number(row?.seq ?? 0),
				corrupt,
				credentials: { json: row?.credentials ?? undefined, version: Number(row?.cred_version ?? 0) },
				clients: new Map(bound.rows.map((b) => [Number(b.client), b.owner]))
			};
		});
	}

	async append(room: string, update: Uint8Array): Promise<LogRecord> {
		const { rows } = await this.#query<{ seq: string }>(
			`WITH next AS (
				INSERT INTO moim_rooms (id, seq) VALUES ($1, 1)
				ON CONFLICT (id) DO UPDATE SET seq = moim_rooms.seq + 1
				RETURNING seq
			)
			INSERT INTO moim_log (room, seq, data) SELECT $1, seq, $2 FROM next RETURNING seq`,
			[room, Buffer.from(update.buffer, update.byteOffset, update.byteLength)]
		);
		const seq = Number(rows[0].seq);
		return { seq, key: String(seq), bytes: update.byteLength };
	}

	async compact(room: string, stateV2: Uint8Array, seq: number): Promise<void> {
		await this.#transaction('BEGIN', async (client) => {
			await client.query(
				`INSERT INTO moim_rooms (id, seq, snap_seq, snapshot) VALUES ($1, $2, $2, $3)
				ON CONFLICT (id) DO UPDATE SET snap_seq = EXCLUDED.snap_seq, snapshot = EXCLUDED.snapshot
				WHERE moim_rooms.snap_seq <= EXCLUDED.snap_seq`,
				[room, seq, Buffer.from(stateV2.buffer, stateV2.byteOffset, stateV2.byteLength)]
			);
			await client.query('DELETE FROM moim_log WHERE room = $1 AND seq <= $2', [room, seq]);
		});
	}

	async loadCredentials(room: string): Promise<StoredCredentials> {
		const { rows } = await this.#query<{ credentials: string | null; cred_version: string }>(
			'SELECT credentials, cred_version FROM moim_rooms WHERE id = $1',
			[room]
		);
		return { json: rows[0]?.credentials ?? undefined, version: Number(rows[0]?.cred_version ?? 0) };
	}

	async saveCredentials(room: string, json: string, version: number): Promise<number | null> {
		const { rows } = await this.#query<{ cred_version: string }>(
			`INSERT INTO moim_rooms (id, credentials, cred_version) VALUES ($1, $2, 1)
			ON CONFLICT (id) DO UPDATE SET credentials = EXCLUDED.credentials, cred_version = moim_rooms.cred_version + 1
			WHERE moim_rooms.cred_version = $3
			RETURNING cred_version`,
			[room, json, version]
		);
		// A new row starts at version 1 whatever was expected: only right if nothing was there (version 0).
		if (!rows.length) return null;
		const saved = Number(rows[0].cred_version);
		return saved === version + 1 ? saved : null;
	}

	async loadClients(room: string): Promise<Map<number, string>> {
		const { rows } = await this.#query<{ client: string; owner: string }>(
			'SELECT client, owner FROM moim_clients WHERE room = $1',
			[room]
		);
		return new Map(rows.map((row) => [Number(row.client), row.owner]));
	}

	async bindClients(room: string, clients: number[], owner: string): Promise<Map<number, string>> {
		// The insert keeps what another instance bound first; the select then reads every owner as stored.
		return this.#transaction('BEGIN', async (client) => {
			await client.query(
				`INSERT INTO moim_clients (room, client, owner) SELECT $1, unnest($2::bigint[]), $3
				ON CONFLICT (room, client) DO NOTHING`,
				[room, clients, owner]
			);
			const { rows } = await client.query<{ client: string; owner: string }>(
				'SELECT client, owner FROM moim_clients WHERE room = $1 AND client = ANY($2::bigint[])',
				[room, clients]
			);
			return new Map(rows.map((row) => [Number(row.client), row.owner]));
		});
	}

	forget() {
		// Nothing is kept per room outside the database.
	}

	async readAttempts(key: string): Promise<AttemptEntry | null> {
		const { rows } = await this.#query<{ entry: string }>('SELECT entry FROM moim_attempts WHERE key = $1', [key]);
		return parseAttemptRecord<AttemptEntry>(rows[0]?.entry, key);
	}

	async updateAttempts(
		key: string,
		change: (entry: AttemptEntry | null) => { entry: AttemptEntry; expires: number } | null
	): Promise<void> {
		// The row's lock orders changes of one key across every instance.
		await this.#transaction('BEGIN', async (client) => {
			await client.query(
				"INSERT INTO moim_attempts (key, entry, expires) VALUES ($1, 'null', 0) ON CONFLICT (key) DO NOTHING",
				[key]
			);
			const { rows } = await client.query<{ entry: string }>(
				'SELECT entry FROM moim_attempts WHERE key = $1 FOR UPDATE',
				[key]
			);
			const next = change(parseAttemptRecord<AttemptEntry>(rows[0].entry, key));
			if (next) {
				await client.query('UPDATE moim_attempts SET entry = $2, expires = $3 WHERE key = $1', [
					key,
					JSON.stringify(next.entry),
					next.expires
				]);
			} else {
				await client.query('DELETE FROM moim_attempts WHERE key = $1', [key]);
			}
		});
	}

	async pruneAttempts(now: number): Promise<void> {
		await this.#query('DELETE FROM moim_attempts WHERE expires <= $1', [now]);
	}

	// The feed.

	watch(room: string, listener: FeedListener): () => void {
		let set = this.#watchers.get(room);
		if (!set) this.#watchers.set(room, (set = new Set()));
		set.add(listener);
		return () => {
			set.delete(listener);
			if (!set.size && this.#watchers.get(room) === set) this.#watchers.delete(room);
		};
	}

	announce(room: string, seq: number, update: Uint8Array): void {
		const inline = update.byteLength <= INLINE_BYTES ? Buffer.from(update).toString('base64') : undefined;
		this.#notify({ i: this.#instance, r: room, s: seq, u: inline, t: Date.now() });
	}

	announcePresence(room: string, update: Uint8Array): void {
		if (update.byteLength > INLINE_BYTES) return;
		this.#notify({ i: this.#instance, r: room, p: Buffer.from(update).toString('base64'), t: Date.now() });
	}

	#notify(announcement: Announcement) {
		// Lost announcements are made up for by the poll; nothing waits for this.
		this.#query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify(announcement)]).catch((err) =>
			log.warn({ room: announcement.r, err: (err as Error).message }, 'announcement failed')
		);
	}

	async since(room: string, seq: number): Promise<CatchUp> {
		// Most catch-ups (one before every sync step 1 a client sends) find nothing new: one statement says so.
		const head = await this.#query<{ seq: string }>('SELECT seq FROM moim_rooms WHERE id = $1', [room]);
		if (Number(head.rows[0]?.seq ?? 0) <= seq) return { snapshot: null, records: [], seq };
		return this.#transaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', async (client) => {
			// Credentials and bindings in the same snapshot and round trips as the document.
			const row = await roomHead(client, room);
			if (!row) return { snapshot: null, records: [], seq };
			const snapSeq = Number(row.snap_seq);
			// Compacted past what this instance has: the snapshot brings it up to snap_seq.
			const snapshot = snapSeq > seq && row.snapshot ? fromV2(row.snapshot) : null;
			const after = snapshot ? snapSeq : seq;
			const logged = await client.query<{ seq: string; data: Buffer }>(
				'SELECT seq, data FROM moim_log WHERE room = $1 AND seq > $2 ORDER BY seq',
				[room, after]
			);
			return {
				snapshot,
				records: logged.rows.map((r) => ({
					seq: Number(r.seq),
					update: new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength)
				})),
				seq: Math.max(seq, Number(row.seq))
			};
		});
	}

	/** Listens on its own connection; when it drops, listens again and has every room catch up. */
	async #listen() {
		const client = new this.#pg!.Client({ connectionString: this.#url });
		this.#listener = client;
		const lost = (err?: Error) => {
			if (this.#listener !== client || this.#closing) return;
			this.#listener = null;
			log.warn({ err: err?.message }, 'feed connection lost; listening again');
			client.end().catch(() => {});
			this.#scheduleListen(200);
		};
		client.on('error', lost);
		client.on('end', () => lost());
		client.on('notification', (message) => {
			if (message.channel === CHANNEL && message.payload) this.#heard(message.payload);
		});
		await client.connect();
		await client.query(`LISTEN ${CHANNEL}`);
		// Whatever was announced while nobody listened is in the log.
		for (const listeners of this.#watchers.values()) for (const listener of listeners) listener.behind();
	}

	#scheduleListen(delayMs: number) {
		if (this.#closing || this.#reconnect) return;
		this.#reconnect = setTimeout(() => {
			this.#reconnect = null;
			this.#listen().catch((err) => {
				log.warn({ err: (err as Error).message }, 'could not listen to the feed; trying again');
				this.#listener = null;
				this.#scheduleListen(Math.min(delayMs * 2, 5000));
			});
		}, delayMs);
		this.#reconnect.unref();
	}

	#heard(payload: string) {
		let announcement: Announcement;
		try {
			announcement = JSON.parse(payload);
		} catch {
			return;
		}
		if (announcement.i === this.#instance) return;
		this.#options.metrics?.feedLagSeconds.set(Math.max(0, Date.now() - announcement.t) / 1000);
		const listeners = this.#watchers.get(announcement.r);
		if (!listeners) return;
		if (announcement.p) {
			const update = new Uint8Array(Buffer.from(announcement.p, 'base64'));
			for (const listener of listeners) listener.presence(update);
		} else if (typeof announcement.s === 'number') {
			const update = announcement.u ? new Uint8Array(Buffer.from(announcement.u, 'base64')) : null;
			for (const listener of listeners) listener.appended(announcement.s, update);
		}
	}

	/** The slow poll: every room in memory hears the seq the database has, and catches up if it is behind. */
	async #pollRooms() {
		if (this.#closing) return;
		try {
			const rooms = [...this.#watchers.keys()];
			if (!rooms.length) {
				await this.#query('SELECT 1');
				return;
			}
			const { rows } = await this.#query<{ id: string; seq: string }>(
				'SELECT id, seq FROM moim_rooms WHERE id = ANY($1)',
				[rooms]
			);
			for (const { id, seq } of rows) {
				for (const listener of this.#watchers.get(id) ?? []) listener.appended(Number(seq), null);
			}
		} catch (err) {
			log.warn({ err: (err as Error).message }, 'database poll failed');
		}
		if (!this.#listener) this.#scheduleListen(200);
	}
}

/** Whether `err` means the database could not be reached (rather than a refused statement). */
/** A room's row (sequence, snapshot, credentials), read inside the caller's transaction; undefined if none. */
async function roomHead(client: pg.PoolClient, room: string) {
	const head = await client.query<{
		seq: string;
		snap_seq: string;
		snapshot: Buffer | null;
		credentials: string | null;
		cred_version: string;
	}>('SELECT seq, snap_seq, snapshot, credentials, cred_version FROM moim_rooms WHERE id = $1', [room]);
	return head.rows[0];
}

function isConnectionError(err: unknown): boolean {
	const code = (err as { code?: string }).code ?? '';
	return (
		!code || /^(08|57P)/.test(code) || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND'].includes(code)
	);
}
