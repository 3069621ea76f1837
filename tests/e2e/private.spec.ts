/**
 * Private events (issue 20) as people meet them: the key travels in every
 * link and nowhere else, a link without it (or with a wrong one) gets a
 * clear page, and events made before keys still open as they were.
 */
import type { Page, Request } from '@playwright/test';
import * as Y from 'yjs';
import { createEvent as createPlainEvent, joinEvent } from '../../src/lib/model/event-doc.js';
import { newEventId } from '../../src/lib/model/ids.js';
import { COMPACT_FRAMES, splitFrames } from '../../src/lib/model/sealed-log.js';
import { stockClient, until } from '../support/clients.js';
import { person } from '../support/identity.js';
import {
	createEvent,
	drag,
	eventIdOf,
	expect,
	EVENT_URL,
	heatCell,
	join,
	keyless,
	myCell,
	myGrid,
	syncState,
	test
} from './fixtures.js';

const EVENT = 'title=Secret%20santa&dates=2026-12-01&from=09:00&to=11:00&slot=30&tz=UTC';

/** The key after `#` in an event's address. */
const keyOf = (url: string) => url.split('#')[1];

/** Opens the sync details and returns the privacy row. */
async function privacyRow(page: Page) {
	await page.getByTestId('sync-status').click();
	return page.getByTestId('sync-privacy');
}

/** Everything `page` sends: request URLs and bodies, websocket URLs, and (in `frames`) every websocket frame. */
function watchTraffic(page: Page): { sent: string[]; frames: string[] } {
	const sent: string[] = [];
	const frames: string[] = [];
	page.on('request', (request: Request) => sent.push(request.url(), request.postData() ?? ''));
	page.on('websocket', (ws) => {
		sent.push(ws.url());
		ws.on('framesent', (frame) =>
			frames.push(typeof frame.payload === 'string' ? frame.payload : frame.payload.toString('latin1'))
		);
	});
	return { sent, frames };
}

test('the key is in the link, the QR code and the copied link, and never reaches the relay', async ({
	browser,
	page,
	app,
	relay
}) => {
	const laptop = watchTraffic(page);
	const url = await createEvent(page, app, EVENT);
	expect(url).toMatch(EVENT_URL);
	const key = keyOf(url);
	await join(page, 'Santa');
	await drag(page, '2026-12-01T09:00Z', '2026-12-01T09:30Z');
	await syncState(page, 'synced');
	await expect(await privacyRow(page)).toHaveAttribute('data-encrypted', 'true');
	await expect(page.getByTestId('sync-privacy')).toContainText('End-to-end encrypted');

	// Copy link and the QR code carry the key.
	await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
	await page.getByRole('button', { name: 'Copy link' }).click();
	await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(url);
	await page.getByRole('button', { name: 'QR code' }).click();
	await expect(page.getByTestId('qr-dialog')).toContainText(url);
	await page.getByTestId('qr-dialog').getByRole('button', { name: 'Close' }).click();

	// A PIN round trip sends the member and the PIN, not the key.
	await page.getByRole('button', { name: 'Set a PIN' }).click();
	await page.getByLabel('PIN').fill('482913');
	await page.getByRole('button', { name: 'Save PIN' }).click();
	await expect(page.getByText('PIN saved.')).toBeVisible();
	const phone = await (await browser.newContext()).newPage();
	const phoneTraffic = watchTraffic(phone);
	await phone.goto(url);
	await phone.getByRole('button', { name: "I've been here before" }).click();
	await phone.getByLabel('Your name').selectOption({ label: 'Santa' });
	await phone.getByLabel('PIN').fill('482913');
	await phone.getByRole('button', { name: 'Continue' }).click();
	await expect(phone.getByText('You are Santa')).toBeVisible();
	await expect(heatCell(phone, '2026-12-01T09:00Z')).toHaveAttribute('data-count', '1');

	expect(laptop.sent.length).toBeGreaterThan(10);
	expect(laptop.frames.length).toBeGreaterThan(5);
	expect(phoneTraffic.sent.some((s) => s.includes('482913'))).toBe(true);
	const everything = [laptop, phoneTraffic].flatMap((t) => [...t.sent, ...t.frames]);
	expect(everything.filter((s) => s.includes(key))).toEqual([]);
	expect(relay.process.output()).not.toContain(key);
	// Neither the name nor the title crosses a websocket: updates are sealed, presence names no one.
	const frames = [...laptop.frames, ...phoneTraffic.frames];
	expect(frames.filter((f) => /Santa|Secret santa/.test(f))).toEqual([]);
});

test('a link without its key, or with a wrong one, says so; the home list opens it without the key', async ({
	browser,
	page,
	app
}) => {
	const url = await createEvent(page, app, EVENT);
	await join(page, 'Rudolph');
	await drag(page, '2026-12-01T09:00Z', '2026-12-01T09:00Z');
	await syncState(page, 'synced');

	const stranger = await (
		await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'ko-KR' })
	).newPage();
	await stranger.goto(keyless(url));
	const missing = stranger.getByTestId('missing-key');
	await expect(missing.getByRole('heading')).toHaveText('이 링크에 열쇠가 빠져 있어요');
	await expect(stranger.getByLabel('이름')).toHaveCount(0);
	await stranger.screenshot({ path: test.info().outputPath('missing-key-ko-360.png') });
	// A key of another event (well formed, wrong) does not open it either.
	const other = await createEvent(page, app, EVENT.replace('Secret%20santa', 'Another'));
	await stranger.goto(`${keyless(url)}#${keyOf(other)}`);
	await expect(stranger.getByTestId('bad-key').getByRole('heading')).toHaveText(
		'이 링크의 열쇠로는 일정을 열 수 없어요'
	);
	// Pasting the right key into the address bar opens it.
	await stranger.evaluate((key) => (location.hash = key), keyOf(url));
	await expect(heatCell(stranger, '2026-12-01T09:00Z')).toHaveAttribute('data-count', '1');
	await expect(stranger.getByLabel('이름')).toBeVisible();
	// The sync details say it is encrypted, on the phone's screen (they once ran off its left edge).
	await stranger.getByTestId('sync-status').click();
	await expect(stranger.getByTestId('sync-privacy')).toHaveText(/종단간 암호화/);
	const details = (await stranger.getByTestId('sync-details').boundingBox())!;
	expect(details.x).toBeGreaterThanOrEqual(0);
	expect(details.x + details.width).toBeLessThanOrEqual(360);
	await stranger.screenshot({ path: test.info().outputPath('sync-details-ko-360.png') });
	// Once a key has opened the event, this device keeps it: the keyless link opens it now.
	await stranger.goto(keyless(url));
	await expect(heatCell(stranger, '2026-12-01T09:00Z')).toHaveAttribute('data-count', '1');
	// A wrong key in a link does not lock out a device that has the right one kept.
	await page.goto(`${keyless(url)}#${keyOf(other)}`);
	await expect(page.getByText('You are Rudolph')).toBeVisible();

	// On the device that has opened it, the home list's keyless link opens it.
	await page.goto(app);
	await page.getByRole('link', { name: 'Secret santa' }).click();
	await expect(page).toHaveURL(new RegExp(`/e/${eventIdOf(url)}$`));
	await expect(page.getByText('You are Rudolph')).toBeVisible();
});

test('a long visit folds my log while I paint, and undo and redo still take strokes back', async ({
	page,
	app,
	relay
}) => {
	const url = await createEvent(page, app, EVENT);
	await join(page, 'Painter');
	const slot = '2026-12-01T09:00Z';
	await myGrid(page).locator('[tabindex="0"]').focus();
	await expect(myCell(page, slot)).toBeFocused();
	// One stroke more than folding waits for, all on one block: marked, cleared, …, marked.
	const strokes = COMPACT_FRAMES + 1;
	for (let i = 0; i < strokes; i++) {
		await page.keyboard.press('Space');
		await expect(myCell(page, slot)).toHaveAttribute('aria-selected', String(i % 2 === 0));
	}
	// The relay's copy, once it has every stroke: my log is folded into its base, and at most one stroke
	// after it (had a pause of 2 s come after the 16th). Unfolded, it would hold 17 frames.
	await syncState(page, 'synced');
	const reader = stockClient(relay.process.wsUrl, eventIdOf(url));
	try {
		const frames = () => {
			const log = [...reader.doc.getMap('availability').values()][0];
			return log instanceof Y.Text ? splitFrames(log.toString()).frames.length : 0;
		};
		await until(() => frames() > 0 && frames() <= 2, 'my log folded at the relay', 30_000);
	} finally {
		reader.destroy();
	}
	// Undo writes the marks back: the folded strokes are still undone one by one, and redone.
	const undo = page.getByRole('button', { name: 'Undo' });
	await undo.click();
	await expect(myCell(page, slot)).toHaveAttribute('aria-selected', 'false');
	await undo.click();
	await expect(myCell(page, slot)).toHaveAttribute('aria-selected', 'true');
	await page.getByRole('button', { name: 'Redo' }).click();
	await expect(myCell(page, slot)).toHaveAttribute('aria-selected', 'false');
	await expect(heatCell(page, slot)).toHaveAttribute('data-count', '0');
	await syncState(page, 'synced');
});

test('"Duplicate" makes a new event with a new key', async ({ page, app }) => {
	const first = await createEvent(page, app, EVENT);
	await page.getByRole('link', { name: 'Duplicate' }).click();
	await page.getByRole('button', { name: 'Create' }).click();
	await page.waitForURL(EVENT_URL);
	const second = page.url();
	expect(eventIdOf(second)).not.toBe(eventIdOf(first));
	expect(keyOf(second)).not.toBe(keyOf(first));
	await expect(page.getByRole('heading', { name: 'Secret santa' })).toBeVisible();
});

test('an event made before keys opens from its keyless link, syncs, and says it is not encrypted', async ({
	browser,
	page,
	app,
	relay
}) => {
	// Made by an older app: a plain v3 event with one member.
	const id = newEventId();
	const doc = new Y.Doc();
	const elder = person({ organizer: true });
	const organizer = stockClient(relay.process.wsUrl, id, elder, doc);
	try {
		await until(() => organizer.provider.synced, 'old organizer synced');
		createPlainEvent(
			doc,
			{
				title: 'Old times',
				kind: 'dates',
				dates: ['2026-12-01'],
				weekdays: [],
				start: 540,
				end: 660,
				slot: 30,
				tz: 'UTC'
			},
			Date.now(),
			3
		);
		joinEvent(doc, 'Elder', Date.now(), elder.memberId);
	} finally {
		await until(() => organizer.provider.synced, 'old event at the relay');
	}
	try {
		await page.goto(`${app}/e/${id}`);
		await join(page, 'Newer');
		await drag(page, '2026-12-01T09:00Z', '2026-12-01T09:00Z');
		await syncState(page, 'synced');
		await expect(await privacyRow(page)).toHaveAttribute('data-encrypted', 'false');
		await expect(page.getByTestId('sync-privacy')).toContainText('Not encrypted');
		// The link people copy stays keyless: there is no key.
		await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
		await page.getByRole('button', { name: 'Copy link' }).click();
		await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(`${app}/e/${id}`);
		// The old client sees the new member's stroke as plain marks, and the app sees the old member.
		await until(() => doc.getMap('members').size === 2, 'the new member at the old client');
		const second = await (await browser.newContext()).newPage();
		await second.goto(`${app}/e/${id}`);
		await expect(heatCell(second, '2026-12-01T09:00Z')).toHaveAttribute('data-count', '1');
	} finally {
		organizer.destroy();
	}
});
