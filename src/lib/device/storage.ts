/**
 * The health of what this device keeps: whether the browser lets Moim store
 * anything, whether a write failed for lack of space, whether a saved copy was
 * cleared, and whether storage is persistent. Problems never stop syncing:
 * the document stays in memory and keeps going to the relay.
 */
import * as Y from 'yjs';
import type { IndexeddbPersistence } from 'y-indexeddb';

/** Something wrong with the copy of an event on this device. */
export type StorageProblem =
	/** The browser refuses IndexedDB (privacy settings, some private modes). */
	| 'unavailable'
	/** A write failed with QuotaExceededError; retried until it fits. */
	| 'full'
	/** A copy this device had is gone (the browser evicted it). */
	| 'evicted';

/** Whether the browser promised not to evict Moim's data. */
export type Persistence = 'unknown' | 'granted' | 'denied' | 'unsupported';

/** How often a write that did not fit is retried while nothing changes. */
const RETRY_MS = 15_000;
/** After a new change, how soon a write that did not fit is retried. */
const RETRY_AFTER_CHANGE_MS = 500;

/** Device-wide storage health, observable by the views. */
export class StorageHealth {
	readonly #problems = new Map<string, StorageProblem>();
	readonly #listeners = new Set<() => void>();
	#persistence: Persistence = 'unknown';

	/** Problems by event id. */
	get problems(): ReadonlyMap<string, StorageProblem> {
		return this.#problems;
	}

	get persistence(): Persistence {
		return this.#persistence;
	}

	report(eventId: string, problem: StorageProblem) {
		if (this.#problems.get(eventId) === problem) return;
		this.#problems.set(eventId, problem);
		this.#changed();
	}

	clear(eventId: string, problem?: StorageProblem) {
		if (!this.#problems.has(eventId) || (problem && this.#problems.get(eventId) !== problem)) return;
		this.#problems.delete(eventId);
		this.#changed();
	}

	setPersistence(value: Persistence) {
		if (value === this.#persistence) return;
		this.#persistence = value;
		this.#changed();
	}

	subscribe(fn: () => void): () => void {
		this.#listeners.add(fn);
		return () => this.#listeners.delete(fn);
	}

	#changed() {
		for (const fn of this.#listeners) fn();
	}
}

/** The one storage health of this page. */
export const storageHealth = new StorageHealth();

let persistenceAsked: Promise<Persistence> | null = null;

/**
 * Asks once per page for persistent storage (after the first edit, when the
 * person has something to lose). The browser may say no without asking.
 */
export function requestPersistence(health: StorageHealth = storageHealth): Promise<Persistence> {
	persistenceAsked ??= (async (): Promise<Persistence> => {
		const storage = globalThis.navigator?.storage;
		if (!storage?.persist) return 'unsupported';
		try {
			if (storage.persisted && (await storage.persisted())) return 'granted';
			return (await storage.persist()) ? 'granted' : 'denied';
		} catch {
			return 'denied';
		}
	})().then((result) => {
		health.setPersistence(result);
		return result;
	});
	return persistenceAsked;
}

/**
 * Watches an event's IndexedDB copy for failed writes. A transaction that
 * aborts with QuotaExceededError means an update is missing from the stored
 * copy, so once space allows the whole document is written again.
 * Returns the stop function.
 */
export function watchLocalCopy(
	eventId: string,
	persistence: IndexeddbPersistence,
	health: StorageHealth = storageHealth
): () => void {
	let stopped = false;
	let retry: ReturnType<typeof setTimeout> | null = null;
	let db: IDBDatabase | null = null;

	const rewrite = async () => {
		retry = null;
		if (stopped) return;
		try {
			await storeWholeDocument(persistence);
			health.clear(eventId, 'full');
		} catch (error) {
			if (isQuotaError(error)) retryIn(RETRY_MS);
		}
	};
	const retryIn = (ms: number) => {
		if (retry) clearTimeout(retry);
		retry = setTimeout(rewrite, ms);
	};
	const onAbort = (e: Event) => {
		const error = (e.target as IDBTransaction | null)?.error ?? null;
		if (!isQuotaError(error)) return;
		health.report(eventId, 'full');
		if (!retry) retryIn(RETRY_MS);
	};
	// Space may have been freed: try again soon after each change.
	const onUpdate = () => {
		if (health.problems.get(eventId) === 'full') retryIn(RETRY_AFTER_CHANGE_MS);
	};
	persistence.doc.on('update', onUpdate);

	persistence._db.then(
		(opened) => {
			if (stopped) return;
			db = opened;
			db.addEventListener('abort', onAbort);
		},
		() => health.report(eventId, 'unavailable')
	);
	return () => {
		stopped = true;
		if (retry) clearTimeout(retry);
		db?.removeEventListener('abort', onAbort);
		persistence.doc.off('update', onUpdate);
	};
}

/**
 * Adds the whole document as one stored update, covering any update whose
 * write failed. (y-indexeddb's own storeState does not report failure.)
 * Older entries stay; y-indexeddb merges them when it next trims.
 */
function storeWholeDocument(persistence: IndexeddbPersistence): Promise<void> {
	return new Promise((resolve, reject) => {
		const db = persistence.db;
		if (!db) return reject(new Error('The stored copy is not open'));
		const tx = db.transaction(['updates'], 'readwrite');
		tx.objectStore('updates').add(Y.encodeStateAsUpdate(persistence.doc));
		tx.oncomplete = () => {
			persistence._dbsize++;
			resolve();
		};
		tx.onabort = () => reject(tx.error ?? new Error('The write was aborted'));
	});
}

/** Whether `error` says the device is out of storage space. */
export function isQuotaError(error: unknown): boolean {
	if (typeof error !== 'object' || error === null) return false;
	const { name, code } = error as { name?: unknown; code?: unknown };
	return name === 'QuotaExceededError' || code === 22; // 22: older Safari's DOMException code
}
