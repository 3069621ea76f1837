/**
 * How calendar import grows with the size of the file (issue 16, point 7):
 * a synthetic Google-style export with N events (single events, weekly
 * series in a zone with a VTIMEZONE, each series with overrides by UID:
 * moved, cancelled, freed) read by readIcs for a two-week window, for
 * N = 1,000 and 4,000. Linear growth gives a ratio near 4. Prints markdown.
 */
import { readIcs } from '../src/lib/calendar/import.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const window = { start: Date.parse('2026-12-01T00:00Z'), end: Date.parse('2026-12-15T00:00Z') };

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
function googleExport(n: number): string {
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
			'STATUS:CONFIRMED',
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

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const sizes = [1000, 4000];
const texts = sizes.map(googleExport);
const spans = texts.map((text) => readIcs(text, window, 'UTC').spans.length);
// The two sizes take turns, so that a burst of load from the other work on
// this shared machine falls on both: the ratio is the median of each turn's.
const times: number[][] = sizes.map(() => []);
const ratios: number[] = [];
for (let run = 0; run < RUNS; run++) {
	const turn = texts.map((text) => {
		const t0 = performance.now();
		readIcs(text, window, 'UTC');
		return performance.now() - t0;
	});
	turn.forEach((ms, i) => times[i].push(ms));
	ratios.push(turn[1] / turn[0]);
}
console.log(`\n### Calendar import (\`bench/ics.ts\`), median of ${RUNS} runs\n`);
console.log('| events | file | busy spans in the window | readIcs (median) |');
console.log('|---|---|---|---|');
sizes.forEach((n, i) => {
	const mb = (texts[i].length / 1e6).toFixed(2);
	console.log(`| ${n.toLocaleString('en')} | ${mb} MB | ${spans[i]} | ${median(times[i]).toFixed(0)} ms |`);
});
console.log(
	`\n${sizes[1] / sizes[0]}× the events took ${median(ratios).toFixed(2)}× the time (median of the turns' ratios).`
);
