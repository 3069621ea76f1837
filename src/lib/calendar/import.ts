/**
 * Reading a calendar file (.ics) on the device: its busy times within a
 * window, recurring events (RRULE, EXDATE, moved occurrences) expanded by
 * ical.js. The file never leaves the device; only the marks it leads to do.
 */
import ICAL from 'ical.js';
import { CalendarDateTime, toZoned } from '@internationalized/date';
import { isTimeZone, type BusySpan } from '../model/index.js';

/** The file could not be read as a calendar. */
export class CalendarFileError extends Error {
	constructor(readonly reason: 'not-a-calendar' | 'no-events') {
		super(reason === 'no-events' ? 'The calendar has no events' : 'Not an iCalendar (.ics) file');
	}
}

/** Most occurrences one recurring event may contribute (a guard against endless rules). */
const MAX_OCCURRENCES = 5000;

/**
 * An ical.js time as an instant. A time whose TZID the file does not
 * define with a VTIMEZONE is read in that IANA zone; a floating time (and
 * an all-day date) is read in `zone`, the device's zone.
 */
function instant(time: ICAL.Time, tzid: string | null, zone: string): number {
	const known = time.zone && time.zone.tzid !== 'floating' && (time.zone.tzid === 'UTC' || time.zone.component);
	if (known && !time.isDate) return time.toUnixTime() * 1000;
	const local = new CalendarDateTime(
		time.year,
		time.month,
		time.day,
		time.isDate ? 0 : time.hour,
		time.isDate ? 0 : time.minute
	);
	return toZoned(local, tzid && isTimeZone(tzid) ? tzid : zone)
		.toDate()
		.getTime();
}

/**
 * Busy spans of the calendar in `text` overlapping [window.start, window.end).
 * Events marked free (TRANSP:TRANSPARENT) or cancelled do not count.
 */
export function busySpansFromIcs(text: string, window: BusySpan, zone: string): BusySpan[] {
	let root: ICAL.Component;
	try {
		root = new ICAL.Component(ICAL.parse(text));
	} catch {
		throw new CalendarFileError('not-a-calendar');
	}
	if (root.name !== 'vcalendar') throw new CalendarFileError('not-a-calendar');
	for (const tz of root.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(tz);
	const vevents = root.getAllSubcomponents('vevent');
	if (vevents.length === 0) throw new CalendarFileError('no-events');

	const spans: BusySpan[] = [];
	const add = (start: number, end: number) => {
		if (start < window.end && window.start < end) spans.push({ start, end });
	};
	for (const component of vevents) {
		// Moved or changed occurrences are applied through their master event.
		if (component.hasProperty('recurrence-id')) continue;
		if (component.getFirstPropertyValue('transp') === 'TRANSPARENT') continue;
		if (component.getFirstPropertyValue('status') === 'CANCELLED') continue;
		const event = new ICAL.Event(component);
		const tzidOf = (name: string) => {
			const value = component.getFirstProperty(name)?.getParameter('tzid');
			return typeof value === 'string' ? value : null;
		};
		const startTzid = tzidOf('dtstart');
		const endTzid = tzidOf('dtend') ?? startTzid;
		if (!event.startDate) continue;
		if (!event.isRecurring()) {
			add(instant(event.startDate, startTzid, zone), instant(event.endDate, endTzid, zone));
			continue;
		}
		const it = event.iterator();
		for (let i = 0, next = it.next(); next && i < MAX_OCCURRENCES; i++, next = it.next()) {
			const details = event.getOccurrenceDetails(next);
			const start = instant(details.startDate, startTzid, zone);
			if (start >= window.end) break;
			add(start, instant(details.endDate, endTzid, zone));
		}
	}
	return spans;
}
