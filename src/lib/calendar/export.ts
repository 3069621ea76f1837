/**
 * The decided time for other calendars: an `.ics` file (ts-ics) and an
 * "Add to Google Calendar" link. A `dates` event's time is an instant and
 * is written in UTC; a `weekdays` event becomes a weekly recurring event
 * whose wall-clock time is kept in the event's zone (TZID, defined by a
 * VTIMEZONE in the file), so it stays at 10:00 across daylight-saving
 * changes, and whose length is a DURATION, so it stays as long.
 */
import {
	CalendarDateTime,
	fromAbsolute,
	toCalendarDate,
	toCalendarDateTime,
	toZoned,
	type ZonedDateTime
} from '@internationalized/date';
import { generateIcsCalendar, type IcsDateObject, type IcsEvent } from 'ts-ics';
import { isoWeekday, type Decision, type EventKind } from '../model/index.js';
import { vtimezone } from './vtimezone.js';

const ICS_DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;

/** When a decision happens: an instant span, and for a weekly event its weekday and zone. */
export interface Occurrence {
	/** First start and end, ms since the epoch. */
	start: number;
	end: number;
	/**
	 * Weekly events: the ISO weekday, and wall-clock start/end in `zone` of
	 * the first occurrence (the end is where the clock is after the
	 * decision's minutes, which differs from start + minutes across a
	 * daylight-saving change).
	 */
	weekly?: { weekday: number; zone: string; localStart: CalendarDateTime; localEnd: CalendarDateTime };
}

/**
 * The decision as concrete times. A weekly decision's first occurrence is
 * the next such weekday from `now` (today included) in the event's zone.
 */
export function occurrence(decision: Decision, settings: { kind: EventKind; tz: string }, now: number): Occurrence {
	const weekly = /^w([1-7])T(\d\d):(\d\d)$/.exec(decision.start);
	if (!weekly) {
		const start = Date.parse(decision.start);
		return { start, end: start + decision.minutes * 60_000 };
	}
	const weekday = Number(weekly[1]);
	let day = toCalendarDate(fromAbsolute(now, settings.tz));
	while (isoWeekday(day.toString()) !== weekday) day = day.add({ days: 1 });
	const localStart = new CalendarDateTime(day.year, day.month, day.day, Number(weekly[2]), Number(weekly[3]));
	// The meeting lasts its minutes of real time: adding them to the wall
	// clock would make a one-hour meeting at 01:30 on the night clocks go
	// back two hours long.
	const start = toZoned(localStart, settings.tz).toDate().getTime();
	const end = start + decision.minutes * 60_000;
	const localEnd = toCalendarDateTime(fromAbsolute(end, settings.tz));
	return { start, end, weekly: { weekday, zone: settings.tz, localStart, localEnd } };
}

/** A wall-clock time as a Date whose UTC fields read that wall clock (what ts-ics writes after TZID=). */
function wallClock(local: CalendarDateTime): Date {
	return new Date(Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute));
}

function offsetText(zoned: ZonedDateTime): string {
	const minutes = Math.round(zoned.offset / 60_000);
	const abs = Math.abs(minutes);
	return `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

function icsDate(at: number, weekly: Occurrence['weekly'], local?: CalendarDateTime): IcsDateObject {
	if (!weekly || !local) return { date: new Date(at) };
	return {
		date: new Date(at),
		local: { date: wallClock(local), timezone: weekly.zone, tzoffset: offsetText(toZoned(local, weekly.zone)) }
	};
}

/** What goes into the calendar entry. */
export interface CalendarEntry {
	/** The event id: the entry's UID, so downloading again updates the same entry. */
	eventId: string;
	title: string;
	/** Free text: who can come. */
	description: string;
	/** The event's page. */
	url: string;
	when: Occurrence;
	/** DTSTAMP. */
	now: number;
}

/**
 * The `.ics` text for a decided event. A weekly event's length is a
 * DURATION rather than a DTEND: a DTEND is a wall-clock time, and every
 * later occurrence would take the wall-clock length of the first, which is
 * wrong when the first falls on a daylight-saving change (and cannot be
 * written at all when it ends at the same wall-clock time it starts).
 */
export function decisionIcs(entry: CalendarEntry): string {
	const { when } = entry;
	const common = {
		uid: `${entry.eventId}@moim`,
		summary: entry.title,
		stamp: { date: new Date(entry.now) },
		start: icsDate(when.start, when.weekly, when.weekly?.localStart),
		description: entry.description,
		url: entry.url
	};
	const event: IcsEvent = when.weekly
		? {
				...common,
				duration: { minutes: Math.round((when.end - when.start) / 60_000) },
				recurrenceRule: { frequency: 'WEEKLY', byDay: [{ day: ICS_DAYS[when.weekly.weekday - 1] }] }
			}
		: { ...common, end: icsDate(when.end, undefined) };
	const text = generateIcsCalendar({ version: '2.0', prodId: '-//Moim//Moim scheduler//EN', events: [event] });
	if (!when.weekly) return text;
	// ts-ics writes a VTIMEZONE's DTSTART in the device's zone and its
	// BYMONTH one month off, so the zone is written here, before the event.
	return text.replace(
		'BEGIN:VEVENT',
		`${vtimezone(when.weekly.zone, when.start)}
BEGIN:VEVENT`
	);
}

const utcStamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').slice(0, 15) + 'Z';
const localStamp = (t: CalendarDateTime) => t.toString().replace(/[-:]/g, '').slice(0, 15);

/** An "Add to Google Calendar" link prefilled with the entry. */
export function googleCalendarUrl(entry: Omit<CalendarEntry, 'eventId' | 'now'>): string {
	const { when } = entry;
	const params = new URLSearchParams({
		action: 'TEMPLATE',
		text: entry.title,
		details: `${entry.description}\n${entry.url}`
	});
	if (when.weekly) {
		params.set('dates', `${localStamp(when.weekly.localStart)}/${localStamp(when.weekly.localEnd)}`);
		params.set('ctz', when.weekly.zone);
		params.set('recur', `RRULE:FREQ=WEEKLY;BYDAY=${ICS_DAYS[when.weekly.weekday - 1]}`);
	} else {
		params.set('dates', `${utcStamp(when.start)}/${utcStamp(when.end)}`);
	}
	return `https://calendar.google.com/calendar/render?${params}`;
}
