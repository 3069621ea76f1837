/**
 * Fixtures: every test gets its own real relay process (fresh data folder)
 * serving the built app, and helpers that act as a person would.
 */
import AxeBuilder from '@axe-core/playwright';
import { importEventKey } from '../../src/lib/model/event-crypto.js';
import { EventCipher } from '../../src/lib/model/sealed-event.js';
import { test as base, expect, type Browser, type Page, type Locator } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, startRelay, type RelayProcess } from '../support/relay-process.js';

export { expect };

/** The test's relay: stop it and start it again on the same port and data. */
export class RelayControl {
	constructor(public process: RelayProcess) {}
	get httpUrl() {
		return this.process.httpUrl;
	}
	/** Graceful stop (SIGTERM), as in a restart. */
	async stop() {
		await this.process.stop();
	}
	/** Starts a new relay process with the same port and data folder. */
	async start() {
		this.process = await this.process.restart();
	}
}

type Fixtures = { relay: RelayControl; app: string };

export const test = base.extend<Fixtures>({
	// eslint-disable-next-line no-empty-pattern
	relay: async ({}, use) => {
		const relay = new RelayControl(await startRelay({ buildDir: path.join(ROOT, 'build') }));
		await use(relay);
		await relay.process.kill();
	},
	app: async ({ relay }, use) => use(relay.httpUrl),
	// The relay's content security policy must never get in the app's way.
	page: async ({ page }, use) => {
		const violations: string[] = [];
		page.on('console', (m) => {
			if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
		});
		await use(page);
		expect(violations, 'CSP violations').toEqual([]);
	}
});

/** The person's own grid. */
export const myGrid = (page: Page): Locator => page.getByRole('grid', { name: /^Your availability/ });

/** A cell of the person's own grid by slot key. */
export const myCell = (page: Page, slot: string) => myGrid(page).locator(`[data-slot="${slot}"]`);

/** A heatmap cell by slot key. */
export const heatCell = (page: Page, slot: string) => page.getByTestId('heatmap').locator(`[data-slot="${slot}"]`);

/** A new event's address: its id, then its key after `#` (every new event is private). */
export const EVENT_URL = /\/e\/[A-Za-z0-9_-]{22}#[A-Za-z0-9_-]{43}$/;

/** The event id in an event's address (with or without its key). */
export function eventIdOf(url: string): string {
	const id = /\/e\/([A-Za-z0-9_-]{22})(?:[#?]|$)/.exec(url)?.[1];
	if (!id) throw new Error(`not an event address: ${url}`);
	return id;
}

/** An event's address without its key. */
export const keyless = (url: string): string => url.replace(/#.*$/, '');

/** Creates an event through a prefilled link and lands on its page. */
export async function createEvent(page: Page, app: string, query: string): Promise<string> {
	await page.goto(`${app}/new?${query}`);
	await page.getByRole('button', { name: 'Create' }).click();
	await page.waitForURL(EVENT_URL);
	return page.url();
}

/** Joins the open event under `name`. */
export async function join(page: Page, name: string) {
	await page.getByLabel('Name').fill(name);
	await page.getByRole('button', { name: 'Join' }).click();
	await expect(myGrid(page)).toBeVisible();
}

/** Drags with the mouse from one of my cells to another. */
export async function drag(page: Page, fromSlot: string, toSlot: string) {
	const a = (await myCell(page, fromSlot).boundingBox())!;
	const b = (await myCell(page, toSlot).boundingBox())!;
	await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
	await page.mouse.down();
	await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 6 });
	await page.mouse.up();
}

/** Waits until the sync badge shows `state`. */
export async function syncState(page: Page, state: string) {
	await expect(page.getByTestId('sync-status')).toHaveAttribute('data-sync-state', state);
}

/** Two people in separate browser contexts on one new event, both joined. */
export async function twoPeople(browser: Browser, app: string, query: string) {
	const a = await (await browser.newContext()).newPage();
	const b = await (await browser.newContext()).newPage();
	const url = await createEvent(a, app, query);
	await join(a, 'Ana');
	await b.goto(url);
	await join(b, 'Ben');
	return { a, b, url };
}

/**
 * URLs of a route's own code in the built app: its page module and the
 * stylesheet named after it, found through SvelteKit's route table in the
 * app's entry (`"/e/[id]":[3]` → nodes/3.*.js, assets/3.*.css).
 */
export function routeCode(routeId: string): { js: RegExp; css: RegExp } {
	const entryDir = path.join(ROOT, 'build/_app/immutable/entry');
	const entry = fs.readdirSync(entryDir).find((f) => /^app\..*\.js$/.test(f));
	const source = entry ? fs.readFileSync(path.join(entryDir, entry), 'utf8') : '';
	const node = new RegExp(`"${routeId.replace(/[[\]]/g, '\\$&')}":\\[~?(\\d+)`).exec(source)?.[1];
	if (!node) throw new Error(`route ${routeId} not found in the built app's entry`);
	return {
		js: new RegExp(`/_app/immutable/nodes/${node}\\.[^/]+\\.js$`),
		css: new RegExp(`/_app/immutable/assets/${node}\\.[^/]+\\.css$`)
	};
}

/**
 * axe-core's serious and critical findings on the page as it is now. Run in
 * the page itself ("legacy mode"): the default also opens a blank page and
 * loads axe into it again to merge per-frame results, which costs more than
 * the scan on a busy machine, and Moim has no frames to merge.
 */
export async function seriousViolations(page: Page): Promise<string[]> {
	const { violations } = await new AxeBuilder({ page }).setLegacyMode().analyze();
	return violations
		.filter((v) => v.impact === 'serious' || v.impact === 'critical')
		.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/**
 * Adds an entry to my week through its dialog, as a person would, on the
 * open /week page: a title, one range and its days (English labels, or
 * Korean when `ko`).
 */
export async function addRoutine(
	page: Page,
	entry: { title: string; from: string; to: string; days: string[] },
	ko = false
) {
	await page.getByRole('button', { name: ko ? '+ 나의 한 주에 추가' : '+ Add to my week' }).click();
	const dialog = page.getByTestId('routine-dialog');
	await dialog.getByLabel(ko ? '무엇을 하나요?' : 'What is it?').fill(entry.title);
	const range = dialog.getByRole('group', { name: ko ? '시간 범위 1' : 'Time range 1' });
	await range.getByLabel(ko ? '시작' : 'From').selectOption({ label: entry.from });
	await range.getByLabel(ko ? '종료' : 'To').selectOption({ label: entry.to });
	for (const day of entry.days) await range.getByLabel(day).check();
	await dialog.getByRole('button', { name: ko ? '저장' : 'Save' }).click();
	await expect(dialog).toBeHidden();
}

/** Reads one of this device's secrets from the app's own IndexedDB store. */
export function deviceSecret(page: Page, key: string): Promise<string | null> {
	return page.evaluate(
		(key) =>
			new Promise<string | null>((resolve, reject) => {
				const open = indexedDB.open('moim-device');
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const request = open.result.transaction(['secrets']).objectStore('secrets').get(key);
					request.onsuccess = () => resolve(request.result ?? null);
				};
			}),
		key
	);
}

/**
 * What a device with the link reads in a private event: a cipher made from
 * the key in `url`, for the model's sealed readers (sealed-event.ts, sealed-log.ts).
 */
export async function cipherFor(url: string): Promise<EventCipher> {
	const key = /#([A-Za-z0-9_-]{43})$/.exec(url)?.[1];
	if (!key) throw new Error(`no key in ${url}`);
	return new EventCipher(await importEventKey(key, eventIdOf(url)));
}
