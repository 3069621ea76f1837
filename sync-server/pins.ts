/**
 * PINs: short, human-chosen, so stored with a slow salted hash (scrypt) and
 * guarded by attempt limits per member and per client address, with a
 * lockout that grows after repeated failures. A 4-digit PIN has 10,000
 * values; the limits stop a guesser after a handful.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { StoredPin } from './auth.js';
import { log } from './log.js';

/** scrypt cost: about 50 ms per check on a small server core. */
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 32;

function derive(pin: string, salt: Buffer): Promise<Buffer> {
	return new Promise((resolve, reject) =>
		scrypt(pin, salt, KEY_LENGTH, SCRYPT, (err, key) => (err ? reject(err) : resolve(key)))
	);
}

/** Hashes a PIN for storage. */
export async function hashPin(pin: string): Promise<StoredPin> {
	const salt = randomBytes(16);
	return { salt: salt.toString('base64url'), hash: (await derive(pin, salt)).toString('base64url') };
}

/** Whether `pin` is the stored one. */
export async function verifyPin(pin: string, stored: StoredPin): Promise<boolean> {
	const expected = Buffer.from(stored.hash, 'base64url');
	const actual = await derive(pin, Buffer.from(stored.salt, 'base64url'));
	return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Settings of an {@link AttemptLimiter}. */
interface LimiterOptions {
	/** Failures allowed within `windowMs` before a lockout. */
	maxFailures: number;
	windowMs: number;
	/** First lockout; each further one doubles, up to a day. */
	lockoutMs: number;
}

/** What is kept per key: recent failures, the current lockout, and how many lockouts came before. */
export interface AttemptEntry {
	failures: number[];
	lockedUntil: number;
	lockouts: number;
}

/**
 * Where attempt counters live: in the relay's store (LevelDB or PostgreSQL),
 * so that a restart does not reset them and several relay instances count
 * together (in memory, N instances would give a guesser N times the tries).
 */
export interface AttemptStore {
	readAttempts(key: string): Promise<AttemptEntry | null>;
	/**
	 * Replaces the entry of `key` with what `change` makes of it (null
	 * deletes it), atomically against other changes of the same key; `expires`
	 * is when the new entry stops mattering (for pruning).
	 */
	updateAttempts(
		key: string,
		change: (entry: AttemptEntry | null) => { entry: AttemptEntry; expires: number } | null
	): Promise<void>;
	/** Deletes entries that stopped mattering before `now`. */
	pruneAttempts(now: number): Promise<void>;
}

/**
 * A stored attempt record, or null when there is none or it does not parse:
 * a damaged record must not break PIN recovery for good, so it is logged
 * and counting starts again for that key.
 */
export function parseAttemptRecord<T>(json: string | null | undefined, key: string): T | null {
	if (!json) return null;
	try {
		return JSON.parse(json) as T;
	} catch {
		log.error({ key }, 'unreadable PIN attempt record; counting again from zero');
		return null;
	}
}

/** Counts failed attempts per key and locks keys out after too many. */
export class AttemptLimiter {
	readonly #options: LimiterOptions;
	readonly #store: AttemptStore;
	readonly #prefix: string;

	/** `prefix` keeps this limiter's keys apart from another's in the same store. */
	constructor(store: AttemptStore, prefix: string, options: LimiterOptions) {
		this.#store = store;
		this.#prefix = prefix;
		this.#options = options;
	}

	/** Milliseconds until `key` may try again; 0 if it may now. */
	async retryAfter(key: string, now = Date.now()): Promise<number> {
		const entry = await this.#store.readAttempts(this.#prefix + key);
		return entry && entry.lockedUntil > now ? entry.lockedUntil - now : 0;
	}

	/** Records a failed attempt; resolves true if it locked the key out. */
	async fail(key: string, now = Date.now()): Promise<boolean> {
		const { maxFailures, windowMs, lockoutMs } = this.#options;
		let locked = false;
		await this.#store.updateAttempts(this.#prefix + key, (stored) => {
			const entry: AttemptEntry = stored
				? { ...stored, failures: stored.failures.filter((t) => t > now - windowMs) }
				: { failures: [], lockedUntil: 0, lockouts: 0 };
			entry.failures.push(now);
			locked = entry.failures.length >= maxFailures;
			if (locked) {
				entry.failures = [];
				entry.lockedUntil = now + Math.min(lockoutMs * 2 ** entry.lockouts, 24 * 60 * 60 * 1000);
				entry.lockouts++;
			}
			// Lockouts keep counting (each doubles) for a day after the last one ends.
			const expires = Math.max(now + windowMs, entry.lockouts ? entry.lockedUntil + 24 * 60 * 60 * 1000 : 0);
			return { entry, expires };
		});
		return locked;
	}

	/** Forgets the failures of `key` (after a success); its lockout history stays. */
	async succeed(key: string, now = Date.now()): Promise<void> {
		await this.#store.updateAttempts(this.#prefix + key, (stored) =>
			stored && stored.lockouts
				? { entry: { ...stored, failures: [] }, expires: stored.lockedUntil + 24 * 60 * 60 * 1000 }
				: stored && stored.lockedUntil > now
					? { entry: { ...stored, failures: [] }, expires: stored.lockedUntil }
					: null
		);
	}
}
