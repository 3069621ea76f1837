import { readdirSync } from 'node:fs';
import { CalendarDateTime, toZoned } from '@internationalized/date';
import ical, { type VEvent } from 'node-ical';
import { describe, expect, it } from 'vitest';
import type { BusySpan } from '../model/index.js';
import { googleExport } from '../../../tests/support/google-export.js';
import { readIcs } from './import.js';
import { fixture, FIXTURES, spanLabels } from './test-fixtures.js';

/*
 * Every calendar fixture read twice: by our reader (ical.js underneath) and
 * by node-ical (its own parser, recurrences by rrule-temporal), which share
 * no code. Where the two disagree and ours is right, the difference is
 * listed in KNOWN_DIFFERENCES with its reason, and must stay exactly that.
 */

const between = (start: string, end: string) => ({ start: Date.parse(start), end: Date.parse(end) });

/**
 * The window each fixture is read in, and the device's zone (which floating
 * times and all-day dates are read in). A new fixture needs an entry here.
 */
const WINDOWS: Record<string, { window: BusySpan; zone: string }> = {
	'apple-rdate-periods.ics': { window: between('2026-04-13T00:00Z', '2026-04-20T00:00Z'), zone: 'America/Los_Angeles' },
	'apple-rdate-times.ics': { window: between('2026-04-13T00:00Z', '2026-04-23T00:00Z'), zone: 'America/Los_Angeles' },
	'broken-date-exdate.ics': { window: between('2026-04-06T00:00Z', '2026-04-11T00:00Z'), zone: 'UTC' },
	'broken-date-without-value.ics': { window: between('2026-04-06T00:00Z', '2026-04-11T00:00Z'), zone: 'UTC' },
	'broken-empty-vtimezone.ics': { window: between('2026-04-06T00:00Z', '2026-04-11T00:00Z'), zone: 'UTC' },
	'broken-fold.ics': { window: between('2026-04-06T00:00Z', '2026-04-11T00:00Z'), zone: 'UTC' },
	'broken-tzid-parameter.ics': { window: between('2026-04-06T00:00Z', '2026-04-11T00:00Z'), zone: 'UTC' },
	'cancelled-overrides.ics': { window: between('2026-02-02T00:00Z', '2026-02-25T00:00Z'), zone: 'Europe/Berlin' },
	'date-until-and-all-day-rdates.ics': { window: between('2026-04-06T00:00Z', '2026-04-12T00:00Z'), zone: 'UTC' },
	'daily-since-2012.ics': { window: between('2026-03-06T00:00Z', '2026-03-13T00:00Z'), zone: 'America/New_York' },
	'dtend-series-over-dst.ics': { window: between('2026-03-01T00:00Z', '2026-03-16T00:00Z'), zone: 'UTC' },
	'duration-over-dst.ics': { window: between('2026-10-24T00:00Z', '2026-11-10T00:00Z'), zone: 'UTC' },
	'google-all-day.ics': { window: between('2026-04-06T00:00Z', '2026-04-20T00:00Z'), zone: 'Asia/Seoul' },
	'inverted-spans.ics': { window: between('2026-04-06T00:00Z', '2026-04-11T00:00Z'), zone: 'UTC' },
	'moved-past-window.ics': { window: between('2026-04-06T00:00Z', '2026-04-11T00:00Z'), zone: 'Asia/Seoul' },
	'outlook-display-zones.ics': { window: between('2026-03-09T00:00Z', '2026-03-16T00:00Z'), zone: 'UTC' },
	'outlook-windows-series.ics': { window: between('2026-03-02T00:00Z', '2026-03-20T00:00Z'), zone: 'Europe/London' },
	'outlook-windows-zones.ics': { window: between('2026-03-09T00:00Z', '2026-03-16T00:00Z'), zone: 'Asia/Seoul' },
	'override-other-uid.ics': { window: between('2026-04-06T00:00Z', '2026-04-11T00:00Z'), zone: 'UTC' },
	'override-sequence.ics': { window: between('2026-04-06T00:00Z', '2026-04-11T00:00Z'), zone: 'UTC' },
	'override-without-master.ics': { window: between('2026-04-06T00:00Z', '2026-04-11T00:00Z'), zone: 'UTC' },
	'thunderbird-exdates.ics': { window: between('2026-03-23T00:00Z', '2026-04-06T00:00Z'), zone: 'Europe/Berlin' },
	'zone-leak-a.ics': { window: between('2026-03-09T00:00Z', '2026-03-16T00:00Z'), zone: 'UTC' },
	'zone-leak-b.ics': { window: between('2026-03-09T00:00Z', '2026-03-16T00:00Z'), zone: 'UTC' }
};

/**
 * Where the two readings differ and ours is the right one: the spans only
 * we read, the spans only node-ical reads, and why.
 */
const KNOWN_DIFFERENCES: Record<string, { ours: string[]; theirs: string[]; reason: string }> = {
	'broken-date-exdate.ics': {
		ours: [],
		theirs: [
			'2026-04-06T09:00–2026-04-06T09:15',
			'2026-04-07T09:00–2026-04-07T09:15',
			'2026-04-09T09:00–2026-04-09T09:15',
			'2026-04-10T09:00–2026-04-10T09:15'
		],
		reason:
			'a bare-date EXDATE on a date-time series: node-ical guesses it removes that day, we skip the series and say so'
	},
	'broken-date-without-value.ics': {
		ours: [],
		theirs: ['2026-04-07T00:00–2026-04-08T00:00'],
		reason: 'DTSTART:20260407 without VALUE=DATE: node-ical reads an all-day event, we skip it and say so'
	},
	'broken-tzid-parameter.ics': {
		ours: [],
		theirs: ['2026-04-07T14:00–2026-04-07T15:00'],
		reason:
			'a TZID parameter with an unclosed quote: node-ical drops the quote and reads on, we skip the event and say so'
	},
	'duration-over-dst.ics': {
		ours: ['2026-10-31T16:00–2026-11-02T18:00'],
		theirs: ['2026-10-31T16:00–2026-11-02T17:00'],
		reason:
			"DURATION:P2DT1H's days are calendar days (RFC 5545 3.3.6), 50 hours over the change to EST; node-ical adds 49"
	},
	'inverted-spans.ics': {
		ours: [],
		theirs: [
			'2026-04-06T06:00–2026-04-06T05:30',
			'2026-04-07T06:00–2026-04-07T05:30',
			'2026-04-07T10:00–2026-04-07T09:00',
			'2026-04-08T06:00–2026-04-08T05:30',
			'2026-04-09T06:00–2026-04-09T05:30',
			'2026-04-10T06:00–2026-04-10T05:30'
		],
		reason:
			'spans that end before they start (DTEND before DTSTART, DURATION:-PT30M): node-ical keeps them, we skip both events and say so'
	}
};

/** Busy spans of `text` by node-ical, with the same rules ours follows (RFC 5545's). */
function secondReading(calendar: string, window: BusySpan, zone: string): BusySpan[] {
	const parsed = ical.sync.parseICS(calendar);
	const spans: BusySpan[] = [];
	// Wide enough that node-ical's date-only range checks (in the process's
	// zone) keep every all-day event the device's zone could overlap.
	const from = new Date(window.start - 2 * DAY);
	const to = new Date(window.end + 2 * DAY);
	for (const item of Object.values(parsed)) {
		if (!item || item.type !== 'VEVENT' || !item.start) continue;
		const event = item as VEvent;
		for (const instance of ical.expandRecurringEvent(event, { from, to, expandOngoing: true })) {
			if (isFree(instance.event as VEvent)) continue;
			spans.push(
				instance.isFullDay
					? { start: dayStart(instance.start, zone), end: dayStart(instance.end, zone) }
					: { start: instantOf(instance.start, zone), end: instantOf(instance.end, zone) }
			);
		}
		if (!isFree(event)) spans.push(...rdateSpans(calendar, event, zone));
	}
	return spans.filter((span) => span.start < window.end && window.start < span.end);
}

const DAY = 86_400_000;

const isFree = (event: VEvent) => event.transparency === 'TRANSPARENT' || event.status === 'CANCELLED';

type Stamped = Date & { tz?: string; dateOnly?: boolean };

/**
 * node-ical reads a floating time (no zone) in the process's zone; RFC 5545
 * reads it in the reader's, which here is the device's: the same wall clock
 * is read again there.
 */
function instantOf(date: Stamped, zone: string): number {
	if (date.tz) return date.getTime();
	return wallClock(date, zone);
}

const wallClock = (date: Date, zone: string) =>
	toZoned(
		new CalendarDateTime(
			date.getFullYear(),
			date.getMonth() + 1,
			date.getDate(),
			date.getHours(),
			date.getMinutes(),
			date.getSeconds()
		),
		zone
	)
		.toDate()
		.getTime();

/** node-ical gives a date as the process's local midnight; the device's midnight of that date. */
const dayStart = (date: Date, zone: string) =>
	wallClock(new Date(date.getFullYear(), date.getMonth(), date.getDate()), zone);

/**
 * node-ical keeps RDATE as text: each value (a date-time, a date, or a
 * period as start/end or start/duration) is read by node-ical itself, as
 * the DTSTART (and DTEND or DURATION) of an event in a calendar with the
 * file's VTIMEZONEs. An RDATE takes the event's length unless it is a
 * period; one that an EXDATE removes or an override replaces does not count.
 */
function rdateSpans(calendar: string, event: VEvent, zone: string): BusySpan[] {
	const raw = (event as Record<string, unknown>).rdate;
	if (!raw) return [];
	const zones = calendar.match(/BEGIN:VTIMEZONE[\s\S]*?END:VTIMEZONE/g) ?? [];
	const length = event.end ? event.end.getTime() - event.start.getTime() : 0;
	const spans: BusySpan[] = [];
	for (const property of Array.isArray(raw) ? raw : [raw]) {
		const { params, val } =
			typeof property === 'string'
				? { params: {}, val: property }
				: (property as { params: Record<string, string>; val: string });
		// node-ical hands TZIDs back unquoted; an Outlook "(UTC-05:00) …" one needs its quotes again.
		const tzid = !params.TZID ? '' : /[:;,]/.test(params.TZID) ? `;TZID="${params.TZID}"` : `;TZID=${params.TZID}`;
		for (const value of val.split(',')) {
			const [start, end] = value.split('/');
			const date = params.VALUE === 'DATE' ? ';VALUE=DATE' : '';
			const lines = [`DTSTART${tzid}${date}:${start}`];
			if (end) lines.push(end.startsWith('P') ? `DURATION:${end}` : `DTEND${tzid}:${end}`);
			const one = Object.values(
				ical.sync.parseICS(
					['BEGIN:VCALENDAR', ...zones, 'BEGIN:VEVENT', 'UID:rdate', ...lines, 'END:VEVENT', 'END:VCALENDAR'].join(
						'\r\n'
					)
				)
			).find((item) => item?.type === 'VEVENT') as VEvent;
			const key = one.start.toISOString();
			if (event.exdate?.[key] || event.recurrences?.[key] || key === event.start.toISOString()) continue;
			if (one.start.dateOnly) {
				spans.push({ start: dayStart(one.start, zone), end: dayStart(new Date(one.start.getTime() + DAY), zone) });
				continue;
			}
			const startMs = instantOf(one.start, zone);
			spans.push({ start: startMs, end: end && one.end ? instantOf(one.end, zone) : startMs + length });
		}
	}
	return spans;
}

/** What is in `a` and not in `b`, counting repeats. */
function without(a: string[], b: string[]): string[] {
	const rest = [...b];
	return a.filter((x) => {
		const i = rest.indexOf(x);
		if (i < 0) return true;
		rest.splice(i, 1);
		return false;
	});
}

const fixtures = readdirSync(FIXTURES)
	.filter((name) => name.endsWith('.ics'))
	.sort();

describe('calendar import: every fixture read again by node-ical', () => {
	it('has fixtures to read', () => {
		expect(fixtures.length).toBeGreaterThan(0);
	});

	it.each(fixtures)('%s', (name) => {
		const entry = WINDOWS[name];
		expect(entry, `${name} has no window in WINDOWS`).toBeDefined();
		const calendar = fixture(name);
		const ours = spanLabels(readIcs(calendar, entry.window, entry.zone).spans);
		const theirs = spanLabels(secondReading(calendar, entry.window, entry.zone));
		const known = KNOWN_DIFFERENCES[name] ?? { ours: [], theirs: [], reason: undefined };
		expect(
			{ ours: without(ours, theirs), theirs: without(theirs, ours) },
			`${known.reason ?? 'the two readings must agree'} (ours: ${ours.join(', ')})`
		).toEqual({
			ours: known.ours,
			theirs: known.theirs
		});
	});

	it('a big Google-style export (4,778 events, 2 MB) reads the same in both', { timeout: 60_000 }, () => {
		const calendar = googleExport(4778);
		const window = between('2026-12-01T00:00Z', '2026-12-15T00:00Z');
		const ours = spanLabels(readIcs(calendar, window, 'Asia/Seoul').spans);
		expect(ours.length).toBeGreaterThan(900);
		expect(ours).toEqual(spanLabels(secondReading(calendar, window, 'Asia/Seoul')));
	});

	it('lists known differences only for fixtures that exist', () => {
		expect(Object.keys(KNOWN_DIFFERENCES).filter((name) => !fixtures.includes(name))).toEqual([]);
		expect(Object.keys(WINDOWS).filter((name) => !fixtures.includes(name))).toEqual([]);
	});
});

/**
 * The exporters' structures the corpus added, worked out by hand: each
 * reading must give these spans, so neither can drift with the other.
 */
const BY_HAND: Record<string, string[]> = {
	'apple-rdate-periods.ics': [
		// Physio Mon 13 Apr 14:00 PDT; RDATE periods 15 Apr 08:00–09:30 PDT (start/end) and 17 Apr 16:00 PDT for 45 min (start/duration).
		'2026-04-13T21:00–2026-04-13T22:00',
		'2026-04-15T15:00–2026-04-15T16:30',
		'2026-04-17T23:00–2026-04-17T23:45',
		// Library shifts (khal, UTC): DTSTART, then periods 16 Apr 20:00–23:00 and 19 Apr 18:00 for 1 h 30.
		'2026-04-14T17:00–2026-04-14T19:00',
		'2026-04-16T20:00–2026-04-16T23:00',
		'2026-04-19T18:00–2026-04-19T19:30'
	],
	'apple-rdate-times.ics': [
		// Piano Mondays 09:00 PDT; RDATE Thu 16 Apr 17:00 PDT; 18 Apr's RDATE is an EXDATE; 21 Apr's moved to 17:30.
		'2026-04-13T16:00–2026-04-13T17:00',
		'2026-04-17T00:00–2026-04-17T01:00',
		'2026-04-20T16:00–2026-04-20T17:00',
		'2026-04-22T00:30–2026-04-22T01:30',
		// Parent-teacher meetings 15:30 PDT: DTSTART 14 Apr (no RRULE), RDATEs 16 and 22 Apr.
		'2026-04-14T22:30–2026-04-14T23:00',
		'2026-04-16T22:30–2026-04-16T23:00',
		'2026-04-22T22:30–2026-04-22T23:00'
	],
	'date-until-and-all-day-rdates.ics': [
		// Daily 09:00 CEST with UNTIL=20260409, a date: through 9 April.
		'2026-04-06T07:00–2026-04-06T08:00',
		'2026-04-07T07:00–2026-04-07T08:00',
		'2026-04-08T07:00–2026-04-08T08:00',
		'2026-04-09T07:00–2026-04-09T08:00',
		// All-day 6 April (DTSTART, no RRULE) and RDATEs 8 and 10 April, in the device's zone (UTC).
		'2026-04-06T00:00–2026-04-07T00:00',
		'2026-04-08T00:00–2026-04-09T00:00',
		'2026-04-10T00:00–2026-04-11T00:00'
	],
	'dtend-series-over-dst.ics': [
		// Sundays 01:30 for exactly an hour (DTEND sets the length of every occurrence, RFC 5545 3.8.5.3):
		// 1 Mar EST; 8 Mar, when 02:00 EST jumps to 03:00 EDT, it ends at 03:00 EDT; 15 Mar EDT.
		'2026-03-01T06:30–2026-03-01T07:30',
		'2026-03-08T06:30–2026-03-08T07:30',
		'2026-03-15T05:30–2026-03-15T06:30',
		// 22:00 EST to 06:00 EDT is seven hours (the clocks skip one), so every occurrence lasts seven:
		// the next night runs 22:00 to 05:00 EDT, as RFC 5545 reads it (and node-ical with it).
		'2026-03-08T03:00–2026-03-08T10:00',
		'2026-03-09T02:00–2026-03-09T09:00'
	],
	'google-all-day.ics': [
		// All-day in Seoul (UTC+9): Wed 8 Apr; Fridays from home moved to Thu 9 Apr, 17 Apr an EXDATE;
		// the trip 10–12 Apr; the inspection with no DTEND lasts its day (16 Apr); the holiday is free.
		'2026-04-07T15:00–2026-04-08T15:00',
		'2026-04-08T15:00–2026-04-09T15:00',
		'2026-04-09T15:00–2026-04-12T15:00',
		'2026-04-14T01:00–2026-04-14T02:00',
		'2026-04-15T15:00–2026-04-16T15:00'
	],
	'outlook-windows-series.ics': [
		// Mondays and Thursdays 10:00 in New York (EST, EDT from 8 Mar); 9 Mar moved to 15:00, 12 Mar an EXDATE,
		// 16 Mar marked free.
		'2026-03-02T15:00–2026-03-02T16:00',
		'2026-03-05T15:00–2026-03-05T16:00',
		'2026-03-09T19:00–2026-03-09T20:00',
		'2026-03-19T14:00–2026-03-19T15:00'
	],
	'thunderbird-exdates.ics': [
		// Yoga Mon/Wed/Fri 18:30 in Berlin, 25 and 30 Mar, 1 and 3 Apr excluded (one EXDATE a line, and a list).
		'2026-03-23T17:30–2026-03-23T18:30',
		'2026-03-27T17:30–2026-03-27T18:30',
		// Standup weekdays 09:00 (CET, then CEST from 29 Mar), 26 Mar excluded by a UTC EXDATE,
		// 31 Mar moved to 11:30, UNTIL just after 3 Apr's.
		'2026-03-23T08:00–2026-03-23T08:15',
		'2026-03-24T08:00–2026-03-24T08:15',
		'2026-03-25T08:00–2026-03-25T08:15',
		'2026-03-27T08:00–2026-03-27T08:15',
		'2026-03-30T07:00–2026-03-30T07:15',
		'2026-03-31T09:30–2026-03-31T09:45',
		'2026-04-01T07:00–2026-04-01T07:15',
		'2026-04-02T07:00–2026-04-02T07:15',
		'2026-04-03T07:00–2026-04-03T07:15'
	]
};

describe('calendar import: the corpus of exporter structures, by hand', () => {
	it.each(Object.keys(BY_HAND))('%s: node-ical reads the spans worked out by hand', (name) => {
		const { window, zone } = WINDOWS[name];
		expect(spanLabels(secondReading(fixture(name), window, zone))).toEqual([...BY_HAND[name]].sort());
	});

	it.each(Object.keys(BY_HAND))('%s: we read the spans worked out by hand, skipping nothing', (name) => {
		const { window, zone } = WINDOWS[name];
		const read = readIcs(fixture(name), window, zone);
		expect(spanLabels(read.spans)).toEqual([...BY_HAND[name]].sort());
		expect(read.notes.filter((note) => note.code.startsWith('event.'))).toEqual([]);
	});
});
