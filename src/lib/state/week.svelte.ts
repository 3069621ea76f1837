/** My week as runes: the routine entries of the personal document. */
import { createSubscriber } from 'svelte/reactivity';
import { deleteRoutine, readRoutines, routinesMap, saveRoutine, type RoutineEntry } from '../model/index.js';
import { personalDoc } from '../sync/personal.js';

export class MyWeek {
	readonly #doc = personalDoc().doc;
	readonly #subscribe: () => void;
	/** The stored copy has loaded (entries read before it may be incomplete). */
	loaded = $state(false);

	constructor() {
		const map = routinesMap(this.#doc);
		this.#subscribe = createSubscriber((update) => {
			map.observe(update);
			return () => map.unobserve(update);
		});
		void personalDoc().ready.then(() => (this.loaded = true));
	}

	/** Every entry, by title. */
	get entries(): RoutineEntry[] {
		this.#subscribe();
		return readRoutines(this.#doc);
	}

	/** Adds or replaces an entry. */
	save(entry: RoutineEntry): void {
		saveRoutine(this.#doc, entry);
	}

	/** Deletes an entry. */
	remove(id: string): void {
		deleteRoutine(this.#doc, id);
	}
}
