/**
 * Identifier formats shared by the app and the relay.
 *
 * An event id is the capability to read an event: 128 random bits, so nobody
 * can guess their way in. It is written in base64url without padding, which
 * is always 22 characters; the last character carries only 2 bits, so it is
 * one of `A`, `Q`, `g`, `w`.
 */
import { toBase64UrlEncoded } from 'lib0/buffer';

function randomId(byteCount: number): string {
	const bytes = new Uint8Array(byteCount);
	globalThis.crypto.getRandomValues(bytes);
	return toBase64UrlEncoded(bytes);
}

/** Matches exactly the strings {@link newEventId} can produce. */
const EVENT_ID_PATTERN = /^[A-Za-z0-9_-]{21}[AQgw]$/;

/** A fresh, unguessable event id (128 random bits, 22 base64url characters). */
export function newEventId(): string {
	return randomId(16);
}

/** Whether `value` is a well-formed event id. */
export function isEventId(value: unknown): value is string {
	return typeof value === 'string' && EVENT_ID_PATTERN.test(value);
}

/** Matches member ids: 96 random bits, 16 base64url characters. */
const MEMBER_ID_PATTERN = /^[A-Za-z0-9_-]{16}$/;

/** A fresh member id. Unique within an event with overwhelming probability. */
export function newMemberId(): string {
	return randomId(12);
}

/** Whether `value` is a well-formed member id. */
export function isMemberId(value: unknown): value is string {
	return typeof value === 'string' && MEMBER_ID_PATTERN.test(value);
}

/**
 * A secret proving a device may write as a member or as the organizer:
 * 256 random bits (43 base64url characters). Same shape as an event id's
 * alphabet, so it travels in a URL query unescaped.
 */
const SECRET_PATTERN = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/** A fresh write secret. */
export function newSecret(): string {
	return randomId(32);
}

/** Whether `value` is a well-formed write secret. */
export function isSecret(value: unknown): value is string {
	return typeof value === 'string' && SECRET_PATTERN.test(value);
}

/**
 * Room id of a personal document synced between one person's devices ("Use
 * on my other devices"): `my-` and a fresh secret. Knowing it is the right to
 * read and write it, so it travels only in a link's fragment.
 */
const PERSONAL_ROOM_PATTERN = /^my-[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/** Whether `value` is a personal room id. */
export function isPersonalRoomId(value: unknown): value is string {
	return typeof value === 'string' && PERSONAL_ROOM_PATTERN.test(value);
}

/** A fresh personal room id. */
export function newPersonalRoomId(): string {
	return `my-${newSecret()}`;
}
