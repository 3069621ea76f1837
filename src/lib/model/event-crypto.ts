/**
 * Sealing an event's contents on the device (issue 20, private events).
 *
 * The key is 256 random bits that live only in the link's fragment
 * (`/e/<id>#<key>`), so the relay never has it. Each value is sealed with
 * AES-GCM (WebCrypto) under a key derived for this one event, and bound to
 * its place in the document by the additional data: a relay that moves a
 * title into a member's name, or one member's marks into another's entry,
 * gets values that no longer open. A value that does not open (tampered,
 * moved, another key, not even base64url) reads as `null`; nothing here
 * throws on bad input from the network.
 *
 * Text is padded to a multiple of a bucket before sealing so that the
 * relay learns a title's or name's length only to within the bucket.
 *
 * The plan for the rest of issue 20 is docs/plans/private-events.md.
 */
import { fromBase64UrlEncoded, toBase64UrlEncoded } from 'lib0/buffer';
import { isSecret, newSecret } from './ids.js';

/** Bytes of the random nonce in front of each sealed value (AES-GCM's standard 96 bits). */
const IV_BYTES = 12;
/** Bytes of the authentication tag WebCrypto appends (128 bits). */
const TAG_BYTES = 16;
/** Bytes sealing adds to a value: the nonce and the tag. */
export const SEAL_OVERHEAD = IV_BYTES + TAG_BYTES;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A fresh event key: 256 random bits, 43 base64url characters (the shape of a write secret). */
export function newEventKey(): string {
	return newSecret();
}

/** Whether `value` is a well-formed event key (what a link's fragment must hold). */
export function isEventKey(value: unknown): value is string {
	return isSecret(value);
}

/** An event's key, imported for sealing and opening that event's values. */
export interface EventKeys {
	/** The event the key was derived for: values of another event never open with it. */
	readonly eventId: string;
	/** AES-GCM, 256 bits, not extractable. */
	readonly aes: CryptoKey;
}

/**
 * Imports a link's key for one event. HKDF-SHA-256 with the event id as
 * salt derives the AES key, so the same 43 characters pasted onto another
 * event's link open nothing there. Rejects a malformed key with a clear error.
 */
export async function importEventKey(key: string, eventId: string): Promise<EventKeys> {
	if (!isEventKey(key)) throw new Error('An event key is 43 base64url characters');
	const subtle = globalThis.crypto.subtle;
	const material = await subtle.importKey('raw', fromBase64UrlEncoded(key), 'HKDF', false, ['deriveKey']);
	const aes = await subtle.deriveKey(
		{ name: 'HKDF', hash: 'SHA-256', salt: utf8.encode(`moim-event:${eventId}`), info: utf8.encode('moim/seal') },
		material,
		{ name: 'AES-GCM', length: 256 },
		false,
		['encrypt', 'decrypt']
	);
	return { eventId, aes };
}

/** The additional data binding a value to its event and its place in the document. */
function boundTo(keys: EventKeys, place: string): Uint8Array<ArrayBuffer> {
	return utf8.encode(`moim/${keys.eventId}/${place}`);
}

/**
 * Seals `plaintext` for `place` (the value's path in the document, such as
 * `event/title` or `members/<memberId>`): nonce, ciphertext and tag, as bytes.
 */
export async function sealRaw(
	keys: EventKeys,
	plaintext: Uint8Array<ArrayBuffer>,
	place: string
): Promise<Uint8Array<ArrayBuffer>> {
	const iv = globalThis.crypto.getRandomValues(new Uint8Array(IV_BYTES));
	const sealed = await globalThis.crypto.subtle.encrypt(
		{ name: 'AES-GCM', iv, additionalData: boundTo(keys, place) },
		keys.aes,
		plaintext
	);
	const out = new Uint8Array(IV_BYTES + sealed.byteLength);
	out.set(iv);
	out.set(new Uint8Array(sealed), IV_BYTES);
	return out;
}

/** Opens what {@link sealRaw} sealed for the same place; `null` when it does not open. */
export async function openRaw(
	keys: EventKeys,
	bytes: Uint8Array<ArrayBuffer>,
	place: string
): Promise<Uint8Array | null> {
	if (bytes.length < SEAL_OVERHEAD) return null;
	try {
		const plain = await globalThis.crypto.subtle.decrypt(
			{ name: 'AES-GCM', iv: bytes.subarray(0, IV_BYTES), additionalData: boundTo(keys, place) },
			keys.aes,
			bytes.subarray(IV_BYTES)
		);
		return new Uint8Array(plain);
	} catch {
		// WebCrypto's OperationError: the tag did not match. Nothing more to say to a reader.
		return null;
	}
}

/** {@link sealRaw} as base64url, for values stored as strings (settings, names). */
export async function sealBytes(keys: EventKeys, plaintext: Uint8Array<ArrayBuffer>, place: string): Promise<string> {
	return toBase64UrlEncoded(await sealRaw(keys, plaintext, place));
}

/** Opens what {@link sealBytes} sealed for the same place; `null` when it does not open. */
export async function openBytes(keys: EventKeys, sealed: string, place: string): Promise<Uint8Array | null> {
	if (typeof sealed !== 'string' || !/^[A-Za-z0-9_-]+$/.test(sealed)) return null;
	let bytes: Uint8Array<ArrayBuffer>;
	try {
		bytes = new Uint8Array(fromBase64UrlEncoded(sealed));
	} catch {
		return null;
	}
	// Only the one canonical spelling: Node's decoder skips stray characters that a browser's rejects.
	if (toBase64UrlEncoded(bytes) !== sealed) return null;
	return openRaw(keys, bytes, place);
}

/**
 * Pads to a multiple of `bucket` bytes: a 0x80 byte, then zeros
 * (ISO/IEC 7816-4), so the padding can always be told from the text.
 */
export function pad(bytes: Uint8Array, bucket: number): Uint8Array<ArrayBuffer> {
	const length = Math.ceil((bytes.length + 1) / bucket) * bucket;
	const out = new Uint8Array(length);
	out.set(bytes);
	out[bytes.length] = 0x80;
	return out;
}

/** Removes {@link pad}'s padding; `null` if there is none. */
export function unpad(bytes: Uint8Array): Uint8Array | null {
	let end = bytes.length - 1;
	while (end >= 0 && bytes[end] === 0) end--;
	return end >= 0 && bytes[end] === 0x80 ? bytes.subarray(0, end) : null;
}

/** Bytes text is padded to a multiple of: titles and names up to 31 bytes of UTF-8 all seal to one size. */
export const TEXT_BUCKET = 32;

/** Seals text (a title, a name, a JSON value) for `place`, padded to {@link TEXT_BUCKET}. */
export function sealText(keys: EventKeys, text: string, place: string, bucket = TEXT_BUCKET): Promise<string> {
	return sealBytes(keys, pad(utf8.encode(text), bucket), place);
}

/** Opens what {@link sealText} sealed for the same place; `null` when it does not open or is not text. */
export async function openText(keys: EventKeys, sealed: string, place: string): Promise<string | null> {
	const padded = await openBytes(keys, sealed, place);
	const bytes = padded && unpad(padded);
	if (!bytes) return null;
	try {
		return fromUtf8.decode(bytes);
	} catch {
		return null;
	}
}
