/**
 * The one-process store: embedded LevelDB (storage.ts) behind the
 * {@link RoomStore} interface. One process owns the folder, so its feed
 * hears nothing, seqs are counted per room in memory from the last one
 * stored, and credentials need no compare-and-set beyond this process.
 */
import { RoomStorage } from './storage.js';
import { soloFeed, type LogRecord, type RoomStore, type StoredCredentials, type StoredRoom } from './store.js';

/** Per loaded room: its handle in log keys and the next seq. */
interface Place {
	handle: string | null;
	nextSeq: number;
	credentialsVersion: number;
}

/** LevelDB as a {@link RoomStore}. */
export class LevelStore implements RoomStore {
	readonly kind = 'leveldb';
	readonly feed = soloFeed;
	readonly #storage: RoomStorage;
	readonly #places = new Map<string, Place>();

	constructor(dir: string) {
		this.#storage = new RoomStorage(dir);
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
		if (!place) this.#places.set(room, (place = { handle: null, nextSeq: 0, credentialsVersion: 0 }));
		return place;
	}

	async load(room: string): Promise<StoredRoom> {
		const stored = await this.#storage.load(room);
		const place = this.#place(room);
		place.handle = stored.handle;
		place.nextSeq = stored.nextSeq;
		return {
			updates: stored.updates,
			snapshotBytes: stored.snapshotBytes,
			records: stored.logKeys.map((key, i) => ({ key, seq: i, bytes: stored.logSizes[i] })),
			seq: stored.nextSeq - 1,
			corrupt: stored.corrupt
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
		const place = this.#place(room);
		if (place.credentialsVersion !== version) return null;
		place.credentialsVersion++;
		await this.#storage.saveCredentials(room, json);
		return place.credentialsVersion;
	}

	forget(room: string) {
		this.#places.delete(room);
	}
}
