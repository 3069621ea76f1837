/**
 * This device's write secrets (see sync-server/auth.ts): one per member it
 * joined as, and the organizer secret of the events it created. Kept in an
 * IndexedDB database of their own, never shown and never sent anywhere but
 * the relay. If IndexedDB is refused they live in this tab's memory only.
 */
import { newSecret } from '../model/ids.js';

const DB_NAME = 'moim-device';
const STORE = 'secrets';

/** Secrets kept in memory when IndexedDB is not available. */
const fallback = new Map<string, string>();

let opening: Promise<IDBDatabase | null> | null = null;

function database(): Promise<IDBDatabase | null> {
	opening ??= new Promise((resolve) => {
		try {
			const request = indexedDB.open(DB_NAME, 1);
			request.onupgradeneeded = () => request.result.createObjectStore(STORE);
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => resolve(null);
			request.onblocked = () => resolve(null);
		} catch {
			resolve(null);
		}
	});
	return opening;
}

function run<T>(mode: IDBTransactionMode, fn: (store: IDBObjectStore) => IDBRequest<T>): Promise<T | undefined> {
	return database().then(
		(db) =>
			new Promise<T | undefined>((resolve) => {
				if (!db) return resolve(undefined);
				try {
					const tx = db.transaction([STORE], mode);
					const request = fn(tx.objectStore(STORE));
					tx.oncomplete = () => resolve(request.result);
					tx.onabort = tx.onerror = () => resolve(undefined);
				} catch {
					resolve(undefined);
				}
			})
	);
}

const memberKey = (eventId: string, memberId: string) => `member:${eventId}:${memberId}`;
const organizerKey = (eventId: string) => `organizer:${eventId}`;

async function read(key: string): Promise<string | null> {
	const stored = await run('readonly', (store) => store.get(key));
	return typeof stored === 'string' ? stored : (fallback.get(key) ?? null);
}

async function create(key: string): Promise<string> {
	const secret = newSecret();
	fallback.set(key, secret);
	await run('readwrite', (store) => store.put(secret, key));
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
	const keys = (await run('readonly', (store) => store.getAllKeys(IDBKeyRange.bound(prefix, prefix + '\uffff')))) ?? [];
	const ids = new Set<string>();
	for (const key of keys) if (typeof key === 'string') ids.add(key.slice(prefix.length));
	for (const key of fallback.keys()) if (key.startsWith(prefix)) ids.add(key.slice(prefix.length));
	return ids;
}

/** Forgets the secret of a member (after the relay refused it). */
export async function forgetMemberSecret(eventId: string, memberId: string): Promise<void> {
	const key = memberKey(eventId, memberId);
	fallback.delete(key);
	await run('readwrite', (store) => store.delete(key));
}

/** Keeps a member secret the relay issued to this device (PIN recovery). */
export async function saveMemberSecret(eventId: string, memberId: string, secret: string): Promise<void> {
	const key = memberKey(eventId, memberId);
	fallback.set(key, secret);
	await run('readwrite', (store) => store.put(secret, key));
}
