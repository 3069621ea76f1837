/** The organizer's edits after creation, and finalizing a time. */
import { createEvent, drag, expect, heatCell, join, myCell, test } from './fixtures.js';

const EVENT = 'title=Planning&dates=2026-12-01,2026-12-02&from=09:00&to=12:00&slot=30&tz=UTC';

test('editing the window and days hides marks outside and brings them back when widened again, live for others', async ({
	browser,
	page,
	app
}) => {
	const url = await createEvent(page, app, EVENT);
	const ben = await (await browser.newContext()).newPage();
	await ben.goto(url);
	await join(ben, 'Ben');
	await drag(ben, '2026-12-01T10:30Z', '2026-12-01T11:30Z');
	await myCell(ben, '2026-12-02T09:00Z').click();
	await expect(heatCell(page, '2026-12-01T11:30Z')).toHaveAttribute('data-count', '1');

	const tools = page.getByTestId('organizer');
	await tools.getByRole('button', { name: 'Edit event' }).click();
	await tools.getByLabel('Title').fill('Planning, round 2');
	await tools.getByLabel('To', { exact: true }).selectOption({ label: '11:00' });
	await tools.locator('[data-date="2026-12-02"]').click();
	await tools.getByRole('button', { name: 'Save changes' }).click();
	await expect(tools.getByRole('status')).toHaveText('Changes saved.');

	for (const p of [page, ben]) {
		await expect(p.getByRole('heading', { level: 1 })).toHaveText('Planning, round 2');
		await expect(heatCell(p, '2026-12-01T10:30Z')).toHaveAttribute('data-count', '1');
		await expect(heatCell(p, '2026-12-01T11:00Z')).toHaveCount(0);
		await expect(heatCell(p, '2026-12-02T09:00Z')).toHaveCount(0);
	}
	await expect(myCell(ben, '2026-12-01T11:30Z')).toHaveCount(0);

	await tools.getByRole('button', { name: 'Edit event' }).click();
	await tools.getByLabel('To', { exact: true }).selectOption({ label: '12:00' });
	await tools.locator('[data-date="2026-12-02"]').click();
	await tools.getByRole('button', { name: 'Save changes' }).click();
	for (const p of [page, ben]) {
		await expect(heatCell(p, '2026-12-01T11:30Z')).toHaveAttribute('data-count', '1');
		await expect(heatCell(p, '2026-12-02T09:00Z')).toHaveAttribute('data-count', '1');
	}
	await expect(myCell(ben, '2026-12-01T11:30Z')).toHaveAttribute('data-mark', '1');
	// Only the organizer's device can edit.
	await expect(ben.getByRole('button', { name: 'Edit event' })).toHaveCount(0);
});

test('finalize from best times: everyone sees the decision; .ics, Google Calendar link and summary carry it', async ({
	browser,
	page,
	app
}) => {
	await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
	const url = await createEvent(
		page,
		app,
		'title=Team dinner&dates=2026-12-01&from=09:00&to=12:00&slot=30&tz=Asia/Seoul'
	);
	await join(page, 'Olga');
	// 10:00–11:00 in Seoul = 01:00–02:00Z; the browsers run in UTC, so they show it as 01:00–02:00.
	await drag(page, '2026-12-01T01:00Z', '2026-12-01T01:30Z');
	const ben = await (await browser.newContext()).newPage();
	await ben.goto(url);
	await join(ben, 'Ben');
	await drag(ben, '2026-12-01T00:30Z', '2026-12-01T01:30Z');
	await expect(page.getByTestId('best-time').first()).toContainText('01:00 – 02:00');
	// Only the organizer can decide.
	await expect(ben.getByRole('button', { name: /^Decide on this time/ })).toHaveCount(0);

	await page.getByRole('button', { name: 'Decide on this time: Tue, Dec 1, 01:00 – 02:00' }).click();
	for (const p of [page, ben]) {
		await expect(p.getByTestId('decision-when')).toHaveText('Tue, Dec 1, 01:00 – 02:00');
		await expect(p.getByTestId('decision')).toContainText('Available: Olga, Ben');
	}

	const download = ben.waitForEvent('download');
	await ben.getByRole('button', { name: 'Download .ics' }).click();
	const file = await download;
	expect(file.suggestedFilename()).toBe('Team dinner.ics');
	const ics = await (await import('node:fs/promises')).readFile((await file.path())!, 'utf8');
	expect(ics).toContain('SUMMARY:Team dinner');
	expect(ics).toContain('DTSTART:20261201T010000Z');
	expect(ics).toContain('DTEND:20261201T020000Z');
	// Long lines are folded (RFC 5545): the link with its key is one line once unfolded.
	expect(ics.replace(/\r\n /g, '')).toContain(`URL:${url}`);
	expect(ics.replace(/\r\n /g, '')).toContain('DESCRIPTION:Available: Olga\\, Ben');

	const google = new URL((await ben.getByRole('link', { name: 'Add to Google Calendar' }).getAttribute('href'))!);
	expect(google.searchParams.get('dates')).toBe('20261201T010000Z/20261201T020000Z');
	expect(google.searchParams.get('text')).toBe('Team dinner');
	// Google gets the title and the time of a private event, not who comes nor its key.
	expect(google.searchParams.get('details') ?? '').not.toMatch(/Olga|Ben/);
	expect(google.href).not.toContain(url.split('#')[1]);

	await page.getByRole('button', { name: 'Copy summary' }).click();
	await expect(page.getByText('Summary copied')).toBeVisible();
	const summary = await page.evaluate(() => navigator.clipboard.readText());
	// The summary is for sending to others: in the event's own zone, named.
	expect(summary).toBe(
		['Team dinner', 'Tue, Dec 1, 10:00 – 11:00 (Asia/Seoul)', 'Available: Olga, Ben', url].join('\n')
	);

	// Decide again from the grid instead: the block at 00:30Z, for 90 minutes; then take it back.
	await page.getByTestId('heatmap').locator('[data-slot="2026-12-01T00:30Z"]').click();
	const fromGrid = page.getByTestId('decide-from-grid');
	await fromGrid.getByRole('combobox').selectOption({ label: '1 h 30 min' });
	await fromGrid.getByRole('button', { name: 'Decide on this time' }).click();
	await expect(ben.getByTestId('decision-when')).toHaveText('Tue, Dec 1, 00:30 – 02:00');
	await expect(ben.getByTestId('decision')).toContainText('Available: Ben');
	await expect(ben.getByTestId('decision')).toContainText('Not available: Olga');
	await page.getByRole('button', { name: 'Take back decision' }).click();
	await expect(ben.getByTestId('decision')).toHaveCount(0);
});
