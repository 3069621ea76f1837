import { createSubscriber } from 'svelte/reactivity';
import { storageHealth, type Persistence, type StorageProblem } from '../device/storage.js';

/** Storage health as runes. */
export class StorageStatus {
	readonly #subscribe = createSubscriber((update) => storageHealth.subscribe(update));

	/** The problem with an event's copy on this device, if any. */
	problem(eventId: string): StorageProblem | null {
		this.#subscribe();
		return storageHealth.problems.get(eventId) ?? null;
	}

	get persistence(): Persistence {
		this.#subscribe();
		return storageHealth.persistence;
	}
}
