/**
 * The personal document: my week (routine entries). It is a Y.Doc in its own
 * IndexedDB database, never joined to an event's relay room, so routines
 * never reach other people. Two tabs share it through a BroadcastChannel.
 * "Use on my other devices" syncs it through the relay in a personal room
 * (`my-<secret>`, see ids.ts) whose id only my devices know: the link
 * carries it in its fragment, which browsers never send to a server.
 */
import * as Y from 'yjs';
import { IndexeddbPersistence } from 'y-indexeddb';
import { WebsocketProvider } from 'y-websocket';
import { isPersonalRoomId, newPersonalRoomId } from '../model/ids.js';
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

/** localStorage key of this device's personal room, when syncing is on. */
const ROOM_KEY = 'moim:personal-room';

let provider: WebsocketProvider | null = null;

function storedRoom(): string | null {
	const room = readLocal(ROOM_KEY);
	return isPersonalRoomId(room) ? room : null;
}

/** The personal room this device syncs my week through, or `null`. */
export function personalRoom(): string | null {
	return storedRoom();
}

/** Starts syncing with the stored room, if any (called on every page load). */
export function resumePersonalSync(): WebsocketProvider | null {
	const room = storedRoom();
	if (!room) return null;
	if (provider?.roomname === room) return provider;
	return connect(room);
}

function connect(room: string): WebsocketProvider {
	provider?.destroy();
	provider = new WebsocketProvider(relayUrl(), room, personalDoc().doc, { disableBc: true, params: syncParams() });
	return provider;
}

/**
 * Turns syncing on: with `room` from another device's link, or a new room.
 * Entries already here are merged into it. Returns the room id.
 */
export function startPersonalSync(room: string = storedRoom() ?? newPersonalRoomId()): string {
	if (!isPersonalRoomId(room)) throw new Error('Not a personal sync link');
	// If it cannot be remembered, it syncs for this visit only.
	writeLocal(ROOM_KEY, room);
	connect(room);
	return room;
}

/** Stops syncing on this device; the entries stay here (and on the other devices). */
export function stopPersonalSync(): void {
	provider?.destroy();
	provider = null;
	writeLocal(ROOM_KEY, null);
}

/** The link that brings another device into this room. */
export function personalSyncLink(room: string, origin: string = location.origin): string {
	return `${origin}/week#sync=${room}`;
}
