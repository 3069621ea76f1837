import { describe, expect, it } from 'vitest';
import { isEventId, isMemberId, isSecret, newEventId, newMemberId, newSecret } from './ids.js';

describe('ids', () => {
	it('event ids are 22 base64url characters that the validator accepts', () => {
		const seen = new Set<string>();
		for (let i = 0; i < 500; i++) {
			const id = newEventId();
			expect(id).toHaveLength(22);
			expect(isEventId(id)).toBe(true);
			seen.add(id);
		}
		expect(seen.size).toBe(500);
	});

	it('rejects malformed event ids', () => {
		for (const bad of ['', 'abc', newEventId() + 'x', '!'.repeat(22), 'AAAAAAAAAAAAAAAAAAAAAB', 42, null]) {
			expect(isEventId(bad)).toBe(false);
		}
	});

	it('member ids round-trip through the validator', () => {
		expect(isMemberId(newMemberId())).toBe(true);
		expect(isMemberId('short')).toBe(false);
	});

	it('secrets are 256 random bits that the validator accepts, and only those', () => {
		const seen = new Set<string>();
		for (let i = 0; i < 200; i++) {
			const secret = newSecret();
			expect(isSecret(secret)).toBe(true);
			seen.add(secret);
		}
		expect(seen.size).toBe(200);
		for (const bad of ['', newSecret().slice(1), newSecret() + 'A', 'A'.repeat(42) + 'B', newEventId(), 7]) {
			expect(isSecret(bad)).toBe(false);
		}
	});
});
