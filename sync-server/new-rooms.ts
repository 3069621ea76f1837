/**
 * How many rooms each client address created in the last hour, so one
 * address cannot fill the disk with rooms (`MAX_NEW_ROOMS_PER_HOUR`).
 * `MAX_ROOMS` bounds rooms in memory, not rooms created. Kept in memory,
 * per relay process: a restart forgets it, which only ever lets more in.
 */
const HOUR_MS = 60 * 60 * 1000;

/** A sliding one-hour count of new rooms per address. */
export class NewRoomLimit {
	readonly #max: number;
	readonly #created = new Map<string, number[]>();

	constructor(maxPerHour: number) {
		this.#max = maxPerHour;
	}

	/** Counts a new room for `address`; false (and nothing counted) if it already made its hour's worth. */
	take(address: string, now = Date.now()): boolean {
		const recent = (this.#created.get(address) ?? []).filter((at) => at > now - HOUR_MS);
		if (recent.length >= this.#max) {
			this.#created.set(address, recent);
			return false;
		}
		recent.push(now);
		this.#created.set(address, recent);
		if (this.#created.size > 10_000) this.#sweep(now);
		return true;
	}

	/** Forgets addresses with nothing in the last hour (bounds memory under many addresses). */
	#sweep(now: number) {
		for (const [address, times] of this.#created) {
			if (times.every((at) => at <= now - HOUR_MS)) this.#created.delete(address);
		}
	}
}
