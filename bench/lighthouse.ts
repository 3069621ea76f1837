/**
 * What a phone downloads and how soon it paints (issue 19): Lighthouse's
 * default mobile run (simulated slow 4G, 4× CPU slowdown) on Debian's
 * Chromium against the built app served by the compiled relay, on the home
 * page, the create page and an event page; then a repeat visit to the event
 * page once the service worker controls it, counting what still comes from
 * the network. Prints markdown.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Request } from '@playwright/test';
import lighthouse from 'lighthouse';
import type { Result } from 'lighthouse';
import { ensureBuild } from '../scripts/ensure-build.js';
import { chromiumLaunchOptions } from '../tests/support/browser.js';
import { ROOT, startRelay } from '../tests/support/relay-process.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CHROMIUM = chromiumLaunchOptions.executablePath!;
/** The project's Chromium flags (tests/support/browser.ts), headless: Lighthouse drives it over its port. */
const FLAGS = ['--headless=new', ...(chromiumLaunchOptions.args ?? [])];
/** Where each run's full report is written, to open in the Lighthouse viewer. */
const REPORTS = path.join(ROOT, '.test-output/lighthouse');
const TARGET = { score: 0.98, fcpMs: 1500, eventKB: 100 };

/** The numbers the table shows from one Lighthouse report. */
interface Measured {
	score: number;
	fcpMs: number;
	lcpMs: number;
	/** Total blocking time and layout shift: with LCP, most of the score's weight. */
	tbtMs: number;
	cls: number;
	/** The scripts with the most main-thread time (Lighthouse's bootup-time), for the reasons. */
	heaviest: string[];
	/** Bytes over the wire for the page's requests (total-byte-weight). */
	bytes: number;
	requests: number;
	unusedJsBytes: number;
	compressionBytes: number;
	/** Chromium's CPU benchmark for the run: low means the shared machine was busy. */
	benchmarkIndex: number;
	/** Opportunities and diagnostics that did not pass, biggest estimated gain first. */
	reasons: string[];
	report: Result;
}

type Audited = Result['audits'][string];

/** The table's numbers from one report. */
function read(lhr: Result): Measured {
	const audit = (id: string) => lhr.audits[id];
	const savings = (id: string) => {
		const details = audit(id)?.details as { overallSavingsBytes?: number } | undefined;
		return details?.overallSavingsBytes ?? 0;
	};
	const requests = (audit('network-requests')?.details as { items?: unknown[] } | undefined)?.items ?? [];
	const perf = lhr.categories.performance;
	// Informative audits (the LCP element, the layout shift culprits) pass or fail nothing.
	const failed = (a: Audited | undefined): a is Audited => a !== undefined && a.score !== null && a.score < 0.9;
	const reasons = perf.auditRefs
		.filter((ref) => ref.weight === 0)
		.map((ref) => audit(ref.id))
		.filter(failed)
		.map((a) => ({
			a,
			gain: Math.max(0, ...Object.values(a.metricSavings ?? {}).map((v) => v ?? 0))
		}))
		.sort((x, y) => y.gain - x.gain)
		.map(({ a }) => `${a.title}${a.displayValue ? ` (${a.displayValue})` : ''}`);
	return {
		score: perf.score ?? 0,
		fcpMs: audit('first-contentful-paint').numericValue ?? NaN,
		lcpMs: audit('largest-contentful-paint').numericValue ?? NaN,
		tbtMs: audit('total-blocking-time').numericValue ?? NaN,
		cls: audit('cumulative-layout-shift').numericValue ?? NaN,
		heaviest: ((audit('bootup-time')?.details as { items?: { url: string; total: number }[] } | undefined)?.items ?? [])
			.slice(0, 4)
			// The page itself by name: an event's address is its key, kept out of printed tables.
			.map(
				(i) =>
					`${i.url === lhr.mainDocumentUrl ? 'the page (HTML, inline scripts)' : i.url.split('/').pop()} ${Math.round(i.total)} ms`
			),
		bytes: audit('total-byte-weight').numericValue ?? NaN,
		requests: requests.length,
		unusedJsBytes: savings('unused-javascript'),
		compressionBytes: savings('uses-text-compression'),
		benchmarkIndex: lhr.environment.benchmarkIndex,
		reasons,
		report: lhr
	};
}

/**
 * Starts Chromium for Lighthouse to drive over its DevTools port (Lighthouse
 * opens its own tab, resets storage and throttles): a fresh profile each time.
 */
async function launchChromium(): Promise<{ port: number; child: ChildProcess; profile: string }> {
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'moim-lighthouse-'));
	const child = spawn(
		CHROMIUM,
		[...FLAGS, '--remote-debugging-port=0', `--user-data-dir=${profile}`, '--no-first-run', 'about:blank'],
		{ stdio: ['ignore', 'ignore', 'pipe'] }
	);
	let err = '';
	const port = await new Promise<number>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`Chromium did not start:\n${err}`)), 30_000);
		child.stderr!.on('data', (d) => {
			err += d;
			const found = err.match(/DevTools listening on ws:\/\/[^:]+:(\d+)\//);
			if (found) {
				clearTimeout(timer);
				resolve(Number(found[1]));
			}
		});
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`Chromium exited with ${code}:\n${err}`));
		});
	});
	return { port, child, profile };
}

/** Runs Lighthouse `RUNS` times on `url` and keeps the run with the median score. */
async function measure(port: number, url: string, keepStorage = false): Promise<Measured> {
	const runs: Measured[] = [];
	for (let i = 0; i < RUNS; i++) {
		// The defaults are the mobile run (form factor, screen, simulated throttling); only the
		// performance category is gathered. `disableStorageReset` keeps the service worker and caches.
		const result = await lighthouse(url, {
			port,
			output: 'json',
			logLevel: 'error',
			onlyCategories: ['performance'],
			disableStorageReset: keepStorage
		});
		if (!result) throw new Error(`Lighthouse gave no result for ${url}`);
		if (result.lhr.runtimeError) throw new Error(`Lighthouse: ${result.lhr.runtimeError.message}`);
		runs.push(read(result.lhr));
		fs.mkdirSync(REPORTS, { recursive: true });
		const name = `${new URL(url).pathname.split('/')[1] || 'home'}${keepStorage ? '-repeat' : ''}-${i + 1}.json`;
		fs.writeFileSync(path.join(REPORTS, name), JSON.stringify(result.lhr));
	}
	runs.sort((a, b) => a.score - b.score);
	return runs[Math.floor(runs.length / 2)];
}

/** Creates an event through the create page, as a person would, and returns its link. */
async function createEvent(httpUrl: string): Promise<string> {
	const browser = await chromium.launch(chromiumLaunchOptions);
	try {
		const page = await browser.newPage();
		await page.goto(
			`${httpUrl}/new?title=Phone&dates=2026-12-01,2026-12-02,2026-12-03&from=09:00&to=18:00&slot=30&tz=UTC`
		);
		await page.getByRole('button', { name: 'Create' }).click();
		await page.waitForURL(/\/e\//);
		// Wait until the relay has the event: a visitor's page must find it there.
		await page.locator('[data-sync-state="synced"]').waitFor();
		return page.url();
	} finally {
		await browser.close();
	}
}

/** What one network response of a repeat visit cost. */
interface Fetched {
	url: string;
	type: string;
	/** Response body bytes as they came over the wire (0 when nothing crossed it). */
	wire: number;
}

/**
 * A repeat visit as the service worker serves it: a first visit, a wait until
 * the worker controls the page and has its precache, then a second navigation.
 * Counts every request of that navigation that reached the network, the page's
 * own and those the service worker made (a cache miss it forwards), and what
 * came over the wire for each; the websocket is the event's data, not app code.
 */
async function repeatVisit(url: string): Promise<{ fromNetwork: Fetched[]; fromWorker: number }> {
	const browser = await chromium.launch(chromiumLaunchOptions);
	try {
		const context = await browser.newContext();
		const page = await context.newPage();
		await page.goto(url);
		await page.getByLabel('Name').waitFor();
		await page.evaluate(async () => {
			const worker = (await navigator.serviceWorker.ready).active!;
			if (worker.state !== 'activated')
				await new Promise((resolve) =>
					worker.addEventListener('statechange', () => worker.state === 'activated' && resolve(null))
				);
		});
		// The precache is complete once the worker is activated; a reload puts the page under it
		// when it did not claim the first one.
		if (!(await page.evaluate(() => navigator.serviceWorker.controller !== null))) {
			await page.reload();
			await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
		}
		const origin = new URL(url).origin;
		const network: Promise<Fetched | null>[] = [];
		let fromWorker = 0;
		const onFinished = (request: Request) => {
			if (!request.url().startsWith(origin)) return;
			network.push(
				Promise.all([request.response(), request.sizes()]).then(([response, sizes]) => {
					if (response?.fromServiceWorker()) {
						fromWorker++;
						return null;
					}
					return { url: request.url(), type: request.resourceType(), wire: sizes.responseBodySize };
				})
			);
		};
		context.on('requestfinished', onFinished);
		await page.goto('about:blank');
		await page.goto(url);
		await page.getByLabel('Name').waitFor();
		await page.waitForLoadState('networkidle');
		context.off('requestfinished', onFinished);
		const fetched = (await Promise.all(network)).filter((f): f is Fetched => f !== null);
		return { fromNetwork: fetched, fromWorker };
	} finally {
		await browser.close();
	}
}

const kb = (n: number) => (n / 1024).toFixed(1);
const s = (ms: number) => (ms / 1000).toFixed(2);
const mark = (ok: boolean) => (ok ? '' : ' **✗**');

ensureBuild();
const relay = await startRelay({ compiled: true, buildDir: path.join(ROOT, 'build') });
const chrome = await launchChromium();
try {
	const eventUrl = await createEvent(relay.httpUrl);
	const pages: [string, string, boolean][] = [
		['home `/`', `${relay.httpUrl}/`, false],
		['create `/new`', `${relay.httpUrl}/new`, false],
		['event `/e/…`, first visit', eventUrl, false],
		// Right after the first visit in the same browser, its service worker and caches kept.
		['event `/e/…`, repeat visit', eventUrl, true]
	];
	const results: [string, Measured][] = [];
	for (const [name, url, keep] of pages) results.push([name, await measure(chrome.port, url, keep)]);
	const repeat = await repeatVisit(eventUrl);

	const load = os.loadavg().map((l) => l.toFixed(1));
	console.log(`# Lighthouse (mobile) — ${new Date().toISOString()}\n`);
	console.log(
		`Lighthouse ${results[0][1].report.lighthouseVersion}, ${results[0][1].report.environment.hostUserAgent.match(/Chrome\/[\d.]+/)?.[0] ?? 'Chromium'}, ` +
			`${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, load ${load.join(' / ')} (1/5/15 min); ` +
			`median of ${RUNS} runs by score. Targets: score ≥ ${TARGET.score}, FCP ≤ ${s(TARGET.fcpMs)} s, ` +
			`event first visit ≤ ${TARGET.eventKB} KB. **✗** marks a miss. ` +
			`Transferred is what the page requested (its service worker's precache, fetched in the background, is not counted: see bench/client.ts).\n`
	);
	console.log(
		'| page | performance | FCP (s) | LCP (s) | TBT (ms) | CLS | transferred (KB) | requests | unused JS (KB) | text compression (KB) | CPU benchmark index |'
	);
	console.log('|---|---|---|---|---|---|---|---|---|---|---|');
	for (const [name, m] of results) {
		const isEventFirst = name.includes('first visit');
		console.log(
			`| ${name} | ${m.score.toFixed(2)}${mark(m.score >= TARGET.score)} | ${s(m.fcpMs)}${mark(m.fcpMs <= TARGET.fcpMs)} | ${s(m.lcpMs)} | ${Math.round(m.tbtMs)} | ${m.cls.toFixed(3)} | ${kb(m.bytes)}${isEventFirst ? mark(m.bytes <= TARGET.eventKB * 1024) : ''} | ${m.requests} | ${kb(m.unusedJsBytes)} | ${kb(m.compressionBytes)} | ${Math.round(m.benchmarkIndex)} |`
		);
	}
	const code = repeat.fromNetwork.filter((f) => f.type !== 'websocket');
	const codeBytes = code.reduce((n, f) => n + f.wire, 0);
	console.log(
		`| event, repeat visit under the service worker (Playwright): app code from the network | ${code.length} requests, ${kb(codeBytes)} KB${mark(codeBytes === 0)} | ${repeat.fromWorker} responses from the service worker |${' |'.repeat(8)}`
	);
	if (code.length)
		console.log(`\nFrom the network on the repeat visit: ${code.map((f) => `${f.url} (${f.wire} B)`).join(', ')}`);
	for (const [name, m] of results) {
		const missed = m.score < TARGET.score || m.fcpMs > TARGET.fcpMs;
		if (missed && m.reasons.length)
			console.log(
				`\n${name} — Lighthouse's reasons: ${m.reasons.slice(0, 6).join('; ')}. Most main-thread time (4× slowdown): ${m.heaviest.join(', ')}`
			);
	}
} finally {
	const exited = new Promise((resolve) => chrome.child.once('exit', resolve));
	chrome.child.kill();
	await Promise.all([exited, relay.kill()]);
	fs.rmSync(chrome.profile, { recursive: true, force: true });
}
