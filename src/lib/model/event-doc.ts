/**
 * The event document (schema v2, read up to v3): one Y.Doc per event.
 *
 * - `event` (Y.Map): one key per setting — `title`, `kind`, `dates`,
 *   `weekdays`, `start`, `end`, `slot`, `tz`, `createdAt`, `v` — so two
 *   people editing different settings both keep their edit.
 * - `members` (Y.Map): member id → `{ name, joinedAt }`.
 * - `availability` (Y.Map): member id → the member's marks, either a Y.Map of
 *   slot key → mark (the key in its compact form from schema v2 on; slots.ts,
 *   `compactSlotKey`) or, from schema v3 on, a Y.Text stroke log
 *   (stroke-log.ts). Readers dispatch on the entry's type, not on `v`, so
 *   an entry an older app wrote into a newer event still counts.
 *
 * A mark is `1` (available), `2` (if needed) or `0` (cleared). Clearing
 * writes `0` rather than deleting the key: every change is a new record
 * layered over the old one, newest wins (append-only).
 */
import * as Y from 'yjs';
import { newMemberId } from './ids.js';
import { compactSlotKey, slotFromStored } from './slots.js';
import { changedBlocks, encodeStroke, logEpoch, strokeRects } from './stroke-log.js';
import { cachedMarks, cachedRead, noteAppend } from './log-cache.js';
import {
	hasControlChars,
	normaliseText,
	PLAIN_SCHEMA_VERSION,
	uniqueSorted,
	type EventDraft,
	type EventSettings,
	type SlotLength,
	SLOT_LENGTHS,
	MAX_NAME_LENGTH,
	isIsoDate
} from './settings.js';

/** Names of the document's top-level types. */
export const EVENT_KEY = 'event';
export const MEMBERS_KEY = 'members';
export const AVAILABILITY_KEY = 'availability';

/** Transaction origin of a person's own paint strokes (undo's write-backs are strokes too). */
export const STROKE_ORIGIN = 'moim:stroke';

/** A mark on a slot: cleared (0), available (1) or available if needed (2). */
export type Mark = 0 | 1 | 2;

/** A mark that counts: available or if needed. */
export type Level = 1 | 2;

/** Mark values by name. */
export const CLEARED = 0;
export const AVAILABLE = 1;
export const IF_NEEDED = 2;

/** A member's marked slots and their levels. */
export type MemberMarks = ReadonlyMap<string, Level>;

/** A member as stored in the document. */
export interface Member {
	name: string;
	joinedAt: number;
}

/** Why a member name cannot be used. */
export type NameError = 'name.required' | 'name.tooLong' | 'name.controlChars';

/** Error code for an unacceptable member name, or `null` if it is fine. */
export function checkName(name: string): NameError | null {
	const n = normaliseText(name);
	if (!n) return 'name.required';
	if ([...n].length > MAX_NAME_LENGTH) return 'name.tooLong';
	if (hasControlChars(n)) return 'name.controlChars';
	return null;
}

/** The settings map of an event document. */
export function eventMap(doc: Y.Doc): Y.Map<unknown> {
	return doc.getMap(EVENT_KEY);
}

/** The members map of an event document. */
export function membersMap(doc: Y.Doc): Y.Map<Member> {
	return doc.getMap(MEMBERS_KEY);
}

/** A member's entry in the availability map: a per-slot map (schema v1–v2) or a stroke log (v3). */
export type AvailabilityEntry = Y.Map<Mark> | Y.Text;

/** The availability map of an event document. */
export function availabilityMap(doc: Y.Doc): Y.Map<AvailabilityEntry> {
	return doc.getMap(AVAILABILITY_KEY);
}

/** A member's per-slot map of marks; `undefined` when they have none, or a stroke log instead. */
export function slotMap(doc: Y.Doc, memberId: string): Y.Map<Mark> | undefined {
	const entry = availabilityMap(doc).get(memberId);
	return entry instanceof Y.Map ? entry : undefined;
}

/** First schema version whose members' marks are stroke logs (stroke-log.ts). */
export const LOG_SCHEMA_VERSION = 3;

/** The epoch of the event's dated stroke-log positions (from `createdAt`, which never changes; plain in every schema). */
export function eventLogEpoch(doc: Y.Doc): number {
	const createdAt = eventMap(doc).get('createdAt');
	return logEpoch(typeof createdAt === 'number' && Number.isFinite(createdAt) ? createdAt : 0);
}

/**
 * Writes a new plain event's settings into an empty document, in one
 * transaction. `v`: the schema it is made in, the newest plain one unless
 * a test or benchmark compares layouts. (The app makes private events:
 * sealed-event.ts, `createSealedEvent`.)
 */
export function createEvent(doc: Y.Doc, draft: EventDraft, now: number, v: number = PLAIN_SCHEMA_VERSION): void {
	const map = eventMap(doc);
	if (map.size > 0) throw new Error('This document already holds an event');
	doc.transact(() => {
		map.set('v', v);
		for (const [key, value] of Object.entries(settingValues(draft))) map.set(key, value);
		map.set('createdAt', now);
	});
}

/**
 * Changes an event's settings after creation (the organizer's edit), in one
 * transaction that writes only the settings that differ, so a concurrent
 * edit of another setting is kept. Marks are never touched: slot keys name
 * absolute times, so a mark outside the new window is hidden, not lost, and
 * shows again if the window grows back. Both day lists are kept, so
 * switching between dates and weekdays and back restores the other list.
 */
export function updateSettings(doc: Y.Doc, draft: EventDraft): void {
	const map = eventMap(doc);
	doc.transact(() => {
		for (const [key, value] of Object.entries(settingValues(draft, true))) {
			if (JSON.stringify(map.get(key)) !== JSON.stringify(value)) map.set(key, value);
		}
	});
}

/**
 * Reads the settings, or `null` while the document holds no complete event
 * (not yet synced, or not an event at all). Values of the wrong shape — a
 * newer schema or a hostile peer — count as missing rather than crashing
 * the views.
 */
export function readSettings(doc: Y.Doc): EventSettings | null {
	const m = eventMap(doc);
	return settingsFrom((key) => m.get(key), m.get('createdAt'), m.get('v'));
}

/**
 * Settings from their values one by one (`value(key)` for each of
 * {@link SETTING_KEYS}), or `null` if any is missing or of the wrong shape.
 * Shared by plain events and private ones (sealed-event.ts), whose values
 * are opened first.
 */
export function settingsFrom(
	value: (key: SettingKey) => unknown,
	createdAt: unknown,
	v: unknown
): EventSettings | null {
	const title = value('title');
	const kind = value('kind');
	const dates = value('dates');
	const weekdays = value('weekdays');
	const start = value('start');
	const end = value('end');
	const slot = value('slot');
	const tz = value('tz');
	if (typeof title !== 'string' || (kind !== 'dates' && kind !== 'weekdays')) return null;
	if (!Array.isArray(dates) || !dates.every((d) => typeof d === 'string' && isIsoDate(d))) return null;
	if (!Array.isArray(weekdays) || !weekdays.every((d) => Number.isInteger(d) && d >= 1 && d <= 7)) return null;
	if (!Number.isInteger(start) || !Number.isInteger(end) || (start as number) < 0 || (end as number) > 1440)
		return null;
	if (!(SLOT_LENGTHS as readonly unknown[]).includes(slot) || typeof tz !== 'string') return null;
	return {
		title,
		kind,
		dates: dates as string[],
		weekdays: weekdays as number[],
		start: start as number,
		end: end as number,
		slot: slot as SlotLength,
		tz,
		createdAt: typeof createdAt === 'number' ? createdAt : 0,
		// A document with no version predates versions: never read as a newer (sealed) one.
		v: typeof v === 'number' ? v : 1
	};
}

/** The settings an event keeps, one key each in the event map (so concurrent edits of two settings both stay). */
export const SETTING_KEYS = ['title', 'kind', 'dates', 'weekdays', 'start', 'end', 'slot', 'tz'] as const;

/** One of {@link SETTING_KEYS}. */
export type SettingKey = (typeof SETTING_KEYS)[number];

/** The values {@link createEvent} and {@link updateSettings} store for `draft`, by key. */
export function settingValues(draft: EventDraft, both = false): Record<SettingKey, unknown> {
	return {
		title: normaliseText(draft.title),
		kind: draft.kind,
		dates: both || draft.kind === 'dates' ? uniqueSorted(draft.dates) : [],
		weekdays: both || draft.kind === 'weekdays' ? uniqueSorted(draft.weekdays) : [],
		start: draft.start,
		end: draft.end,
		slot: draft.slot,
		tz: draft.tz
	};
}

/** Event setting (organizer only) that closes the event to new members. */
export const LOCKED_KEY = 'locked';

/** Whether the organizer closed the event to new members (see write-check.ts). */
export function isLocked(doc: Y.Doc): boolean {
	return eventMap(doc).get(LOCKED_KEY) === true;
}

/**
 * Adds a member and their (empty) availability in one transaction and
 * returns the member id: a per-slot map, or a stroke log in a v3 event. The
 * entry is created here, by the one device that owns the member, because
 * two devices creating the same nested type concurrently would each
 * overwrite the other's.
 */
export function joinEvent(doc: Y.Doc, name: string, now: number, id: string = newMemberId()): string {
	const problem = checkName(name);
	if (problem) throw new Error(`Invalid member name (${problem})`);
	doc.transact(() => {
		membersMap(doc).set(id, { name: normaliseText(name), joinedAt: now });
		if (!availabilityMap(doc).has(id)) availabilityMap(doc).set(id, writesLogs(doc) ? new Y.Text() : new Y.Map<Mark>());
	});
	return id;
}

/** Removes a member and their marks, in one transaction (the organizer's right, see write-check.ts). */
export function removeMember(doc: Y.Doc, memberId: string): void {
	doc.transact(() => {
		membersMap(doc).delete(memberId);
		availabilityMap(doc).delete(memberId);
	});
}

/** Renames a member (themselves or the organizer). */
export function renameMember(doc: Y.Doc, memberId: string, name: string): void {
	const problem = checkName(name);
	if (problem) throw new Error(`Invalid member name (${problem})`);
	const current = membersMap(doc).get(memberId);
	if (!current) throw new Error(`No member ${memberId}`);
	membersMap(doc).set(memberId, { ...current, name: normaliseText(name) });
}

/** Closes (or reopens) the event to new members. */
export function setLocked(doc: Y.Doc, locked: boolean): void {
	eventMap(doc).set(LOCKED_KEY, locked);
}

/** Event setting (organizer only): the organizer deleted the event for everyone. */
const DELETED_KEY = 'deleted';

/** Whether the organizer deleted the event for everyone. */
export function isDeleted(doc: Y.Doc): boolean {
	return eventMap(doc).get(DELETED_KEY) === true;
}

/**
 * Organizer: deletes the event for everyone, or restores it. A mark in the
 * document, not an erasure: every copy learns it by syncing, and answers
 * stay in the document in case it is restored.
 */
export function setDeleted(doc: Y.Doc, deleted: boolean): void {
	eventMap(doc).set(DELETED_KEY, deleted);
}

/** Members by id, with well-formed entries only. */
export function readMembers(doc: Y.Doc): Map<string, Member> {
	const out = new Map<string, Member>();
	membersMap(doc).forEach((value, id) => {
		if (value && typeof value.name === 'string')
			out.set(id, { name: value.name, joinedAt: Number(value.joinedAt) || 0 });
	});
	return out;
}

/**
 * Marks or clears `slots` for a member as one stroke: one transaction, so
 * one update on the wire and one step of undo. Writes only the slots whose
 * mark changes; returns how many changed.
 */
export function applyStroke(doc: Y.Doc, memberId: string, slots: Iterable<string>, mark: Mark): number {
	return applyMarks(
		doc,
		memberId,
		[...slots].map((slot) => [slot, mark])
	);
}

/**
 * Writes a set of marks that may differ per slot (a fill from my week or a
 * calendar) as one stroke: one transaction, one update, one undo step. In a
 * stroke log each key names a block of `blockMinutes` (by default the
 * event's block length; undo writes quarter-hours back with 15).
 */
export function applyMarks(
	doc: Y.Doc,
	memberId: string,
	entries: Iterable<readonly [string, Mark]>,
	blockMinutes?: number
): number {
	const marks = availabilityMap(doc).get(memberId);
	if (marks instanceof Y.Text) return appendMarks(doc, marks, entries, blockMinutes);
	if (!(marks instanceof Y.Map)) throw new Error(`Member ${memberId} has not joined this event`);
	const key = storesCompactKeys(doc) ? compactSlotKey : (slot: string) => slot;
	let changed = 0;
	doc.transact(() => {
		for (const [slot, mark] of entries) {
			const stored = key(slot);
			if ((marks.get(stored) ?? 0) !== mark) {
				marks.set(stored, mark);
				changed++;
			}
		}
	}, STROKE_ORIGIN);
	return changed;
}

/**
 * {@link applyMarks} for a stroke log: the blocks whose quarter-hours do not
 * all hold the new mark already, as one stroke record per rectangle, all in
 * one insert (one transaction, one undo step).
 */
function appendMarks(
	doc: Y.Doc,
	log: Y.Text,
	entries: Iterable<readonly [string, Mark]>,
	blockMinutes?: number
): number {
	const slot = blockMinutes ?? eventMap(doc).get('slot');
	const minutes = typeof slot === 'number' && slot > 0 ? slot : 15;
	const epoch = eventLogEpoch(doc);
	const read = cachedRead(log);
	const changed = changedBlocks(read, entries, minutes, epoch);
	if (changed.length > 0) {
		// One stamp for the whole stroke, one more than any this device has seen in the log; one insert at the end.
		const stamp = read.stamp + 1;
		const records = strokeRects(changed, minutes, epoch)
			.map((rect) => encodeStroke(rect, stamp))
			.join('');
		doc.transact(() => {
			log.insert(log.length, records);
			noteAppend(log, records);
		}, STROKE_ORIGIN);
	}
	return changed.length;
}

/** Whether members joining this event get a stroke log rather than a per-slot map (schema v3 and later). */
function writesLogs(doc: Y.Doc): boolean {
	const v = eventMap(doc).get('v');
	return typeof v === 'number' && v >= LOG_SCHEMA_VERSION;
}

/** Whether this event's marks are keyed by compact slot keys (schema v2 and later; see settings.ts). */
function storesCompactKeys(doc: Y.Doc): boolean {
	const v = eventMap(doc).get('v');
	return typeof v === 'number' && v >= 2;
}

/** The slots a member has marked available (level 1; see {@link readMarks} for both levels). */
export function markedSlots(doc: Y.Doc, memberId: string): Set<string> {
	const out = new Set<string>();
	for (const [slot, level] of readMarks(doc, memberId)) if (level === AVAILABLE) out.add(slot);
	return out;
}

/**
 * A member's marks that count (available or if needed), by slot key; unknown
 * values are ignored. The one reader of a member's entry, whichever its type:
 * a per-slot map gives its keys, a stroke log one key per quarter-hour it
 * marks (a block reads the key of its start, its first quarter-hour), so
 * the heatmap, best times and the decision never see the difference.
 */
export function readMarks(doc: Y.Doc, memberId: string): Map<string, Level> {
	const marks = availabilityMap(doc).get(memberId);
	if (marks instanceof Y.Text) return cachedMarks(marks, eventLogEpoch(doc));
	const out = new Map<string, Level>();
	if (marks instanceof Y.Map) {
		marks.forEach((mark, key) => {
			if (mark !== AVAILABLE && mark !== IF_NEEDED) return;
			const slot = slotFromStored(key);
			if (slot !== null) out.set(slot, mark);
		});
	}
	return out;
}

/** Every current member's marks, by member id. */
export function readAvailability(doc: Y.Doc): Map<string, Map<string, Level>> {
	const out = new Map<string, Map<string, Level>>();
	for (const id of readMembers(doc).keys()) out.set(id, readMarks(doc, id));
	return out;
}
