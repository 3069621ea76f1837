/**
 * What this device remembers outside the event documents: which member I am
 * in each event, and the events opened here (for the home page). Kept in
 * localStorage, which is per origin and survives restarts; a browser that
 * refuses storage still works, it just forgets.
 */

import { readLocal, writeLocal } from './local-store.js';

const IDENTITY_PREFIX = 'moim:identity:';
const EVENTS_KEY = 'moim:events';

/** An event as listed on the home page. */
export interface RememberedEvent {
	id: string;
	title: string;
	lastOpened: number;
	/** Created on this device. */
	organizer?: boolean;
	/** Changes made on this device are not on the relay yet. */
	pending?: boolean;
	/** What the home page shows and searches, copied from the event when it was last open here. */
	kind?: 'dates' | 'weekdays';
	/** First and last date and how many (dates events). */
	dates?: { first: string; last: string; count: number };
	weekdays?: number[];
	/** Daily window, minutes. */
	start?: number;
	end?: number;
	/** My name in the event, if I joined here, and whether I marked anything. */
	myName?: string;
	marked?: boolean;
	/** Member names, for search. */
	members?: string[];
	/** The organizer deleted it for everyone. */
	deleted?: boolean;
	/** Moved to this device's trash (ms); restorable until the trash is emptied. */
	trashedAt?: number;
}

/** What an open event tells the home page about itself. */
export type EventListing = Pick<
	RememberedEvent,
	'title' | 'kind' | 'dates' | 'weekdays' | 'start' | 'end' | 'myName' | 'marked' | 'members' | 'deleted'
>;

const listeners = new Set<() => void>();
/** Latest pending flags, also for events not listed yet (the title arrives later). */
const knownPending = new Map<string, boolean>();

/**
 * Calls `fn` when the remembered events change, in this tab or another one
 * (through the `storage` event). Returns the unsubscribe.
 */
export function watchRememberedEvents(fn: () => void): () => void {
	const onStorage = (e: StorageEvent) => {
		if (e.key === EVENTS_KEY || e.key === null) fn();
	};
	listeners.add(fn);
	globalThis.addEventListener?.('storage', onStorage);
	return () => {
		listeners.delete(fn);
		globalThis.removeEventListener?.('storage', onStorage);
	};
}

/** The member id this device acts as in an event, if any. */
export function myMemberId(eventId: string): string | null {
	return readLocal(IDENTITY_PREFIX + eventId);
}

/** Remembers (or, with `null`, forgets) who this device is in an event. */
export function setMyMemberId(eventId: string, memberId: string | null): void {
	writeLocal(IDENTITY_PREFIX + eventId, memberId);
}

/** Events opened on this device, most recent first. */
export function rememberedEvents(): RememberedEvent[] {
	try {
		const list = JSON.parse(readLocal(EVENTS_KEY) ?? '[]');
		if (!Array.isArray(list)) return [];
		return list
			.filter((e) => e && typeof e.id === 'string' && typeof e.title === 'string')
			.map(wellFormed)
			.sort((a, b) => b.lastOpened - a.lastOpened);
	} catch {
		return [];
	}
}

/**
 * An entry with only well-typed optional fields: localStorage is edited by
 * other versions of the app (and by hand), and the home page must not break.
 */
function wellFormed(e: RememberedEvent): RememberedEvent {
	const isDate = (d: unknown) => typeof d === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(d);
	const out: RememberedEvent = { ...e, lastOpened: Number.isFinite(e.lastOpened) ? e.lastOpened : 0 };
	if (e.kind !== 'dates' && e.kind !== 'weekdays') delete out.kind;
	if (!e.dates || !isDate(e.dates.first) || !isDate(e.dates.last) || !Number.isInteger(e.dates.count)) delete out.dates;
	if (!Array.isArray(e.weekdays) || !e.weekdays.every((w) => Number.isInteger(w) && w >= 1 && w <= 7))
		delete out.weekdays;
	if (!Number.isInteger(e.start) || !Number.isInteger(e.end)) {
		delete out.start;
		delete out.end;
	}
	if (typeof e.myName !== 'string') delete out.myName;
	if (!Array.isArray(e.members) || !e.members.every((m) => typeof m === 'string')) delete out.members;
	if (typeof e.trashedAt !== 'number') delete out.trashedAt;
	return out;
}

/** Records that an event was opened (or created) now. */
export function rememberEvent(entry: { id: string; title: string; organizer?: boolean }, now = Date.now()): void {
	const all = rememberedEvents();
	const previous = all.find((e) => e.id === entry.id);
	const list = all.filter((e) => e !== previous);
	const pending = knownPending.get(entry.id) ?? previous?.pending;
	list.unshift({ ...previous, ...entry, organizer: entry.organizer || previous?.organizer, pending, lastOpened: now });
	saveEvents(list.slice(0, 200));
}

/** Updates what the home page shows for an event, without counting as opening it. */
export function describeEvent(eventId: string, listing: EventListing): void {
	const list = rememberedEvents();
	const entry = list.find((e) => e.id === eventId);
	if (!entry) return;
	Object.assign(entry, listing);
	saveEvents(list);
}

/** Moves an event to this device's trash (`true`) or back out of it. */
export function trashEvent(eventId: string, trashed: boolean, now = Date.now()): void {
	const list = rememberedEvents();
	const entry = list.find((e) => e.id === eventId);
	if (!entry) return;
	if (trashed) entry.trashedAt = now;
	else delete entry.trashedAt;
	saveEvents(list);
}

/** Forgets an event on this device: its listing and who I am in it. */
export function forgetEvent(eventId: string): void {
	saveEvents(rememberedEvents().filter((e) => e.id !== eventId));
	setMyMemberId(eventId, null);
}

/** Records whether an event has changes the relay has not acknowledged. */
export function setPending(eventId: string, pending: boolean): void {
	knownPending.set(eventId, pending);
	const list = rememberedEvents();
	const entry = list.find((e) => e.id === eventId);
	if (!entry || Boolean(entry.pending) === pending) return;
	entry.pending = pending;
	saveEvents(list);
}

function saveEvents(list: RememberedEvent[]) {
	writeLocal(EVENTS_KEY, JSON.stringify(list));
	for (const fn of listeners) fn();
}
