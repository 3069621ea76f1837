/**
 * My week synced between my devices, sealed (issue 20): the personal room
 * at the relay holds each routine entry sealed with the sync link's key, so
 * the relay stores when I am busy without being able to read it. The key is
 * derived for the room as an event's is for its event (event-crypto.ts),
 * and each entry is bound to its place, `routines/<entryId>`.
 */
import { isEventKey, openText, sealText, type EventKeys } from './event-crypto.js';
import { isPersonalRoomId } from './ids.js';
import { checkRoutine, type RoutineEntry } from './routine.js';

/** Bytes an entry is padded to a multiple of: its size says little about how many ranges it has. */
const ROUTINE_BUCKET = 128;

const routinePlace = (id: string) => `routines/${id}`;

/** Seals an entry for the personal room. */
export function sealRoutine(keys: EventKeys, entry: RoutineEntry): Promise<string> {
	return sealText(keys, JSON.stringify(entry), routinePlace(entry.id), ROUTINE_BUCKET);
}

/**
 * Opens an entry sealed for `routines/<id>`: the entry, or `null` when it
 * does not open (another key, tampered with, moved) or is not a whole entry.
 */
export async function openRoutine(keys: EventKeys, id: string, sealed: unknown): Promise<RoutineEntry | null> {
	if (typeof sealed !== 'string') return null;
	const text = await openText(keys, sealed, routinePlace(id));
	if (text === null) return null;
	try {
		const entry = JSON.parse(text) as RoutineEntry;
		return entry &&
			typeof entry === 'object' &&
			entry.id === id &&
			Array.isArray(entry.ranges) &&
			checkRoutine(entry) === null
			? entry
			: null;
	} catch {
		return null;
	}
}

/** A personal sync link's fragment value: the room and its key, `<room>.<key>` (`.` is in neither). */
export function personalSyncCode(room: string, key: string): string {
	return `${room}.${key}`;
}

/**
 * The room and key in a sync link's fragment value, or `null` when it is
 * not one. A room alone (links from before keys) gives `key: null`.
 */
export function parsePersonalSyncCode(code: string): { room: string; key: string | null } | null {
	const [room, key, ...rest] = code.split('.');
	if (rest.length > 0 || !isPersonalRoomId(room)) return null;
	if (key === undefined) return { room, key: null };
	return isEventKey(key) ? { room, key } : null;
}
