/**
 * Client measurements (started): what the event page costs to load, and how
 * big an event document gets, against issue 7's budgets. Prints markdown.
 */
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium } from '@playwright/test';
import * as Y from 'yjs';
import { applyStroke, createEvent, joinEvent } from '../src/lib/model/event-doc.js';
import { buildGrid } from '../src/lib/model/slots.js';
import { ensureBuild } from '../scripts/ensure-build.js';
import { chromiumLaunchOptions } from '../tests/support/browser.js';
import { ROOT, startRelay } from '../tests/support/relay-process.js';

/** JS + CSS the event page loads on a first visit, gzip-compressed as a server would send it. */
async function transfer(): Promise<{ files: number; raw: number; gzip: number }> {
	ensureBuild();
	const relay = await startRelay({ buildDir: path.join(ROOT, 'build') });
	const browser = await chromium.launch(chromiumLaunchOptions);
	try {
		const creator = await browser.newPage();
		await creator.goto(`${relay.httpUrl}/new?title=Size&dates=2026-12-01&from=09:00&to=18:00&slot=30&tz=UTC`);
		await creator.getByRole('button', { name: 'Create' }).click();
		await creator.waitForURL(/\/e\//);
		const url = creator.url();
		const page = await (await browser.newContext()).newPage();
		const bodies: Promise<Buffer>[] = [];
		page.on('response', (r) => {
			const type = r.request().resourceType();
			if (type === 'script' || type === 'stylesheet') bodies.push(r.body());
		});
		await page.goto(url);
		await page.getByLabel('Name').waitFor();
		await page.waitForLoadState('networkidle');
		const all = await Promise.all(bodies);
		return {
			files: all.length,
			raw: all.reduce((n, b) => n + b.byteLength, 0),
			gzip: all.reduce((n, b) => n + zlib.gzipSync(b, { level: 9 }).byteLength, 0)
		};
	} finally {
		await browser.close();
		await relay.kill();
	}
}

/** 50 members × 200 strokes on 14 days × 48 blocks: stored size (v1 and v2 updates) against members × slots bits. */
function documentSize() {
	const dates = Array.from({ length: 14 }, (_, i) => `2026-12-${String(i + 1).padStart(2, '0')}`);
	const draft = { title: 'Size', kind: 'dates' as const, dates, weekdays: [], start: 0, end: 1440, slot: 30 as const, tz: 'UTC' };
	const grid = buildGrid(draft);
	const doc = new Y.Doc();
	createEvent(doc, draft, 1);
	let seed = 7;
	const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
	for (let m = 0; m < 50; m++) {
		const id = joinEvent(doc, `Member ${m}`, m);
		for (let s = 0; s < 200; s++) {
			// A stroke: a run of 1–6 blocks on one day, marked or cleared.
			const col = Math.floor(random() * grid.columns.length);
			const row = Math.floor(random() * grid.rows.length);
			const length = 1 + Math.floor(random() * 6);
			const slots = grid.cells[col].slice(row, row + length).filter((x): x is string => x !== null);
			applyStroke(doc, id, slots, random() < 0.75 ? 1 : random() < 0.5 ? 2 : 0);
		}
	}
	const raw = (50 * grid.slots.size) / 8;
	return { v1: Y.encodeStateAsUpdate(doc).byteLength, v2: Y.encodeStateAsUpdateV2(doc).byteLength, raw };
}

const t = await transfer();
const d = documentSize();
const kb = (n: number) => (n / 1024).toFixed(1);
console.log(`# Client — ${new Date().toISOString()}\n`);
console.log('| measurement | value | budget | within? |');
console.log('|---|---|---|---|');
console.log(`| event page JS + CSS, first load, gzip (${t.files} files; ${kb(t.raw)} KB raw) | ${kb(t.gzip)} KB | 80 KB | ${t.gzip <= 80 * 1024 ? 'yes' : 'no'} |`);
console.log(`| document, 50 members × 200 strokes, update v1 | ${kb(d.v1)} KB (${(d.v1 / d.raw).toFixed(1)}× raw) | 20× raw (${kb(d.raw * 20)} KB) | ${d.v1 <= 20 * d.raw ? 'yes' : 'no'} |`);
console.log(`| document, same, update v2 | ${kb(d.v2)} KB (${(d.v2 / d.raw).toFixed(1)}× raw) | 20× raw | ${d.v2 <= 20 * d.raw ? 'yes' : 'no'} |`);
