/**
 * Phone widths: every page fits the screen (nothing scrolls sideways), even
 * with a 14-day, 15-minute event, and every control is a 44 px target.
 */
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

/**
 * Visible controls smaller than a fingertip (44 px). A checkbox or radio
 * counts through its label; calendar days share a phone's width (7 × 44 px
 * does not fit 360 px), so only their height is held to 44.
 */
const smallTargets = (page: Page) =>
	page.evaluate(() =>
		[...document.querySelectorAll<HTMLElement>('button, a[href], select, input, summary, [role="option"]')]
			.map((el) => {
				const target = el.matches('input[type="checkbox"], input[type="radio"]') ? el.closest('label') : el;
				const r = (target ?? el).getBoundingClientRect();
				return { el, r };
			})
			.filter(({ el, r }) => r.width > 2 && r.height > 2 && getComputedStyle(el).visibility !== 'hidden')
			.filter(({ el, r }) => r.height < 43.5 || (r.width < 43.5 && !el.classList.contains('day')))
			.map(
				({ el, r }) =>
					`${el.tagName} "${(el.textContent || el.getAttribute('aria-label') || '').trim()}" ${Math.round(r.width)}×${Math.round(r.height)}`
			)
	);

const DATES = Array.from({ length: 14 }, (_, i) => `2026-12-${String(i + 1).padStart(2, '0')}`);

for (const size of [
	{ width: 360, height: 800 },
	{ width: 390, height: 844 }
]) {
	for (const locale of ['en-US', 'ko-KR']) {
		test(`${size.width}×${size.height} ${locale}: no page scrolls sideways, every control is a 44 px target`, async ({
			browser,
			page,
			app
		}) => {
			test.setTimeout(120_000);
			const url = await createEvent(
				page,
				app,
				`title=Fortnight&dates=${DATES.join(',')}&from=00:00&to=24:00&slot=15&tz=UTC`
			);
			const context = await browser.newContext({ viewport: size, hasTouch: true, isMobile: true, locale });
			const phone = await context.newPage();
			const check = async (what: string) => {
				expect(await overflow(phone), `${what}: sideways overflow`).toBe(0);
				expect(await smallTargets(phone), `${what}: small targets`).toEqual([]);
			};
			await phone.goto(url);
			await expect(phone.getByRole('heading', { level: 1 })).toHaveText('Fortnight');
			await check('event page, not joined');
			await phone.locator('#join-name').fill('Jo');
			await phone.keyboard.press('Enter');
			await expect(phone.locator('.paint [data-slot="2026-12-14T23:45Z"]')).toBeAttached();
			await check('event page, joined');
			await phone.goto(app);
			await expect(phone.getByRole('link', { name: 'Fortnight' })).toBeVisible();
			await check('home');
			await phone.goto(`${app}/new`);
			await expect(phone.locator('#field-title')).toBeVisible();
			await check('create');
			await phone.goto(`${app}/week`);
			await expect(phone.getByRole('heading', { level: 1 })).toBeVisible();
			await check('my week');
			await context.close();
		});
	}
}

test("the organizer's tools on a 360 px phone: no sideways scrolling, every control a 44 px target", async ({
	browser,
	app
}) => {
	const context = await browser.newContext({ viewport: { width: 360, height: 800 }, hasTouch: true, isMobile: true });
	const phone = await context.newPage();
	const url = await createEvent(phone, app, 'title=Mine&dates=2026-12-07&from=18:00&to=20:00&slot=30&tz=UTC');
	const guest = await (await browser.newContext()).newPage();
	await guest.goto(url);
	await guest.locator('#join-name').fill('Alexandra Longname');
	await guest.keyboard.press('Enter');
	const tools = phone.getByTestId('organizer');
	await expect(tools).toContainText('Alexandra Longname');
	await tools.getByRole('button', { name: 'Remove Alexandra Longname' }).click();
	await tools.getByRole('button', { name: 'Delete event for everyone' }).click();
	await tools.getByRole('button', { name: 'Edit event' }).click();
	await expect(tools.locator('#field-title')).toBeVisible();
	expect(await overflow(phone)).toBe(0);
	expect(await smallTargets(phone)).toEqual([]);
	await context.close();
});
