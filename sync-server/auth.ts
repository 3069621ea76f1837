/**
 * Who a connection is, from the credentials it presents (subprotocol
 * tokens, or URL parameters from older clients: see
 * src/lib/model/relay-protocol.ts).
 *
 * A device that joins an event makes a random member secret; the first
 * connection that presents a member id with a secret registers it, and
 * from then on that member id needs the same secret. The organizer secret
 * works the same way, but can only be registered while the room holds no
 * event yet: whoever writes the event's settings first is its organizer.
 * No credentials at all is a reader, which may sync but not write.
 *
 * Secrets are 256 random bits, so a salted SHA-256 is a sufficient hash
 * (nothing to brute-force); only hashes are stored, and secrets are never
 * logged. A member may have several secrets: one per device, the others
 * issued after proving a PIN (pins.ts).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isMemberId, isSecret } from '../src/lib/model/ids.js';
import { PARAM_MEMBER, PARAM_MEMBER_SECRET, PARAM_ORGANIZER_SECRET } from '../src/lib/model/relay-protocol.js';
import type { Writer } from '../src/lib/model/write-check.js';

/** A PIN as stored: scrypt of the PIN with its own salt (see pins.ts). */
export interface StoredPin {
	salt: string;
	hash: string;
}

/** A room's registered secrets, as hashes. */
export interface Credentials {
	organizer: string | null;
	/** Per member, the hashes of the secrets of each device that may write as it. */
	members: Record<string, string[]>;
	pins: Record<string, StoredPin>;
	/** The stored record was unreadable: register nothing new, so nobody can take over. */
	frozen?: boolean;
}

/** Credentials of a room nobody has written to. */
export function emptyCredentials(): Credentials {
	return { organizer: null, members: {}, pins: {} };
}

/** Why credentials were refused (sent as the close reason). */
type AuthRefusal =
	| 'malformed-credentials'
	| 'wrong-member-secret'
	| 'wrong-organizer-secret'
	| 'organizer-taken'
	| 'credentials-unreadable'
	| 'event-full';

/** The result of {@link authenticate}; `registered` says `credentials` changed and must be saved. */
type AuthResult = { ok: true; writer: Writer; registered: boolean } | { ok: false; reason: AuthRefusal };

/** Whether nobody is registered in `credentials`. */
export function isEmpty(credentials: Credentials): boolean {
	return credentials.organizer === null && Object.keys(credentials.members).length === 0;
}

/** The stored form of a secret. */
export function hashSecret(room: string, secret: string): string {
	return createHash('sha256').update(`moim:${room}:${secret}`).digest('base64url');
}

function same(a: string, b: string): boolean {
	const x = Buffer.from(a);
	const y = Buffer.from(b);
	return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Checks a connection's credentials against the room's, registering new
 * ones (in `credentials`) where allowed. `eventExists`: the room's document
 * already holds event settings; `full`: the event has as many members as
 * it may, so no new one is registered.
 */
export function authenticate(
	room: string,
	credentials: Credentials,
	params: URLSearchParams,
	eventExists: boolean,
	full = false
): AuthResult {
	if ([PARAM_MEMBER, PARAM_MEMBER_SECRET, PARAM_ORGANIZER_SECRET].some((name) => params.getAll(name).length > 1))
		return { ok: false, reason: 'malformed-credentials' };
	const memberId = params.get(PARAM_MEMBER);
	const memberSecret = params.get(PARAM_MEMBER_SECRET);
	const organizerSecret = params.get(PARAM_ORGANIZER_SECRET);
	if ((memberId === null) !== (memberSecret === null)) return { ok: false, reason: 'malformed-credentials' };
	if (memberId !== null && (!isMemberId(memberId) || !isSecret(memberSecret)))
		return { ok: false, reason: 'malformed-credentials' };
	if (organizerSecret !== null && !isSecret(organizerSecret)) return { ok: false, reason: 'malformed-credentials' };

	let registered = false;
	let organizer = false;
	if (organizerSecret !== null) {
		const hash = hashSecret(room, organizerSecret);
		if (credentials.organizer === null) {
			if (credentials.frozen) return { ok: false, reason: 'credentials-unreadable' };
			if (eventExists) return { ok: false, reason: 'organizer-taken' };
			credentials.organizer = hash;
			registered = true;
		} else if (!same(credentials.organizer, hash)) {
			return { ok: false, reason: 'wrong-organizer-secret' };
		}
		organizer = true;
	}
	if (memberId !== null && memberSecret !== null) {
		const known = credentials.members[memberId];
		if (known === undefined) {
			if (credentials.frozen) return { ok: false, reason: 'credentials-unreadable' };
			if (full) return { ok: false, reason: 'event-full' };
			credentials.members[memberId] = [hashSecret(room, memberSecret)];
			registered = true;
		} else if (!memberSecretMatches(room, credentials, memberId, memberSecret)) {
			return { ok: false, reason: 'wrong-member-secret' };
		}
	}
	return { ok: true, writer: { memberId, organizer }, registered };
}

/** Whether `secret` is one of the registered secrets of `memberId`. */
export function memberSecretMatches(room: string, credentials: Credentials, memberId: string, secret: string): boolean {
	const hash = hashSecret(room, secret);
	return (credentials.members[memberId] ?? []).some((known) => same(known, hash));
}

/** Whether `secret` is the organizer's. */
export function organizerSecretMatches(room: string, credentials: Credentials, secret: string): boolean {
	return credentials.organizer !== null && same(credentials.organizer, hashSecret(room, secret));
}

/** Lets one more device write as `memberId` (after it proved the PIN). */
export function addMemberSecret(room: string, credentials: Credentials, memberId: string, secret: string): void {
	(credentials.members[memberId] ??= []).push(hashSecret(room, secret));
}

/** Reads stored credentials; an unreadable record gives frozen, empty credentials. */
export function parseCredentials(raw: string | undefined): Credentials {
	if (!raw) return emptyCredentials();
	try {
		const value = JSON.parse(raw);
		const members: Record<string, string[]> = {};
		const pins: Record<string, StoredPin> = {};
		if (typeof value !== 'object' || value === null || typeof value.members !== 'object') throw new Error('shape');
		for (const [id, hashes] of Object.entries(value.members)) {
			if (!Array.isArray(hashes) || !hashes.every((h) => typeof h === 'string')) throw new Error('shape');
			members[id] = hashes;
		}
		for (const [id, pin] of Object.entries(value.pins ?? {})) {
			const { salt, hash } = (pin ?? {}) as Partial<StoredPin>;
			if (typeof salt !== 'string' || typeof hash !== 'string') throw new Error('shape');
			pins[id] = { salt, hash };
		}
		if (value.organizer !== null && typeof value.organizer !== 'string') throw new Error('shape');
		return { organizer: value.organizer, members, pins };
	} catch {
		return { ...emptyCredentials(), frozen: true };
	}
}

/** The stored form of credentials. */
export function serializeCredentials(credentials: Credentials): string {
	return JSON.stringify({ organizer: credentials.organizer, members: credentials.members, pins: credentials.pins });
}
