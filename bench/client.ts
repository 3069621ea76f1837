/**
 * What the event page costs to load, against issue 7's budget (document
 * size is bench/layout.ts, timings in the browser bench/browser.ts). Prints
 * markdown.
 */
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium } from '@playwright/test';
import { ensureBuild } from '../scripts/ensure-build.js';
import { chromiumLaunchOptions } from '../tests/support/browser.js';
import { ROOT, startRelay } from '../tests/support/relay-process.js';

interface Loaded {
	url: string;
	gzip: number;
	raw: number;
	/** Requested before the page was ready (the join form shown). */
	early: boolean;
}

/** Any response from the relay on a first visit: its size, and what it took on the wire. */
interface Sent {
	/** Fetched by the service worker (its precache), not the page. */
	worker: boolean;
	raw: number;
	/** Body bytes as sent (compressed when the relay had a copy). */
	wire: number;
}

/**
 * JS + CSS an event page loads on a first visit, gzip-compressed as a server
 * would send it: what it needs to show the event (requested before the join
 * form shows), and what it fetches afterwards (other routes' code, fetched
 * ahead so that navigating keeps working offline).
 */
async function transfer(): Promise<{ loaded: Loaded[]; sent: Sent[] }> {
	ensureBuild();
	const relay = await startRelay({ compiled: true, buildDir: path.join(ROOT, 'build') });
	const browser = await chromium.launch(chromiumLaunchOptions);
	try {
		const creator = await browser.newPage();
		await creator.goto(`${relay.httpUrl}/new?title=Size&dates=2026-12-01&from=09:00&to=18:00&slot=30&tz=UTC`);
		await creator.getByRole('button', { name: 'Create' }).click();
		await creator.waitForURL(/\/e\//);
		const url = creator.url();
		const visitor = await browser.newContext();
		const page = await visitor.newPage();
		let ready = false;
		const loads: Promise<Loaded>[] = [];
		const sends: Promise<Sent>[] = [];
		visitor.on('requestfinished', (request) => {
			if (new URL(request.url()).origin !== relay.httpUrl) return;
			sends.push(
				Promise.all([request.response(), request.sizes()]).then(async ([response, sizes]) => ({
					worker: request.serviceWorker() !== null,
					raw: (await response!.body()).byteLength,
					wire: sizes.responseBodySize
				}))
			);
		});
		page.on('request', (request) => {
			const type = request.resourceType();
			if (type !== 'script' && type !== 'stylesheet') return;
			const early = !ready;
			loads.push(
				request.response().then(async (response) => {
					const body = await response!.body();
					return {
						url: request.url(),
						raw: body.byteLength,
						gzip: zlib.gzipSync(body, { level: 9 }).byteLength,
						early
					};
				})
			);
		});
		await page.goto(url);
		await page.getByLabel('Name').waitFor();
		ready = true;
		await page.waitForLoadState('networkidle');
		await page.waitForTimeout(4000); // deferred preloads start when the browser is idle
		await page.waitForLoadState('networkidle');
		return { loaded: await Promise.all(loads), sent: await Promise.all(sends) };
	} finally {
		await browser.close();
		await relay.kill();
	}
}

const { loaded, sent } = await transfer();
const kb = (n: number) => (n / 1024).toFixed(1);
const sum = (xs: Loaded[], k: 'gzip' | 'raw') => xs.reduce((n, x) => n + x[k], 0);
const early = loaded.filter((x) => x.early);
const late = loaded.filter((x) => !x.early);
console.log(`# Client — ${new Date().toISOString()}\n`);
console.log('| measurement | value | budget | within? |');
console.log('|---|---|---|---|');
console.log(
	`| event page JS + CSS, first load, gzip, until the page is ready (${early.length} files; ${kb(sum(early, 'raw'))} KB raw) | ${kb(sum(early, 'gzip'))} KB | 80 KB | ${sum(early, 'gzip') <= 80 * 1024 ? 'yes' : '**no**'} |`
);
console.log(
	`| … fetched after it is ready (other pages' code; ${late.length} files) | ${kb(sum(late, 'gzip'))} KB | — | — |`
);
for (const [who, worker] of [
	['the page', false],
	["the service worker's precache", true]
] as const) {
	const xs = sent.filter((x) => x.worker === worker);
	console.log(
		`| first visit, all ${who} gets from the relay (${xs.length} responses; ${kb(xs.reduce((n, x) => n + x.raw, 0))} KB raw) | ${kb(xs.reduce((n, x) => n + x.wire, 0))} KB on the wire | — | — |`
	);
}
console.log(
	'\nLargest files before ready (gzip KB): ' +
		early
			.sort((a, b) => b.gzip - a.gzip)
			.slice(0, 8)
			.map((x) => `${x.url.split('/').pop()} ${kb(x.gzip)}`)
			.join(', ')
);
