import { createSubscriber } from 'svelte/reactivity';
import { rememberedEvents, watchRememberedEvents, type RememberedEvent } from '../device/events.js';

/** The events remembered on this device, live across tabs. */
export class RememberedEvents {
	readonly #subscribe = createSubscriber((update) => watchRememberedEvents(update));

	get list(): RememberedEvent[] {
		this.#subscribe();
		return rememberedEvents();
	}
}
