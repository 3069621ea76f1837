import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { busySpansFromIcs, CalendarFileError, readIcs } from './import.js';
import { fixture } from './test-fixtures.js';

const busy = readFileSync(new URL('../../../tests/fixtures/busy.ics', import.meta.url), 'utf8');
const iso = (spans: { start: number; end: number }[]) =>
	spans
		.map((s) => `${new Date(s.start).toISOString().slice(0, 16)}–${new Date(s.end).toISOString().slice(11, 16)}`)
		.sort();

describe('calendar import', () => {
	it('expands a weekly rule across a DST change, skips an EXDATE, applies a moved occurrence, reads a TZID without VTIMEZONE, ignores free time', () => {
		const window = { start: Date.parse('2026-10-28T00:00Z'), end: Date.parse('2026-11-10T00:00Z') };
		expect(iso(busySpansFromIcs(busy, window, 'UTC'))).toEqual([
			// Wed 28 Oct 09:00 EDT.
			'2026-10-28T13:00–13:30',
			// Mon 2 Nov: moved to 11:00 EST (the clocks went back on 1 Nov).
			'2026-11-02T16:00–16:30',
			// Tue 3 Nov lunch, 12:00 in Seoul (TZID with no VTIMEZONE in the file).
			'2026-11-03T03:00–04:00',
			// Wed 4 Nov is an EXDATE; Mon 9 Nov 09:00 EST.
			'2026-11-09T14:00–14:30'
		]);
	});

	it('says clearly when a file is not a calendar or has no events', () => {
		const window = { start: 0, end: 1 };
		expect(() => busySpansFromIcs('hello', window, 'UTC')).toThrow(CalendarFileError);
		expect(() => busySpansFromIcs('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n', window, 'UTC')).toThrow(
			/no events/
		);
	});
});

const between = (start: string, end: string) => ({ start: Date.parse(start), end: Date.parse(end) });
const april = between('2026-04-06T00:00Z', '2026-04-11T00:00Z');

describe('calendar import: Outlook zone names without VTIMEZONE', () => {
	it('reads Windows zone names as their IANA zones, daylight saving included', () => {
		const read = readIcs(
			fixture('outlook-windows-zones.ics'),
			between('2026-03-09T00:00Z', '2026-03-16T00:00Z'),
			'UTC'
		);
		expect(iso(read.spans)).toEqual([
			// 09:00 EDT: New York moved its clocks on 8 March.
			'2026-03-10T13:00–14:00',
			// 10:00 CET: Berlin only moves them on 29 March.
			'2026-03-12T09:00–10:30'
		]);
		expect(read.notes).toEqual([
			{ code: 'zone.windows', tzid: 'Eastern Standard Time', zone: 'America/New_York' },
			{ code: 'zone.windows', tzid: 'W. Europe Standard Time', zone: 'Europe/Berlin' }
		]);
	});

	it('reads the "(UTC±hh:mm) Name" form by its name, or at its fixed offset when the name is not a Windows zone', () => {
		const read = readIcs(
			fixture('outlook-display-zones.ics'),
			between('2026-03-09T00:00Z', '2026-03-16T00:00Z'),
			'UTC'
		);
		expect(iso(read.spans)).toEqual([
			// 14:00 in New York, on daylight time (UTC-4) despite the "(UTC-05:00)" label.
			'2026-03-11T18:00–19:00',
			// 09:00 at UTC+05:30.
			'2026-03-13T03:30–04:30'
		]);
		expect(read.notes).toEqual([
			{ code: 'zone.display', tzid: '(UTC-05:00) Eastern Time (US & Canada)', zone: 'America/New_York' },
			{ code: 'zone.offset', tzid: '(UTC+05:30) Head Office Time', offsetMinutes: 330 }
		]);
	});
});

describe('calendar import: overrides (RECURRENCE-ID)', () => {
	it('drops an occurrence an override cancels or marks free', () => {
		const spans = busySpansFromIcs(
			fixture('cancelled-overrides.ics'),
			between('2026-02-02T00:00Z', '2026-02-25T00:00Z'),
			'UTC'
		);
		// Tuesdays 10:00 in Berlin (CET); 10 Feb is cancelled, 17 Feb is free.
		expect(iso(spans)).toEqual(['2026-02-03T09:00–09:30', '2026-02-24T09:00–09:30']);
	});

	it('counts an override whose series is not in the file as its own event', () => {
		expect(iso(busySpansFromIcs(fixture('override-without-master.ics'), april, 'UTC'))).toEqual([
			'2026-04-08T17:00–18:00'
		]);
	});

	it('keeps the rest of the window when one occurrence moves past its end', () => {
		expect(iso(busySpansFromIcs(fixture('moved-past-window.ics'), april, 'UTC'))).toEqual([
			'2026-04-06T09:00–09:15',
			'2026-04-08T09:00–09:15',
			'2026-04-09T09:00–09:15',
			'2026-04-10T09:00–09:15'
		]);
	});

	it("applies an override only to the event with its UID, not to another event's occurrence at the same time", () => {
		expect(iso(busySpansFromIcs(fixture('override-other-uid.ics'), april, 'UTC'))).toEqual([
			'2026-04-08T15:00–16:00',
			'2026-04-08T17:00–17:30'
		]);
	});

	it('takes the override with the higher SEQUENCE when the file has two versions of it', () => {
		expect(iso(busySpansFromIcs(fixture('override-sequence.ics'), april, 'UTC'))).toEqual([
			'2026-04-06T09:00–10:00',
			'2026-04-07T09:00–10:00',
			'2026-04-08T13:00–14:00',
			'2026-04-09T09:00–10:00',
			'2026-04-10T09:00–10:00'
		]);
	});
});

describe('calendar import: long series and separate files', () => {
	it('expands a series from the window, so a daily event since 2012 is there in 2026', () => {
		const spans = busySpansFromIcs(
			fixture('daily-since-2012.ics'),
			between('2026-03-06T00:00Z', '2026-03-13T00:00Z'),
			'UTC'
		);
		expect(iso(spans)).toEqual([
			// Gym 08:30 in New York: EST until 8 March, EDT after.
			'2026-03-06T13:30–14:00',
			'2026-03-07T13:30–14:00',
			'2026-03-08T12:30–13:00',
			'2026-03-09T12:30–13:00',
			'2026-03-10T12:30–13:00',
			// Choir every other week since 5 Jan 2010: the week of 9 March 2026 is one of them.
			'2026-03-10T22:00–23:00',
			'2026-03-11T12:30–13:00',
			'2026-03-12T12:30–13:00',
			'2026-03-12T22:00–23:00'
		]);
	});

	it("does not read a file with another file's zone definitions", () => {
		const march = between('2026-03-09T00:00Z', '2026-03-16T00:00Z');
		expect(iso(readIcs(fixture('zone-leak-a.ics'), march, 'UTC').spans)).toEqual(['2026-03-10T07:00–08:00']);
		const b = readIcs(fixture('zone-leak-b.ics'), march, 'UTC');
		// "Customized Time Zone" is defined only in the first file: here it is unknown, read in the device's zone.
		expect(iso(b.spans)).toEqual(['2026-03-11T10:00–11:00']);
		expect(b.notes).toEqual([{ code: 'zone.unknown', tzid: 'Customized Time Zone', zone: 'UTC' }]);
	});
});

describe('calendar import: one bad spot does not abort the file', () => {
	const good = '2026-04-08T15:00–16:00';

	it('skips an event whose DTSTART is a bare date without VALUE=DATE, and says why', () => {
		const read = readIcs(fixture('broken-date-without-value.ics'), april, 'UTC');
		expect(iso(read.spans)).toEqual([good]);
		expect(read.notes).toEqual([{ code: 'event.skipped', count: 1, reason: 'date' }]);
	});

	it('skips a series with a bare-date EXDATE on its date-time rule, none of its occurrences half-read', () => {
		const read = readIcs(fixture('broken-date-exdate.ics'), april, 'UTC');
		expect(iso(read.spans)).toEqual([good]);
		expect(read.notes).toEqual([{ code: 'event.skipped', count: 1, reason: 'date' }]);
	});

	it('skips an event with a malformed TZID parameter (an unclosed quote)', () => {
		const read = readIcs(fixture('broken-tzid-parameter.ics'), april, 'UTC');
		expect(iso(read.spans)).toEqual([good]);
		expect(read.notes).toEqual([{ code: 'event.skipped', count: 1, reason: 'line' }]);
	});

	it('ignores an empty VTIMEZONE and reads its TZID by name', () => {
		const read = readIcs(fixture('broken-empty-vtimezone.ics'), april, 'UTC');
		expect(iso(read.spans)).toEqual(['2026-04-07T10:00–11:00', good]);
		expect(read.notes).toEqual([{ code: 'zone.unknown', tzid: 'Zimbra Local', zone: 'UTC' }]);
	});

	it('reads a folded line that is missing its space as the fold it was meant to be', () => {
		const read = readIcs(fixture('broken-fold.ics'), april, 'UTC');
		expect(iso(read.spans)).toEqual(['2026-04-07T10:00–11:00', good]);
		expect(read.notes).toEqual([]);
	});

	it('counts skipped events by reason, including an event cut off at the end of the file', () => {
		const text = [
			'BEGIN:VCALENDAR',
			'VERSION:2.0',
			'BEGIN:VEVENT',
			'UID:a',
			'DTSTART:20260407',
			'DTEND:20260408',
			'END:VEVENT',
			'BEGIN:VEVENT',
			'UID:b',
			'DTSTART:20260409',
			'END:VEVENT',
			'BEGIN:VEVENT',
			'UID:c',
			'DTSTART;TZID="Europe/Paris:20260409T100000',
			'END:VEVENT',
			'BEGIN:VEVENT',
			'UID:d',
			'DTSTART:20260409T100000Z',
			'DTEND:20260409T110000Z',
			'END:VEVENT',
			'BEGIN:VEVENT',
			'UID:e',
			'DTSTART:2026'
		].join('\r\n');
		const read = readIcs(text, april, 'UTC');
		expect(iso(read.spans)).toEqual(['2026-04-09T10:00–11:00']);
		expect(read.notes).toEqual([
			{ code: 'event.skipped', count: 2, reason: 'line' },
			{ code: 'event.skipped', count: 2, reason: 'date' }
		]);
	});
});
