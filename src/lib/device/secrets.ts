/**
 * This device's write secrets (see sync-server/auth.ts): one per member it
 * joined as, and the organizer secret of the events it created. Kept in an
 * IndexedDB database of their own, never shown and never sent anywhere but
 * the relay. If IndexedDB is refused they live in this tab's memory only.
 */
import * as idb from 'lib0/indexeddb';
import { newSecret } from '../model/ids.js';

const DB_NAME = 'moim-device';
const STORE = 'secrets';

/** Secrets kept in memory when IndexedDB is not available. */
const fallback = new Map<string, string>();

let opening: Promise<IDBDatabase | null> | null = null;

function database(): Promise<IDBDatabase | null> {
	opening ??= idb.openDB(DB_NAME, (db) => idb.createStores(db, [[STORE]])).catch(() => null);
	return opening;
}

/**
 * Runs `fn` on the secrets store, or gives `undefined` without IndexedDB.
 * Resolves once the transaction has committed (not when its request
 * succeeded), so a secret the relay is about to see is really kept.
 */
async function run<T>(
	mode: 'readonly' | 'readwrite',
	fn: (store: IDBObjectStore) => Promise<T>
): Promise<T | undefined> {
	const db = await database();
	if (!db) return undefined;
	try {
		const [store] = idb.transact(db, [STORE], mode);
		const committed = new Promise<void>((resolve, reject) => {
			store.transaction.oncomplete = () => resolve();
			store.transaction.onabort = () => reject(store.transaction.error);
		});
		const [result] = await Promise.all([fn(store), committed]);
		return result;
	} catch {
		return undefined;
	}
}

const memberKey = (eventId: string, memberId: string) => `member:${eventId}:${memberId}`;
const organizerKey = (eventId: string) => `organizer:${eventId}`;

async function read(key: string): Promise<string | null> {
	const stored = await run('readonly', (store) => idb.get(store, key));
	return typeof stored === 'string' ? stored : (fallback.get(key) ?? null);
}

async function create(key: string): Promise<string> {
	const secret = newSecret();
	fallback.set(key, secret);
	await run('readwrite', (store) => idb.put(store, secret, key));
	return secret;
}

/** The secret this device holds for a member of an event, if any. */
export function memberSecret(eventId: string, memberId: string): Promise<string | null> {
	return read(memberKey(eventId, memberId));
}

/** Makes and keeps a secret for a member this device is joining as. */
export function createMemberSecret(eventId: string, memberId: string): Promise<string> {
	return create(memberKey(eventId, memberId));
}

/** The organizer secret of an event created on this device, if any. */
export function organizerSecret(eventId: string): Promise<string | null> {
	return read(organizerKey(eventId));
}

/** Makes and keeps the organizer secret of an event being created here. */
export function createOrganizerSecret(eventId: string): Promise<string> {
	return create(organizerKey(eventId));
}

/** Members of an event this device holds secrets for (it can act as them). */
export async function membersWithSecrets(eventId: string): Promise<Set<string>> {
	const prefix = memberKey(eventId, '');
	const keys =
		(await run('readonly', (store) => idb.getAllKeys(store, IDBKeyRange.bound(prefix, prefix + '\uffff')))) ?? [];
	const ids = new Set<string>();
	for (const key of keys) if (typeof key === 'string') ids.add(key.slice(prefix.length));
	for (const key of fallback.keys()) if (key.startsWith(prefix)) ids.add(key.slice(prefix.length));
	return ids;
}

/** Forgets the secret of a member (after the relay refused it). */
export async function forgetMemberSecret(eventId: string, memberId: string): Promise<void> {
	const key = memberKey(eventId, memberId);
	fallback.delete(key);
	await run('readwrite', (store) => idb.del(store, key));
}

/** Keeps a member secret the relay issued to this device (PIN recovery). */
export async function saveMemberSecret(eventId: string, memberId: string, secret: string): Promise<void> {
	const key = memberKey(eventId, memberId);
	fallback.set(key, secret);
	await run('readwrite', (store) => idb.put(store, secret, key));
}

const eventKeyKey = (eventId: string) => `key:${eventId}`;

/**
 * The key of a private event this device has opened (the part of its link
 * after `#`), so the home list's links open it without the fragment. Kept
 * beside the write secrets, never in localStorage.
 */
export function eventKey(eventId: string): Promise<string | null> {
	return read(eventKeyKey(eventId));
}

/** Keeps a private event's key, once it has opened the event (a mistyped link's key is not kept). */
export async function saveEventKey(eventId: string, key: string): Promise<void> {
	fallback.set(eventKeyKey(eventId), key);
	await run('readwrite', (store) => idb.put(store, key, eventKeyKey(eventId)));
}

/** Forgets a private event's key (its copy on this device is deleted for good). */
export async function forgetEventKey(eventId: string): Promise<void> {
	fallback.delete(eventKeyKey(eventId));
	await run('readwrite', (store) => idb.del(store, eventKeyKey(eventId)));
}
