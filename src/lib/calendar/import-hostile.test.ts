import { describe, expect, it } from 'vitest';
import { CalendarFileError, MAX_ICS_CHARS, readIcs } from './import.js';

const window = { start: Date.parse('2026-12-01T00:00Z'), end: Date.parse('2026-12-15T00:00Z') };
const calendar = (...lines: string[]) => ['BEGIN:VCALENDAR', 'VERSION:2.0', ...lines, 'END:VCALENDAR', ''].join('\r\n');
const event = (uid: string, ...lines: string[]) => [
	'BEGIN:VEVENT',
	`UID:${uid}`,
	'DTSTAMP:20260101T000000Z',
	...lines,
	'END:VEVENT'
];
/** The reason a read failed with, or null when it gave a result. */
const failure = (text: string) => {
	try {
		readIcs(text, window, 'UTC');
		return null;
	} catch (error) {
		expect(error).toBeInstanceOf(CalendarFileError);
		return (error as CalendarFileError).reason;
	}
};

// The guard is vitest's own timeout: a hang or a quadratic blow-up fails
// the test, without asserting milliseconds on a shared machine.
describe('calendar import: hostile input ends quickly with spans or a clear error', { timeout: 10_000 }, () => {
	it('refuses empty text and binary garbage as not a calendar', () => {
		expect(failure('')).toBe('not-a-calendar');
		expect(failure('   \r\n\r\n')).toBe('not-a-calendar');
		let seed = 7;
		const bytes = Array.from({ length: 200_000 }, () =>
			String.fromCharCode(((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % 256))
		);
		expect(failure(bytes.join(''))).toBe('not-a-calendar');
		expect(failure('BEGIN:VCALENDAR\r\n\u0000\u0001\u00ff\ufffd garbage\r\nEND:VCALENDAR')).not.toBeNull();
	});

	it('reads a 5 MB calendar', () => {
		const lines: string[] = [];
		const description = `DESCRIPTION:${'x'.repeat(60)}`;
		let size = 0;
		let i = 0;
		while (size < 5_000_000) {
			const day = 1 + (i % 28);
			const block = event(
				`e${i}`,
				`DTSTART:202612${String(day).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}0000Z`,
				'DURATION:PT30M',
				description
			);
			lines.push(...block);
			size += block.join('\r\n').length + 2;
			i++;
		}
		const text = calendar(lines.join('\r\n'));
		expect(text.length).toBeGreaterThan(5_000_000);
		const { spans } = readIcs(text, window, 'UTC');
		// Days 1–14 of every 28 fall in the window.
		expect(spans.length).toBe([...Array(i).keys()].filter((n) => n % 28 < 14).length);
	});

	it('refuses a file over the size limit with its own code', () => {
		const text = calendar(...event('big', 'DTSTART:20261201T090000Z', `DESCRIPTION:${'y'.repeat(MAX_ICS_CHARS)}`));
		expect(failure(text)).toBe('too-big');
	});

	it('expands endless SECONDLY, MINUTELY and HOURLY rules from long ago only within limits', () => {
		for (const freq of ['SECONDLY', 'MINUTELY', 'HOURLY']) {
			const { spans, notes } = readIcs(
				calendar(...event(freq, 'DTSTART:20100101T000000Z', 'DURATION:PT1S', `RRULE:FREQ=${freq}`)),
				window,
				'UTC'
			);
			// Every occurrence in the window, up to the per-event cap.
			expect(spans.length).toBeGreaterThan(0);
			expect(spans.every((s) => s.start < window.end && s.end > window.start)).toBe(true);
			if (freq === 'HOURLY') expect(spans.length).toBe(14 * 24);
			else expect(notes).toContainEqual({ code: 'event.capped', count: 1, limit: 5000 });
		}
	});

	it('reads a MINUTELY rule with a start far in the past at the right minutes', () => {
		const { spans } = readIcs(
			calendar(...event('m', 'DTSTART:20000101T000700Z', 'DURATION:PT5M', 'RRULE:FREQ=MINUTELY;INTERVAL=45')),
			{ start: Date.parse('2026-12-01T00:00Z'), end: Date.parse('2026-12-01T03:00Z') },
			'UTC'
		);
		// 45-minute steps from 2000-01-01 00:07; minutes since then mod 45 fix the phase.
		const phase = (Date.parse('2026-12-01T00:00Z') - Date.parse('2000-01-01T00:07Z')) / 60_000;
		const first = Date.parse('2026-12-01T00:00Z') + ((45 - (phase % 45)) % 45) * 60_000;
		expect(spans.map((s) => s.start)).toEqual(
			[0, 1, 2, 3].map((k) => first + k * 45 * 60_000).filter((t) => t < Date.parse('2026-12-01T03:00Z'))
		);
	});

	it('stops a COUNT=1000000 rule and a rule that never matches without hanging', () => {
		const { spans, notes } = readIcs(
			calendar(
				...event('count', 'DTSTART:20261201T090000Z', 'DURATION:PT1H', 'RRULE:FREQ=DAILY;COUNT=1000000'),
				...event('old', 'DTSTART:19700101T090000Z', 'DURATION:PT1H', 'RRULE:FREQ=MINUTELY;COUNT=1000000'),
				// 30 February never comes.
				...event('never', 'DTSTART:20261201T090000Z', 'DURATION:PT1H', 'RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30')
			),
			window,
			'UTC'
		);
		// Daily from 1 December: every day of the window, nothing else.
		expect(spans.length).toBe(14);
		expect(spans.every((s) => s.end - s.start === 3_600_000 && new Date(s.start).getUTCHours() === 9)).toBe(true);
		// Every minute since 1970 by COUNT never reaches the window in time: skipped, and said so.
		expect(notes).toEqual([{ code: 'event.skipped', count: 1, reason: 'other' }]);
	});

	it('reads past deeply nested components without blowing the stack', () => {
		for (const name of ['VALARM', 'X-FOO']) {
			const depth = 10_000;
			const text = calendar(
				...event('ok', 'DTSTART:20261202T090000Z', 'DURATION:PT1H'),
				'BEGIN:VEVENT',
				'UID:deep',
				'DTSTART:20261203T090000Z',
				Array(depth).fill(`BEGIN:${name}`).join('\r\n'),
				Array(depth).fill(`END:${name}`).join('\r\n'),
				'END:VEVENT'
			);
			const result = readIcs(text, window, 'UTC');
			expect(result.spans).toContainEqual({
				start: Date.parse('2026-12-02T09:00Z'),
				end: Date.parse('2026-12-02T10:00Z')
			});
		}
	});

	it('reads a calendar with one huge line', () => {
		const text = calendar(
			...event('long', 'DTSTART:20261202T090000Z', 'DURATION:PT1H', `SUMMARY:${'z'.repeat(3_000_000)}`)
		);
		expect(readIcs(text, window, 'UTC').spans).toEqual([
			{ start: Date.parse('2026-12-02T09:00Z'), end: Date.parse('2026-12-02T10:00Z') }
		]);
	});
});
