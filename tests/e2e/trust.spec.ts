/**
 * The relay's write checks as a person meets them: changes it refuses are
 * reported, and "Reset to the relay's copy" recovers; a device whose key the
 * relay does not know is told so.
 */
import type { Page } from '@playwright/test';
import * as Y from 'yjs';
import { availabilityMap, eventMap, LOCKED_KEY, membersMap } from '../../src/lib/model/event-doc.js';
import { readSealedMembers, SEALED_SCHEMA_VERSION } from '../../src/lib/model/sealed-event.js';
import { readSealedLog, readSealedMarks, splitFrames } from '../../src/lib/model/sealed-log.js';
import { PARAM_ORGANIZER_SECRET } from '../../src/lib/model/relay-protocol.js';
import { READ_SCHEMA_VERSION } from '../../src/lib/model/settings.js';
import { stockClient, until } from '../support/clients.js';
import {
	createEvent,
	deviceSecret,
	drag,
	expect,
	heatCell,
	join,
	myCell,
	myGrid,
	syncState,
	test,
	eventIdOf,
	cipherFor
} from './fixtures.js';

/** A stock client with the organizer's secret from `page`'s device, synced (for what the app has no button for). */
async function organizerClient(page: Page, wsUrl: string, id: string) {
	const organizer = stockClient(wsUrl, id, {
		memberId: '',
		params: { [PARAM_ORGANIZER_SECRET]: (await deviceSecret(page, `organizer:${id}`))! }
	});
	await until(() => organizer.provider.synced, 'organizer client synced');
	return organizer;
}

const EVENT = 'title=Guarded&dates=2026-12-01&from=09:00&to=11:00&slot=30&tz=UTC';

test('joining offline after the organizer locked the event is refused; reset brings back the relay copy', async ({
	browser,
	page,
	app,
	relay
}) => {
	const url = await createEvent(page, app, EVENT);
	await join(page, 'Olga');
	await drag(page, '2026-12-01T09:00Z', '2026-12-01T09:30Z');
	await syncState(page, 'synced');
	const id = eventIdOf(url);

	// Ben opens the event, then loses his connection.
	const ben = await (await browser.newContext()).newPage();
	await ben.goto(url);
	await expect(ben.getByLabel('Name')).toBeVisible();
	await ben.context().setOffline(true);
	await syncState(ben, 'offline');

	// Meanwhile the organizer locks the event (no button for it yet: a stock client with the organizer's secret).
	const organizer = await organizerClient(page, relay.process.wsUrl, id);
	const reader = stockClient(relay.process.wsUrl, id);
	try {
		eventMap(organizer.doc).set(LOCKED_KEY, true);
		await until(() => eventMap(reader.doc).get(LOCKED_KEY) === true, 'the lock at the relay');
		expect(organizer.closes).toEqual([]);
	} finally {
		organizer.destroy();
	}

	// Ben joins and paints offline; back online, the relay refuses all of it.
	await join(ben, 'Ben');
	await drag(ben, '2026-12-01T10:00Z', '2026-12-01T10:30Z');
	await ben.context().setOffline(false);
	await expect(ben.getByTestId('refusal')).toHaveAttribute('data-reason', 'joining-locked');
	await expect(ben.getByTestId('refusal')).toContainText('refused changes made on this device');
	await syncState(ben, 'refused');
	// Nothing of it reached anyone.
	await expect(heatCell(page, '2026-12-01T10:00Z')).toHaveAttribute('data-count', '0');

	await ben.getByRole('button', { name: "Reset to the relay's copy" }).click();
	await expect(ben.getByTestId('locked')).toBeVisible();
	await expect(ben.getByTestId('refusal')).toHaveCount(0);
	await syncState(ben, 'synced');
	await expect(heatCell(ben, '2026-12-01T09:30Z')).toHaveAttribute('data-count', '1');
	await expect(heatCell(ben, '2026-12-01T10:00Z')).toHaveAttribute('data-count', '0');
	// The relay's copy never had Ben.
	expect(availabilityMap(reader.doc).size).toBe(1);
	reader.destroy();
});

test('a device presenting a key the relay does not know is told so, and can start over', async ({ page, app }) => {
	const url = await createEvent(page, app, EVENT);
	await join(page, 'Ana');
	await drag(page, '2026-12-01T09:00Z', '2026-12-01T09:00Z');
	await syncState(page, 'synced');
	const id = eventIdOf(url);
	const memberId = await page.evaluate((id) => localStorage.getItem(`moim:identity:${id}`), id);

	// An old backup restored over this device's keys: the member secret is not the registered one.
	await page.evaluate(
		({ key }) =>
			new Promise<void>((resolve, reject) => {
				const open = indexedDB.open('moim-device');
				open.onsuccess = () => {
					const tx = open.result.transaction(['secrets'], 'readwrite');
					tx.objectStore('secrets').put('A'.repeat(42) + 'E', key);
					tx.oncomplete = () => resolve();
					tx.onerror = () => reject(tx.error);
				};
			}),
		{ key: `member:${id}:${memberId}` }
	);
	await page.reload();
	await expect(page.getByTestId('refusal')).toHaveAttribute('data-reason', 'wrong-member-secret');
	await expect(page.getByTestId('refusal')).toContainText("doesn't recognise this device");

	await page.getByRole('button', { name: "Reset to the relay's copy" }).click();
	await expect(page.getByLabel('Name')).toBeVisible();
	await syncState(page, 'synced');
	// Ana's mark is still there for everyone; this device can join anew.
	await expect(heatCell(page, '2026-12-01T09:00Z')).toHaveAttribute('data-count', '1');
	await join(page, 'Ana again');
	await myCell(page, '2026-12-01T10:00Z').click();
	await expect(heatCell(page, '2026-12-01T10:00Z')).toHaveAttribute('data-count', '1');
	await syncState(page, 'synced');
});

test('a PIN set on one device lets the same person continue on another; a wrong PIN is told', async ({
	browser,
	page,
	app
}) => {
	const url = await createEvent(page, app, EVENT);
	await join(page, 'Ana');
	await drag(page, '2026-12-01T09:00Z', '2026-12-01T09:00Z');
	await page.getByRole('button', { name: 'Set a PIN' }).click();
	await page.getByLabel('PIN').fill('12');
	await page.getByRole('button', { name: 'Save PIN' }).click();
	await expect(page.getByText('A PIN is 4 to 8 digits.')).toBeVisible();
	await page.getByLabel('PIN').fill('482913');
	await page.getByRole('button', { name: 'Save PIN' }).click();
	await expect(page.getByText('PIN saved.')).toBeVisible();

	// Ana's phone.
	const phone = await (await browser.newContext()).newPage();
	await phone.goto(url);
	await phone.getByRole('button', { name: "I've been here before" }).click();
	await phone.getByLabel('Your name').selectOption({ label: 'Ana' });
	await phone.getByLabel('PIN').fill('000000');
	await phone.getByRole('button', { name: 'Continue' }).click();
	await expect(phone.getByRole('alert')).toHaveText('That PIN is not right.');
	await phone.getByLabel('PIN').fill('482913');
	await phone.getByRole('button', { name: 'Continue' }).click();
	await expect(phone.getByText('You are Ana')).toBeVisible();
	await expect(myCell(phone, '2026-12-01T09:00Z')).toHaveAttribute('aria-selected', 'true');
	await myCell(phone, '2026-12-01T10:30Z').click();
	await syncState(phone, 'synced');
	// The laptop sees the phone's stroke as Ana's own.
	await expect(myCell(page, '2026-12-01T10:30Z')).toHaveAttribute('aria-selected', 'true');
	await expect(heatCell(page, '2026-12-01T10:30Z')).toHaveAttribute('data-count', '1');
	await expect(page.getByTestId('refusal')).toHaveCount(0);

	// The organizer (who created the event on the laptop) resets the PIN: it no longer opens the door.
	await page.getByRole('button', { name: "Reset Ana's PIN" }).click();
	await expect(page.getByText("Ana's PIN was reset.")).toBeVisible();
	const tablet = await (await browser.newContext()).newPage();
	await tablet.goto(url);
	await expect(tablet.getByRole('button', { name: "Reset Ana's PIN" })).toHaveCount(0);
	await tablet.getByRole('button', { name: "I've been here before" }).click();
	await tablet.getByLabel('Your name').selectOption({ label: 'Ana' });
	await tablet.getByLabel('PIN').fill('482913');
	await tablet.getByRole('button', { name: 'Continue' }).click();
	await expect(tablet.getByRole('alert')).toHaveText('This person has not set a PIN. Ask the organizer, or join anew.');
});

test('the organizer renames and removes a member and closes joining; everyone sees it live', async ({
	browser,
	page,
	app
}) => {
	const url = await createEvent(page, app, EVENT);
	await join(page, 'Olga');
	const ben = await (await browser.newContext()).newPage();
	await ben.goto(url);
	await join(ben, 'Ben');
	await drag(ben, '2026-12-01T09:00Z', '2026-12-01T09:30Z');
	await expect(heatCell(page, '2026-12-01T09:30Z')).toHaveAttribute('data-count', '1');
	// Only the organizer's device has the tools.
	await expect(ben.getByTestId('organizer')).toHaveCount(0);
	const tools = page.getByTestId('organizer');

	await tools.getByRole('listitem').filter({ hasText: 'Ben' }).getByRole('button', { name: 'Rename' }).click();
	await tools.getByLabel('New name for Ben').fill('Benjamin');
	await tools.getByRole('button', { name: 'Save' }).click();
	await expect(ben.getByText('You are Benjamin')).toBeVisible();

	await tools.getByRole('button', { name: 'Remove Benjamin' }).click();
	await expect(tools.getByText('Remove Benjamin and all their answers?')).toBeVisible();
	await tools.getByRole('button', { name: 'Yes, remove' }).click();
	await expect(heatCell(page, '2026-12-01T09:30Z')).toHaveAttribute('data-count', '0');
	await expect(heatCell(ben, '2026-12-01T09:30Z')).toHaveAttribute('data-count', '0');
	await expect(ben.getByLabel('Name')).toBeVisible();
	// Ben is told why he is asked for his name again.
	await expect(ben.getByTestId('removed-notice')).toContainText('The organizer removed you');
	await expect(ben.getByTestId('refusal')).toHaveCount(0);

	await tools.getByLabel('Closed to new people').check();
	const late = await (await browser.newContext()).newPage();
	await late.goto(url);
	await expect(late.getByTestId('locked')).toBeVisible();
	await expect(ben.getByTestId('locked')).toBeVisible();
	await expect(page.getByTestId('refusal')).toHaveCount(0);
});

test('an event made by a newer Moim asks for the update, in both languages, instead of an empty grid', async ({
	browser,
	page,
	app,
	relay
}) => {
	const url = await createEvent(page, app, EVENT);
	await join(page, 'Olga');
	await drag(page, '2026-12-01T09:00Z', '2026-12-01T09:30Z');
	await syncState(page, 'synced');
	const id = eventIdOf(url);

	// A newer version of the app marks its events with a schema version above what this one reads (settings.ts).
	const organizer = await organizerClient(page, relay.process.wsUrl, id);
	try {
		eventMap(organizer.doc).set('v', READ_SCHEMA_VERSION + 1);
	} finally {
		organizer.destroy();
	}

	// Live, on the page already open: no grid to paint into a layout this version does not know.
	const gate = page.getByTestId('needs-newer-app');
	await expect(gate.getByRole('heading')).toHaveText('This event needs a newer Moim');
	await expect(myCell(page, '2026-12-01T09:00Z')).toHaveCount(0);
	await expect(heatCell(page, '2026-12-01T09:00Z')).toHaveCount(0);
	// Nothing newer is published here, and the page says so.
	await gate.getByRole('button', { name: 'Update Moim' }).click();
	await expect(gate.getByRole('status')).toHaveText(
		"No newer version could be found right now. Try again when you're online."
	);

	// Someone opening the link for the first time, in Korean: no join form either.
	const minji = await (
		await browser.newContext({ locale: 'ko-KR', viewport: { width: 360, height: 800 }, hasTouch: true, isMobile: true })
	).newPage();
	await minji.goto(url);
	await expect(minji.getByTestId('needs-newer-app').getByRole('heading')).toHaveText(
		'새 버전의 모임이 필요한 일정이에요'
	);
	await expect(minji.getByRole('button', { name: '모임 업데이트' })).toBeVisible();
	await expect(minji.getByLabel('이름')).toHaveCount(0);
	await minji.screenshot({ path: test.info().outputPath('needs-newer-app-ko-360.png') });
});

test('a new event is private (v4): sealed logs at the relay, no title or names there; the sync URL says v=4', async ({
	page,
	app,
	browser,
	relay
}) => {
	const sockets: string[] = [];
	page.on('websocket', (ws) => sockets.push(ws.url()));
	const url = await createEvent(page, app, EVENT);
	await join(page, 'Olga');
	await drag(page, '2026-12-01T09:00Z', '2026-12-01T09:30Z');
	await syncState(page, 'synced');
	const id = eventIdOf(url);
	expect(sockets).toContain(`${relay.process.wsUrl}/${id}?v=${READ_SCHEMA_VERSION}`);
	expect(READ_SCHEMA_VERSION).toBe(SEALED_SCHEMA_VERSION);

	const ben = await (await browser.newContext()).newPage();
	await ben.goto(url);
	await join(ben, 'Ben');
	await drag(ben, '2026-12-01T09:30Z', '2026-12-01T10:00Z');
	await syncState(ben, 'synced');
	for (const p of [page, ben]) {
		await expect(heatCell(p, '2026-12-01T09:00Z')).toHaveAttribute('data-count', '1');
		await expect(heatCell(p, '2026-12-01T09:30Z')).toHaveAttribute('data-count', '2');
		await expect(heatCell(p, '2026-12-01T10:00Z')).toHaveAttribute('data-count', '1');
	}
	await expect(page.getByTestId('needs-newer-app')).toHaveCount(0);

	// At the relay: a v4 event whose members' entries are logs, with nothing readable in them.
	const reader = stockClient(relay.process.wsUrl, id);
	try {
		await until(() => reader.provider.synced && membersMap(reader.doc).size === 2, 'reader synced');
		expect(eventMap(reader.doc).get('v')).toBe(SEALED_SCHEMA_VERSION);
		for (const memberId of membersMap(reader.doc).keys())
			expect(availabilityMap(reader.doc).get(memberId)).toBeInstanceOf(Y.Text);
		const stored = Buffer.from(Y.encodeStateAsUpdate(reader.doc)).toString('latin1');
		// (Long enough that random sealed bytes cannot spell them by chance.)
		for (const secret of ['Guarded', 'Olga', '2026-12-01']) expect(stored).not.toContain(secret);
		// With the key from the link, the same bytes read as the event.
		const cipher = await cipherFor(url);
		readSealedMembers(reader.doc, cipher);
		await cipher.settled();
		expect([...readSealedMembers(reader.doc, cipher).values()].map((m) => (m as { name: string }).name).sort()).toEqual(
			['Ben', 'Olga']
		);
	} finally {
		reader.destroy();
	}
});

test('a long log of mine is compacted when I open the event again, and the marks stay', async ({
	page,
	app,
	relay
}) => {
	const url = await createEvent(page, app, EVENT);
	await join(page, 'Olga');
	const cells = myGrid(page).locator('[tabindex="0"]');
	await cells.focus();
	// 71 strokes on one block (each Space toggles it): a log of 71 records, the block left marked.
	for (let i = 0; i < 71; i++) await page.keyboard.press('Space');
	await expect(myCell(page, '2026-12-01T09:00Z')).toHaveAttribute('aria-selected', 'true');
	await syncState(page, 'synced');
	const id = eventIdOf(url);
	const reader = stockClient(relay.process.wsUrl, id);
	try {
		await until(() => reader.provider.synced && membersMap(reader.doc).size === 1, 'reader synced');
		const [olga] = [...membersMap(reader.doc).keys()];
		const log = () => availabilityMap(reader.doc).get(olga) as Y.Text;
		const frames = () => splitFrames(log().toString()).frames.length;
		await until(() => frames() === 71, 'all 71 strokes at the relay');

		await page.reload();
		await expect(myCell(page, '2026-12-01T09:00Z')).toHaveAttribute('aria-selected', 'true');
		// The event page folded the log on open; the relay took it and passed it on.
		await until(() => frames() === 1, 'the compacted log at the relay', 20_000);
		const cipher = await cipherFor(url);
		const marks = () => {
			readSealedLog(reader.doc, cipher, olga);
			return readSealedMarks(reader.doc, cipher, olga);
		};
		await until(() => marks().size === 2, 'the folded log opened');
		expect(marks()).toEqual(
			new Map([
				['2026-12-01T09:00Z', 1],
				['2026-12-01T09:15Z', 1]
			])
		);
		await syncState(page, 'synced');
		await expect(page.getByTestId('refusal')).toHaveCount(0);
		// Painting goes on after it.
		await cells.focus();
		await page.keyboard.press('Space');
		await expect(myCell(page, '2026-12-01T09:00Z')).toHaveAttribute('aria-selected', 'false');
		await until(() => !marks().has('2026-12-01T09:00Z'), 'the clear at the relay');
	} finally {
		reader.destroy();
	}
});
