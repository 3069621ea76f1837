/**
 * An event's copy on this device: the y-indexeddb database beside its Y.Doc.
 * y-indexeddb has no public way to learn that its database failed to open,
 * to add a whole-document update and count it for its trimming, or to wait
 * for its writes; it keeps the database promise (`_db`) and the update count
 * (`_dbsize`) private. This module is the one place that reaches into them.
 */
import * as Y from 'yjs';
import type { IndexeddbPersistence } from 'y-indexeddb';
import { isQuotaError, storageHealth, type StorageHealth } from '../device/storage.js';

/** How often a write that did not fit is retried while nothing changes. */
const RETRY_MS = 15_000;
/** After a new change, how soon a write that did not fit is retried. */
const RETRY_AFTER_CHANGE_MS = 500;

/** Name of an event's IndexedDB database. */
export function localDbName(eventId: string): string {
	return `moim-event-${eventId}`;
}

/** The copy's database, once open; rejects when IndexedDB refused it. */
export function openedDatabase(persistence: IndexeddbPersistence): Promise<IDBDatabase> {
	return persistence._db;
}

/**
 * Adds the whole document as one stored update, covering any update whose
 * write failed. (y-indexeddb's own storeState does not report failure.)
 * Older entries stay; y-indexeddb merges them when it next trims.
 */
function storeWholeDocument(persistence: IndexeddbPersistence): Promise<void> {
	return new Promise((resolve, reject) => {
		const db = persistence.db;
		if (!db) return reject(new Error('The stored copy is not open'));
		const tx = db.transaction(['updates'], 'readwrite');
		tx.objectStore('updates').add(Y.encodeStateAsUpdate(persistence.doc));
		tx.oncomplete = () => {
			// Counted like y-indexeddb's own writes, so its trimming sees it.
			persistence._dbsize++;
			resolve();
		};
		tx.onabort = () => reject(tx.error ?? new Error('The write was aborted'));
	});
}

/**
 * Waits until every write already started on `persistence` has finished.
 * IndexedDB runs overlapping transactions in order, so a read transaction
 * that completes comes after every earlier write.
 */
export function flushLocalCopy(persistence: IndexeddbPersistence): Promise<void> {
	const db = persistence.db;
	if (!db) return Promise.resolve();
	return new Promise<void>((resolve) => {
		try {
			const tx = db.transaction(['updates', 'custom'], 'readonly');
			tx.oncomplete = tx.onabort = tx.onerror = () => resolve();
		} catch {
			resolve();
		}
	});
}

/**
 * Deletes an event's database. Resolves also when the deletion is blocked by
 * a connection still closing (it completes once that one is gone), so a reset
 * never hangs on it; lib0's deleteDB would wait.
 */
export function deleteLocalDatabase(eventId: string): Promise<void> {
	return new Promise<void>((resolve) => {
		try {
			const request = indexedDB.deleteDatabase(localDbName(eventId));
			request.onsuccess = request.onerror = request.onblocked = () => resolve();
		} catch {
			resolve();
		}
	});
}

/**
 * Watches an event's IndexedDB copy for failed writes. A transaction that
 * aborts with QuotaExceededError means an update is missing from the stored
 * copy, so once space allows the whole document is written again.
 * Returns the stop function.
 */
export function watchLocalCopy(
	eventId: string,
	persistence: IndexeddbPersistence,
	health: StorageHealth = storageHealth
): () => void {
	let stopped = false;
	let retry: ReturnType<typeof setTimeout> | null = null;
	let db: IDBDatabase | null = null;

	const rewrite = async () => {
		retry = null;
		if (stopped) return;
		try {
			await storeWholeDocument(persistence);
			health.clear(eventId, 'full');
		} catch (error) {
			if (isQuotaError(error)) retryIn(RETRY_MS);
		}
	};
	const retryIn = (ms: number) => {
		if (retry) clearTimeout(retry);
		retry = setTimeout(rewrite, ms);
	};
	const onAbort = (e: Event) => {
		const error = (e.target as IDBTransaction | null)?.error ?? null;
		if (!isQuotaError(error)) return;
		health.report(eventId, 'full');
		if (!retry) retryIn(RETRY_MS);
	};
	// Space may have been freed: try again soon after each change.
	const onUpdate = () => {
		if (health.problems.get(eventId) === 'full') retryIn(RETRY_AFTER_CHANGE_MS);
	};
	persistence.doc.on('update', onUpdate);

	openedDatabase(persistence).then(
		(opened) => {
			if (stopped) return;
			db = opened;
			// Transaction aborts bubble to the database.
			db.addEventListener('abort', onAbort);
		},
		() => health.report(eventId, 'unavailable')
	);
	return () => {
		stopped = true;
		if (retry) clearTimeout(retry);
		db?.removeEventListener('abort', onAbort);
		persistence.doc.off('update', onUpdate);
	};
}
