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
