/**
 * Model speed on the main thread: best times for 100 members × 14 days ×
 * 48 blocks (recomputed on every remote stroke), beside the heatmap it is
 * drawn with, as the in-run reference. Medians of many runs.
 */
import os from 'node:os';
import { bestTimes } from '../src/lib/model/best-times.js';
import { computeHeatmap } from '../src/lib/model/heatmap.js';
import { buildGrid } from '../src/lib/model/slots.js';
import type { Level } from '../src/lib/model/event-doc.js';

const dates = Array.from({ length: 14 }, (_, i) => `2026-12-${String(i + 1).padStart(2, '0')}`);
const grid = buildGrid({ kind: 'dates', dates, weekdays: [], start: 0, end: 1440, slot: 30, tz: 'Asia/Seoul' });
const slots = [...grid.slots];
// Deterministic pseudo-random marks: each member free in a few long stretches, some "if needed".
let seed = 42;
const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
const availability = new Map<string, Map<string, Level>>();
for (let m = 0; m < 100; m++) {
	const marks = new Map<string, Level>();
	for (let s = 0; s < slots.length; s++) {
		if (random() < 0.02)
			for (let k = 0; k < 12 && s + k < slots.length; k++) marks.set(slots[s + k], random() < 0.8 ? 1 : 2);
	}
	availability.set(`m${m}`, marks);
}

function measure(fn: () => unknown, runs = 40): number {
	for (let i = 0; i < 5; i++) fn(); // warm-up
	const times: number[] = [];
	for (let i = 0; i < runs; i++) {
		const t = performance.now();
		fn();
		times.push(performance.now() - t);
	}
	return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

const best = measure(() => bestTimes(grid, availability, { minSlots: 2, limit: 5 }));
const heat = measure(() => computeHeatmap(availability, { slots: grid.slots }));
console.log(`# Model speed — ${new Date().toISOString()} — ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
console.log('100 members × 14 days × 48 blocks, median of 40 runs\n');
console.log('| computation | median (ms) | ÷ heatmap |');
console.log('|---|---|---|');
console.log(`| heatmap (reference) | ${heat.toFixed(2)} | 1.00× |`);
console.log(`| best times (top 5, ≥ 1 hour) | ${best.toFixed(2)} | ${(best / heat).toFixed(2)}× |`);
