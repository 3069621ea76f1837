/**
 * Reading a calendar file (.ics) on the device: its busy times within a
 * window, recurring events (RRULE, EXDATE, moved occurrences) expanded by
 * ical.js. The file never leaves the device; only the marks it leads to do.
 */
import ICAL from 'ical.js';
import { CalendarDateTime, toZoned } from '@internationalized/date';
import { isTimeZone, type BusySpan } from '../model/index.js';
import { ianaOfDisplayName, ianaOfWindowsName } from './windows-zones.js';

/** The file could not be read as a calendar. */
export class CalendarFileError extends Error {
	constructor(readonly reason: 'not-a-calendar' | 'no-events') {
		super(reason === 'no-events' ? 'The calendar has no events' : 'Not an iCalendar (.ics) file');
	}
}

/**
 * How a TZID the file does not define was read: a Windows zone name or an
 * Outlook display name ("(UTC-05:00) Eastern Time (US & Canada)") mapped to
 * an IANA zone, a display name we could not match read at its fixed offset
 * (no daylight saving), or an unknown name read in the device's zone.
 */
export type ImportNote =
	| { code: 'zone.windows' | 'zone.display'; tzid: string; zone: string }
	| { code: 'zone.offset'; tzid: string; offsetMinutes: number }
	| { code: 'zone.unknown'; tzid: string; zone: string };

/** What a calendar file says about busy times, and how its zones were read. */
export interface CalendarImport {
	spans: BusySpan[];
	notes: ImportNote[];
}

/**
 * Most occurrences one recurring event may contribute, counted from near the
 * window (a guard against endless rules).
 */
const MAX_OCCURRENCES = 5000;
const DAY = 86_400_000;

type Zone = { zone: string } | { offsetMinutes: number };

/** "(UTC-05:00) Name", "(UTC) Name", and the older "(GMT+01:00) Name". */
const DISPLAY_FORM = /^\((?:UTC|GMT)(?:([+-])(\d{1,2}):(\d{2}))?\)\s*(.*)$/i;

/** Reads the zones of one file; a fresh one per import, so nothing leaks between files. */
class ZoneReader {
	readonly notes: ImportNote[] = [];
	private readonly resolved = new Map<string, Zone>();
	constructor(private readonly device: string) {}

	/** The zone a TZID that has no usable VTIMEZONE in the file stands for. */
	resolve(tzid: string): Zone {
		let found = this.resolved.get(tzid);
		if (found) return found;
		found = this.lookup(tzid);
		this.resolved.set(tzid, found);
		return found;
	}

	private lookup(tzid: string): Zone {
		if (isTimeZone(tzid)) return { zone: tzid };
		const windows = ianaOfWindowsName(tzid);
		if (windows) {
			this.notes.push({ code: 'zone.windows', tzid, zone: windows });
			return { zone: windows };
		}
		const display = DISPLAY_FORM.exec(tzid.trim());
		if (display) {
			const [, sign, hours, minutes, name] = display;
			const zone = ianaOfDisplayName(name);
			if (zone) {
				this.notes.push({ code: 'zone.display', tzid, zone });
				return { zone };
			}
			const offsetMinutes = sign ? (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes)) : 0;
			this.notes.push({ code: 'zone.offset', tzid, offsetMinutes });
			return { offsetMinutes };
		}
		this.notes.push({ code: 'zone.unknown', tzid, zone: this.device });
		return { zone: this.device };
	}

	/**
	 * An ical.js time as an instant. A time whose TZID the file defines with
	 * a VTIMEZONE (with rules) is read by ical.js; any other TZID is resolved
	 * by name; a floating time (and an all-day date) is read in the device's
	 * zone.
	 */
	instant(time: ICAL.Time, tzid: string | null): number {
		const zone = time.zone;
		const defined =
			zone && (zone.tzid === 'UTC' || (zone.component && zone.component.getAllSubcomponents().length > 0));
		if (defined && !time.isDate) return time.toUnixTime() * 1000;
		const hour = time.isDate ? 0 : time.hour;
		const minute = time.isDate ? 0 : time.minute;
		const read = tzid ? this.resolve(tzid) : { zone: this.device };
		if ('offsetMinutes' in read) {
			return Date.UTC(time.year, time.month - 1, time.day, hour, minute) - read.offsetMinutes * 60_000;
		}
		return toZoned(new CalendarDateTime(time.year, time.month, time.day, hour, minute), read.zone)
			.toDate()
			.getTime();
	}
}

const tzidOf = (component: ICAL.Component, name: string) => {
	const value = component.getFirstProperty(name)?.getParameter('tzid');
	return typeof value === 'string' ? value : null;
};

const isFree = (component: ICAL.Component) =>
	component.getFirstPropertyValue('transp') === 'TRANSPARENT' ||
	component.getFirstPropertyValue('status') === 'CANCELLED';

const sequenceOf = (component: ICAL.Component) => Number(component.getFirstPropertyValue('sequence') ?? 0) || 0;

/**
 * A start from which to expand `rule` so that the occurrences before the
 * window are skipped without being generated: DTSTART moved forward by
 * whole periods of a DAILY or WEEKLY rule, which keeps its weekdays and
 * phase. The moved start is itself always an occurrence (ical.js treats
 * DTSTART so), so it is kept far enough before the window to end before it.
 * Rules with COUNT are expanded from DTSTART, as COUNT counts from there.
 */
function skipAhead(start: ICAL.Time, startMs: number, lengthMs: number, rule: ICAL.Recur, window: BusySpan) {
	if (rule.count) return start;
	const days = rule.freq === 'DAILY' ? 1 : rule.freq === 'WEEKLY' ? 7 : 0;
	if (!days) return start;
	const periodDays = days * (rule.interval || 1);
	const gap = window.start - Math.max(lengthMs, 0) - startMs - 2 * periodDays * DAY;
	if (gap <= 0) return start;
	const moved = start.clone();
	moved.adjust(Math.floor(gap / (periodDays * DAY)) * periodDays, 0, 0, 0);
	return moved;
}

/**
 * Busy spans of the calendar in `text` overlapping [window.start, window.end),
 * with notes on how zones the file does not define were read. Events marked
 * free (TRANSP:TRANSPARENT) or cancelled do not count, nor do single
 * occurrences an override frees or cancels. Overrides (RECURRENCE-ID) apply
 * only to the event with their UID, the highest SEQUENCE winning; an
 * override whose event is not in the file counts on its own.
 */
export function readIcs(text: string, window: BusySpan, zone: string): CalendarImport {
	let root: ICAL.Component;
	try {
		root = new ICAL.Component(ICAL.parse(text));
	} catch {
		throw new CalendarFileError('not-a-calendar');
	}
	if (root.name !== 'vcalendar') throw new CalendarFileError('not-a-calendar');
	const vevents = root.getAllSubcomponents('vevent');
	if (vevents.length === 0) throw new CalendarFileError('no-events');
	// In-file VTIMEZONEs are found by ical.js through the parsed tree; they
	// are never registered with ICAL.TimezoneService, which is global.
	const zones = new ZoneReader(zone);

	const spans: BusySpan[] = [];
	const add = (start: number, end: number) => {
		if (start < window.end && window.start < end) spans.push({ start, end });
	};

	const masters: ICAL.Component[] = [];
	// Per UID, per replaced occurrence (as an instant): the winning override.
	const overrides = new Map<string, Map<number, ICAL.Component>>();
	for (const component of vevents) {
		if (!component.hasProperty('recurrence-id')) {
			masters.push(component);
			continue;
		}
		const uid = String(component.getFirstPropertyValue('uid') ?? '');
		const recurrenceId = component.getFirstPropertyValue('recurrence-id');
		if (!(recurrenceId instanceof ICAL.Time)) continue;
		const id = zones.instant(recurrenceId, tzidOf(component, 'recurrence-id'));
		let byId = overrides.get(uid);
		if (!byId) overrides.set(uid, (byId = new Map()));
		const other = byId.get(id);
		if (!other || sequenceOf(component) >= sequenceOf(other)) byId.set(id, component);
	}

	const addSingle = (component: ICAL.Component) => {
		if (isFree(component)) return;
		const event = new ICAL.Event(component, { exceptions: [] });
		if (!event.startDate) return;
		const startTzid = tzidOf(component, 'dtstart');
		add(
			zones.instant(event.startDate, startTzid),
			zones.instant(event.endDate, tzidOf(component, 'dtend') ?? startTzid)
		);
	};

	for (const component of masters) {
		const replaced = overrides.get(String(component.getFirstPropertyValue('uid') ?? ''));
		const event = new ICAL.Event(component, { exceptions: [] });
		if (!event.isRecurring() || !event.startDate) {
			addSingle(component);
			continue;
		}
		if (isFree(component)) continue;
		const startTzid = tzidOf(component, 'dtstart');
		const endTzid = tzidOf(component, 'dtend') ?? startTzid;
		const duration = event.duration;
		const startMs = zones.instant(event.startDate, startTzid);
		const rules = component.getAllProperties('rrule');
		const from =
			rules.length === 1
				? skipAhead(
						event.startDate,
						startMs,
						zones.instant(event.endDate, endTzid) - startMs,
						rules[0].getFirstValue() as ICAL.Recur,
						window
					)
				: event.startDate;
		const it = new ICAL.RecurExpansion({ component, dtstart: from });
		for (let i = 0, next = it.next(); next && i < MAX_OCCURRENCES; i++, next = it.next()) {
			const start = zones.instant(next, startTzid);
			// Past the window: an override may still move a later occurrence
			// into it, but overrides are read on their own below.
			if (start >= window.end) break;
			if (replaced?.has(start)) continue;
			const end = next.clone();
			end.addDuration(duration);
			add(start, zones.instant(end, endTzid));
		}
	}
	// Every override stands for its own occurrence: moved ones are busy at
	// their new time (even without their series in the file), freed and
	// cancelled ones not at all.
	for (const byId of overrides.values()) for (const component of byId.values()) addSingle(component);
	return { spans, notes: zones.notes };
}

/** Busy spans of the calendar in `text` overlapping [window.start, window.end) (see {@link readIcs}). */
export function busySpansFromIcs(text: string, window: BusySpan, zone: string): BusySpan[] {
	return readIcs(text, window, zone).spans;
}
