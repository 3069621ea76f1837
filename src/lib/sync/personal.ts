/**
 * The personal document: my week (routine entries). It is a Y.Doc in its own
 * IndexedDB database, never joined to an event's relay room, so routines
 * never reach other people. Two tabs share it through a BroadcastChannel.
 * "Use on my other devices" syncs it through the relay in a personal room
 * (`my-<secret>`, see ids.ts) whose id only my devices know, as entries
 * sealed with a key only my devices know (sealed-routine.ts): the link
 * carries both in its fragment, which browsers never send to a server.
 */
import * as Y from 'yjs';
import { IndexeddbPersistence } from 'y-indexeddb';
import { WebsocketProvider } from 'y-websocket';
import { isPersonalRoomId, newPersonalRoomId } from '../model/ids.js';
import { importEventKey, isEventKey, newEventKey, type EventKeys } from '../model/event-crypto.js';
import { ROUTINES_KEY, routinesMap, type RoutineEntry } from '../model/routine.js';
import { openRoutine, parsePersonalSyncCode, personalSyncCode, sealRoutine } from '../model/sealed-routine.js';
import { relayUrl, syncParams } from './session.js';
import { readLocal, writeLocal } from '../device/local-store.js';

/** IndexedDB database of the personal document. */
const PERSONAL_DB = 'moim-personal';

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

/**
 * localStorage key of this device's personal room and its key, when syncing
 * is on: `<room>.<key>` (a room alone for a room made before keys). Beside
 * the room id, which already lets its holder write there.
 */
const ROOM_KEY = 'moim:personal-room';

/** Transaction origin of what the bridge copies between my week and the room's sealed copy. */
const BRIDGE = Symbol('personal-bridge');

/** The open sync: its provider and how to stop it. */
let link: { room: string; key: string | null; provider: WebsocketProvider; stop: (forget: boolean) => void } | null =
	null;

function stored(): { room: string; key: string | null } | null {
	const code = readLocal(ROOM_KEY);
	return typeof code === 'string' ? parsePersonalSyncCode(code) : null;
}

/** The personal room this device syncs my week through and its key (`null` for a room made before keys), or `null`. */
export function personalRoom(): { room: string; key: string | null } | null {
	return stored();
}

/** Starts syncing with the stored room, if any (called on every page load). */
export function resumePersonalSync(): WebsocketProvider | null {
	const room = stored();
	if (!room) return null;
	if (link?.room === room.room) return link.provider;
	return connect(room.room, room.key);
}

/**
 * Syncs my week through `room`. With a key, the room holds a sealed copy
 * (a second Y.Doc, kept in IndexedDB as the last state synced, so a
 * deletion made here is not undone by a reload) and a bridge copies entries
 * both ways, sealing on the way out and opening on the way in: my week
 * itself stays as it is, so every reader of it is unchanged. Without a key
 * (a room from before keys), the document syncs directly, as it did.
 */
function connect(room: string, key: string | null): WebsocketProvider {
	link?.stop(false);
	const doc = personalDoc().doc;
	if (!key) {
		const provider = new WebsocketProvider(relayUrl(), room, doc, { disableBc: true, params: syncParams() });
		link = { room, key, provider, stop: () => provider.destroy() };
		return provider;
	}
	const sealed = new Y.Doc();
	let stored: IndexeddbPersistence | null = null;
	let loaded: Promise<boolean> = Promise.resolve(false);
	try {
		stored = new IndexeddbPersistence(`${PERSONAL_DB}-sync-${room}`, sealed);
		loaded = stored.whenSynced.then(
			() => true,
			() => false
		);
	} catch {
		// No IndexedDB: the sealed copy lives for this visit, filled from the room.
	}
	// The room is joined only once both copies here are loaded and compared (bridge), so what
	// arrives from it is never mistaken for what this device had.
	const provider = new WebsocketProvider(relayUrl(), room, sealed, {
		disableBc: true,
		params: syncParams(),
		connect: false
	});
	const stopBridge = bridge(doc, sealed, importEventKey(key, room), loaded, provider);
	link = {
		room,
		key,
		provider,
		stop: (forget) => {
			stopBridge();
			provider.destroy();
			if (forget) void stored?.clearData();
			else void stored?.destroy();
			sealed.destroy();
		}
	};
	return provider;
}

/**
 * Copies routine entries between my week (`mine`, plain, on this device
 * only) and the room's sealed copy (`theirs`), each way only what changed
 * on the other side. First, once both are loaded, they are compared: the
 * stored sealed copy is what was last synced, so an entry only here was
 * made here (it is sent) and one only there was deleted here (it is
 * deleted there); then `provider` connects. Entries are handled one after
 * another per entry, so a quick second edit never lands before the first,
 * and an entry edited here while one from the room was being opened keeps
 * the edit. Returns the stop.
 */
function bridge(
	mine: Y.Doc,
	theirs: Y.Doc,
	keys: Promise<EventKeys>,
	stored: Promise<boolean>,
	provider: WebsocketProvider
): () => void {
	const plain = routinesMap(mine) as Y.Map<unknown>;
	const sealed = theirs.getMap(ROUTINES_KEY) as Y.Map<unknown>;
	const queues = new Map<string, Promise<void>>();
	let stopped = false;
	const queue = (id: string, job: (keys: EventKeys) => Promise<void>) => {
		const run = async () => {
			if (!stopped) await job(await keys);
		};
		const next = (queues.get(id) ?? Promise.resolve()).then(run, run).catch(() => {});
		queues.set(id, next);
	};
	const up = (id: string) =>
		queue(id, async (keys) => {
			const value = plain.get(id) as RoutineEntry | undefined;
			if (value === undefined) {
				if (sealed.has(id)) theirs.transact(() => sealed.delete(id), BRIDGE);
				return;
			}
			const there = await openRoutine(keys, id, sealed.get(id));
			if (there && JSON.stringify(there) === JSON.stringify(value)) return;
			const sealedValue = await sealRoutine(keys, value);
			if (!stopped && plain.get(id) === value) theirs.transact(() => sealed.set(id, sealedValue), BRIDGE);
		});
	const down = (id: string) =>
		queue(id, async (keys) => {
			const value = sealed.get(id);
			const here = plain.get(id);
			if (value === undefined) {
				if (plain.has(id)) mine.transact(() => plain.delete(id), BRIDGE);
				return;
			}
			const entry = await openRoutine(keys, id, value);
			// One that does not open (another key, tampered with) is left out, not shown as garbage;
			// an entry changed here meanwhile keeps the change (its own job sends it).
			if (!entry || stopped || sealed.get(id) !== value || plain.get(id) !== here) return;
			if (JSON.stringify(here) !== JSON.stringify(entry)) mine.transact(() => plain.set(id, entry), BRIDGE);
		});
	const onPlain = (e: Y.YMapEvent<unknown>, tr: Y.Transaction) => {
		if (tr.origin !== BRIDGE) for (const id of e.keysChanged) up(id);
	};
	const onSealed = (e: Y.YMapEvent<unknown>, tr: Y.Transaction) => {
		if (tr.origin !== BRIDGE) for (const id of e.keysChanged) down(id);
	};
	void Promise.all([personalDoc().ready, stored]).then(([, kept]) => {
		if (stopped) return;
		plain.observe(onPlain);
		sealed.observe(onSealed);
		for (const id of plain.keys()) up(id);
		// Without a kept copy nothing says what was deleted here: the room's entries are taken as they come.
		if (kept) for (const id of sealed.keys()) if (!plain.has(id)) up(id);
		provider.connect();
	});
	return () => {
		stopped = true;
		plain.unobserve(onPlain);
		sealed.unobserve(onSealed);
	};
}

/**
 * Turns syncing on: with the room and key from another device's link, or a
 * new room and key. Entries already here are merged into it.
 */
export function startPersonalSync(joining: { room: string; key: string | null } | null = null): {
	room: string;
	key: string | null;
} {
	const current = stored();
	// Sealing needs WebCrypto, which exists only on https (and localhost).
	if (!globalThis.crypto?.subtle) throw new Error('Syncing my week needs a secure (https) page');
	const target = joining ?? current ?? { room: newPersonalRoomId(), key: newEventKey() };
	if (!isPersonalRoomId(target.room) || (target.key !== null && !isEventKey(target.key)))
		throw new Error('Not a personal sync link');
	// If it cannot be remembered, it syncs for this visit only.
	writeLocal(ROOM_KEY, target.key ? personalSyncCode(target.room, target.key) : target.room);
	connect(target.room, target.key);
	return target;
}

/** Stops syncing on this device; the entries stay here (and on the other devices). */
export function stopPersonalSync(): void {
	link?.stop(true);
	link = null;
	writeLocal(ROOM_KEY, null);
}

/** The link that brings another device into this room: the room and its key in the fragment. */
export function personalSyncLink(room: string, key: string | null, origin: string = location.origin): string {
	return `${origin}/week#sync=${key ? personalSyncCode(room, key) : room}`;
}
