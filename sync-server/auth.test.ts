import { describe, expect, it } from 'vitest';
import { newEventId, newMemberId, newSecret } from '../src/lib/model/ids.js';
import { authenticate, emptyCredentials, hashSecret, parseCredentials, serializeCredentials } from './auth.js';

const room = newEventId();
const params = (p: Record<string, string>) => new URLSearchParams(p);

describe('authenticate', () => {
	it('registers a member on first use and then requires the same secret', () => {
		const creds = emptyCredentials();
		const member = newMemberId();
		const secret = newSecret();
		expect(authenticate(room, creds, params({ member, secret }), true)).toEqual({
			ok: true,
			writer: { memberId: member, organizer: false },
			registered: true
		});
		expect(creds.members[member]).toEqual([hashSecret(room, secret)]);
		expect(JSON.stringify(creds)).not.toContain(secret);
		expect(authenticate(room, creds, params({ member, secret }), true)).toMatchObject({ ok: true, registered: false });
		expect(authenticate(room, creds, params({ member, secret: newSecret() }), true)).toEqual({
			ok: false,
			reason: 'wrong-member-secret'
		});
	});

	it('lets the organizer be registered only before the event exists', () => {
		const organizer = newSecret();
		const fresh = emptyCredentials();
		expect(authenticate(room, fresh, params({ organizer }), false)).toMatchObject({
			ok: true,
			writer: { organizer: true }
		});
		expect(authenticate(room, fresh, params({ organizer }), true)).toMatchObject({ ok: true, registered: false });
		expect(authenticate(room, fresh, params({ organizer: newSecret() }), true)).toEqual({
			ok: false,
			reason: 'wrong-organizer-secret'
		});
		expect(authenticate(room, emptyCredentials(), params({ organizer }), true)).toEqual({
			ok: false,
			reason: 'organizer-taken'
		});
	});

	it('reads no credentials as a reader, and refuses malformed ones', () => {
		expect(authenticate(room, emptyCredentials(), params({}), true)).toEqual({
			ok: true,
			writer: { memberId: null, organizer: false },
			registered: false
		});
		for (const bad of [
			{ member: newMemberId() } as Record<string, string>,
			{ member: 'x', secret: newSecret() },
			{ member: newMemberId(), secret: 'short' },
			{ organizer: '1234' }
		]) {
			expect(authenticate(room, emptyCredentials(), params(bad), true)).toEqual({
				ok: false,
				reason: 'malformed-credentials'
			});
		}
	});

	it('round-trips stored credentials; an unreadable record registers nobody new', () => {
		const creds = emptyCredentials();
		authenticate(room, creds, params({ member: newMemberId(), secret: newSecret(), organizer: newSecret() }), false);
		expect(parseCredentials(serializeCredentials(creds))).toEqual(creds);
		const frozen = parseCredentials('{"members": 3');
		expect(frozen.frozen).toBe(true);
		expect(authenticate(room, frozen, params({ member: newMemberId(), secret: newSecret() }), true)).toEqual({
			ok: false,
			reason: 'credentials-unreadable'
		});
	});
});
