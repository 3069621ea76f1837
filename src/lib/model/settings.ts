/**
 * Event settings: what an organizer chooses when creating an event, and the
 * rules a valid set of settings obeys. Errors are codes, not sentences, so
 * the views can word them (and translate them) in one place.
 */

/**
 * Version of the event document layout this code creates events in. 4:
 * private events, settings, names and strokes sealed with the link's key
 * (sealed-event.ts, sealed-log.ts). 3: members' marks are stroke logs
 * (stroke-log.ts; docs/design/document-size.md, release B), the newest
 * plain layout ({@link PLAIN_SCHEMA_VERSION}). 2: per-slot maps keyed by
 * compact slot keys (slots.ts, `compactSlotKey`); 1: full keys. An event
 * keeps the version it was created in for good, so every copy agrees; older
 * ones stay readable and writable.
 */
export const SCHEMA_VERSION = 4;

/** The newest layout whose values are not sealed (what `createEvent` writes). */
export const PLAIN_SCHEMA_VERSION = 3;

/**
 * The newest layout this code reads, 4. The sync URL carries it
 * (`PARAM_SCHEMA`): the relay counts clients by it and closes one that reads
 * less than a v3-or-later room's version (`CLOSE_NEEDS_NEWER_APP`).
 */
export const READ_SCHEMA_VERSION = 4;

/** `dates`: specific days. `weekdays`: a recurring week (a weekly meeting). */
export type EventKind = 'dates' | 'weekdays';

/** Allowed slot lengths in minutes. */
export const SLOT_LENGTHS = [15, 30, 60] as const;
export type SlotLength = (typeof SLOT_LENGTHS)[number];

/** Longest title, in characters after trimming. */
export const MAX_TITLE_LENGTH = 100;

/** Longest member name, in characters after trimming. */
export const MAX_NAME_LENGTH = 40;
/** Most candidate days an event may have (dates or weekdays). */
const MAX_DATES = 62;

/** The settings of one event, as stored in the document. */
export interface EventSettings {
	title: string;
	kind: EventKind;
	/** `YYYY-MM-DD`, sorted, unique. Used when `kind` is `dates`. */
	dates: string[];
	/** ISO weekdays, 1 = Monday … 7 = Sunday, sorted, unique. Used when `kind` is `weekdays`. */
	weekdays: number[];
	/** Daily window start, minutes after local midnight. */
	start: number;
	/** Daily window end (exclusive), minutes after local midnight, ≤ 1440. */
	end: number;
	slot: SlotLength;
	/** IANA time zone the window is expressed in. */
	tz: string;
	/** Creation time, ms since the Unix epoch. */
	createdAt: number;
	/** Schema version that wrote the event. */
	v: number;
}

/**
 * Whether the event was written by a newer Moim than this code: its layout
 * may hold marks this code cannot read (docs/design/document-size.md), so
 * the page asks for the update instead of showing an empty grid or writing
 * into a layout it does not know.
 */
export function needsNewerApp(settings: Pick<EventSettings, 'v'>): boolean {
	return settings.v > READ_SCHEMA_VERSION;
}

/** The fields a person fills in to create an event. */
export type EventDraft = Omit<EventSettings, 'createdAt' | 'v'>;

/** Names of the draft fields an error can concern. */
export type DraftField = 'title' | 'dates' | 'weekdays' | 'from' | 'to' | 'slot' | 'tz' | 'kind';

/** Error codes, one per rule. The views turn them into sentences. */
export type DraftError =
	| 'title.required'
	| 'title.tooLong'
	| 'title.controlChars'
	| 'kind.invalid'
	| 'dates.required'
	| 'dates.invalid'
	| 'dates.tooMany'
	| 'weekdays.required'
	| 'weekdays.invalid'
	| 'time.invalid'
	| 'time.order'
	| 'time.alignment'
	| 'slot.invalid'
	| 'tz.invalid';

export type DraftErrors = Partial<Record<DraftField, DraftError>>;

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `value` is a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(value: string): boolean {
	const m = DATE_PATTERN.exec(value);
	if (!m) return false;
	const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1) return false;
	return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

/** Whether `tz` is an IANA time zone this runtime knows. */
export function isTimeZone(tz: string): boolean {
	if (!tz || tz.length > 64) return false;
	try {
		new Intl.DateTimeFormat('en-US', { timeZone: tz });
		return true;
	} catch {
		return false;
	}
}

/** Parses `HH:MM` (00:00–24:00) into minutes after midnight, or `null`. */
export function parseClock(value: string): number | null {
	const m = /^(\d{1,2}):(\d{2})$/.exec(value.trim());
	if (!m) return null;
	const h = Number(m[1]);
	const min = Number(m[2]);
	if (min > 59 || h > 24 || (h === 24 && min !== 0)) return null;
	return h * 60 + min;
}

/** Formats minutes after midnight as `HH:MM`. */
export function formatClock(minutes: number): string {
	const h = Math.floor(minutes / 60);
	const m = minutes % 60;
	return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

/**
 * Characters that draw nothing readable, or rearrange the text around them,
 * when another person's title or name is shown: C0 and C1 controls (DEL
 * included) and the bidirectional embeddings, overrides and isolates
 * (U+202A–U+202E, U+2066–U+2069), which can make a name read backwards.
 * The marks U+200E/U+200F stay allowed: mixed-script text needs them.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Whether `text` holds a character of {@link CONTROL_CHARS} once white space is folded (tabs and line breaks are fine). */
export function hasControlChars(text: string): boolean {
	return CONTROL_CHARS.test(normaliseText(text));
}

/**
 * `text` without control characters, for inputs to apply as people type or
 * paste: tabs and line breaks become a space, everything else is dropped.
 */
export function stripControlChars(text: string): string {
	return text.replace(/[\t\n\v\f\r]/g, ' ').replace(new RegExp(CONTROL_CHARS.source, 'g'), '');
}

/** What people type as a title or a name, trimmed and with runs of white space folded. */
export function normaliseText(text: string): string {
	return text.replace(/\s+/g, ' ').trim();
}

/**
 * Checks a draft and returns one error per field that breaks a rule. An
 * empty object means the draft can become an event.
 */
export function validateDraft(draft: EventDraft): DraftErrors {
	const errors: DraftErrors = {};
	const title = normaliseText(draft.title);
	if (!title) errors.title = 'title.required';
	else if (title.length > MAX_TITLE_LENGTH) errors.title = 'title.tooLong';
	else if (hasControlChars(title)) errors.title = 'title.controlChars';

	if (draft.kind === 'dates') {
		if (draft.dates.length === 0) errors.dates = 'dates.required';
		else if (!draft.dates.every(isIsoDate)) errors.dates = 'dates.invalid';
		else if (draft.dates.length > MAX_DATES) errors.dates = 'dates.tooMany';
	} else if (draft.kind === 'weekdays') {
		if (draft.weekdays.length === 0) errors.weekdays = 'weekdays.required';
		else if (!draft.weekdays.every((d) => Number.isInteger(d) && d >= 1 && d <= 7))
			errors.weekdays = 'weekdays.invalid';
	} else {
		errors.kind = 'kind.invalid';
	}

	if (!(SLOT_LENGTHS as readonly number[]).includes(draft.slot)) errors.slot = 'slot.invalid';
	const { start, end } = draft;
	if (!Number.isInteger(start) || start < 0 || start >= 1440) errors.from = 'time.invalid';
	if (!Number.isInteger(end) || end <= 0 || end > 1440) errors.to = 'time.invalid';
	if (!errors.from && !errors.to) {
		if (end <= start) errors.to = 'time.order';
		else if (!errors.slot && (start % draft.slot !== 0 || end % draft.slot !== 0)) errors.to = 'time.alignment';
	}
	if (!isTimeZone(draft.tz)) errors.tz = 'tz.invalid';
	return errors;
}

/** Sorted, de-duplicated copy of a list. */
export function uniqueSorted<T extends string | number>(list: readonly T[]): T[] {
	return [...new Set(list)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
