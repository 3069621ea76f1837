/**
 * Messages chosen by a code: the typed maps from the model's and the sync
 * layer's error and state codes to sentences. Every other sentence is a
 * Paraglide message called directly (`m.name()`); these need a table
 * because the code arrives at run time, and `satisfies Record<…>` makes a
 * new code without a sentence a type error.
 */
import { m } from '../paraglide/messages.js';
import { MAX_NAME_LENGTH, type DraftError, type NameError, type RoutineError } from '../model/index.js';
import type { ImportNote, SkipReason } from '../calendar/import.js';
import type { CalendarFileError } from '../calendar/file-error.js';
import type { PinError } from '../api/pins.js';
import type { StorageProblem } from '../device/storage.js';
import type { SyncState } from '../sync/status.js';

type Messages<Code extends string> = Record<Code, () => string>;

const draftErrors = {
	'title.required': m.errors_title_required,
	'title.tooLong': m.errors_title_tooLong,
	'title.controlChars': m.errors_title_controlChars,
	'kind.invalid': m.errors_kind_invalid,
	'dates.required': m.errors_dates_required,
	'dates.invalid': m.errors_dates_invalid,
	'dates.tooMany': m.errors_dates_tooMany,
	'weekdays.required': m.errors_weekdays_required,
	'weekdays.invalid': m.errors_weekdays_invalid,
	'time.invalid': m.errors_time_invalid,
	'time.order': m.errors_time_order,
	'time.alignment': m.errors_time_alignment,
	'slot.invalid': m.errors_slot_invalid,
	'tz.invalid': m.errors_tz_invalid
} satisfies Messages<DraftError>;

/** The sentence for a create-form error; `value` is the offending text from a link. */
export function draftErrorMessage(code: DraftError, value?: string): string {
	const base = draftErrors[code]();
	return value && !base.endsWith('.') ? `${base}: ${value}` : base;
}

const nameErrors = {
	'name.required': m.event_nameRequired,
	'name.tooLong': () => m.event_nameTooLong({ max: MAX_NAME_LENGTH }),
	'name.controlChars': m.event_nameControlChars
} satisfies Messages<NameError>;

/** Why a member name cannot be used (joining, renaming). */
export const nameErrorMessage = (code: NameError): string => nameErrors[code]();

const routineErrors = {
	'title.required': m.week_errors_title_required,
	'ranges.required': m.week_errors_ranges_required,
	'range.times': m.week_errors_range_times,
	'range.order': m.week_errors_range_order,
	'range.weekdays': m.week_errors_range_weekdays,
	'dates.invalid': m.week_errors_dates_invalid,
	'dates.order': m.week_errors_dates_order,
	'tz.invalid': m.week_errors_tz_invalid
} satisfies Messages<RoutineError>;

/** Why a routine entry cannot be saved. */
export const routineErrorMessage = (code: RoutineError): string => routineErrors[code]();

const calendarErrors = {
	'not-a-calendar': m.fill_errors_not_a_calendar,
	'no-events': m.fill_errors_no_events,
	'too-big': m.fill_errors_too_big
} satisfies Messages<CalendarFileError['reason']>;

/** Why an imported calendar file gave nothing; any other failure is "unreadable". */
export const calendarErrorMessage = (error: unknown): string =>
	error instanceof Error && 'reason' in error && (error.reason as string) in calendarErrors
		? calendarErrors[error.reason as CalendarFileError['reason']]()
		: m.fill_errors_unreadable();

const skipReasons = {
	date: m.fill_notes_reason_date,
	line: m.fill_notes_reason_line,
	other: m.fill_notes_reason_other,
	inverted: m.fill_notes_reason_inverted
} satisfies Messages<SkipReason>;

/** "+05:30", "-04:00", "" for UTC itself: an offset as people write it after "UTC". */
function offsetText(minutes: number): string {
	if (minutes === 0) return '';
	const abs = Math.abs(minutes);
	return `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** The note with code `C` (a note type may stand for several codes). */
type NoteOf<C extends ImportNote['code']> = ImportNote extends infer N
	? N extends { code: infer K }
		? C extends K
			? N
			: never
		: never
	: never;

const importNotes = {
	'zone.windows': (note) => m.fill_notes_zone({ tzid: note.tzid, zone: note.zone }),
	'zone.display': (note) => m.fill_notes_zone({ tzid: note.tzid, zone: note.zone }),
	'zone.offset': (note) => m.fill_notes_zoneOffset({ tzid: note.tzid, offset: offsetText(note.offsetMinutes) }),
	'zone.unknown': (note) => m.fill_notes_zoneUnknown({ tzid: note.tzid, zone: note.zone }),
	'event.skipped': (note) => {
		const reason = skipReasons[note.reason]();
		return note.count === 1 ? m.fill_notes_skippedOne({ reason }) : m.fill_notes_skipped({ n: note.count, reason });
	},
	'event.capped': (note) =>
		note.count === 1
			? m.fill_notes_cappedOne({ limit: note.limit })
			: m.fill_notes_capped({ n: note.count, limit: note.limit })
} satisfies { [C in ImportNote['code']]: (note: NoteOf<C>) => string };

/** What a calendar import tells the person: events it skipped and why, zones it read by name. */
export const importNoteMessage = (note: ImportNote): string =>
	(importNotes[note.code] as (note: ImportNote) => string)(note);

/** The sentence for a failed PIN request (src/lib/api/pins.ts). */
export function pinErrorMessage(error: PinError, retryAfterSeconds?: number): string {
	switch (error) {
		case 'wrong-pin':
			return m.event_pinErrors_wrong_pin();
		case 'locked':
			return retryAfterSeconds
				? m.event_pinErrors_lockedMinutes({ minutes: Math.ceil(retryAfterSeconds / 60) })
				: m.event_pinErrors_lockedLater();
		case 'no-pin':
			return m.event_pinErrors_no_pin();
		case 'no-secret':
			return m.event_pinErrors_no_secret();
		case 'offline':
			return m.event_pinErrors_offline();
		case 'failed':
			return m.event_pinErrors_failed();
	}
}

const storageProblems = {
	unavailable: m.storage_unavailable,
	full: m.storage_full,
	evicted: m.storage_evicted
} satisfies Messages<StorageProblem>;

/** What a problem with this device's copy means for the person. */
export const storageProblemMessage = (problem: StorageProblem): string => storageProblems[problem]();

const syncStates = {
	offline: m.sync_offline,
	connecting: m.sync_connecting,
	synced: m.sync_synced,
	pending: m.sync_pending,
	refused: m.sync_refused
} satisfies Messages<SyncState>;

/** The sync badge's word for a state. */
export const syncStateMessage = (state: SyncState): string => syncStates[state]();
