/**
 * Code that cannot be downloaded: a page opened for the first time while
 * offline or with the relay down, before the service worker has cached the
 * app. Moim says what happened (never SvelteKit's bare "500 Internal
 * Error"), and opens the page by itself once its code can be had.
 */
import type { Browser, Page } from '@playwright/test';
import { expect, routeCode, syncState, test, EVENT_URL } from './fixtures.js';

const EVENT = 'title=Offline%20made&weekdays=6&from=10:00&to=11:00&slot=30&tz=UTC';
/** SvelteKit's node 0 is always the root layout. */
const LAYOUT_JS = /\/_app\/immutable\/nodes\/0\.[^/]+\.js$/;
/**
 * Retrying without an `online` event is by polling, at most 10 s apart
 * (PageUnavailable.svelte, src/app.html): one interval and a page load.
 */
const UNTIL_NEXT_TRY = { timeout: 30_000 };

/** A phone-sized page with no service worker, as on a first visit before it has cached the app. */
async function firstVisit(browser: Browser, locale = 'en-US'): Promise<Page> {
	const context = await browser.newContext({ serviceWorkers: 'block', locale, viewport: { width: 360, height: 740 } });
	return context.newPage();
}

/**
 * Resolves once the page has the code creating an event needs, which it
 * fetches ahead after the first paint: the script holding Yjs has arrived,
 * and then nothing more for a moment.
 */
async function creatingFetched(page: Page): Promise<void> {
	await page.waitForResponse(
		async (response) =>
			/\/_app\/immutable\/.+\.js$/.test(response.url()) && (await response.text()).includes('Yjs was already imported'),
		{ timeout: 30_000 }
	);
	await page.waitForLoadState('networkidle');
}

/** Nothing is wider than the screen. */
async function fitsWidth(page: Page) {
	expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
}

test('offline before the event page was ever loaded: Moim says so, "Try again" waits, and the page opens once online', async ({
	browser,
	app
}) => {
	const page = await firstVisit(browser);
	const code = routeCode('/e/[id]');
	// The event page's code never arrives before the connection drops.
	await page.route(code.js, (route) => route.abort('internetdisconnected'));
	const createCode = creatingFetched(page);
	await page.goto(`${app}/new?${EVENT}`);
	await expect(page.getByRole('button', { name: 'Create' })).toBeVisible();
	// What creating needs is fetched once the page is painted (first-download.spec.ts covers it missing).
	await createCode;
	await page.context().setOffline(true);
	await page.unroute(code.js);

	await page.getByRole('button', { name: 'Create' }).click();
	await page.waitForURL(EVENT_URL);
	const url = page.url();
	const unavailable = page.getByTestId('page-unavailable');
	await expect(unavailable.getByRole('heading', { name: "This page couldn't load" })).toBeVisible();
	await expect(unavailable).toContainText('The page will open by itself once the connection is back.');
	await expect(page.getByText('Internal Error')).toHaveCount(0);
	await fitsWidth(page);

	// Still offline: trying again says so and keeps this page (not the browser's own error page).
	await unavailable.getByRole('button', { name: 'Try again' }).click();
	await expect(unavailable.getByRole('status')).toHaveText("Still can't connect. Moim will keep trying.");

	await page.context().setOffline(false);
	await expect(page.getByRole('heading', { name: 'Offline made' })).toBeVisible();
	await expect(page.getByTestId('page-unavailable')).toHaveCount(0);
	expect(page.url()).toBe(url);
	await page.context().close();
});

test('the relay stops before the event page was loaded: Moim says so (in Korean here) and opens it once the relay is back', async ({
	browser,
	app,
	relay
}) => {
	const page = await firstVisit(browser, 'ko-KR');
	const code = routeCode('/e/[id]');
	// The event page's code is not fetched before the relay goes away.
	await page.route(code.js, (route) => route.abort('connectionrefused'));
	const createCode = creatingFetched(page);
	await page.goto(`${app}/new?${EVENT}`);
	await expect(page.getByRole('button', { name: '만들기' })).toBeVisible();
	await createCode;
	await relay.stop();
	await page.unroute(code.js);

	await page.getByRole('button', { name: '만들기' }).click();
	await page.waitForURL(EVENT_URL);
	const unavailable = page.getByTestId('page-unavailable');
	await expect(unavailable.getByRole('heading', { name: '페이지를 불러오지 못했어요' })).toBeVisible();
	await expect(unavailable).toContainText('연결이 돌아오면 페이지가 저절로 열려요.');
	await expect(page.getByText('Internal Error')).toHaveCount(0);

	// The browser stays online, so only Moim's own retries notice the relay is back.
	await relay.start();
	await expect(page.getByRole('heading', { name: 'Offline made' })).toBeVisible(UNTIL_NEXT_TRY);
	// The event, made while the relay was down, reaches it.
	await syncState(page, 'synced');
	await page.context().close();
});

test('a page stylesheet that failed to download is fetched again, so the page does not stay unstyled', async ({
	browser,
	app
}) => {
	const page = await firstVisit(browser);
	const code = routeCode('/e/[id]');
	let refused = 0;
	await page.route(code.css, (route) => {
		refused += 1;
		return route.abort('internetdisconnected');
	});
	await page.goto(`${app}/new?${EVENT}`);
	// The app fetches every page's code ahead of time; the event page's stylesheet fails.
	await expect.poll(() => refused).toBeGreaterThan(0);
	await page.unroute(code.css);

	await page.getByRole('button', { name: 'Create' }).click();
	await expect(page.getByRole('heading', { name: 'Offline made' })).toBeVisible();
	const styled = () =>
		page.evaluate(
			(source) => [...document.styleSheets].some((sheet) => sheet.href && new RegExp(source).test(sheet.href)),
			code.css.source
		);
	await expect.poll(styled, UNTIL_NEXT_TRY).toBe(true);
	await page.context().close();
});

test('when the app itself cannot start, the page in app.html says so in the browser language and recovers by itself', async ({
	browser,
	app
}) => {
	const page = await firstVisit(browser, 'ko-KR');
	await page.route(LAYOUT_JS, (route) => route.abort('internetdisconnected'));
	await page.goto(app);
	await expect(page.getByRole('heading', { name: '페이지를 불러오지 못했어요' })).toBeVisible();
	await expect(page.getByText('연결이 돌아오면 페이지가 저절로 열려요.')).toBeVisible();
	await expect(page.locator('html')).toHaveAttribute('lang', 'ko');
	await fitsWidth(page);

	await page.getByRole('button', { name: '다시 시도' }).click();
	await expect(page.getByRole('status')).toHaveText('아직 연결되지 않았어요. 계속 다시 시도할게요.');
	// SvelteKit has given up by now; its own error page, if it drew one, was covered again.
	await expect(page.getByText('Internal Error')).toHaveCount(0);
	await expect(page.getByRole('heading', { name: '페이지를 불러오지 못했어요' })).toBeVisible();

	await page.unroute(LAYOUT_JS);
	await expect(page.getByText('모두가 가능한 시간을 찾아요')).toBeVisible(UNTIL_NEXT_TRY);
	await page.context().close();
});
