/**
 * The personal document: my week (routine entries), on this device only.
 * It is a Y.Doc in its own IndexedDB database, never joined to an event's
 * relay room, so routines never reach other people. Two tabs share it
 * through IndexedDB updates, and through a BroadcastChannel while both are
 * open.
 */
import * as Y from 'yjs';
import { IndexeddbPersistence } from 'y-indexeddb';

/** IndexedDB database of the personal document. */
export const PERSONAL_DB = 'moim-personal';

let personal: { doc: Y.Doc; ready: Promise<void> } | null = null;

/** The personal document (opened once per page) and when its stored copy has loaded. */
export function personalDoc(): { doc: Y.Doc; ready: Promise<void> } {
	if (personal) return personal;
	const doc = new Y.Doc();
	let ready: Promise<void>;
	try {
		const local = new IndexeddbPersistence(PERSONAL_DB, doc);
		ready = local.whenSynced.then(
			() => undefined,
			() => undefined
		);
	} catch {
		// IndexedDB refused (private mode): the routine lives for this visit only.
		ready = Promise.resolve();
	}
	// Other tabs' changes arrive here while both are open.
	if (typeof BroadcastChannel === 'function') {
		const channel = new BroadcastChannel(PERSONAL_DB);
		doc.on('update', (update: Uint8Array, origin: unknown) => {
			if (origin !== channel) channel.postMessage(update);
		});
		channel.onmessage = (e: MessageEvent<Uint8Array>) => Y.applyUpdate(doc, new Uint8Array(e.data), channel);
	}
	personal = { doc, ready };
	return personal;
}
