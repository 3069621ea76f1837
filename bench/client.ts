/**
 * What the event page costs to load, against issue 7's budget (document
 * size is bench/layout.ts, timings in the browser bench/browser.ts), and
 * what the home and create pages load before they are drawn. Prints
 * markdown.
 */
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { ensureBuild } from '../scripts/ensure-build.js';
import { chromiumLaunchOptions } from '../tests/support/browser.js';
import { ROOT, startRelay } from '../tests/support/relay-process.js';

interface Loaded {
	url: string;
	gzip: number;
	raw: number;
	/** Requested before the page was ready (its first screen drawn). */
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
 * Records in the page the moment `selector` is first drawn. Taken in the
 * page (a mutation observer), not by polling from here: the code a page
 * fetches ahead once it is shown starts a moment after, and must not count.
 */
async function watchDrawn(context: BrowserContext, selector: string): Promise<void> {
	await context.addInitScript((sel: string) => {
		const w = window as unknown as { drawnAt?: number };
		new MutationObserver((_, observer) => {
			if (w.drawnAt === undefined && document.querySelector(sel)) {
				w.drawnAt = Date.now();
				observer.disconnect();
			}
		}).observe(document, { childList: true, subtree: true });
	}, selector);
}

/** When `selector` was first drawn (the page's clock, which is this machine's), once it is. */
async function drawnAt(page: Page, selector: string): Promise<number> {
	await page.locator(selector).first().waitFor();
	return page.evaluate(() => (window as unknown as { drawnAt: number }).drawnAt);
}

/** Follows the scripts and stylesheets `page` requests, each with when it was asked for. */
function followLoads(page: Page): () => Promise<(Omit<Loaded, 'early'> & { at: number })[]> {
	const loads: Promise<Omit<Loaded, 'early'> & { at: number }>[] = [];
	page.on('request', (request) => {
		const type = request.resourceType();
		if (type !== 'script' && type !== 'stylesheet') return;
		const at = Date.now();
		loads.push(
			request.response().then(async (response) => {
				const body = await response!.body();
				return { url: request.url(), at, raw: body.byteLength, gzip: zlib.gzipSync(body, { level: 9 }).byteLength };
			})
		);
	});
	return () => Promise.all(loads);
}

/**
 * JS + CSS an event page loads on a first visit, gzip-compressed as a server
 * would send it: what it needs to show the event (requested before the join
 * form is drawn), and what it fetches afterwards (other routes' code, fetched
 * ahead so that navigating keeps working offline).
 */
async function transfer(browser: Browser, httpUrl: string): Promise<{ loaded: Loaded[]; sent: Sent[] }> {
	const creator = await browser.newPage();
	await creator.goto(`${httpUrl}/new?title=Size&dates=2026-12-01&from=09:00&to=18:00&slot=30&tz=UTC`);
	await creator.getByRole('button', { name: 'Create' }).click();
	await creator.waitForURL(/\/e\//);
	const url = creator.url();
	const visitor = await browser.newContext();
	await watchDrawn(visitor, '#join-name');
	const page = await visitor.newPage();
	const sends: Promise<Sent>[] = [];
	visitor.on('requestfinished', (request) => {
		if (new URL(request.url()).origin !== httpUrl) return;
		sends.push(
			Promise.all([request.response(), request.sizes()]).then(async ([response, sizes]) => ({
				worker: request.serviceWorker() !== null,
				raw: (await response!.body()).byteLength,
				wire: sizes.responseBodySize
			}))
		);
	});
	const loads = followLoads(page);
	await page.goto(url);
	const drawn = await drawnAt(page, '#join-name');
	await page.waitForLoadState('networkidle');
	await page.waitForTimeout(4000); // deferred preloads start when the browser is idle
	await page.waitForLoadState('networkidle');
	const loaded = (await loads()).map(({ at, ...x }) => ({ ...x, early: at <= drawn }));
	await visitor.close();
	return { loaded, sent: await Promise.all(sends) };
}

/** JS + CSS a first visit of `url` requested before its Create button was drawn, gzip -9 per file. */
async function firstScreen(browser: Browser, url: string): Promise<{ files: number; gzip: number; raw: number }> {
	const context = await browser.newContext({ serviceWorkers: 'block' });
	try {
		const submit = 'form button[type="submit"]';
		await watchDrawn(context, submit);
		const page = await context.newPage();
		const loads = followLoads(page);
		await page.goto(url);
		const drawn = await drawnAt(page, submit);
		await page.waitForLoadState('networkidle');
		const early = (await loads()).filter((x) => x.at <= drawn);
		return {
			files: early.length,
			gzip: early.reduce((n, x) => n + x.gzip, 0),
			raw: early.reduce((n, x) => n + x.raw, 0)
		};
	} finally {
		await context.close();
	}
}

ensureBuild();
const relay = await startRelay({ compiled: true, buildDir: path.join(ROOT, 'build') });
const browser = await chromium.launch(chromiumLaunchOptions);
let measured;
try {
	measured = {
		screens: [
			['home `/`', await firstScreen(browser, `${relay.httpUrl}/`)],
			['create `/new`', await firstScreen(browser, `${relay.httpUrl}/new`)]
		] as const,
		...(await transfer(browser, relay.httpUrl))
	};
} finally {
	await browser.close();
	await relay.kill();
}
const { screens, loaded, sent } = measured;
const kb = (n: number) => (n / 1024).toFixed(1);
const sum = (xs: Loaded[], k: 'gzip' | 'raw') => xs.reduce((n, x) => n + x[k], 0);
const early = loaded.filter((x) => x.early);
const late = loaded.filter((x) => !x.early);
console.log(`# Client — ${new Date().toISOString()}\n`);
console.log('| measurement | value | budget | within? |');
console.log('|---|---|---|---|');
console.log(
	`| event page JS + CSS, first load, gzip, until the join form is drawn (${early.length} files; ${kb(sum(early, 'raw'))} KB raw) | ${kb(sum(early, 'gzip'))} KB | 80 KB | ${sum(early, 'gzip') <= 80 * 1024 ? 'yes' : '**no**'} |`
);
console.log(
	`| … fetched after it is drawn (other pages' code; ${late.length} files) | ${kb(sum(late, 'gzip'))} KB | — | — |`
);
for (const [page, w] of screens)
	console.log(
		`| ${page} JS + CSS, first load, gzip, until the Create button is drawn (${w.files} files; ${kb(w.raw)} KB raw) | ${kb(w.gzip)} KB | — | — |`
	);
for (const [who, worker] of [
	['the page', false],
	["the service worker's precache", true]
] as const) {
	const xs = sent.filter((x) => x.worker === worker);
	console.log(
		`| event page, first visit, all ${who} gets from the relay (${xs.length} responses; ${kb(xs.reduce((n, x) => n + x.raw, 0))} KB raw) | ${kb(xs.reduce((n, x) => n + x.wire, 0))} KB on the wire | — | — |`
	);
}
console.log(
	'\nLargest files before the event page is drawn (gzip KB): ' +
		early
			.sort((a, b) => b.gzip - a.gzip)
			.slice(0, 8)
			.map((x) => `${x.url.split('/').pop()} ${kb(x.gzip)}`)
			.join(', ')
);
