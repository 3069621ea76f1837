import { describe, expect, it } from 'vitest';
import { mayWriteAs, ownerOf } from './client-ids.js';

const member = (memberId: string, organizer = false) => ({ memberId, organizer });

describe('client id owners', () => {
	it('binds to everyone the first writer proved to be, and lets any of them write again', () => {
		const both = ownerOf(member('olga', true))!;
		expect(mayWriteAs(member('olga'), both)).toBe(true);
		expect(mayWriteAs({ memberId: null, organizer: true }, both)).toBe(true);
		expect(mayWriteAs(member('ben'), both)).toBe(false);

		const ben = ownerOf(member('ben'))!;
		expect(mayWriteAs(member('ben'), ben)).toBe(true);
		expect(mayWriteAs(member('mallory'), ben)).toBe(false);
		expect(mayWriteAs(member('mallory', true), ben)).toBe(false);
		expect(mayWriteAs({ memberId: null, organizer: false }, ben)).toBe(false);
	});

	it('binds nothing to a reader', () => {
		expect(ownerOf({ memberId: null, organizer: false })).toBeNull();
	});
});
