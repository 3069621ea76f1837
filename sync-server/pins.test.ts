import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AttemptLimiter } from './pins.js';
import { RoomStorage } from './storage.js';
import { LevelStore } from './store-level.js';

const dirs: string[] = [];
afterEach(() => {
	for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('PIN attempt limits in the store', () => {
	it('lock out after the allowed failures, across a reopen; a damaged record counts again from zero', async () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'moim-pins-'));
		dirs.push(dir);
		const options = { maxFailures: 3, windowMs: 60_000, lockoutMs: 60_000 };
		let store = new LevelStore(dir);
		await store.open();
		let limiter = new AttemptLimiter(store, 'member:', options);
		const now = Date.now();
		expect(await limiter.fail('ana', now)).toBe(false);
		expect(await limiter.fail('ana', now + 1)).toBe(false);
		await store.close();

		store = new LevelStore(dir);
		await store.open();
		limiter = new AttemptLimiter(store, 'member:', options);
		expect(await limiter.fail('ana', now + 2)).toBe(true);
		expect(await limiter.retryAfter('ana', now + 3)).toBeGreaterThan(59_000);
		await store.close();

		// A torn or overwritten record: not a crash, not a lockout for ever.
		const raw = new RoomStorage(dir);
		await raw.open();
		await raw.saveAttempts('member:ana', '{"entry":');
		await raw.close();
		store = new LevelStore(dir);
		await store.open();
		limiter = new AttemptLimiter(store, 'member:', options);
		expect(await limiter.retryAfter('ana', now + 4)).toBe(0);
		expect(await limiter.fail('ana', now + 5)).toBe(false);
		await store.close();
	});
});
