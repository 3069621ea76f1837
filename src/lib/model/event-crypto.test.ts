import { describe, expect, it } from 'vitest';
import { fromBase64UrlEncoded, toBase64UrlEncoded } from 'lib0/buffer';
import {
	importEventKey,
	isEventKey,
	newEventKey,
	openBytes,
	openText,
	pad,
	sealBytes,
	sealText,
	TEXT_BUCKET,
	unpad
} from './event-crypto.js';
import { newEventId } from './ids.js';

const EVENT = newEventId();

/** `sealed` with one bit flipped at byte `at` (negative: from the end). */
function flip(sealed: string, at: number): string {
	const bytes = fromBase64UrlEncoded(sealed);
	bytes[at < 0 ? bytes.length + at : at] ^= 1;
	return toBase64UrlEncoded(bytes);
}

describe('event keys', () => {
	it('are 43 base64url characters of fresh randomness', () => {
		const a = newEventKey();
		const b = newEventKey();
		expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(isEventKey(a)).toBe(true);
		expect(a).not.toBe(b);
		expect(fromBase64UrlEncoded(a)).toHaveLength(32);
	});

	it('refuses what a mangled link could carry, with a clear error', async () => {
		for (const bad of ['', 'abc', newEventKey().slice(0, 42), `${newEventKey()}x`, newEventKey().replace(/./, '+')])
			expect(isEventKey(bad)).toBe(false);
		await expect(importEventKey('not a key', EVENT)).rejects.toThrow('43 base64url characters');
	});
});

describe('sealing and opening', () => {
	it('round-trips text in both languages, and bytes', async () => {
		const keys = await importEventKey(newEventKey(), EVENT);
		for (const text of ['Team dinner', '팀 회식 🍜', '', 'a'.repeat(500)]) {
			const sealed = await sealText(keys, text, 'event/title');
			expect(sealed).toMatch(/^[A-Za-z0-9_-]+$/);
			expect(await openText(keys, sealed, 'event/title')).toBe(text);
		}
		const bytes = new Uint8Array([0, 1, 2, 250, 0]);
		expect(await openBytes(keys, await sealBytes(keys, bytes, 'availability/m'), 'availability/m')).toEqual(bytes);
	});

	it('never shows the plaintext, and seals the same value differently each time', async () => {
		const keys = await importEventKey(newEventKey(), EVENT);
		const a = await sealText(keys, 'Team dinner', 'event/title');
		const b = await sealText(keys, 'Team dinner', 'event/title');
		expect(a).not.toBe(b);
		for (const sealed of [a, b]) {
			expect(sealed).not.toContain('Team');
			expect(Buffer.from(fromBase64UrlEncoded(sealed)).toString('latin1')).not.toContain('Team dinner');
		}
	});

	it('hides the length of titles and names to within the bucket', async () => {
		const keys = await importEventKey(newEventKey(), EVENT);
		const lengths = await Promise.all(
			['Al', 'Kim Minji', '김민지', 'x'.repeat(TEXT_BUCKET - 1)].map(
				async (name) => (await sealText(keys, name, 'members/m')).length
			)
		);
		expect(new Set(lengths).size).toBe(1);
		expect((await sealText(keys, 'x'.repeat(TEXT_BUCKET), 'members/m')).length).toBeGreaterThan(lengths[0]);
	});

	it('opens nothing that was tampered with, moved, or sealed under another key or event', async () => {
		const key = newEventKey();
		const keys = await importEventKey(key, EVENT);
		const sealed = await sealText(keys, 'Team dinner', 'event/title');
		// One bit anywhere: the nonce, the ciphertext, the tag.
		for (const at of [0, 11, 12, -17, -1]) expect(await openText(keys, flip(sealed, at), 'event/title')).toBeNull();
		// The same value moved to another place in the document.
		expect(await openText(keys, sealed, 'members/AAAAAAAAAAAAAAAA')).toBeNull();
		// Another link's key; the same key on another event (HKDF's salt is the event id).
		expect(await openText(await importEventKey(newEventKey(), EVENT), sealed, 'event/title')).toBeNull();
		expect(await openText(await importEventKey(key, newEventId()), sealed, 'event/title')).toBeNull();
		// The same key imported again opens it: nothing depends on the import.
		expect(await openText(await importEventKey(key, EVENT), sealed, 'event/title')).toBe('Team dinner');
	});

	it('reads garbage from the network as unreadable, never as an exception', async () => {
		const keys = await importEventKey(newEventKey(), EVENT);
		const sealed = await sealText(keys, 'Team dinner', 'event/title');
		for (const garbage of ['', 'a', 'not base64!', sealed.slice(0, 20), `${sealed}A`, sealed.slice(0, -1), '====']) {
			expect(await openText(keys, garbage, 'event/title')).toBeNull();
			expect(await openBytes(keys, garbage, 'event/title')).toBeNull();
		}
		expect(await openText(keys, 42 as unknown as string, 'event/title')).toBeNull();
		// Bytes that open but were never padded text.
		expect(
			await openText(keys, await sealBytes(keys, new Uint8Array([1, 2, 3]), 'event/title'), 'event/title')
		).toBeNull();
		// Padded, but not UTF-8.
		expect(
			await openText(keys, await sealBytes(keys, pad(new Uint8Array([0xff, 0xfe]), 16), 'event/title'), 'event/title')
		).toBeNull();
	});
});

describe('padding', () => {
	it('always adds a marker, and removes exactly what it added', () => {
		for (const length of [0, 1, 15, 16, 17, 31, 32]) {
			const bytes = new Uint8Array(length).fill(0);
			const padded = pad(bytes, 16);
			expect(padded.length % 16).toBe(0);
			expect(padded.length).toBeGreaterThan(length);
			expect(unpad(padded)).toEqual(bytes);
		}
		expect(unpad(new Uint8Array([1, 2, 0, 0]))).toBeNull();
		expect(unpad(new Uint8Array(0))).toBeNull();
	});
});
