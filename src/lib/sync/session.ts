/**
 * An open event on this device: its Y.Doc, kept in IndexedDB and synced
 * through the relay. Sessions are shared and reference-counted so that
 * creating an event and then showing it reuse one document and one socket.
 */
import * as Y from 'yjs';
import { IndexeddbPersistence, storeState } from 'y-indexeddb';
import type { WebsocketProvider } from 'y-websocket';
import { TabSyncProvider } from './tab-provider.js';
import { PARAM_SCHEMA, SYNC_PATH } from '../model/relay-protocol.js';
import { READ_SCHEMA_VERSION } from '../model/settings.js';
import { availabilityMap } from '../model/event-doc.js';
import { compactLog, needsCompaction } from '../model/log-compaction.js';
import { isSealedEvent, type EventCipher } from '../model/sealed-event.js';
import { compactSealedLog, needsSealedCompaction, settleSealedLog } from '../model/sealed-log.js';
import { myMemberId, rememberedEvents, setMyMemberId, setPending } from '../device/events.js';
import { forgetEventKey, forgetMemberSecret } from '../device/secrets.js';
import { EventAccess } from './access.js';
import { SyncTracker } from './status.js';
import { ackStore } from './ack-store.js';
import { deleteLocalDatabase, flushLocalCopy, localDbName, openedDatabase, watchLocalCopy } from './local-copy.js';
import { storageHealth } from '../device/storage.js';

/**
 * How loading the stored copy went: `loaded` from an earlier visit, `new`
 * when this device had no copy yet, `evicted` when it had one that is gone,
 * `unavailable` when storage is refused.
 */
export type LocalCopy = 'loaded' | 'new' | 'evicted' | 'unavailable';

/** One event, open on this device. */
export interface EventSession {
	readonly id: string;
	readonly doc: Y.Doc;
	readonly local: IndexeddbPersistence;
	readonly relay: WebsocketProvider;
	/** Who this device writes as; change it before writing as someone new. */
	readonly access: EventAccess;
	readonly sync: SyncTracker;
	/**
	 * Resolves once the copy stored on this device has been loaded (or found
	 * empty), or storage turned out to be unavailable; the relay goes on either way.
	 */
	readonly localReady: Promise<LocalCopy>;
	/** Resolves once this device's secrets for the event are loaded and the connection presents them. */
	readonly accessReady: Promise<void>;
}

interface Entry {
	session: EventSession;
	refs: number;
	closeTimer: ReturnType<typeof setTimeout> | null;
	close: () => void;
}

const open = new Map<string, Entry>();

/** How long a released session stays open, to bridge a navigation. */
const LINGER_MS = 2000;

/** The relay's websocket base URL on this origin. */
export function relayUrl(location: Location = globalThis.location): string {
	const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
	return `${scheme}//${location.host}${SYNC_PATH}`;
}

/** Query parameters of every sync URL this app opens: the schema level it reads, for the relay to count. */
export function syncParams(): Record<string, string> {
	return { [PARAM_SCHEMA]: String(READ_SCHEMA_VERSION) };
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
	// Listed on this device means it had a copy here; a new copy then means it was cleared.
	const listedBefore = rememberedEvents().some((e) => e.id === id);
	const doc = new Y.Doc();
	const local = new IndexeddbPersistence(localDbName(id), doc);
	// Connects once this device's secrets for the event are loaded (EventAccess.start).
	const relay = new TabSyncProvider(relayUrl(), id, doc, { connect: false, params: syncParams() });
	const access = new EventAccess(relay, id);
	const accessReady = access.start(myMemberId(id));
	const sync = new SyncTracker(relay, doc, { loadOrigins: new Set([local]), store: ackStore(local) });
	const stopWatching = watchLocalCopy(id, local);
	const unsubscribe = sync.subscribe(() => setPending(id, sync.snapshot.unconfirmed));
	const localReady = Promise.race([
		local.whenSynced
			.then(() => markStored(local))
			.then((copy): LocalCopy => (copy === 'new' && listedBefore ? 'evicted' : copy)),
		openedDatabase(local).then(
			() => new Promise<never>(() => {}),
			(): LocalCopy => 'unavailable'
		)
	]);
	void localReady.then((copy) => copy === 'evicted' && storageHealth.report(id, 'evicted'));
	const session: EventSession = { id, doc, local, relay, access, sync, localReady, accessReady };
	open.set(id, {
		session,
		refs: 1,
		closeTimer: null,
		close: () => {
			unsubscribe();
			stopWatching();
			access.destroy();
			sync.destroy();
			relay.destroy();
			void local.destroy().catch(() => {});
			doc.destroy();
		}
	});
	return session;
}

/**
 * How long compaction on open waits for the relay to confirm this device's
 * copy. What it last confirmed before a reload may not have been saved yet,
 * and only confirmed strokes are folded; offline, it folds what the saved
 * confirmation covers.
 */
const COMPACT_WAIT_MS = 15_000;

/** Resolves when `sync` says the relay has everything on this device, or after `ms`. */
function confirmedOrLater(sync: SyncTracker, ms: number): Promise<void> {
	return new Promise((resolve) => {
		const done = () => {
			clearTimeout(timer);
			off();
			resolve();
		};
		const timer = setTimeout(done, ms);
		const off = sync.subscribe(() => {
			if (sync.snapshot.state === 'synced') done();
		});
		if (sync.snapshot.state === 'synced') done();
	});
}

/**
 * Folds `memberId`'s stroke log when it has grown long (log-compaction.ts;
 * docs/design/document-size.md): once the stored copy and what the relay
 * acknowledged are loaded and the relay has confirmed this copy (or
 * {@link COMPACT_WAIT_MS} passed), and only while the connection writes as
 * that member (the relay accepts no other writer of the log). The page folds
 * on open and a moment after strokes; undo keeps working (it writes marks
 * back, model/stroke-history.ts). Then the stored copy is saved whole at once
 * (`storeState`) rather than after y-indexeddb has gathered 500 more updates.
 * A private event's log is folded with its `cipher` (sealed-log.ts), once its
 * frames have opened, queued with strokes on it. Returns how many records
 * (frames) it folded.
 */
export async function foldLog(
	session: EventSession,
	memberId: string,
	cipher: EventCipher | null = null
): Promise<number> {
	await Promise.all([session.localReady, session.accessReady, session.sync.ackLoaded]);
	await confirmedOrLater(session.sync, COMPACT_WAIT_MS);
	// The page may have been left while waiting: a closed session's document is gone.
	if (open.get(session.id)?.session !== session) return 0;
	const log = availabilityMap(session.doc).get(memberId);
	const acked = session.sync.acknowledged;
	const ready = () => log instanceof Y.Text && !!acked && session.access.memberId === memberId;
	if (!ready() || !acked) return 0;
	let folded: number;
	if (isSealedEvent(session.doc)) {
		if (!cipher) return 0;
		await settleSealedLog(session.doc, cipher, memberId);
		if (!ready() || !needsSealedCompaction(session.doc, cipher, memberId)) return 0;
		// Queued with strokes on this log: a stroke made meanwhile lands after the fold, never in it.
		folded = await compactSealedLog(session.doc, cipher, memberId, acked);
	} else {
		if (!needsCompaction(log as Y.Text)) return 0;
		folded = compactLog(log as Y.Text, acked);
	}
	if (folded > 0) await storeState(session.local, true).catch(() => {});
	return folded;
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
		entry.close();
	}, LINGER_MS);
}

/**
 * Waits until every write already started on this device's stored copies has
 * finished (before a reload). IndexedDB runs overlapping transactions in
 * order, so a read that completes comes after every earlier write.
 */
export async function flushLocalCopies(): Promise<void> {
	await Promise.all([...open.values()].map(({ session }) => flushLocalCopy(session.local)));
}

const STORED_SINCE_KEY = 'stored-since';

/**
 * Tells a copy kept from an earlier visit from a new one. The document alone
 * cannot: the relay may have filled it before the stored copy was read.
 */
async function markStored(local: IndexeddbPersistence): Promise<LocalCopy> {
	try {
		if ((await local.get(STORED_SINCE_KEY)) !== undefined) return 'loaded';
		await local.set(STORED_SINCE_KEY, Date.now());
	} catch {
		// A failed marker write shows up as a storage problem elsewhere.
	}
	return 'new';
}

/**
 * Drops this device's copy of an event (after the relay refused it) so the
 * next load takes the relay's. With `forgetMember`, also who we were there.
 * The caller reloads the page afterwards.
 */
export async function resetLocalCopy(session: EventSession, forgetMember: string | null): Promise<void> {
	const entry = open.get(session.id);
	if (entry?.session === session) {
		open.delete(session.id);
		if (entry.closeTimer) clearTimeout(entry.closeTimer);
		entry.close();
	}
	if (forgetMember) {
		setMyMemberId(session.id, null);
		await forgetMemberSecret(session.id, forgetMember);
	}
	await deleteLocalDatabase(session.id);
}

/**
 * Deletes this device's copy of an event for good (emptying the trash). The
 * event itself lives on at the relay and with everyone else; opening its
 * link again loads it afresh.
 */
export async function deleteLocalCopy(eventId: string): Promise<void> {
	const entry = open.get(eventId);
	if (entry) {
		open.delete(eventId);
		if (entry.closeTimer) clearTimeout(entry.closeTimer);
		entry.close();
	}
	await Promise.all([deleteLocalDatabase(eventId), forgetEventKey(eventId)]);
}
