/**
 * PINs: short, human-chosen, so stored with a slow salted hash (scrypt) and
 * guarded by attempt limits per member and per client address, with a
 * lockout that grows after repeated failures. A 4-digit PIN has 10,000
 * values; the limits stop a guesser after a handful.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { StoredPin } from './auth.js';

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

/** Counts failed attempts per key and locks keys out after too many. */
export class AttemptLimiter {
	readonly #options: LimiterOptions;
	readonly #entries = new Map<string, { failures: number[]; lockedUntil: number; lockouts: number }>();

	constructor(options: LimiterOptions) {
		this.#options = options;
	}

	/** Milliseconds until `key` may try again; 0 if it may now. */
	retryAfter(key: string, now = Date.now()): number {
		const entry = this.#entries.get(key);
		return entry && entry.lockedUntil > now ? entry.lockedUntil - now : 0;
	}

	/** Records a failed attempt; returns true if it locked the key out. */
	fail(key: string, now = Date.now()): boolean {
		const { maxFailures, windowMs, lockoutMs } = this.#options;
		let entry = this.#entries.get(key);
		if (!entry) this.#entries.set(key, (entry = { failures: [], lockedUntil: 0, lockouts: 0 }));
		entry.failures = entry.failures.filter((t) => t > now - windowMs);
		entry.failures.push(now);
		if (entry.failures.length < maxFailures) return false;
		entry.failures = [];
		entry.lockedUntil = now + Math.min(lockoutMs * 2 ** entry.lockouts, 24 * 60 * 60 * 1000);
		entry.lockouts++;
		return true;
	}

	/** Forgets the failures of `key` (after a success). */
	succeed(key: string) {
		const entry = this.#entries.get(key);
		if (entry) entry.failures = [];
	}

	/** Drops entries that no longer matter (called now and then). */
	prune(now = Date.now()) {
		for (const [key, entry] of this.#entries) {
			if (entry.lockedUntil <= now && entry.failures.every((t) => t <= now - this.#options.windowMs))
				this.#entries.delete(key);
		}
	}
}
