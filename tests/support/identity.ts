/**
 * Credentials for test clients, as the app makes them: a member id with its
 * secret, and optionally an organizer secret (sent as subprotocol tokens by
 * stock clients, see clients.ts; `query` puts them in the URL, as older
 * clients do).
 */
import { newMemberId, newSecret } from '../../src/lib/model/ids.js';
import {
	PARAM_MEMBER,
	PARAM_MEMBER_SECRET,
	PARAM_ORGANIZER_SECRET,
	PARAM_SCHEMA
} from '../../src/lib/model/relay-protocol.js';
import { READ_SCHEMA_VERSION } from '../../src/lib/model/settings.js';

/** Someone who can write: their member id and the URL params that prove it. */
export interface Person {
	memberId: string;
	params: Record<string, string>;
}

/**
 * A new person; `organizer` adds an organizer secret (for the event's
 * creator). `memberId` claims an existing member's id with a fresh secret
 * (an impersonation the relay must refuse).
 */
export function person({ organizer = false, memberId = newMemberId() } = {}): Person {
	const params: Record<string, string> = { [PARAM_MEMBER]: memberId, [PARAM_MEMBER_SECRET]: newSecret() };
	if (organizer) params[PARAM_ORGANIZER_SECRET] = newSecret();
	return { memberId, params };
}

/** The query of a reader's URL (no credentials): the app's schema level, without which the relay closes a v3 room's connection. */
export const READER_QUERY = `?${PARAM_SCHEMA}=${READ_SCHEMA_VERSION}`;

/** `params` as a URL query string, with the app's schema level (for raw sockets; the relay still reads credentials there). */
export function query(p: Person): string {
	return '?' + new URLSearchParams({ ...p.params, [PARAM_SCHEMA]: String(READ_SCHEMA_VERSION) }).toString();
}
