/**
 * How calendar import grows with the size of the file (issue 16, point 7):
 * a synthetic Google-style export with N events (single events, weekly
 * series in a zone with a VTIMEZONE, each series with overrides by UID:
 * moved, cancelled, freed) read by readIcs for a two-week window, for
 * N = 1,000 and 4,000. Linear growth gives a ratio near 4. Prints markdown.
 */
import { readIcs } from '../src/lib/calendar/import.js';
import { googleExport } from '../tests/support/google-export.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const window = { start: Date.parse('2026-12-01T00:00Z'), end: Date.parse('2026-12-15T00:00Z') };

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
