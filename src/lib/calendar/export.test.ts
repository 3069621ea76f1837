import { describe, expect, it } from 'vitest';
import ICAL from 'ical.js';
import { CalendarDate, CalendarDateTime, toZoned } from '@internationalized/date';
import { decisionIcs, googleCalendarUrl, occurrence, type CalendarEntry } from './export.js';
import { readIcs } from './import.js';

/** Parses `.ics` text with a second, independent library and returns its one VEVENT. */
function parseBack(text: string) {
	const calendar = new ICAL.Component(ICAL.parse(text));
	const events = calendar.getAllSubcomponents('vevent');
	expect(events).toHaveLength(1);
	return new ICAL.Event(events[0]);
}

const NOW = Date.parse('2026-11-22T12:00:00Z'); // a Sunday

function entry(when: CalendarEntry['when']): CalendarEntry {
	return {
		eventId: 'AAAAAAAAAAAAAAAAAAAAAA',
		title: 'Study group; round 2, final',
		description: 'Available: Ana, Ben\nIf needed: Cy',
		url: 'https://moim.example/e/AAAAAAAAAAAAAAAAAAAAAA',
		when,
		now: NOW
	};
}

describe('calendar export', () => {
	it('a dated decision is one event in UTC with the title, people and link intact', () => {
		// Decided 10:00–11:30 in Seoul on 1 December = 01:00–02:30Z.
		const when = occurrence({ start: '2026-12-01T01:00Z', minutes: 90 }, { kind: 'dates', tz: 'Asia/Seoul' }, NOW);
		const text = decisionIcs(entry(when));
		expect(text).toContain('DTSTART:20261201T010000Z');
		const event = parseBack(text);
		expect(event.summary).toBe('Study group; round 2, final');
		expect(event.description).toBe('Available: Ana, Ben\nIf needed: Cy');
		expect(event.uid).toBe('AAAAAAAAAAAAAAAAAAAAAA@moim');
		expect(event.startDate.toJSDate().getTime()).toBe(Date.parse('2026-12-01T01:00:00Z'));
		expect(event.endDate.toJSDate().getTime()).toBe(Date.parse('2026-12-01T02:30:00Z'));
		expect(event.startDate.zone.tzid).toBe('UTC');
		expect(event.isRecurring()).toBe(false);
		expect(event.component.getFirstPropertyValue('url')).toBe('https://moim.example/e/AAAAAAAAAAAAAAAAAAAAAA');
	});

	it('a weekly decision is a weekly recurring event at its wall-clock time in the event zone', () => {
		// Mondays 10:00–11:00 in New York, decided on Sunday 22 November: first on Monday 23 November (EST).
		const when = occurrence({ start: 'w1T10:00', minutes: 60 }, { kind: 'weekdays', tz: 'America/New_York' }, NOW);
		expect(when.start).toBe(Date.parse('2026-11-23T15:00:00Z'));
		const text = decisionIcs(entry(when));
		expect(text).toContain('DTSTART;TZID=America/New_York:20261123T100000');
		const event = parseBack(text);
		expect(event.isRecurring()).toBe(true);
		const rule = event.component.getFirstPropertyValue('rrule') as ICAL.Recur;
		expect(rule.freq).toBe('WEEKLY');
		expect(rule.getComponent('byday')).toEqual(['MO']);
		const start = event.component.getFirstProperty('dtstart')!;
		expect(start.getParameter('tzid')).toBe('America/New_York');
		expect([
			event.startDate.year,
			event.startDate.month,
			event.startDate.day,
			event.startDate.hour,
			event.startDate.minute
		]).toEqual([2026, 11, 23, 10, 0]);
		expect([event.endDate.hour, event.endDate.minute]).toEqual([11, 0]);
		// Occurrences keep the wall-clock time and the weekday.
		const it = event.iterator();
		const dates = [it.next(), it.next(), it.next()].map((t) => [t!.month, t!.day, t!.hour, t!.dayOfWeek()]);
		expect(dates).toEqual([
			[11, 23, 10, 2],
			[11, 30, 10, 2],
			[12, 7, 10, 2]
		]);
	});

	it("a weekly decision on today's weekday starts today, in the event's zone (not the device's)", () => {
		// 22 Nov 12:00Z is already Sunday evening 21:00 in Seoul.
		const when = occurrence({ start: 'w7T20:00', minutes: 30 }, { kind: 'weekdays', tz: 'Asia/Seoul' }, NOW);
		expect(when.weekly!.localStart.toString()).toBe('2026-11-22T20:00:00');
	});

	it('the Google Calendar link carries UTC times, or local times with the zone and a weekly rule', () => {
		const dated = new URL(
			googleCalendarUrl(
				entry(occurrence({ start: '2026-12-01T01:00Z', minutes: 90 }, { kind: 'dates', tz: 'Asia/Seoul' }, NOW))
			)
		);
		expect(dated.origin + dated.pathname).toBe('https://calendar.google.com/calendar/render');
		expect(dated.searchParams.get('action')).toBe('TEMPLATE');
		expect(dated.searchParams.get('dates')).toBe('20261201T010000Z/20261201T023000Z');
		expect(dated.searchParams.get('text')).toBe('Study group; round 2, final');
		expect(dated.searchParams.get('details')).toContain('https://moim.example/e/');
		const weekly = new URL(
			googleCalendarUrl(
				entry(occurrence({ start: 'w3T18:30', minutes: 60 }, { kind: 'weekdays', tz: 'Asia/Seoul' }, NOW))
			)
		);
		expect(weekly.searchParams.get('dates')).toBe('20261125T183000/20261125T193000');
		expect(weekly.searchParams.get('ctz')).toBe('Asia/Seoul');
		expect(weekly.searchParams.get('recur')).toBe('RRULE:FREQ=WEEKLY;BYDAY=WE');
	});
});

const WEEK = 7 * 86_400_000;
const spanText = (spans: { start: number; end: number }[]) =>
	spans.map((s) => `${new Date(s.start).toISOString().slice(0, 16)}Z +${(s.end - s.start) / 60_000}min`).sort();

/**
 * Weekly decisions whose first occurrence is on or just before a
 * daylight-saving change, at times that cross it, fall in the skipped hour
 * or in the hour that happens twice.
 */
const dstCases: { zone: string; now: string; start: string; minutes: number }[] = [
	// New York: clocks back on Sun 1 Nov 2026 (02:00 EDT → 01:00 EST), forward on Sun 8 Mar 2026.
	{ zone: 'America/New_York', now: '2026-11-01T04:00Z', start: 'w7T01:30', minutes: 60 },
	{ zone: 'America/New_York', now: '2026-11-01T04:00Z', start: 'w7T01:00', minutes: 120 },
	{ zone: 'America/New_York', now: '2026-10-20T12:00Z', start: 'w7T00:30', minutes: 150 },
	{ zone: 'America/New_York', now: '2026-03-08T04:00Z', start: 'w7T02:30', minutes: 60 },
	{ zone: 'America/New_York', now: '2026-03-08T04:00Z', start: 'w7T01:00', minutes: 120 },
	// Berlin: forward on Sun 29 Mar 2026 (02:00 → 03:00), back on Sun 25 Oct 2026 (03:00 → 02:00).
	{ zone: 'Europe/Berlin', now: '2026-03-28T12:00Z', start: 'w7T02:30', minutes: 60 },
	{ zone: 'Europe/Berlin', now: '2026-03-20T12:00Z', start: 'w7T01:30', minutes: 90 },
	{ zone: 'Europe/Berlin', now: '2026-10-24T12:00Z', start: 'w7T02:30', minutes: 60 },
	{ zone: 'Europe/Berlin', now: '2026-10-24T12:00Z', start: 'w6T23:00', minutes: 240 },
	// Sydney: back on Sun 5 Apr 2026 (03:00 → 02:00), forward on Sun 4 Oct 2026 (02:00 → 03:00).
	{ zone: 'Australia/Sydney', now: '2026-04-04T00:00Z', start: 'w7T02:30', minutes: 60 },
	{ zone: 'Australia/Sydney', now: '2026-04-04T00:00Z', start: 'w7T01:30', minutes: 120 },
	{ zone: 'Australia/Sydney', now: '2026-10-02T00:00Z', start: 'w7T02:30', minutes: 60 },
	{ zone: 'Australia/Sydney', now: '2026-10-02T00:00Z', start: 'w7T01:00', minutes: 180 },
	// Seoul has no daylight saving.
	{ zone: 'Asia/Seoul', now: '2026-03-27T00:00Z', start: 'w7T02:30', minutes: 60 }
];

/**
 * The decision's occurrences in the four weeks from the first, worked out
 * from the rule itself: each week's wall-clock start in the zone (the first
 * of two when it happens twice, moved past the skipped hour when it does
 * not exist), lasting the decision's minutes.
 */
function expectedSpans(zone: string, first: CalendarDateTime, minutes: number) {
	return [0, 1, 2, 3].map((week) => {
		const date = new CalendarDate(first.year, first.month, first.day).add({ weeks: week });
		const local = new CalendarDateTime(date.year, date.month, date.day, first.hour, first.minute);
		const start = toZoned(local, zone, 'compatible').toDate().getTime();
		return { start, end: start + minutes * 60_000 };
	});
}

describe('calendar export: weekly decisions round-trip across daylight-saving changes', () => {
	for (const { zone, now, start, minutes } of dstCases) {
		it(`${zone} ${start} for ${minutes} min, decided ${now}`, () => {
			const when = occurrence({ start, minutes }, { kind: 'weekdays', tz: zone }, Date.parse(now));
			const expected = expectedSpans(zone, when.weekly!.localStart, minutes);
			// The decision itself lasts its minutes, even on the day of the change.
			expect(spanText([when])).toEqual(spanText(expected.slice(0, 1)));

			const text = decisionIcs(entry(when));
			const window = { start: when.start - WEEK / 2, end: when.start + 3 * WEEK + WEEK / 2 };
			const read = readIcs(text, window, 'Pacific/Kiritimati');
			expect(read.notes).toEqual([]);
			expect(spanText(read.spans)).toEqual(spanText(expected));

			// The file defines its zone, and ical.js reads the event through that definition.
			expect(text).toContain(`BEGIN:VTIMEZONE\r\nTZID:${zone}\r\n`);
			const calendar = new ICAL.Component(ICAL.parse(text));
			const vtimezone = calendar.getFirstSubcomponent('vtimezone')!;
			expect(vtimezone.getFirstPropertyValue('tzid')).toBe(zone);
			const event = new ICAL.Event(calendar.getFirstSubcomponent('vevent')!);
			expect(event.startDate.zone?.component?.toString()).toBe(vtimezone.toString());

			// A reader that does not know the name gets the same times from the definition alone.
			const renamed = text
				.replaceAll(`TZID:${zone}`, 'TZID:Custom/Zone')
				.replaceAll(`TZID=${zone}`, 'TZID=Custom/Zone');
			expect(renamed).not.toContain(zone);
			const readRenamed = readIcs(renamed, window, 'Pacific/Kiritimati');
			expect(readRenamed.notes).toEqual([]);
			expect(spanText(readRenamed.spans)).toEqual(spanText(expected));
		});
	}

	it('a zone without daylight saving gets one STANDARD observance', () => {
		const when = occurrence({ start: 'w1T09:00', minutes: 60 }, { kind: 'weekdays', tz: 'Asia/Seoul' }, NOW);
		const vtimezone = new ICAL.Component(ICAL.parse(decisionIcs(entry(when)))).getFirstSubcomponent('vtimezone')!;
		expect(vtimezone.getAllSubcomponents().map((c) => c.name)).toEqual(['standard']);
		expect(vtimezone.getFirstSubcomponent('standard')!.getFirstPropertyValue('tzoffsetto')?.toString()).toBe('+09:00');
	});
});
