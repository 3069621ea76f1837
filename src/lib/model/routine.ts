/**
 * My week: a personal routine ("Math academy, 14:00–16:00 Mon Wed Fri") kept
 * as patterns, never as instances. A routine lives in a personal document
 * on the device (`routines` Y.Map: entry id → entry), separate from every
 * event. Which of an event's slots it covers is derived on demand for that
 * event's slots and zone (`busySlots`), so daylight-saving changes and
 * valid-from/until dates are applied where the slots are, not stored.
 */
import * as Y from 'yjs';
import { CalendarDateTime, fromAbsolute, toCalendarDate, toZoned } from '@internationalized/date';
import type { Mark } from './event-doc.js';
import { isIsoDate, isTimeZone, normaliseText } from './settings.js';
import { isoWeekday, type Grid } from './slots.js';

/** One time range of a routine entry, repeating on its weekdays. */
export interface RoutineRange {
	/** Minutes after local midnight. */
	start: number;
	/** Minutes after local midnight, exclusive, ≤ 1440. */
	end: number;
	/** ISO weekdays, 1 = Monday. */
	weekdays: number[];
}

/** One entry of my week. */
export interface RoutineEntry {
	id: string;
	title: string;
	ranges: RoutineRange[];
	/** First day it applies (`YYYY-MM-DD`, inclusive), if limited. */
	from?: string;
	/** Last day it applies (inclusive), if limited. */
	until?: string;
	/** The zone its wall-clock times are in (the device's when it was made). */
	tz: string;
}

/** Why an entry cannot be saved. */
export type RoutineError =
	| 'title.required'
	| 'ranges.required'
	| 'range.times'
	| 'range.order'
	| 'range.weekdays'
	| 'dates.invalid'
	| 'dates.order'
	| 'tz.invalid';

/** A range being filled in: its times stay unset (`null`) until chosen, so no sample passes for data. */
export interface RoutineRangeDraft {
	start: number | null;
	end: number | null;
	weekdays: number[];
}

/** An entry being filled in (every saved entry is also a draft). */
export type RoutineDraft = Omit<RoutineEntry, 'ranges'> & { ranges: RoutineRangeDraft[] };

/** A new range: no times, no days. */
export const emptyRange = (): RoutineRangeDraft => ({ start: null, end: null, weekdays: [] });

/** Name of the personal document's map of entries. */
export const ROUTINES_KEY = 'routines';

/**
 * Every problem with a draft, each once, in the order of the form (empty
 * when it can be saved): the form names all missing parts at once rather
 * than one per attempt.
 */
export function routineProblems(entry: RoutineDraft): RoutineError[] {
	const out = new Set<RoutineError>();
	if (!normaliseText(entry.title)) out.add('title.required');
	if (entry.ranges.length === 0) out.add('ranges.required');
	for (const r of entry.ranges) {
		if (r.start === null || r.end === null) out.add('range.times');
		else if (!Number.isInteger(r.start) || !Number.isInteger(r.end) || r.start < 0 || r.end > 1440 || r.end <= r.start)
			out.add('range.order');
		if (r.weekdays.length === 0 || !r.weekdays.every((d) => Number.isInteger(d) && d >= 1 && d <= 7))
			out.add('range.weekdays');
	}
	if ((entry.from && !isIsoDate(entry.from)) || (entry.until && !isIsoDate(entry.until))) out.add('dates.invalid');
	else if (entry.from && entry.until && entry.until < entry.from) out.add('dates.order');
	if (!isTimeZone(entry.tz)) out.add('tz.invalid');
	return [...out];
}

/** The first problem with an entry, or `null` if it can be saved. */
export function checkRoutine(entry: RoutineDraft): RoutineError | null {
	return routineProblems(entry)[0] ?? null;
}

/** Whether a draft is complete, so it can be saved as an entry. */
export function isCompleteRoutine(entry: RoutineDraft): entry is RoutineEntry {
	return checkRoutine(entry) === null;
}

/** The routine map of a personal document. */
export function routinesMap(doc: Y.Doc): Y.Map<RoutineEntry> {
	return doc.getMap(ROUTINES_KEY);
}

/** Adds or replaces an entry (one transaction). Throws on an entry `checkRoutine` refuses. */
export function saveRoutine(doc: Y.Doc, entry: RoutineEntry): void {
	const problem = checkRoutine(entry);
	if (problem) throw new Error(`Cannot save routine entry: ${problem}`);
	const clean: RoutineEntry = {
		id: entry.id,
		title: normaliseText(entry.title),
		ranges: entry.ranges.map((r) => ({ start: r.start, end: r.end, weekdays: [...new Set(r.weekdays)].sort() })),
		tz: entry.tz,
		...(entry.from ? { from: entry.from } : {}),
		...(entry.until ? { until: entry.until } : {})
	};
	routinesMap(doc).set(entry.id, clean);
}

/** Deletes an entry. */
export function deleteRoutine(doc: Y.Doc, id: string): void {
	routinesMap(doc).delete(id);
}

/** Every well-formed entry, sorted by title. Damaged values are skipped. */
export function readRoutines(doc: Y.Doc): RoutineEntry[] {
	const out: RoutineEntry[] = [];
	for (const value of routinesMap(doc).values()) {
		if (value && typeof value === 'object' && Array.isArray(value.ranges) && checkRoutine(value) === null)
			out.push(value);
	}
	return out.sort((a, b) => a.title.localeCompare(b.title));
}

/** Whether `entry` has a range on `date` (its ISO weekday) overlapping minutes [from, to). */
function busyOn(entry: RoutineEntry, date: string, from: number, to: number): boolean {
	if ((entry.from && date < entry.from) || (entry.until && date > entry.until)) return false;
	const weekday = isoWeekday(date);
	return entry.ranges.some((r) => r.weekdays.includes(weekday) && r.start < to && from < r.end);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Whether any entry covers part of the span [start, start + minutes) (an instant, ms). */
function busyAt(entries: readonly RoutineEntry[], start: number, minutes: number): boolean {
	return entries.some((entry) => {
		const local = fromAbsolute(start, entry.tz);
		const date = `${local.year}-${pad(local.month)}-${pad(local.day)}`;
		const from = local.hour * 60 + local.minute;
		// Wall-clock length can differ from `minutes` across a clock change; use the end's own local time.
		const endLocal = fromAbsolute(start + minutes * 60_000, entry.tz);
		const endDate = `${endLocal.year}-${pad(endLocal.month)}-${pad(endLocal.day)}`;
		const to = endLocal.hour * 60 + endLocal.minute;
		if (endDate === date) return busyOn(entry, date, from, to === from ? from + minutes : to);
		// The span crosses the entry's midnight: the end of one day, the start of the next.
		return busyOn(entry, date, from, 1440) || (to > 0 && busyOn(entry, endDate, 0, to));
	});
}

/**
 * The event slots my routine covers. `dates` slots are instants and are
 * compared in each entry's zone. `weekdays` slots are wall-clock times in the
 * event's zone; they are placed on their next occurrence from `now` to be
 * compared (so valid-from/until and zone differences apply to the coming week).
 */
export function busySlots(entries: readonly RoutineEntry[], grid: Grid, now: number): Set<string> {
	if (entries.length === 0) return new Set();
	return slotsWhere(grid, now, (start, minutes) => busyAt(entries, start, minutes));
}

/** A busy span of time, ms since the epoch, end exclusive (e.g. from an imported calendar). */
export interface BusySpan {
	start: number;
	end: number;
}

/** The event slots that overlap any of `spans` (weekly slots placed on their next occurrence from `now`). */
export function slotsOverlapping(spans: readonly BusySpan[], grid: Grid, now: number): Set<string> {
	if (spans.length === 0) return new Set();
	return slotsWhere(grid, now, (start, minutes) =>
		spans.some((s) => s.start < start + minutes * 60_000 && start < s.end)
	);
}

/** The slots for which `test(start instant, length in minutes)` holds. */
function slotsWhere(grid: Grid, now: number, test: (start: number, minutes: number) => boolean): Set<string> {
	const busy = new Set<string>();
	const today = toCalendarDate(fromAbsolute(now, grid.zone));
	for (const key of grid.slots) {
		const weekly = /^w([1-7])T(\d\d):(\d\d)$/.exec(key);
		let start: number;
		if (weekly) {
			let day = today;
			while (isoWeekday(day.toString()) !== Number(weekly[1])) day = day.add({ days: 1 });
			start = toZoned(
				new CalendarDateTime(day.year, day.month, day.day, Number(weekly[2]), Number(weekly[3])),
				grid.zone
			)
				.toDate()
				.getTime();
		} else {
			start = Date.parse(key);
		}
		if (test(start, grid.slot)) busy.add(key);
	}
	return busy;
}

/** How a fill treats my marks. */
export type FillMode =
	/** Every free slot available; every busy slot cleared ("Fill from my week"). */
	| 'replace'
	/** Only add the free slots; leave my other marks as they are. */
	| 'free-only'
	/** Only clear the busy slots (an imported calendar). */
	| 'busy-only';

/** The marks a fill would write: slot → mark, only where it changes something. */
export function fillProposal(
	grid: Grid,
	busy: ReadonlySet<string>,
	current: ReadonlyMap<string, number>,
	mode: FillMode
): Map<string, Mark> {
	const out = new Map<string, Mark>();
	for (const slot of grid.slots) {
		const mark: Mark | null = busy.has(slot) ? (mode === 'free-only' ? null : 0) : mode === 'busy-only' ? null : 1;
		if (mark === null) continue;
		if ((current.get(slot) ?? 0) !== mark) out.set(slot, mark);
	}
	return out;
}

/** An entry's range on a concrete day. */
export interface RoutineOccurrence {
	entry: RoutineEntry;
	/** ms since the epoch. */
	start: number;
	end: number;
}

/**
 * What is on now and what comes next, within a week from `now` — cheap
 * enough for the home page: at most 8 days × entries × ranges, in each
 * entry's own zone.
 */
export function nowAndNext(
	entries: readonly RoutineEntry[],
	now: number
): { current: RoutineOccurrence | null; next: RoutineOccurrence | null } {
	let current: RoutineOccurrence | null = null;
	let next: RoutineOccurrence | null = null;
	for (const entry of entries) {
		let day = toCalendarDate(fromAbsolute(now, entry.tz)).subtract({ days: 1 });
		for (let i = 0; i < 9; i++, day = day.add({ days: 1 })) {
			const date = day.toString();
			if ((entry.from && date < entry.from) || (entry.until && date > entry.until)) continue;
			const weekday = isoWeekday(date);
			for (const r of entry.ranges) {
				if (!r.weekdays.includes(weekday)) continue;
				const at = (minutes: number) =>
					toZoned(new CalendarDateTime(day.year, day.month, day.day).add({ minutes }), entry.tz)
						.toDate()
						.getTime();
				const occurrence = { entry, start: at(r.start), end: at(r.end) };
				if (occurrence.start <= now && now < occurrence.end) {
					if (!current || occurrence.end < current.end) current = occurrence;
				} else if (occurrence.start > now && (!next || occurrence.start < next.start)) next = occurrence;
			}
		}
	}
	return { current, next };
}
