/**
 * The home and create pages show what they are for without Yjs and the sync
 * code (issue 19: what a phone downloads first). Every script holding Yjs is
 * held back: the page must still be drawn and usable; once let through,
 * creating an event works as ever.
 */
import type { Page } from '@playwright/test';
import { EVENT_URL, expect, test } from './fixtures.js';

/** A string of Yjs's own source that survives minifying: the file holds Yjs. */
const YJS_MARK = 'Yjs was already imported';

/** Holds back every script of the app that holds Yjs until `release` is called; counts them. */
async function holdYjs(page: Page) {
	let release!: () => void;
	const held = new Promise<void>((resolve) => (release = resolve));
	const state = { held: 0, release };
	await page.route(/\/_app\/immutable\/.+\.js$/, async (route) => {
		const response = await route.fetch();
		const body = await response.text();
		if (body.includes(YJS_MARK)) {
			state.held++;
			await held;
		}
		await route.fulfill({ response, body });
	});
	return state;
}

for (const path of ['/', '/new?title=Held%20back&dates=2026-12-01&from=09:00&to=11:00&slot=30&tz=UTC']) {
	test(`${path.split('?')[0]} is drawn and filled in without Yjs; Create works once it arrives`, async ({
		browser,
		app
	}) => {
		const context = await browser.newContext({ serviceWorkers: 'block' });
		const page = await context.newPage();
		const yjs = await holdYjs(page);
		await page.goto(`${app}${path}`);
		const title = page.getByLabel('Title', { exact: true });
		await expect(title).toBeVisible();
		await title.fill('Dinner without waiting');
		// The home page's form starts without dates: any day of the month shown will do.
		if (path === '/')
			await page
				.getByRole('group', { name: 'Dates' })
				.getByRole('button', { name: /, \d{4}$/, disabled: false })
				.first()
				.click();
		await expect(page.getByRole('button', { name: 'Create' })).toBeEnabled();
		// Fetched ahead once the page was painted (for Create, and other pages' code), and held here.
		await expect.poll(() => yjs.held).toBeGreaterThan(0);
		// Pressed before it has arrived: Create waits for it, and goes ahead once it lands.
		await page.getByRole('button', { name: 'Create' }).click();
		await expect(page.getByRole('button', { name: 'Creating…' })).toBeDisabled();
		yjs.release();
		await page.waitForURL(EVENT_URL);
		await expect(page.getByRole('heading', { name: 'Dinner without waiting' })).toBeVisible();
		await context.close();
	});
}

test('offline before what Create needs has arrived: it says so by the button, and creates once it can', async ({
	browser,
	app
}) => {
	const context = await browser.newContext({
		serviceWorkers: 'block',
		locale: 'ko-KR',
		viewport: { width: 360, height: 740 }
	});
	const page = await context.newPage();
	// The connection drops before any script with Yjs arrives (the code fetched ahead for Create).
	let cut = 0;
	await page.route(/\/_app\/immutable\/.+\.js$/, async (route) => {
		const response = await route.fetch();
		const body = await response.text();
		if (!body.includes(YJS_MARK)) return route.fulfill({ response, body });
		cut++;
		await route.abort('internetdisconnected');
	});
	await page.goto(`${app}/new?title=Offline&dates=2026-12-01&from=09:00&to=11:00&slot=30&tz=UTC`);
	const create = page.getByRole('button', { name: '만들기' });
	await expect(create).toBeEnabled();
	await expect.poll(() => cut).toBeGreaterThan(0);
	await create.click();
	const missing = page.getByTestId('create-code-missing');
	await expect(missing).toHaveText(
		'일정을 만드는 데 필요한 파일을 불러오지 못했어요. 연결을 확인한 뒤 ‘만들기’를 다시 눌러 주세요. 입력한 내용은 그대로 남아 있어요.'
	);
	// Shown where the finger is: just above the button, within the screen.
	const [box, button] = [await missing.boundingBox(), await create.boundingBox()];
	expect(button!.y - (box!.y + box!.height)).toBeLessThan(40);
	expect(box!.x + box!.width).toBeLessThanOrEqual(360);
	await expect(page.getByLabel('제목', { exact: true })).toHaveValue('Offline');
	// The connection is back.
	await page.unroute(/\/_app\/immutable\/.+\.js$/);
	await create.click();
	await page.waitForURL(EVENT_URL);
	await expect(page.getByRole('heading', { name: 'Offline' })).toBeVisible();
	await context.close();
});
