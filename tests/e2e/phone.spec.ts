/** Phone widths: the create form and the organizer's edit form fit the screen, nothing scrolls sideways. */
import type { Page } from '@playwright/test';
import { createEvent, expect, test } from './fixtures.js';

/** How far the page is wider than the screen (0 when it fits). */
const overflow = (page: Page) =>
	page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

for (const width of [320, 360, 390]) {
	test.describe(`at ${width} px`, () => {
		test.use({ viewport: { width, height: 800 }, hasTouch: true, isMobile: true });

		test('the home page, the create form and the edit form fit the screen, with a whole week of days', async ({
			page,
			app
		}) => {
			await page.goto(app);
			await expect(page.getByRole('button', { name: 'Next month' })).toBeInViewport();
			expect(await overflow(page)).toBe(0);

			const url = await createEvent(page, app, 'title=Phone&dates=2026-12-06&from=09:00&to=12:00&slot=30&tz=UTC');
			await page.goto(`${app}/new?title=Phone&dates=2026-12-06&from=09:00&to=12:00&slot=30&tz=UTC`);
			// Sunday is the last column: it must be on screen, and so must the next-month arrow.
			await expect(page.getByRole('button', { name: 'Next month' })).toBeInViewport();
			await expect(page.locator('[data-date="2026-12-06"]')).toBeInViewport();
			expect(await overflow(page)).toBe(0);

			await page.goto(url);
			await expect(page.getByLabel('Name')).toBeVisible();
			expect(await overflow(page)).toBe(0);
			await page.getByRole('button', { name: 'Edit event' }).click();
			await expect(page.getByRole('button', { name: 'Next month' })).toBeVisible();
			expect(await overflow(page)).toBe(0);
			await page.screenshot({ path: test.info().outputPath('edit-form.png'), fullPage: true });
		});
	});
}
