/**
 * The installable, offline app: service worker, manifest, offline opening of
 * any event link, unsynced changes surviving a browser restart, the update
 * prompt, two tabs, and what happens when storage fails.
 */
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import * as Y from 'yjs';
import { membersMap } from '../../src/lib/model/event-doc.js';
import { readSealedSettings } from '../../src/lib/model/sealed-event.js';
import { readSealedMarks, settleSealedLog } from '../../src/lib/model/sealed-log.js';
import { buildGrid } from '../../src/lib/model/slots.js';
import { chromiumLaunchOptions } from '../support/browser.js';
import { ROOT, startRelay, tempDir } from '../support/relay-process.js';
import {
	cipherFor,
	createEvent,
	drag,
	expect,
	eventIdOf,
	heatCell,
	join,
	myCell,
	syncState,
	test
} from './fixtures.js';
import { UPDATE_BUILD } from './global-setup.js';

const EVENT = 'title=Train%20ride&dates=2026-12-01,2026-12-02&from=09:00&to=12:00&slot=30&tz=UTC';

/** Waits until the service worker is installed (app shell cached) and active. */
async function offlineReady(page: Page) {
	await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
	await expect(page.getByTestId('offline-ready')).toBeVisible();
}

/**
 * Waits until IndexedDB writes started so far are committed: a read on the
 * same store, opened afterwards, only completes after them.
 */
async function storedLocally(page: Page, eventUrl: string) {
	const id = eventIdOf(eventUrl);
	await page.evaluate(
		(name) =>
			new Promise<void>((resolve, reject) => {
				const open = indexedDB.open(name);
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const tx = open.result.transaction(['updates'], 'readonly');
					tx.oncomplete = () => {
						open.result.close();
						resolve();
					};
				};
			}),
		`moim-event-${id}`
	);
}

test('the manifest makes the app installable', async ({ app }) => {
	// A normal (persistent) profile: Chromium never offers installation in incognito.
	const profile = tempDir('moim-profile-');
	const context = await chromium.launchPersistentContext(profile, chromiumLaunchOptions);
	const page = context.pages()[0] ?? (await context.newPage());
	await page.goto(app);
	await offlineReady(page);
	const cdp = await context.newCDPSession(page);
	const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
	expect(installabilityErrors).toEqual([]);

	const manifest = await cdp.send('Page.getAppManifest');
	expect(manifest.errors).toEqual([]);
	const data = JSON.parse(manifest.data ?? '{}');
	expect(data).toMatchObject({
		id: '/',
		start_url: '/',
		scope: '/',
		display: 'standalone',
		name: expect.stringContaining('Moim'),
		short_name: 'Moim'
	});
	// Theme and background colours are the page's own.
	const pageColours = await page.evaluate(() => ({
		theme: document.querySelector('meta[name="theme-color"]')?.getAttribute('content'),
		background: getComputedStyle(document.documentElement).backgroundColor
	}));
	const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;
	expect(data.theme_color).toBe(pageColours.theme);
	// The page in its light theme (the manifest has one colour; the splash screen is light).
	expect(rgb(data.background_color)).toBe(pageColours.background);
	const icons: { sizes: string; purpose?: string; src: string }[] = data.icons;
	expect(icons.find((i) => i.sizes === '192x192' && (i.purpose ?? 'any').includes('any'))).toBeTruthy();
	expect(icons.find((i) => i.sizes === '512x512' && (i.purpose ?? 'any').includes('any'))).toBeTruthy();
	expect(icons.find((i) => i.purpose === 'maskable')).toBeTruthy();
	for (const icon of icons) expect((await page.request.get(new URL(icon.src, app).href)).ok()).toBe(true);
	await context.close();
	fs.rmSync(profile, { recursive: true, force: true });
});

test('the app comes brotli-compressed, and the service worker installs from it', async ({ page, app }) => {
	const encodings = new Map<string, string | undefined>();
	page.on('response', (response) => {
		const url = new URL(response.url());
		if (url.origin === app) encodings.set(url.pathname, response.headers()['content-encoding']);
	});
	await page.goto(app);
	await offlineReady(page);
	const scripts = [...encodings.keys()].filter((p) => /^\/_app\/immutable\/.+\.(js|css)$/.test(p));
	expect(scripts.length).toBeGreaterThan(3);
	for (const p of ['/', ...scripts]) expect(encodings.get(p), p).toBe('br');
	// Fetched by the browser outside the page: the worker, its library, the manifest.
	const worker = await page.evaluate(() => navigator.serviceWorker.ready.then((r) => r.active?.scriptURL));
	// sw.js loads it as a module: `define(['./workbox-<hash>'], …)`.
	const library = (await (await page.request.get(`${app}/sw.js`)).text()).match(/workbox-\w+/)?.[0];
	for (const file of ['/sw.js', `/${library}.js`, '/manifest.webmanifest']) {
		const response = await page.request.get(`${app}${file}`, { headers: { 'accept-encoding': 'br' } });
		expect(response.headers()['content-encoding'], file).toBe('br');
		// Decoded, it is the file the build wrote.
		expect((await response.body()).equals(fs.readFileSync(path.join(ROOT, 'build', file))), file).toBe(true);
	}
	expect(worker).toBe(`${app}/sw.js`);
});

test('offline: seen events open with their marks, unseen ones wait and load when the connection returns', async ({
	browser,
	page,
	app,
	relay
}) => {
	const seen = await createEvent(page, app, EVENT);
	await join(page, 'Ana');
	await drag(page, '2026-12-01T09:00Z', '2026-12-01T10:00Z');
	await syncState(page, 'synced');
	await offlineReady(page);

	// Someone else creates an event this device has never opened.
	const other = await browser.newPage();
	const unseen = await createEvent(other, app, 'title=Never%20seen&weekdays=2&from=10:00&to=11:00&slot=30&tz=UTC');
	await syncState(other, 'synced');
	await other.close();

	await relay.stop();
	await page.context().setOffline(true);

	await page.goto(seen);
	await expect(page.getByRole('heading', { name: 'Train ride' })).toBeVisible();
	await expect(myCell(page, '2026-12-01T09:30Z')).toHaveAttribute('aria-selected', 'true');
	await expect(heatCell(page, '2026-12-01T10:00Z')).toHaveAttribute('data-count', '1');
	await syncState(page, 'offline');
	// An edit offline is flagged as not on the relay, here and on the home list.
	await drag(page, '2026-12-02T11:00Z', '2026-12-02T11:30Z');
	await page.getByTestId('sync-status').click();
	await expect(page.getByTestId('sync-connection')).toHaveText('No network connection');
	await expect(page.getByTestId('sync-changes')).toHaveAttribute('data-unconfirmed', 'true');
	await storedLocally(page, seen);

	await page.goto(unseen);
	await expect(page.getByRole('heading', { name: "This event hasn't reached this device yet" })).toBeVisible();
	await page.reload();
	await expect(page.getByRole('heading', { name: "This event hasn't reached this device yet" })).toBeVisible();

	await page.goto(app);
	const entry = page.getByTestId('event-list').locator('li', { hasText: 'Train ride' });
	await expect(entry.getByTestId('event-pending')).toBeVisible();
	await entry.getByRole('link').click();
	await expect(myCell(page, '2026-12-02T11:30Z')).toHaveAttribute('aria-selected', 'true');

	// The connection returns: the waiting event opens by itself.
	await page.goto(unseen);
	await expect(page.getByRole('heading', { name: "This event hasn't reached this device yet" })).toBeVisible();
	await relay.start();
	await page.context().setOffline(false);
	await expect(page.getByRole('heading', { name: 'Never seen' })).toBeVisible({ timeout: 20_000 });
	await page.goto(app);
	await expect(page.getByTestId('event-list').locator('li', { hasText: 'Train ride' })).toBeVisible();
});

test('online, a valid id with no event says so once the relay has answered', async ({ page, app }) => {
	await page.goto(`${app}/e/AAAAAAAAAAAAAAAAAAAAAA`);
	await expect(page.getByRole('heading', { name: 'No event at this link' })).toBeVisible();
	await expect(page.getByRole('grid')).toHaveCount(0);
});

test('offline edits survive closing the browser and sync when the relay is back', async ({ browser, app, relay }) => {
	const profile = tempDir('moim-profile-');
	const launch = () => chromium.launchPersistentContext(profile, chromiumLaunchOptions);
	let context: BrowserContext = await launch();
	let page = context.pages()[0] ?? (await context.newPage());
	const url = await createEvent(page, app, EVENT);
	await join(page, 'Dana');
	await drag(page, '2026-12-01T09:00Z', '2026-12-01T09:30Z');
	await syncState(page, 'synced');
	await offlineReady(page);

	await relay.stop();
	await syncState(page, 'offline');
	await drag(page, '2026-12-02T10:00Z', '2026-12-02T11:00Z');
	await expect(page.getByTestId('sync-status')).toContainText('will sync');
	await storedLocally(page, url);
	await context.close();

	// A new browser process, relay still down: the app and the edits are there.
	context = await launch();
	page = context.pages()[0] ?? (await context.newPage());
	await page.goto(url);
	await expect(myCell(page, '2026-12-02T10:30Z')).toHaveAttribute('aria-selected', 'true');
	await expect(myCell(page, '2026-12-01T09:00Z')).toHaveAttribute('aria-selected', 'true');
	await syncState(page, 'offline');
	await expect(page.getByTestId('sync-status')).toContainText('will sync');

	await relay.start();
	await syncState(page, 'synced');
	await page.getByTestId('sync-status').click();
	await expect(page.getByTestId('sync-changes')).toHaveText('All on the relay');
	const other = await browser.newPage();
	await other.goto(url);
	await expect(heatCell(other, '2026-12-02T10:30Z')).toHaveAttribute('data-count', '1');
	await expect(heatCell(other, '2026-12-02T11:00Z')).toHaveAttribute('data-count', '1');
	await context.close();
	fs.rmSync(profile, { recursive: true, force: true });
});

test('a new version waits for "Reload", then loads it and keeps local data', async ({ page }) => {
	// Serve a copy of build A from a folder we can swap under the running relay.
	const site = tempDir('moim-site-');
	fs.cpSync(path.join(ROOT, 'build'), site, { recursive: true });
	const relay = await startRelay({ buildDir: site });
	try {
		const app = relay.httpUrl;
		const url = await createEvent(page, app, EVENT);
		await join(page, 'Eun');
		await drag(page, '2026-12-01T09:00Z', '2026-12-01T09:30Z');
		await syncState(page, 'synced');
		await offlineReady(page);
		const versionA = await page.getByTestId('app-version').textContent();
		expect(versionA).not.toContain(UPDATE_BUILD.buildId);
		// A second tab, in the middle of its own work when the first one updates.
		const second = await page.context().newPage();
		await second.goto(url);
		await expect(myCell(second, '2026-12-01T09:30Z')).toHaveAttribute('aria-selected', 'true');

		// Deploy build B.
		fs.rmSync(site, { recursive: true, force: true });
		fs.cpSync(path.join(ROOT, UPDATE_BUILD.outDir), site, { recursive: true });
		for (const tab of [page, second])
			await tab.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));
		await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r?.update()));
		await expect(page.getByTestId('update-prompt')).toBeVisible();
		await expect(page.getByTestId('update-prompt')).toContainText('A new version is ready');

		// Nothing reloads on its own: painting goes on in version A.
		await drag(page, '2026-12-02T09:00Z', '2026-12-02T09:30Z');
		await expect(myCell(page, '2026-12-02T09:30Z')).toHaveAttribute('aria-selected', 'true');
		expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
		await expect(page.getByTestId('app-version')).toHaveText(versionA!);

		await page.getByTestId('update-prompt').getByRole('button', { name: 'Reload' }).click();
		await expect(page.getByTestId('app-version')).toContainText(UPDATE_BUILD.buildId);
		expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBeUndefined();
		expect(page.url()).toBe(url);
		await expect(myCell(page, '2026-12-01T09:30Z')).toHaveAttribute('aria-selected', 'true');
		await expect(myCell(page, '2026-12-02T09:30Z')).toHaveAttribute('aria-selected', 'true');
		await expect(page.getByTestId('update-prompt')).toHaveCount(0);

		// The other tab was not reloaded under its person: it offers the reload instead.
		await expect(second.getByTestId('update-prompt')).toBeVisible();
		expect(await second.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
		await expect(second.getByTestId('app-version')).toHaveText(versionA!);
		await second.getByTestId('update-prompt').getByRole('button', { name: 'Reload' }).click();
		await expect(second.getByTestId('app-version')).toContainText(UPDATE_BUILD.buildId);
		await expect(myCell(second, '2026-12-02T09:30Z')).toHaveAttribute('aria-selected', 'true');
	} finally {
		await relay.kill();
		fs.rmSync(site, { recursive: true, force: true });
	}
});

test('two tabs on one event stay in step with the relay stopped', async ({ context, page, app, relay }) => {
	const url = await createEvent(page, app, EVENT);
	await join(page, 'Gyu');
	await syncState(page, 'synced');
	const second = await context.newPage();
	await second.goto(url);
	// The same device is the same person in both tabs.
	await expect(myCell(second, '2026-12-01T09:00Z')).toBeVisible();

	await relay.stop();
	await syncState(page, 'offline');
	await syncState(second, 'offline');
	await drag(page, '2026-12-01T09:00Z', '2026-12-01T10:00Z');
	await expect(myCell(second, '2026-12-01T09:30Z')).toHaveAttribute('aria-selected', 'true');
	await expect(heatCell(second, '2026-12-01T10:00Z')).toHaveAttribute('data-count', '1');
	await drag(second, '2026-12-02T11:00Z', '2026-12-02T11:30Z');
	await expect(myCell(page, '2026-12-02T11:30Z')).toHaveAttribute('aria-selected', 'true');
	// Both know the changes have not reached the relay.
	await expect(page.getByTestId('sync-status')).toContainText('will sync');
	await expect(second.getByTestId('sync-status')).toContainText('will sync');

	await relay.start();
	await syncState(page, 'synced');
	await syncState(second, 'synced');
});

test('when the browser refuses storage, the app says so and keeps syncing', async ({ browser, page, app }) => {
	// Only the browser's answer is faked: opening IndexedDB is refused, as some privacy modes do.
	await page.addInitScript(() => {
		IDBFactory.prototype.open = function () {
			throw new DOMException('The user denied permission to access the database.', 'SecurityError');
		};
	});
	const url = await createEvent(page, app, EVENT);
	await expect(page.getByTestId('storage-problem')).toHaveAttribute('data-problem', 'unavailable');
	await expect(page.getByTestId('storage-problem')).toContainText("isn't letting Moim save anything");
	await join(page, 'Ha');
	await drag(page, '2026-12-01T09:00Z', '2026-12-01T09:30Z');
	await syncState(page, 'synced');

	const other = await browser.newPage();
	await other.goto(url);
	await expect(heatCell(other, '2026-12-01T09:30Z')).toHaveAttribute('data-count', '1');
});

test('a full disk is reported, changes keep syncing, and the stored copy is completed once space returns', async ({
	browser,
	page,
	app
}) => {
	// A real quota: the browser itself refuses the writes. (Chromium applies an
	// override only before an origin's first successful write, so it starts here.)
	const cdp = await page.context().newCDPSession(page);
	const origin = new URL(app).origin;
	await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 1 });
	const url = await createEvent(page, app, EVENT);
	await expect(page.getByTestId('storage-problem')).toHaveAttribute('data-problem', 'full');
	await expect(page.getByTestId('storage-problem')).toContainText('out of storage space');
	await join(page, 'Io');
	await drag(page, '2026-12-01T09:00Z', '2026-12-01T11:00Z');
	await syncState(page, 'synced');
	const other = await browser.newPage();
	await other.goto(url);
	await expect(heatCell(other, '2026-12-01T10:30Z')).toHaveAttribute('data-count', '1');

	// Space again: the next change writes the whole document, and the notice goes.
	await cdp.send('Storage.overrideQuotaForOrigin', { origin });
	await drag(page, '2026-12-02T09:00Z', '2026-12-02T09:00Z');
	await expect(page.getByTestId('storage-problem')).toHaveCount(0);

	// What is stored on the device now holds the marks made while it was full.
	const id = eventIdOf(url);
	const stored = await page.evaluate(
		(name) =>
			new Promise<number[][]>((resolve, reject) => {
				const open = indexedDB.open(name);
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const request = open.result.transaction(['updates'], 'readonly').objectStore('updates').getAll();
					request.onsuccess = () => resolve(request.result.map((u: Uint8Array) => Array.from(u)));
					request.onerror = () => reject(request.error);
				};
			}),
		`moim-event-${id}`
	);
	const copy = new Y.Doc();
	for (const update of stored) Y.applyUpdate(copy, new Uint8Array(update));
	// Read with the link's key, as the device does: the stored copy is sealed.
	const cipher = await cipherFor(url);
	readSealedSettings(copy, cipher);
	await cipher.settled();
	const settings = readSealedSettings(copy, cipher);
	if (settings.state !== 'ok') throw new Error(`the stored copy's settings read as ${settings.state}`);
	expect(settings.settings.title).toBe('Train ride');
	const [me] = [...membersMap(copy).keys()];
	await settleSealedLog(copy, cipher, me);
	// The grid's blocks: a stroke log marks each block's quarter-hours.
	const blocks = buildGrid(settings.settings).slots;
	const marked = [...readSealedMarks(copy, cipher, me)].filter(([, level]) => level === 1).map(([slot]) => slot);
	expect(marked.filter((slot) => blocks.has(slot)).sort()).toEqual(
		[
			'2026-12-01T09:00Z',
			'2026-12-01T09:30Z',
			'2026-12-01T10:00Z',
			'2026-12-01T10:30Z',
			'2026-12-01T11:00Z',
			'2026-12-02T09:00Z'
		].sort()
	);
});

test('persistent storage is requested after the first edit; a refusal is explained', async ({ browser, app }) => {
	for (const granted of [false, true]) {
		const context = await browser.newContext();
		await context.addInitScript((answer) => {
			// Only the browser's answer is faked.
			navigator.storage.persisted = async () => false;
			navigator.storage.persist = async () => {
				(window as unknown as { persistAsked: number }).persistAsked =
					((window as unknown as { persistAsked?: number }).persistAsked ?? 0) + 1;
				return answer;
			};
		}, granted);
		const page = await context.newPage();
		await createEvent(page, app, EVENT);
		await join(page, 'Jo');
		await drag(page, '2026-12-01T09:00Z', '2026-12-01T09:00Z');
		await expect.poll(() => page.evaluate(() => (window as unknown as { persistAsked?: number }).persistAsked)).toBe(1);
		// Said in the sync details, not as a banner over the grid.
		await page.getByTestId('sync-status').click();
		await expect(page.getByTestId('sync-details')).toBeVisible();
		if (granted) await expect(page.getByTestId('storage-note')).toHaveCount(0);
		else await expect(page.getByTestId('storage-note')).toContainText('may clear saved data');
		await context.close();
	}
});

test('a copy the browser cleared is reported and loaded again from the relay', async ({ page, app }) => {
	const url = await createEvent(page, app, EVENT);
	await join(page, 'Ko');
	await drag(page, '2026-12-01T09:00Z', '2026-12-01T09:30Z');
	await syncState(page, 'synced');
	await page.goto(app);
	const id = eventIdOf(url);
	// Eviction, as the browser does it: the event's database is gone.
	await page.evaluate(
		(name) =>
			new Promise<void>((resolve, reject) => {
				const request = indexedDB.deleteDatabase(name);
				request.onsuccess = () => resolve();
				request.onerror = () => reject(request.error);
			}),
		`moim-event-${id}`
	);
	await page.goto(url);
	await expect(page.getByTestId('storage-problem')).toHaveAttribute('data-problem', 'evicted');
	await expect(myCell(page, '2026-12-01T09:30Z')).toHaveAttribute('aria-selected', 'true');
});

test('"Install app" appears when the browser offers installation; iOS Safari gets the Add to Home Screen hint', async ({
	browser,
	page,
	app
}) => {
	// Lighthouse's phone: here an offer shown in the header wrapped it onto a second row and moved the page.
	await page.setViewportSize({ width: 412, height: 823 });
	await page.goto(app);
	await expect(page.getByRole('button', { name: 'Install app' })).toHaveCount(0);
	await page.evaluate(() => {
		const shifts: number[] = [];
		(window as unknown as { shifts: number[] }).shifts = shifts;
		new PerformanceObserver((list) => {
			for (const entry of list.getEntries() as (PerformanceEntry & { value: number })[]) shifts.push(entry.value);
		}).observe({ type: 'layout-shift' });
	});
	// Only the browser's offer is stood in for: headless Chromium never makes it by itself.
	// The app listens once it has started, so the offer is repeated until it is seen (as browsers do on each load).
	const offer = () =>
		page.evaluate(() => {
			const event = Object.assign(new Event('beforeinstallprompt', { cancelable: true }), {
				prompt: async () => void ((window as unknown as { prompted: boolean }).prompted = true),
				userChoice: Promise.resolve({ outcome: 'accepted' })
			});
			dispatchEvent(event);
		});
	await expect(async () => {
		await offer();
		await expect(page.getByRole('button', { name: 'Install app' })).toBeVisible({ timeout: 500 });
	}).toPass();
	// Shown at the end of the footer, it moves nothing on the page.
	await expect(page.locator('footer').getByRole('button', { name: 'Install app' })).toBeVisible();
	expect(await page.evaluate(() => (window as unknown as { shifts: number[] }).shifts)).toEqual([]);
	await page.getByRole('button', { name: 'Install app' }).click();
	expect(await page.evaluate(() => (window as unknown as { prompted?: boolean }).prompted)).toBe(true);
	await expect(page.getByRole('button', { name: 'Install app' })).toHaveCount(0);

	const iphone = await browser.newContext({
		userAgent:
			'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1',
		hasTouch: true,
		isMobile: true
	});
	const phone = await iphone.newPage();
	await phone.goto(app);
	await expect(phone.getByRole('note').filter({ hasText: 'Add to Home Screen' })).toBeVisible();
	await phone
		.getByRole('note')
		.filter({ hasText: 'Add to Home Screen' })
		.getByRole('button', { name: 'Dismiss' })
		.click();
	await phone.reload();
	await expect(phone.getByRole('heading', { name: 'New event' })).toBeVisible();
	await expect(phone.getByRole('note').filter({ hasText: 'Add to Home Screen' })).toHaveCount(0);
	await expect(page.getByRole('note').filter({ hasText: 'Add to Home Screen' })).toHaveCount(0);
	await iphone.close();
});
