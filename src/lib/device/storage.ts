/**
 * The health of what this device keeps: whether the browser lets Moim store
 * anything, whether a write failed for lack of space, whether a saved copy was
 * cleared, and whether storage is persistent. Problems never stop syncing:
 * the document stays in memory and keeps going to the relay.
 */

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

/** Whether `error` says the device is out of storage space. */
export function isQuotaError(error: unknown): boolean {
	if (typeof error !== 'object' || error === null) return false;
	const { name, code } = error as { name?: unknown; code?: unknown };
	return name === 'QuotaExceededError' || code === 22; // 22: older Safari's DOMException code
}
