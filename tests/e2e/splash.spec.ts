/**
 * What a phone shows while the app's code is still downloading (src/app.html):
 * Moim's header and a loading line in the person's language, painted before
 * any of the app's code has run (first contentful paint no longer waits for
 * the scripts), and gone, with nothing on the page shifting, once the app
 * has drawn the page.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.js';

/** SvelteKit's node 0 is always the root layout: the app draws nothing before it has it. */
const LAYOUT_JS = /\/_app\/immutable\/nodes\/0\.[^/]+\.js$/;

const COPY = {
	'en-US': { brand: 'Moim', loading: 'Loading…', heading: 'New event' },
	'ko-KR': { brand: '모임', loading: '불러오는 중…', heading: '새 일정' }
};

/** Layout shift accumulated from now on. */
async function watchShifts(page: Page) {
	await page.evaluate(() => {
		const w = window as unknown as { shift: number };
		w.shift = 0;
		new PerformanceObserver((list) => {
			for (const entry of list.getEntries()) w.shift += (entry as unknown as { value: number }).value;
		}).observe({ type: 'layout-shift' });
	});
	return () => page.evaluate(() => (window as unknown as { shift: number }).shift);
}

for (const [locale, copy] of Object.entries(COPY)) {
	test(`a first visit on a phone shows Moim before its code arrives, then the page (${locale})`, async ({
		browser,
		app
	}, testInfo) => {
		const context = await browser.newContext({
			serviceWorkers: 'block',
			locale,
			viewport: { width: 360, height: 740 },
			hasTouch: true,
			isMobile: true
		});
		const page = await context.newPage();
		let release = () => {};
		const held = new Promise<void>((resolve) => (release = resolve));
		await page.route(LAYOUT_JS, async (route) => {
			await held;
			await route.continue();
		});
		await page.goto(`${app}/new`, { waitUntil: 'domcontentloaded' });

		const splash = page.locator('#moim-splash');
		await expect(splash.locator('header')).toHaveText(copy.brand);
		await expect(splash.getByRole('status')).toHaveText(copy.loading);
		await expect(splash).toHaveAttribute('lang', locale.slice(0, 2));
		// Painted while the app's code is still held back.
		await expect.poll(() => page.evaluate(() => performance.getEntriesByName('first-contentful-paint').length)).toBe(1);
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
		await page.screenshot({ path: testInfo.outputPath(`splash-${locale}.png`) });

		const shift = await watchShifts(page);
		release();
		await expect(page.getByRole('heading', { name: copy.heading })).toBeVisible();
		await expect(splash).toBeHidden();
		await expect(page.locator('header.top')).toBeVisible();
		expect(await shift()).toBe(0);
		await context.close();
	});
}
