/**
 * The one-process store: embedded LevelDB (storage.ts) behind the
 * {@link RoomStore} interface. One process owns the folder, so its feed
 * hears nothing, seqs are counted per room in memory from the last one
 * stored, and credentials need no compare-and-set beyond this process.
 */
import { parseAttemptRecord, type AttemptEntry } from './pins.js';
import { RoomStorage, type StorageOptions } from './storage.js';
import { soloFeed, type LogRecord, type RoomStore, type StoredCredentials, type StoredRoom } from './store.js';

/** An attempt counter as stored: the entry and when it stops mattering. */
interface StoredAttempts {
	entry: AttemptEntry;
	expires: number;
}

/** Per loaded room: its handle in log keys and the next seq. */
interface Place {
	handle: string | null;
	nextSeq: number;
	credentialsVersion: number;
	/** The room's client id bindings as stored, from its load on (`null` before): binding needs no read. */
	clients: Map<number, string> | null;
}

/** LevelDB as a {@link RoomStore}. */
export class LevelStore implements RoomStore {
	readonly kind = 'leveldb';
	readonly feed = soloFeed;
	readonly #storage: RoomStorage;
	readonly #places = new Map<string, Place>();

	/** `options.sync: false` is for benchmarks only (see {@link StorageOptions}). */
	constructor(dir: string, options: StorageOptions = {}) {
		this.#storage = new RoomStorage(dir, options);
	}

	get isOpen() {
		return this.#storage.isOpen;
	}

	open() {
		return this.#storage.open();
	}

	close() {
		return this.#storage.close();
	}

	#place(room: string): Place {
		let place = this.#places.get(room);
		if (!place) this.#places.set(room, (place = { handle: null, nextSeq: 0, credentialsVersion: 0, clients: null }));
		return place;
	}

	async load(room: string): Promise<StoredRoom> {
		const stored = await this.#storage.load(room);
		const place = this.#place(room);
		place.handle = stored.handle;
		place.nextSeq = stored.nextSeq;
		place.clients = stored.clients;
		return {
			updates: stored.updates,
			snapshotBytes: stored.snapshotBytes,
			records: stored.logKeys.map((key, i) => ({ key, seq: i, bytes: stored.logSizes[i] })),
			seq: stored.nextSeq - 1,
			corrupt: stored.corrupt,
			credentials: { json: stored.credentials, version: place.credentialsVersion },
			// A copy: the room keeps its own, and this one follows only what is stored.
			clients: new Map(stored.clients)
		};
	}

	async append(room: string, update: Uint8Array): Promise<LogRecord> {
		const place = this.#place(room);
		const seq = place.nextSeq++;
		const { key, handle } = await this.#storage.append(room, place.handle, seq, update);
		place.handle = handle;
		return { key, seq, bytes: update.byteLength };
	}

	compact(room: string, stateV2: Uint8Array, _seq: number, covered: LogRecord[]): Promise<void> {
		return this.#storage.compact(
			room,
			stateV2,
			covered.map((record) => record.key)
		);
	}

	async loadCredentials(room: string): Promise<StoredCredentials> {
		return { json: await this.#storage.loadCredentials(room), version: this.#place(room).credentialsVersion };
	}

	async saveCredentials(room: string, json: string, version: number): Promise<number | null> {
		// The room saves one change at a time (Room.updateCredentials), so nothing saves in between.
		const place = this.#place(room);
		if (place.credentialsVersion !== version) return null;
		await this.#storage.saveCredentials(room, json);
		return ++place.credentialsVersion;
	}

	loadClients(room: string): Promise<Map<number, string>> {
		return this.#storage.loadClients(room);
	}

	/**
	 * One process: the room (which asks only about ids it has not seen bound,
	 * one call at a time) is the only writer, so the bindings read at its load,
	 * plus those written since, are what is stored.
	 */
	async bindClients(room: string, clients: number[], owner: string): Promise<Map<number, string>> {
		const place = this.#place(room);
		const stored = (place.clients ??= await this.#storage.loadClients(room));
		const fresh = clients.filter((client) => !stored.has(client));
		if (fresh.length) {
			await this.#storage.bindClients(room, fresh, owner);
			for (const client of fresh) if (!stored.has(client)) stored.set(client, owner);
		}
		return new Map(clients.map((client) => [client, stored.get(client) ?? owner]));
	}

	forget(room: string) {
		this.#places.delete(room);
	}

	/** Changes of one key run one after another (this process is the only writer). */
	readonly #attemptChanges = new Map<string, Promise<void>>();

	async readAttempts(key: string): Promise<AttemptEntry | null> {
		const json = await this.#storage.loadAttempts(key);
		return parseAttemptRecord<StoredAttempts>(json, key)?.entry ?? null;
	}

	updateAttempts(
		key: string,
		change: (entry: AttemptEntry | null) => { entry: AttemptEntry; expires: number } | null
	): Promise<void> {
		return this.#changeAttempts(key, (stored) => change(stored?.entry ?? null));
	}

	/** Runs `change` on the stored record of `key`, after any change of it still under way. */
	#changeAttempts(key: string, change: (stored: StoredAttempts | null) => StoredAttempts | null): Promise<void> {
		const run = (this.#attemptChanges.get(key) ?? Promise.resolve()).then(async () => {
			const json = await this.#storage.loadAttempts(key);
			const next = change(parseAttemptRecord<StoredAttempts>(json, key));
			await this.#storage.saveAttempts(key, next ? JSON.stringify(next) : undefined);
		});
		const settled = run.catch(() => {});
		this.#attemptChanges.set(key, settled);
		void settled.then(() => {
			if (this.#attemptChanges.get(key) === settled) this.#attemptChanges.delete(key);
		});
		return run;
	}

	async pruneAttempts(now: number): Promise<void> {
		for await (const [key, json] of this.#storage.allAttempts()) {
			// Looked at again in turn: a failure since the listing keeps it.
			if ((parseAttemptRecord<StoredAttempts>(json, key)?.expires ?? 0) <= now)
				await this.#changeAttempts(key, (stored) => (stored && stored.expires <= now ? null : stored));
		}
	}
}
