import { describe, expect, it } from 'vitest';
import ICAL from 'ical.js';
import { decisionIcs, googleCalendarUrl, occurrence, type CalendarEntry } from './export.js';

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
