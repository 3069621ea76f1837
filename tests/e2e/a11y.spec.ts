/** Accessibility: axe-core finds no serious or critical violations on the main pages; the app works by keyboard alone. */
import type { Page } from '@playwright/test';
import { createEvent, expect, join, myCell, seriousViolations, test } from './fixtures.js';

test('home, create and event pages have no serious or critical axe violations, light and dark', async ({
	page,
	app
}) => {
	for (const colorScheme of ['light', 'dark'] as const) {
		await page.emulateMedia({ colorScheme });
		await page.goto(app);
		await expect(page.getByRole('heading', { name: 'New event' })).toBeVisible();
		expect(await seriousViolations(page), `home (${colorScheme})`).toEqual([]);
		await page.goto(`${app}/new?title=Axe&dates=2026-12-01&from=09:00&to=11:00&slot=30&tz=UTC`);
		await expect(page.getByLabel('Title')).toHaveValue('Axe');
		expect(await seriousViolations(page), `create (${colorScheme})`).toEqual([]);
	}
	await page.emulateMedia({ colorScheme: 'light' });
	await createEvent(page, app, 'title=Axe&dates=2026-12-01&from=09:00&to=11:00&slot=30&tz=UTC');
	await expect(page.getByLabel('Name')).toBeVisible();
	expect(await seriousViolations(page), 'event, before joining').toEqual([]);
	await join(page, 'Ana');
	await myCell(page, '2026-12-01T09:30Z').click();
	expect(await seriousViolations(page), 'event, joined').toEqual([]);
	await page.emulateMedia({ colorScheme: 'dark' });
	expect(await seriousViolations(page), 'event, joined, dark').toEqual([]);
});

test('my week, its dialog and the filled-in home list have no serious or critical axe violations, light and dark', async ({
	page,
	app
}) => {
	await page.goto(`${app}/week`);
	await page.getByRole('button', { name: '+ Add to my week' }).click();
	const dialog = page.getByTestId('routine-dialog');
	await dialog.getByRole('button', { name: 'Save' }).click();
	await expect(dialog.getByRole('alert')).toBeVisible();
	expect(await seriousViolations(page), 'routine dialog, refused').toEqual([]);
	await dialog.getByLabel('What is it?').fill('Axe practice');
	const range = dialog.getByRole('group', { name: 'Time range 1' });
	await range.getByLabel('From').selectOption({ label: '14:00' });
	await range.getByLabel('To').selectOption({ label: '16:00' });
	for (const day of ['Monday', 'Wednesday']) await range.getByLabel(day).check();
	expect(await seriousViolations(page), 'routine dialog').toEqual([]);
	await dialog.getByRole('button', { name: 'Save' }).click();
	await expect(dialog).toBeHidden();
	await page.getByTestId('week-block').first().click();
	await expect(page.getByTestId('week-block-details')).toBeVisible();
	await page.getByTestId('week-sync').getByRole('button', { name: 'Turn on' }).click();
	for (const colorScheme of ['light', 'dark'] as const) {
		await page.emulateMedia({ colorScheme });
		expect(await seriousViolations(page), `my week (${colorScheme})`).toEqual([]);
	}
	await page.emulateMedia({ colorScheme: 'light' });
	await createEvent(page, app, 'title=Axe&weekdays=1,3&from=13:00&to=17:00&slot=60&tz=UTC');
	await join(page, 'Ana');
	await page.getByRole('button', { name: 'Fill from my week' }).click();
	expect(await seriousViolations(page), 'event with a fill preview').toEqual([]);
	await page.goto(app);
	expect(await seriousViolations(page), 'home with events and my week').toEqual([]);
});

/** Presses Tab until `target` has focus (keyboard only, no clicks). */
async function tabTo(page: Page, target: ReturnType<Page['locator']>, limit = 80) {
	for (let i = 0; i < limit; i++) {
		if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
		await page.keyboard.press('Tab');
	}
	throw new Error('could not reach the element with Tab');
}

test('by keyboard alone: create an event, join, mark a range and read the best time', async ({ page, app }) => {
	await page.goto(`${app}/new?dates=2026-12-01&from=09:00&to=11:00&slot=30&tz=UTC`);
	await tabTo(page, page.getByLabel('Title'));
	await page.keyboard.type('Keyboard only');
	await page.keyboard.press('Enter');
	await page.waitForURL(/\/e\//);

	await tabTo(page, page.getByLabel('Name'));
	await page.keyboard.type('Kim');
	await page.keyboard.press('Enter');
	const grid = page.getByRole('grid', { name: /^Your availability/ });
	await expect(grid).toBeVisible();

	// Into the grid (one tab stop), down one block, select three blocks, mark them.
	await tabTo(page, grid.locator('[role="gridcell"][tabindex="0"]'));
	await page.keyboard.press('ArrowDown');
	await page.keyboard.press('Shift+ArrowDown');
	await page.keyboard.press('Shift+ArrowDown');
	await page.keyboard.press('Space');
	for (const slot of ['2026-12-01T09:30Z', '2026-12-01T10:00Z', '2026-12-01T10:30Z'])
		await expect(myCell(page, slot)).toHaveAttribute('aria-selected', 'true');

	// The best time, reached by keyboard: its summary opens the people.
	const best = page.getByTestId('best-time').first();
	await expect(best).toContainText('09:30 – 11:00');
	await tabTo(page, best.locator('summary'));
	await page.keyboard.press('Enter');
	await expect(best.getByText('Available: Kim')).toBeVisible();
});
