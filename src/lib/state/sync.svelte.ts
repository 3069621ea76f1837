/** Reactive sync status and presence for components. */
import { createSubscriber } from 'svelte/reactivity';
import type { Awareness } from 'y-protocols/awareness';
import type { SyncSnapshot, SyncTracker } from '../sync/status.js';

export class SyncStatus {
	readonly #tracker: SyncTracker;
	readonly #subscribe: () => void;

	constructor(tracker: SyncTracker) {
		this.#tracker = tracker;
		this.#subscribe = createSubscriber((update) => tracker.subscribe(update));
	}

	get current(): SyncSnapshot {
		this.#subscribe();
		return this.#tracker.snapshot;
	}
}

/** What each device announces about itself. */
export interface PresenceUser {
	memberId: string | null;
	name: string;
}

/** Who else has this event open right now (awareness). */
export class Presence {
	readonly #awareness: Awareness;
	readonly #subscribe: () => void;

	constructor(awareness: Awareness) {
		this.#awareness = awareness;
		this.#subscribe = createSubscriber((update) => {
			awareness.on('change', update);
			return () => awareness.off('change', update);
		});
	}

	/** Announces who this device is (or `null` before joining). */
	announce(user: PresenceUser | null) {
		this.#awareness.setLocalStateField('user', user);
	}

	/** Other people here now, one entry per member (a person with two tabs counts once). */
	get others(): PresenceUser[] {
		this.#subscribe();
		const self = this.#awareness.clientID;
		const mine = (this.#awareness.getLocalState()?.user as PresenceUser | undefined)?.memberId ?? null;
		const seen = new Map<string, PresenceUser>();
		for (const [client, state] of this.#awareness.getStates()) {
			const user = state?.user as PresenceUser | undefined;
			if (client === self || !user || typeof user.name !== 'string') continue;
			if (user.memberId && user.memberId === mine) continue;
			seen.set(user.memberId ?? `client-${client}`, { memberId: user.memberId ?? null, name: user.name.slice(0, 40) });
		}
		return [...seen.values()];
	}
}
