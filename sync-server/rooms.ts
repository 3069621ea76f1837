/**
 * The rooms in memory: loaded on first use, unloaded a while after the last
 * client leaves.
 */
import { Room } from './room.js';
import type { RoomStore } from './store.js';
import { collectIdle } from './idle-gc.js';
import { log } from './log.js';
import type { RelayMetrics } from './metrics.js';

/** Loading another room would exceed `MAX_ROOMS`. */
export class TooManyRooms extends Error {}

/** The relay is shutting down: no room loads any more (the store is closing). */
export class RelayClosing extends Error {}

export class Rooms {
	readonly #loaded = new Map<string, Promise<Room>>();
	/** The entry of each loaded room in `#loaded`, so only that entry is ever removed for it. */
	readonly #entries = new WeakMap<Room, Promise<Room>>();
	readonly #store: RoomStore;
	readonly #idleMs: number;
	readonly #compactAfter: number;
	readonly #maxRooms: number;
	readonly #metrics: RelayMetrics | undefined;

	constructor(
		store: RoomStore,
		options: { idleMs: number; compactAfter: number; maxRooms: number; metrics?: RelayMetrics }
	) {
		this.#store = store;
		this.#idleMs = options.idleMs;
		this.#compactAfter = options.compactAfter;
		this.#maxRooms = options.maxRooms;
		this.#metrics = options.metrics;
	}

	/** Updates received and not yet handed to storage, over all loaded rooms. */
	async unwritten(): Promise<number> {
		const loaded = await Promise.allSettled([...this.#loaded.values()]);
		return loaded.reduce((sum, r) => sum + (r.status === 'fulfilled' ? r.value.unwritten : 0), 0);
	}

	/** Whether other relay instances write to the same store (PostgreSQL), so rooms must catch up with them. */
	get shared(): boolean {
		return this.#store.feed.shared;
	}

	/** Number of rooms in memory (or loading). */
	get size(): number {
		return this.#loaded.size;
	}

	/**
	 * Rooms being unloaded, until their last writes have landed: a new load
	 * waits for them, so it reads everything they wrote and never writes
	 * beside them (LevelDB numbers a room's records from what is stored).
	 */
	readonly #unloading = new Map<string, Promise<void>>();

	/** Unloads `room` (forgotten already), tracking it until its writes have landed. */
	#unload(room: Room) {
		const done = room
			.unload()
			.catch((err) => log.error({ room: room.id, err }, 'failed to unload room'))
			.finally(() => {
				if (this.#unloading.get(room.id) === done) this.#unloading.delete(room.id);
				if (this.#loaded.size === 0 && this.#unloading.size === 0) this.#collectSoon();
			});
		this.#unloading.set(room.id, done);
	}

	#collecting: NodeJS.Timeout | null = null;
	/** Shutting down (see `closeAll`). */
	#closing = false;

	/** The last room has gone: collect garbage a moment later, unless rooms come back (idle-gc.ts). */
	#collectSoon() {
		if (this.#collecting) return;
		this.#collecting = setTimeout(() => {
			this.#collecting = null;
			if (this.#loaded.size === 0 && this.#unloading.size === 0) collectIdle();
		}, 1000);
		this.#collecting.unref();
	}

	/** The room for `id`, loading it from storage if needed. */
	get(id: string): Promise<Room> {
		let room = this.#loaded.get(id);
		if (!room) {
			if (this.#closing) return Promise.reject(new RelayClosing());
			if (this.#loaded.size >= this.#maxRooms) return Promise.reject(new TooManyRooms());
			const settled = this.#unloading.get(id) ?? Promise.resolve();
			const loading = settled.then(() =>
				Room.load(id, this.#store, this.#compactAfter, this.#metrics, (failed) => this.#drop(failed))
			);
			room = loading;
			this.#loaded.set(id, loading);
			loading.then(
				(loaded) => this.#entries.set(loaded, loading),
				// A failed load must not poison the id for later attempts.
				() => {
					if (this.#loaded.get(id) === loading) this.#loaded.delete(id);
				}
			);
		}
		return room;
	}

	/** Drops a room whose store failed for good: nothing of it is written (its clients were told to come back). */
	#drop(room: Room) {
		this.#forget(room);
		if (room.idleTimer) clearTimeout(room.idleTimer);
		room.idleTimer = null;
		this.#unload(room);
	}

	/** Removes `room`'s entry, not a newer load of the same id. */
	#forget(room: Room) {
		const entry = this.#entries.get(room);
		if (entry && this.#loaded.get(room.id) === entry) this.#loaded.delete(room.id);
	}

	/** Called when a client leaves: schedules unloading an empty room. */
	release(room: Room) {
		if (room.connections.size > 0 || room.idleTimer || room.gone) return;
		room.idleTimer = setTimeout(() => {
			room.idleTimer = null;
			if (room.connections.size > 0 || room.gone) return;
			this.#forget(room);
			this.#unload(room);
		}, this.#idleMs);
	}

	/** Called when a client joins: cancels a pending unload. */
	retain(room: Room) {
		if (room.idleTimer) {
			clearTimeout(room.idleTimer);
			room.idleTimer = null;
		}
	}

	/** Flushes and unloads every room (for shutdown). */
	async closeAll(): Promise<void> {
		this.#closing = true;
		const rooms = await Promise.allSettled([...this.#loaded.values()]);
		this.#loaded.clear();
		await Promise.all(this.#unloading.values());
		await Promise.all(
			rooms.map(async (r) => {
				if (r.status !== 'fulfilled') return;
				if (r.value.idleTimer) clearTimeout(r.value.idleTimer);
				await r.value.unload();
			})
		);
	}
}
