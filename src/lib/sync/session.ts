/**
 * An open event on this device: its Y.Doc, kept in IndexedDB and synced
 * through the relay. Sessions are shared and reference-counted so that
 * creating an event and then showing it reuse one document and one socket.
 */
import * as Y from 'yjs';
import { IndexeddbPersistence } from 'y-indexeddb';
import { WebsocketProvider } from 'y-websocket';
import { SYNC_PATH } from '../model/protocol.js';
import { SyncTracker } from './status.js';

/** One event, open on this device. */
export interface EventSession {
	readonly id: string;
	readonly doc: Y.Doc;
	readonly local: IndexeddbPersistence;
	readonly relay: WebsocketProvider;
	readonly sync: SyncTracker;
	/** Resolves once the copy stored on this device has been loaded. */
	readonly localReady: Promise<void>;
}

interface Entry {
	session: EventSession;
	refs: number;
	closeTimer: ReturnType<typeof setTimeout> | null;
}

const open = new Map<string, Entry>();

/** How long a released session stays open, to bridge a navigation. */
const LINGER_MS = 2000;

/** Name of an event's IndexedDB database. */
export function localDbName(eventId: string): string {
	return `moim-event-${eventId}`;
}

/** The relay's websocket base URL on this origin. */
export function relayUrl(location: Location = globalThis.location): string {
	const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
	return `${scheme}//${location.host}${SYNC_PATH}`;
}

/** Opens (or reuses) the session of an event. Pair with {@link releaseEvent}. */
export function acquireEvent(id: string): EventSession {
	const existing = open.get(id);
	if (existing) {
		existing.refs++;
		if (existing.closeTimer) clearTimeout(existing.closeTimer);
		existing.closeTimer = null;
		return existing.session;
	}
	const doc = new Y.Doc();
	const local = new IndexeddbPersistence(localDbName(id), doc);
	const relay = new WebsocketProvider(relayUrl(), id, doc);
	const sync = new SyncTracker(relay, doc, new Set([local, relay]));
	const session: EventSession = {
		id,
		doc,
		local,
		relay,
		sync,
		localReady: local.whenSynced.then(() => undefined)
	};
	open.set(id, { session, refs: 1, closeTimer: null });
	return session;
}

/** Gives back a session; it closes shortly after its last user lets go. */
export function releaseEvent(session: EventSession): void {
	const entry = open.get(session.id);
	if (!entry || entry.session !== session) return;
	entry.refs--;
	if (entry.refs > 0 || entry.closeTimer) return;
	entry.closeTimer = setTimeout(() => {
		if (entry.refs > 0) return;
		open.delete(session.id);
		session.sync.destroy();
		session.relay.destroy();
		void session.local.destroy();
		session.doc.destroy();
	}, LINGER_MS);
}
