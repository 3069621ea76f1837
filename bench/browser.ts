/**
 * Client timings in real headless Chromium against the built app and a real
 * relay (issue 7): warm offline open with 50 members, paint and remote-update
 * p95 with 100 members. Each is also measured with only me in the event, in
 * the same run, as the reference the ratio is taken against. Prints markdown.
 *
 * Timings are taken inside the page (performance.now(), same clock as the
 * input events' timeStamp) by a script installed before the app loads:
 * - open: navigation start → my grid and the heatmap show the stored marks,
 *   then the first task after that runs (the main thread is free for input);
 * - paint: a pointer entering a cell (the event dispatched; also from its
 *   timeStamp, which includes Chromium holding input for the next frame) → the
 *   grid's DOM changed and style and layout recalculated;
 * - remote: a y-websocket update message arriving → the heatmap's DOM
 *   changed and style and layout recalculated.
 *
 * Events are private (schema v4, sealed), as the app makes them.
 * `BENCH_PRIVACY=1` instead measures what sealing costs (issue 20): warm
 * open with 50 members and remote updates with 100, for a private event and
 * a plain one (v3, made by a stock client as events were before keys) in
 * the same run.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import * as Y from 'yjs';
import {
	applyMarks,
	createEvent,
	joinEvent,
	membersMap,
	readMarks,
	type Level,
	type Mark
} from '../src/lib/model/event-doc.js';
import { importEventKey } from '../src/lib/model/event-crypto.js';
import { EventCipher, joinSealedEvent } from '../src/lib/model/sealed-event.js';
import { applySealedMarks, readSealedMarks, settleSealedLog } from '../src/lib/model/sealed-log.js';
import { buildGrid, type Grid } from '../src/lib/model/slots.js';
import { ensureBuild } from '../scripts/ensure-build.js';
import { chromiumLaunchOptions } from '../tests/support/browser.js';
import { person, query, READER_QUERY } from '../tests/support/identity.js';
import { newEventId, newMemberId } from '../src/lib/model/ids.js';
import { ROOT, startRelay, type RelayProcess } from '../tests/support/relay-process.js';
import { RawClient } from './protocol-client.js';

/** Installed before the app's scripts: the probes the timings are read from (plain JS: tsx's helpers do not exist in the page). */
const PROBES = path.join(ROOT, 'bench/browser-probes.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const DATES = Array.from({ length: 14 }, (_, i) => `2026-12-${String(i + 1).padStart(2, '0')}`);
const EVENT = `title=Bench&dates=${DATES.join(',')}&from=00:00&to=24:00&slot=30&tz=UTC`;
const DRAFT = {
	title: 'Bench',
	kind: 'dates' as const,
	dates: DATES,
	weekdays: [],
	start: 0,
	end: 1440,
	slot: 30 as const,
	tz: 'UTC'
};
const GRID = buildGrid(DRAFT);

/** Whether the event is private (sealed, as the app makes it) or plain (v3, as before keys). */
type Kind = 'private' | 'plain';

/** How the bench writes and reads an event of one kind, from outside the browser. */
interface EventModel {
	join(doc: Y.Doc, name: string, at: number, id: string): Promise<void>;
	/** Writes `strokes` for a member (a plain event's in one transaction, as before). */
	strokes(doc: Y.Doc, memberId: string, strokes: [string[], Mark][]): Promise<void>;
	marks(doc: Y.Doc, memberId: string): Promise<Map<string, Level>>;
}

const plainModel: EventModel = {
	join: async (doc, name, at, id) => void joinEvent(doc, name, at, id),
	strokes: async (doc, memberId, strokes) =>
		doc.transact(() => {
			for (const [slots, mark] of strokes)
				applyMarks(
					doc,
					memberId,
					slots.map((slot) => [slot, mark])
				);
		}),
	marks: async (doc, memberId) => readMarks(doc, memberId)
};

/** The model of a private event, with the key from its link. */
async function privateModel(url: string, id: string): Promise<EventModel> {
	const cipher = new EventCipher(await importEventKey(url.split('#')[1], id));
	return {
		join: async (doc, name, at, memberId) => void (await joinSealedEvent(doc, cipher, name, at, memberId)),
		strokes: async (doc, memberId, strokes) => {
			for (const [slots, mark] of strokes)
				await applySealedMarks(
					doc,
					cipher,
					memberId,
					slots.map((slot) => [slot, mark] as const),
					DRAFT.slot
				);
		},
		marks: async (doc, memberId) => {
			await settleSealedLog(doc, cipher, memberId);
			return readSealedMarks(doc, cipher, memberId);
		}
	};
}

/** A pseudo-random sequence, the same every run. */
function seeded(seed: number) {
	return () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
}

/** A member's marks: one to three runs of blocks per day, mostly "available". */
async function paintMember(model: EventModel, doc: Y.Doc, memberId: string, grid: Grid, random: () => number) {
	const strokes: [string[], Mark][] = [];
	for (const column of grid.cells) {
		const runs = 1 + Math.floor(random() * 3);
		for (let r = 0; r < runs; r++) {
			const from = Math.floor(random() * column.length);
			const slots = column.slice(from, from + 2 + Math.floor(random() * 10)).filter((s): s is string => s !== null);
			strokes.push([slots, random() < 0.8 ? 1 : 2]);
		}
	}
	await model.strokes(doc, memberId, strokes);
}

/** The slot most members marked, and how many: what the heatmap must show once loaded. */
async function busiest(model: EventModel, doc: Y.Doc, grid: Grid): Promise<{ slot: string; count: string }> {
	const counts = new Map<string, number>();
	for (const id of membersMap(doc).keys()) {
		for (const [slot, mark] of await model.marks(doc, id))
			if (mark === 1 && grid.slots.has(slot)) counts.set(slot, (counts.get(slot) ?? 0) + 1);
	}
	const [slot, count] = [...counts].sort((a, b) => b[1] - a[1])[0];
	return { slot, count: String(count) };
}

/**
 * Creates the event, joins as "Me" in the browser, and returns its URL, id,
 * model and a synced copy of its document. A private one is created in the
 * browser, as people do; a plain one by a stock client, as before keys.
 */
async function newEvent(context: BrowserContext, relay: RelayProcess, kind: Kind = 'private') {
	const page = await context.newPage();
	let id: string;
	let organizer: RawClient | null = null;
	if (kind === 'private') {
		await page.goto(`${relay.httpUrl}/new?${EVENT}`);
		await page.getByRole('button', { name: 'Create' }).click();
		await page.waitForURL(/\/e\/.*#/);
		id = page.url().split('/e/')[1].split('#')[0];
	} else {
		id = newEventId();
		const doc = new Y.Doc();
		organizer = new RawClient(`${relay.wsUrl}/${id}${query(person({ organizer: true }))}`, doc);
		await organizer.synced;
		createEvent(doc, DRAFT, Date.now(), 3);
		await page.goto(`${relay.httpUrl}/e/${id}`);
	}
	await page.getByLabel('Name').fill('Me');
	await page.getByRole('button', { name: 'Join' }).click();
	await page.locator('[data-sync-state="synced"]').waitFor();
	organizer?.close();
	const doc = new Y.Doc();
	const reader = new RawClient(`${relay.wsUrl}/${id}${READER_QUERY}`, doc);
	await reader.synced;
	for (let i = 0; i < 100 && membersMap(doc).size === 0; i++) await sleep(50);
	const model = kind === 'private' ? await privateModel(page.url(), id) : plainModel;
	return { page, url: page.url(), id, doc, reader, grid: GRID, model };
}

/** Progress on stderr, so a stalled step shows where it stalled. */
const step = (what: string) => console.error(`[bench:browser] ${what}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const percentile = (xs: number[], p: number) =>
	[...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];

/** A page with `members` members' marks stored in its IndexedDB and the relay out of reach; `open()` opens it once. */
async function prepareWarmOpen(browser: Browser, relay: RelayProcess, members: number, kind: Kind = 'private') {
	const context = await browser.newContext();
	await context.addInitScript({ path: PROBES });
	step(`warm open, ${members} members (${kind}): creating the event`);
	const { page, url, id, doc, reader, grid, model } = await newEvent(context, relay, kind);
	reader.close();
	step('waiting for the service worker');
	await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
	// Everyone's marks, me included, written straight into the event's IndexedDB as y-indexeddb stores them.
	const before = Y.encodeStateVector(doc);
	const random = seeded(members);
	const me = [...membersMap(doc).keys()][0];
	await paintMember(model, doc, me, grid, random);
	for (let m = 1; m < members; m++) {
		const memberId = newMemberId();
		await model.join(doc, `Member ${m}`, m, memberId);
		await paintMember(model, doc, memberId, grid, random);
	}
	const update = [...Y.encodeStateAsUpdate(doc, before)];
	await page.evaluate(
		([name, bytes, expect]) =>
			new Promise<void>((resolve, reject) => {
				localStorage.setItem('bench:expect', JSON.stringify(expect));
				const open = indexedDB.open(name);
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const tx = open.result.transaction('updates', 'readwrite');
					tx.objectStore('updates').add(new Uint8Array(bytes));
					tx.oncomplete = () => (open.result.close(), resolve());
					tx.onerror = () => reject(tx.error);
				};
			}),
		[`moim-event-${id}`, update, await busiest(model, doc, grid)] as const
	);
	step('stored; opening offline');
	await context.setOffline(true);
	// The main thread's CPU time (thread ticks), which other processes on a busy machine do not add to.
	// Chromium counts it per document: read at the end of an open, it is that open's.
	const cdp = await context.newCDPSession(page);
	await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
	const threadTime = async () =>
		(await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ThreadTime')!.value * 1000;
	const open = async (): Promise<{ ready: number; interactive: number; cpu: number }> => {
		// Going to the address it is on would only move to its fragment (a private event's key): reload instead.
		if (page.url() === url) await page.reload();
		else await page.goto(url);
		await page
			.waitForFunction(() => (window as any).__moim.interactive !== null, null, { timeout: 30_000 })
			.catch(async (error) => {
				// Say what the page showed instead, so a stalled open can be told from a slow one.
				const shown = await page.evaluate(() => document.querySelector('main')?.textContent?.slice(0, 300));
				const expected = await page.evaluate(() => {
					const e = localStorage.getItem('bench:expect');
					const slot = e && (JSON.parse(e) as { slot: string }).slot;
					const cell = document.querySelector(`[data-testid="heatmap"] [data-slot="${slot}"]`);
					return `${e}, shown ${cell?.getAttribute('data-count')}`;
				});
				throw new Error(`the open never became ready (expected ${expected}); the page showed: ${shown}`, {
					cause: error
				});
			});
		const cpu = await threadTime();
		return {
			...(await page.evaluate(() => ({
				ready: (window as any).__moim.ready as number,
				interactive: (window as any).__moim.interactive as number
			}))),
			cpu
		};
	};
	// The first offline open also folds the injected update in; the rest are the steady state.
	await open();
	return { page, open, close: () => context.close() };
}

/** Warm offline open: `members` members' marks stored in IndexedDB, the relay out of reach, the page opened `RUNS` times. */
async function warmOpen(
	browser: Browser,
	relay: RelayProcess,
	members: number,
	profiled?: (page: Page, run: () => Promise<unknown>) => Promise<void>,
	kind: Kind = 'private'
): Promise<{ ready: number; interactive: number }> {
	const warm = await prepareWarmOpen(browser, relay, members, kind);
	try {
		const ready: number[] = [];
		const interactive: number[] = [];
		if (profiled) {
			await profiled(warm.page, async () => {
				for (let run = 0; run < RUNS; run++) await warm.open();
			});
		}
		for (let run = 0; run < RUNS && !profiled; run++) {
			const t = await warm.open();
			ready.push(t.ready);
			interactive.push(t.interactive);
		}
		return { ready: median(ready), interactive: median(interactive) };
	} finally {
		await warm.close();
	}
}

/**
 * `BENCH_BASELINE=<built app folder>`: warm open only, this build against
 * that one (e.g. the commit before a change, built with `MOIM_BUILD_DIR`),
 * each with 1 and 50 members, the four pages opened in turn `RUNS` times so
 * that the machine's load falls on all of them alike. Prints each one's
 * median and the after/before ratio of each round's pair, with its median.
 */
async function compareOpen(browser: Browser, relay: RelayProcess, baseline: RelayProcess) {
	const pages = [
		{ name: 'before, me alone', warm: await prepareWarmOpen(browser, baseline, 1) },
		{ name: 'after, me alone', warm: await prepareWarmOpen(browser, relay, 1) },
		{ name: 'before, 50 members', warm: await prepareWarmOpen(browser, baseline, 50) },
		{ name: 'after, 50 members', warm: await prepareWarmOpen(browser, relay, 50) }
	];
	const times = pages.map(() => ({ ready: [] as number[], interactive: [] as number[], cpu: [] as number[] }));
	for (let run = 0; run < RUNS; run++) {
		step(`round ${run + 1}`);
		// A different page first each round, so none is always the one after a pause.
		for (let k = 0; k < pages.length; k++) {
			const i = (run + k) % pages.length;
			const t = await pages[i].warm.open();
			times[i].ready.push(t.ready);
			times[i].interactive.push(t.interactive);
			times[i].cpu.push(t.cpu);
		}
	}
	for (const p of pages) await p.warm.close();
	const ms = (n: number) => n.toFixed(1);
	const ratios = (a: number[], b: number[]) => a.map((x, i) => x / b[i]);
	console.log(`# Warm offline open, this build against ${process.env.BENCH_BASELINE} — ${new Date().toISOString()}
`);
	console.log(`${RUNS} rounds; medians (ms), and the median of each round's after/before ratio.
`);
	console.log(
		'| measurement | ' + pages.map((p) => p.name).join(' | ') + ' | after/before, me alone | after/before, 50 |'
	);
	console.log('|---|---|---|---|---|---|---|');
	for (const what of ['ready', 'interactive', 'cpu'] as const) {
		const row = times.map((t) => ms(median(t[what])));
		const alone = median(ratios(times[1][what], times[0][what]));
		const crowd = median(ratios(times[3][what], times[2][what]));
		console.log(`| ${what} | ${row.join(' | ')} | ${alone.toFixed(2)}× | ${crowd.toFixed(2)}× |`);
	}
	console.log(
		'\nEvery round (interactive, ms): ' +
			pages.map((p, i) => `${p.name}: ${times[i].interactive.map(ms).join(', ')}`).join('; ')
	);
}

/** An online event with `members` members (me and others written by their own relay connections). */
async function crowd(browser: Browser, relay: RelayProcess, members: number, kind: Kind = 'private') {
	const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
	await context.addInitScript({ path: PROBES });
	step(`crowd of ${members} (${kind}): creating the event`);
	const event = await newEvent(context, relay, kind);
	const random = seeded(members + 1);
	const others: { client: RawClient; memberId: string; doc: Y.Doc }[] = [];
	for (let m = 1; m < members; m++) {
		const who = person();
		const doc = new Y.Doc();
		Y.applyUpdate(doc, Y.encodeStateAsUpdate(event.doc));
		const client = new RawClient(`${relay.wsUrl}/${event.id}${query(who)}`, doc);
		await client.synced;
		if (m % 20 === 0) step(`member ${m} joined`);
		await event.model.join(doc, `Member ${m}`, m, who.memberId);
		await paintMember(event.model, doc, who.memberId, event.grid, random);
		others.push({ client, memberId: who.memberId, doc });
	}
	step('members written; waiting for the page');
	// Everyone's marks reached the browser once its member list is complete.
	const page = event.page;
	await page.getByRole('heading', { name: `(${members})` }).waitFor({ timeout: 60_000 });
	await sleep(500);
	return { ...event, context, others };
}

/** Paint: one long mouse stroke over my grid, p95 of the per-move times; median over `RUNS` strokes. */
async function paint(page: Page): Promise<{ p50: number; p95: number; inputP95: number; moves: number }> {
	const grid = page.locator('[aria-multiselectable="true"]');
	const p95s: number[] = [];
	const p50s: number[] = [];
	const inputP95s: number[] = [];
	let moves = 0;
	for (let run = 0; run < RUNS; run++) {
		step(`paint run ${run + 1}`);
		await page.evaluate(() => ((window as any).__moim.paints.length = (window as any).__moim.paintInputs.length = 0));
		// Down column 0, up column 1, down column 2, …: ~200 cells, the rectangle growing to 5 × 48.
		const path: [number, number][] = [];
		for (let col = 0; col < 5 && path.length < 200; col++)
			for (let i = 0; i < 48 && path.length < 200; i++) path.push([col, col % 2 ? 47 - i : i]);
		const box = async ([col, row]: [number, number]) => {
			const b = (await grid.locator(`[data-col="${col}"][data-row="${row}"]`).boundingBox())!;
			return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
		};
		const boxes = [];
		for (const cell of path) boxes.push(await box(cell));
		await page.mouse.move(boxes[0].x, boxes[0].y);
		await page.mouse.down();
		for (const b of boxes.slice(1)) {
			await page.mouse.move(b.x, b.y);
			await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r))));
		}
		await page.mouse.up();
		await sleep(300);
		const times: number[] = await page.evaluate(() => [...(window as any).__moim.paints]);
		moves = times.length;
		p95s.push(percentile(times, 95));
		p50s.push(percentile(times, 50));
		inputP95s.push(percentile(await page.evaluate(() => [...(window as any).__moim.paintInputs]), 95));
		// Take the stroke back so every run paints the same thing.
		await page.keyboard.press('Control+z');
		await sleep(300);
	}
	return { p50: median(p50s), p95: median(p95s), inputP95: median(inputP95s), moves };
}

/** Remote update: a peer's single-block strokes, one every 150 ms; p95 of arrival → heatmap updated. */
async function remote(
	page: Page,
	peer: { client: RawClient; memberId: string; doc: Y.Doc },
	grid: Grid,
	model: EventModel
) {
	const p95s: number[] = [];
	const p50s: number[] = [];
	let samples = 0;
	for (let run = 0; run < RUNS; run++) {
		step(`remote run ${run + 1}`);
		await page.evaluate(() => ((window as any).__moim.remotes.length = 0));
		for (let i = 0; i < 60; i++) {
			const slot = grid.cells[i % grid.cells.length][(i * 7) % grid.cells[0].length]!;
			const mark = (await model.marks(peer.doc, peer.memberId)).get(slot) === 1 ? 0 : 1;
			await model.strokes(peer.doc, peer.memberId, [[[slot], mark]]);
			await sleep(150);
		}
		await sleep(500);
		const times: number[] = await page.evaluate(() => [...(window as any).__moim.remotes]);
		samples = times.length;
		p95s.push(percentile(times, 95));
		p50s.push(percentile(times, 50));
	}
	return { p50: median(p50s), p95: median(p95s), samples };
}

/**
 * `BENCH_PROFILE=open|paint|remote`: instead of the table, a CPU profile of
 * that part (warm open with 50 members; paint and remote with 100), summarised as the functions with the most self
 * time — where to look when a budget is missed. `BENCH_PROFILE_OUT=file.cpuprofile`
 * also writes the whole profile there.
 */
async function profile(page: Page, run: () => Promise<unknown>) {
	const cdp = await page.context().newCDPSession(page);
	await cdp.send('Profiler.enable');
	await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
	await cdp.send('Profiler.start');
	await run();
	const { profile } = await cdp.send('Profiler.stop');
	// The whole profile, for DevTools' Performance panel or a look at callers.
	if (process.env.BENCH_PROFILE_OUT) writeFileSync(process.env.BENCH_PROFILE_OUT, JSON.stringify(profile));
	const self = new Map<string, number>();
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const dt = profile.timeDeltas ?? [];
	(profile.samples ?? []).forEach((id, i) => {
		const f = byId.get(id)!.callFrame;
		const where = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
		self.set(where, (self.get(where) ?? 0) + (dt[i] ?? 0) / 1000);
	});
	const total = [...self.values()].reduce((a, b) => a + b, 0);
	console.log(`| function | self ms | share |\n|---|---|---|`);
	for (const [where, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30))
		console.log(`| ${where} | ${ms.toFixed(1)} | ${((ms / total) * 100).toFixed(1)}% |`);
}

/**
 * `BENCH_PROFILE=open-trace`: a Chromium trace of `RUNS` warm opens (50
 * members), summarised per open as the page's main thread between navigation
 * start and the grids showing the marks: time by trace event (self time) and
 * time the thread sat idle (waiting on the service worker, IndexedDB, …).
 * `BENCH_PROFILE_OUT=file.json` also writes the whole trace (DevTools opens it).
 */
async function trace(browser: Browser, page: Page, run: () => Promise<unknown>) {
	await browser.startTracing(page, {
		categories: [
			'devtools.timeline',
			'disabled-by-default-devtools.timeline',
			'blink.user_timing',
			'loading',
			'v8.execute'
		]
	});
	await run();
	const buffer = await browser.stopTracing();
	if (process.env.BENCH_PROFILE_OUT) writeFileSync(process.env.BENCH_PROFILE_OUT, buffer);
	type TraceEvent = { name: string; ph: string; ts: number; dur?: number; pid: number; tid: number; args?: any };
	const events: TraceEvent[] = JSON.parse(buffer.toString()).traceEvents;
	// The page's main thread: the renderer main thread that saw the marks; each open from navigation
	// start to the probe's mark (`BENCH_TRACE_UNTIL`: `ready`, the default, or `interactive`).
	const until = `moim:${process.env.BENCH_TRACE_UNTIL ?? 'ready'}`;
	const marks = events.filter((e) => e.name === until);
	const main = events.filter((e) => e.pid === marks[0].pid && e.tid === marks[0].tid);
	const starts = main.filter((e) => e.name === 'navigationStart').map((e) => e.ts);
	const windows = marks.map((m) => [Math.max(...starts.filter((t) => t < m.ts)), m.ts]);
	const slices = main.filter((e) => e.ph === 'X' && e.dur !== undefined).sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
	const total = new Map<string, number>();
	let idle = 0;
	for (const [from, to] of windows) {
		// Self time by name, clipped to the window; top-level slices' gaps are the idle time.
		const stack: { end: number; name: string }[] = [];
		let busy = 0;
		const self = new Map<string, number>();
		const add = (name: string, us: number) => self.set(name, (self.get(name) ?? 0) + us);
		for (const e of slices) {
			const start = Math.max(e.ts, from);
			const end = Math.min(e.ts + e.dur!, to);
			if (end <= start) continue;
			while (stack.length && stack[stack.length - 1].end <= start) stack.pop();
			const parent = stack[stack.length - 1];
			if (parent) add(parent.name, -(end - start));
			else busy += end - start;
			add(e.name, end - start);
			stack.push({ end, name: e.name });
		}
		idle += to - from - busy;
		for (const [name, us] of self) total.set(name, (total.get(name) ?? 0) + us);
	}
	const n = windows.length;
	const span = windows.reduce((a, [f, t]) => a + t - f, 0);
	console.log(
		`${n} opens, navigation start → ready: mean ${(span / n / 1000).toFixed(1)} ms, of it idle ${(idle / n / 1000).toFixed(1)} ms\n`
	);
	console.log('| main thread, self time | ms per open |\n|---|---|');
	for (const [name, us] of [...total].sort((a, b) => b[1] - a[1]).slice(0, 25))
		console.log(`| ${name} | ${(us / n / 1000).toFixed(1)} |`);
}

/**
 * What sealing costs the client (issue 20), in one run: a plain event and a
 * private one, each with 50 members opened warm and offline and with 100
 * members receiving a peer's strokes. Prints markdown.
 */
async function privacyCost(browser: Browser, relay: RelayProcess) {
	const open: Record<Kind, { ready: number; interactive: number }> = {} as never;
	const updates: Record<Kind, { p50: number; p95: number; samples: number }> = {} as never;
	for (const kind of ['plain', 'private'] as const) open[kind] = await warmOpen(browser, relay, 50, undefined, kind);
	for (const kind of ['plain', 'private'] as const) {
		const full = await crowd(browser, relay, 100, kind);
		updates[kind] = await remote(full.page, full.others[0], full.grid, full.model);
		for (const o of full.others) o.client.close();
		await full.context.close();
	}
	const ms = (n: number) => n.toFixed(1);
	const row = (what: string, plain: number, sealed: number) =>
		console.log(`| ${what} | ${ms(plain)} | ${ms(sealed)} | ${(sealed / plain).toFixed(2)}× |`);
	console.log(`# What a private event costs the client — ${new Date().toISOString()} (medians of ${RUNS} runs)\n`);
	console.log('| measurement | plain event (v3) | private event (v4) | private/plain |\n|---|---|---|---|');
	row('warm offline open, 50 members: grid shown with data (ms)', open.plain.ready, open.private.ready);
	row(
		'warm offline open, 50 members: main thread free for input (ms)',
		open.plain.interactive,
		open.private.interactive
	);
	row('remote update, 100 members: arrival → heatmap updated, p50 (ms)', updates.plain.p50, updates.private.p50);
	row(
		`remote update, 100 members, p95 over ${updates.private.samples} strokes (ms)`,
		updates.plain.p95,
		updates.private.p95
	);
}

const PROFILE = process.env.BENCH_PROFILE;
// A profile reads best from an unminified build, kept apart from the real one.
if (PROFILE) process.env.MOIM_MINIFY = 'false';
const buildDir = PROFILE ? '.test-output/build-profile' : 'build';
ensureBuild({ outDir: buildDir });
const relay = await startRelay({
	compiled: true,
	buildDir: path.join(ROOT, buildDir),
	env: { MAX_CONNECTIONS_PER_ADDRESS: '100000' }
});
const browser = await chromium.launch(chromiumLaunchOptions);
if (PROFILE) {
	try {
		if (PROFILE === 'open') await warmOpen(browser, relay, 50, profile);
		else if (PROFILE === 'open-trace') await warmOpen(browser, relay, 50, (page, run) => trace(browser, page, run));
		else {
			const full = await crowd(browser, relay, 100);
			if (PROFILE === 'paint') await profile(full.page, () => paint(full.page));
			else await profile(full.page, () => remote(full.page, full.others[0], full.grid, full.model));
			for (const o of full.others) o.client.close();
		}
	} finally {
		await browser.close();
		await relay.kill();
	}
	process.exit(0);
}
if (process.env.BENCH_BASELINE) {
	const baseline = await startRelay({
		compiled: true,
		buildDir: path.resolve(ROOT, process.env.BENCH_BASELINE),
		env: { MAX_CONNECTIONS_PER_ADDRESS: '100000' }
	});
	try {
		await compareOpen(browser, relay, baseline);
	} finally {
		await browser.close();
		await relay.kill();
		await baseline.kill();
	}
	process.exit(0);
}
if (process.env.BENCH_PRIVACY) {
	try {
		await privacyCost(browser, relay);
	} finally {
		await browser.close();
		await relay.kill();
	}
	process.exit(0);
}
try {
	const open1 = await warmOpen(browser, relay, 1);
	const open50 = await warmOpen(browser, relay, 50);

	const alone = await crowd(browser, relay, 1);
	const paint1 = await paint(alone.page);
	const remotePeer = await (async () => {
		// The reference for remote updates needs one peer: a two-person event.
		const who = person();
		const doc = new Y.Doc();
		Y.applyUpdate(doc, Y.encodeStateAsUpdate(alone.doc));
		const client = new RawClient(`${relay.wsUrl}/${alone.id}${query(who)}`, doc);
		await client.synced;
		await alone.model.join(doc, 'Peer', 1, who.memberId);
		return { client, memberId: who.memberId, doc };
	})();
	await sleep(500);
	const remote2 = await remote(alone.page, remotePeer, alone.grid, alone.model);
	remotePeer.client.close();
	await alone.context.close();

	const full = await crowd(browser, relay, 100);
	const paint100 = await paint(full.page);
	const remote100 = await remote(full.page, full.others[0], full.grid, full.model);
	for (const o of full.others) o.client.close();
	await full.context.close();

	const ms = (n: number) => n.toFixed(1);
	// Budgets: issue 19's targets.
	const ok = (n: number, budget: number) => (n <= budget ? 'yes' : `**no** (${(n / budget).toFixed(2)}×)`);
	console.log(`# Client in Chromium — ${new Date().toISOString()} (medians of ${RUNS} runs)\n`);
	console.log('| measurement | with the crowd | reference (me alone / two people) | ratio | budget | within? |');
	console.log('|---|---|---|---|---|---|');
	console.log(
		`| warm offline open, 50 members × 14 × 48: grid shown with data (ms) | ${ms(open50.ready)} | ${ms(open1.ready)} | ${(open50.ready / open1.ready).toFixed(2)}× | — | — |`
	);
	console.log(
		`| warm offline open, … main thread free for input (ms) | ${ms(open50.interactive)} | ${ms(open1.interactive)} | ${(open50.interactive / open1.interactive).toFixed(2)}× | 250 ms | ${ok(open50.interactive, 250)} |`
	);
	console.log(
		`| paint, 100 members: pointer move → cell updated, p50 (ms) | ${ms(paint100.p50)} | ${ms(paint1.p50)} | ${(paint100.p50 / paint1.p50).toFixed(2)}× | — | — |`
	);
	console.log(
		`| paint, 100 members, p95 over a ${paint100.moves}-move stroke (ms) | ${ms(paint100.p95)} | ${ms(paint1.p95)} | ${(paint100.p95 / paint1.p95).toFixed(2)}× | 4 ms | ${ok(paint100.p95, 4)} |`
	);
	console.log(
		`| paint, … from the input's timestamp (incl. the browser's wait for a frame), p95 (ms) | ${ms(paint100.inputP95)} | ${ms(paint1.inputP95)} | ${(paint100.inputP95 / paint1.inputP95).toFixed(2)}× | — | — |`
	);
	console.log(
		`| remote update, 100 members: arrival → heatmap updated, p50 (ms) | ${ms(remote100.p50)} | ${ms(remote2.p50)} | ${(remote100.p50 / remote2.p50).toFixed(2)}× | — | — |`
	);
	console.log(
		`| remote update, 100 members, p95 over ${remote100.samples} strokes (ms) | ${ms(remote100.p95)} | ${ms(remote2.p95)} | ${(remote100.p95 / remote2.p95).toFixed(2)}× | 6 ms | ${ok(remote100.p95, 6)} |`
	);
} finally {
	await browser.close();
	await relay.kill();
}
