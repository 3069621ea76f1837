import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { busySpansFromIcs, CalendarFileError } from './import.js';

const fixture = readFileSync(new URL('../../../tests/fixtures/busy.ics', import.meta.url), 'utf8');
const iso = (spans: { start: number; end: number }[]) =>
	spans
		.map((s) => `${new Date(s.start).toISOString().slice(0, 16)}–${new Date(s.end).toISOString().slice(11, 16)}`)
		.sort();

describe('calendar import', () => {
	it('expands a weekly rule across a DST change, skips an EXDATE, applies a moved occurrence, reads a TZID without VTIMEZONE, ignores free time', () => {
		const window = { start: Date.parse('2026-10-28T00:00Z'), end: Date.parse('2026-11-10T00:00Z') };
		expect(iso(busySpansFromIcs(fixture, window, 'UTC'))).toEqual([
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
