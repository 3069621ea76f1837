/**
 * A synthetic calendar shaped like a long-kept Google Calendar export
 * (issue 16): single events spread over years, weekly series in a zone
 * defined by a VTIMEZONE, and overrides of each series by UID (one moved,
 * one cancelled) in December 2026. Used by the import benchmark and by the
 * big-file tests, so both read the same shape.
 */
const VTIMEZONE = [
	'BEGIN:VTIMEZONE',
	'TZID:America/New_York',
	'BEGIN:DAYLIGHT',
	'TZOFFSETFROM:-0500',
	'TZOFFSETTO:-0400',
	'TZNAME:EDT',
	'DTSTART:19700308T020000',
	'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU',
	'END:DAYLIGHT',
	'BEGIN:STANDARD',
	'TZOFFSETFROM:-0400',
	'TZOFFSETTO:-0500',
	'TZNAME:EST',
	'DTSTART:19701101T020000',
	'RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU',
	'END:STANDARD',
	'END:VTIMEZONE'
];

const pad = (n: number) => String(n).padStart(2, '0');

/** An export with `n` VEVENTs: 70 % single events, the rest weekly series with their overrides. */
export function googleExport(n: number): string {
	const lines = ['BEGIN:VCALENDAR', 'PRODID:-//Google Inc//Google Calendar 70.9054//EN', 'VERSION:2.0', ...VTIMEZONE];
	const event = (uid: string, body: string[]) =>
		lines.push(
			'BEGIN:VEVENT',
			...body,
			'DTSTAMP:20261120T120000Z',
			`UID:${uid}@google.com`,
			'CREATED:20240101T000000Z',
			'DESCRIPTION:Agenda and notes for this meeting\\, with a link: https://meet.google.com/abc-defg-hij',
			'LAST-MODIFIED:20261101T000000Z',
			'LOCATION:Room 4',
			'SEQUENCE:0',
			...(body.some((line) => line.startsWith('STATUS:')) ? [] : ['STATUS:CONFIRMED']),
			`SUMMARY:Event ${uid}`,
			'TRANSP:OPAQUE',
			'END:VEVENT'
		);
	let made = 0;
	for (let i = 0; made < n; i++) {
		if (i % 10 < 7) {
			// Single events spread over 2019–2026, as a long-kept calendar has them.
			const year = 2019 + (i % 8);
			const month = 1 + (i % 12);
			const day = 1 + (i % 28);
			const hour = 8 + (i % 10);
			event(`single-${i}`, [
				`DTSTART;TZID=America/New_York:${year}${pad(month)}${pad(day)}T${pad(hour)}0000`,
				`DTEND;TZID=America/New_York:${year}${pad(month)}${pad(day)}T${pad(hour)}3000`
			]);
			made++;
			continue;
		}
		// A weekly series started in 2024 and three overrides of it in the window.
		const weekday = 1 + (i % 5);
		const start = `2024010${weekday}`;
		const hour = pad(9 + (i % 8));
		const uid = `series-${i}`;
		event(uid, [
			`DTSTART;TZID=America/New_York:${start}T${hour}0000`,
			`DTEND;TZID=America/New_York:${start}T${hour}3000`,
			'RRULE:FREQ=WEEKLY;BYDAY=' + ['MO', 'TU', 'WE', 'TH', 'FR'][weekday - 1]
		]);
		made++;
		// The series' occurrences in the window: 2026-12-0{weekday-ish}. Dec 1 2026 is a Tuesday.
		const first = 1 + ((weekday - 2 + 7) % 7);
		const dates = [first, first + 7].map((d) => `202612${pad(d)}`);
		const overrides: string[][] = [
			[
				`RECURRENCE-ID;TZID=America/New_York:${dates[0]}T${hour}0000`,
				`DTSTART;TZID=America/New_York:${dates[0]}T${pad(Number(hour) + 1)}0000`,
				`DTEND;TZID=America/New_York:${dates[0]}T${pad(Number(hour) + 1)}3000`
			],
			[
				`RECURRENCE-ID;TZID=America/New_York:${dates[1]}T${hour}0000`,
				`DTSTART;TZID=America/New_York:${dates[1]}T${hour}0000`,
				`DTEND;TZID=America/New_York:${dates[1]}T${hour}3000`,
				'STATUS:CANCELLED'
			]
		];
		for (const body of overrides) {
			if (made >= n) break;
			event(uid, body);
			made++;
		}
	}
	lines.push('END:VCALENDAR', '');
	return lines.join('\r\n');
}
