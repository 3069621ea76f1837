/**
 * Calendar import on a big file (issue 16, point 7): a synthetic
 * Google-style export (single events over years, weekly series in a zone
 * with a VTIMEZONE, overrides by UID: moved, cancelled) read by readIcs for
 * a two-week window. Two lines: the size of the biggest real export we
 * know of (4,778 events; budget 300 ms on this machine), beside ical.js's
 * bare parse of the same text as the reference; and growth, 4,000 events
 * against 1,000 (linear growth gives a ratio near 4). Prints markdown.
 */
import ICAL from 'ical.js';
import { readIcs } from '../src/lib/calendar/import.js';
import { googleExport } from '../tests/support/google-export.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const window = { start: Date.parse('2026-12-01T00:00Z'), end: Date.parse('2026-12-15T00:00Z') };

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const time = (run: () => unknown) => {
	const t0 = performance.now();
	run();
	return performance.now() - t0;
};

const sizes = [1000, 4000, 4778];
const texts = sizes.map(googleExport);
const spans = texts.map((text) => readIcs(text, window, 'UTC').spans.length);
// Every measurement takes turns within each run, so that a burst of load
// from the other work on this shared machine falls on all of them: ratios
// are the median of each run's ratio.
const times: number[][] = sizes.map(() => []);
const parse: number[] = [];
const growth: number[] = [];
const overParse: number[] = [];
for (let run = 0; run < RUNS; run++) {
	const turn = texts.map((text) => time(() => readIcs(text, window, 'UTC')));
	const bare = time(() => ICAL.parse(texts[2]));
	turn.forEach((ms, i) => times[i].push(ms));
	parse.push(bare);
	growth.push(turn[1] / turn[0]);
	overParse.push(turn[2] / bare);
}
console.log(`\n### Calendar import (\`bench/ics.ts\`), median of ${RUNS} runs\n`);
console.log('| events | file | busy spans in the window | readIcs (median) | ical.js parse alone (median) |');
console.log('|---|---|---|---|---|');
sizes.forEach((n, i) => {
	const mb = (texts[i].length / 1e6).toFixed(2);
	const bare = i === 2 ? `${median(parse).toFixed(0)} ms` : '';
	console.log(`| ${n.toLocaleString('en')} | ${mb} MB | ${spans[i]} | ${median(times[i]).toFixed(0)} ms | ${bare} |`);
});
console.log(
	`\n${sizes[1] / sizes[0]}× the events took ${median(growth).toFixed(2)}× the time; reading ${sizes[2].toLocaleString('en')} events took ${median(overParse).toFixed(2)}× ical.js's bare parse of the file (medians of each run's ratio). Budget: ${sizes[2].toLocaleString('en')} events in ≤ 300 ms.`
);
