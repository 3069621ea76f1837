/**
 * The grid on a phone: a 14-day, 15-minute, 24-hour event scrolls inside its
 * own box (never the page sideways) with the day headers and times in view;
 * a tap marks one block at once and says so at the bottom of the screen; a
 * tapped heatmap block's details open where the finger is. In English and
 * Korean, at 360×800 and 390×844.
 */
import type { Browser, Page } from '@playwright/test';
import { createEvent, drag, expect, heatCell, join, myCell, myGrid, test } from './fixtures.js';

const DATES = Array.from({ length: 14 }, (_, i) => `2026-12-${String(i + 1).padStart(2, '0')}`);
const BIG = `title=Big&dates=${DATES.join(',')}&from=00:00&to=24:00&slot=15&tz=UTC`;

/** How far the page is wider than the screen (0 when it fits). */
const overflow = (page: Page) =>
	page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/** A phone in `locale` with the event open and joined as `name`. */
async function phone(browser: Browser, url: string, size: { width: number; height: number }, locale: string) {
	const context = await browser.newContext({ viewport: size, hasTouch: true, isMobile: true, locale });
	const page = await context.newPage();
	await page.goto(url);
	return page;
}

/** A cell of my grid, whatever the language. */
const paintCell = (page: Page, slot: string) => page.locator(`.paint [data-slot="${slot}"]`);

const COPY = {
	en: {
		name: 'Name',
		join: 'Join',
		marked: 'marked',
		closeDetails: 'Close details',
		undo: 'Undo',
		noAnswer: 'No answer yet'
	},
	ko: {
		name: '이름',
		join: '참여',
		marked: '표시했어요',
		closeDetails: '자세히 닫기',
		undo: '실행 취소',
		noAnswer: '아직 응답 안 함'
	}
} as const;

for (const size of [
	{ width: 360, height: 800 },
	{ width: 390, height: 844 }
]) {
	for (const lang of ['en', 'ko'] as const) {
		test(`${size.width}×${size.height} ${lang}: a big grid scrolls inside itself, headers stay, a tap marks and says so`, async ({
			browser,
			page,
			app
		}) => {
			// 1,344 blocks in each of two grids: slow on a busy machine, not stuck.
			test.setTimeout(180_000);
			const url = await createEvent(page, app, BIG);
			const p = await phone(browser, url, size, lang === 'ko' ? 'ko-KR' : 'en-US');
			const t = COPY[lang];
			await p.getByLabel(t.name, { exact: true }).fill('Jo');
			await p.getByRole('button', { name: t.join, exact: true }).click();
			await expect(paintCell(p, '2026-12-07T12:00Z')).toBeAttached();
			expect(await overflow(p)).toBe(0);

			// The first screen after joining shows the brush and the top of the grid.
			await p.evaluate(() => window.scrollTo(0, 0));
			await expect(p.locator('.brush')).toBeInViewport();
			await expect(paintCell(p, '2026-12-01T00:00Z')).toBeInViewport();
			const box = p.locator('.paint .wrap');

			// Mid-grid, down and to the right: the day headers and the time column are still in view.
			await box.evaluate((el) => el.scrollTo({ top: el.scrollHeight / 2, left: el.scrollWidth / 2 }));
			await box.scrollIntoViewIfNeeded();
			const headers = box.getByRole('columnheader');
			const dec7 = headers.nth(7);
			const timeLabel = box.getByRole('rowheader').filter({ hasText: '12:00' }).first();
			await expect(dec7).toBeInViewport();
			await expect(timeLabel).toBeInViewport();
			const head = (await dec7.boundingBox())!;
			const boxTop = (await box.boundingBox())!.y;
			expect(Math.abs(head.y - boxTop)).toBeLessThan(2);
			// Korean dates do not break in two ("12월 1 / 일").
			const lines = await headers
				.nth(1)
				.locator('small')
				.evaluate((el) => {
					const range = document.createRange();
					range.selectNodeContents(el);
					return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
				});
			expect(lines).toBe(1);

			// One tap marks one block at once, and the bar at the bottom of the screen says so.
			const cell = paintCell(p, '2026-12-07T12:00Z');
			await cell.scrollIntoViewIfNeeded();
			await cell.tap();
			await expect(cell).toHaveAttribute('data-mark', '1');
			const bar = p.getByTestId('tap-bar');
			await expect(bar).toBeInViewport();
			await expect(bar).toContainText(t.marked);
			const barBox = (await bar.boundingBox())!;
			expect(barBox.y + barBox.height).toBeLessThanOrEqual(size.height + 1);
			// The started block is clearly drawn.
			expect(await cell.evaluate((el) => getComputedStyle(el).boxShadow)).not.toBe('none');
			await p.screenshot({ path: test.info().outputPath(`phone-${size.width}-${lang}-tap.png`) });

			// A second tap on another block fills the range; one Undo takes both taps back.
			const end = paintCell(p, '2026-12-07T13:00Z');
			await end.scrollIntoViewIfNeeded();
			await end.tap();
			await expect(bar).toHaveCount(0);
			for (const s of ['2026-12-07T12:15Z', '2026-12-07T12:30Z', '2026-12-07T13:00Z'])
				await expect(paintCell(p, s)).toHaveAttribute('data-mark', '1');
			await p.getByRole('button', { name: t.undo, exact: true }).click();
			for (const s of ['2026-12-07T12:00Z', '2026-12-07T12:30Z', '2026-12-07T13:00Z'])
				await expect(paintCell(p, s)).toHaveAttribute('data-mark', '0');

			// A single tap toggles: on, then off again.
			await cell.scrollIntoViewIfNeeded();
			await cell.tap();
			await expect(cell).toHaveAttribute('data-mark', '1');
			await cell.tap();
			await expect(cell).toHaveAttribute('data-mark', '0');
			await expect(bar).toHaveCount(0);
			await cell.tap();
			await expect(cell).toHaveAttribute('data-mark', '1');
			await p.getByTestId('tap-bar').getByRole('button').click();
			await expect(bar).toHaveCount(0);

			// A heatmap block's details open over the bottom of the screen, with the block still in sight.
			const heat = heatCell(p, '2026-12-07T12:00Z');
			await heat.scrollIntoViewIfNeeded();
			await heat.tap();
			const details = p.getByTestId('slot-details');
			await expect(details).toBeInViewport({ ratio: 0.9 });
			await expect(p.getByTestId('slot-available')).toHaveText('Jo');
			await expect(heat).toBeInViewport();
			await p.screenshot({ path: test.info().outputPath(`phone-${size.width}-${lang}-details.png`) });
			await p.getByRole('button', { name: t.closeDetails }).click();
			await expect(p.getByRole('button', { name: t.closeDetails })).toHaveCount(0);
			expect(await overflow(p)).toBe(0);
			await p.context().close();
		});
	}
}

test('people who have not marked anything are "no answer yet", not counted against a time', async ({
	browser,
	page,
	app
}) => {
	const url = await createEvent(page, app, 'title=Lunch&dates=2026-12-01&from=11:00&to=13:00&slot=30&tz=UTC');
	await join(page, 'Ana');
	await drag(page, '2026-12-01T11:00Z', '2026-12-01T11:30Z');
	await expect(myCell(page, '2026-12-01T11:30Z')).toHaveAttribute('data-mark', '1');
	const ben = await (await browser.newContext()).newPage();
	await ben.goto(url);
	await join(ben, 'Ben');
	await expect(page.getByTestId('heatmap-pending')).toContainText('No answer yet (1): Ben');
	// Everyone who answered is free at 11:00: 1 of 1, and Ben is listed apart.
	await expect(heatCell(page, '2026-12-01T11:00Z')).toHaveAttribute('aria-label', /1 of 1 available/);
	await heatCell(page, '2026-12-01T11:00Z').hover();
	await expect(page.getByTestId('slot-unavailable')).toHaveText('Nobody');
	await expect(page.getByTestId('slot-pending')).toHaveText('Ben');
	await expect(page.getByTestId('best-time').first()).toContainText('1 of 1');
	// The legend says what the colours and stripes mean; "(you)" marks me among the people.
	await expect(page.getByTestId('heatmap-legend')).toContainText('Striped');
	await expect(page.getByTestId('people-filter').getByRole('button', { name: 'Ana (you)' })).toBeVisible();

	// Once Ben marks something, he has answered.
	await myCell(ben, '2026-12-01T12:00Z').click();
	await expect(page.getByTestId('heatmap-pending')).toHaveCount(0);
	await expect(heatCell(page, '2026-12-01T11:00Z')).toHaveAttribute('aria-label', /1 of 2 available/);
});

test('a drag that starts on a blank cell marks the event blocks it covers', async ({ browser, app }) => {
	// 06:00–08:00 in Seoul on Dec 1 is 21:00–23:00 on Nov 30 in UTC: the UTC day's other rows are blank.
	const seoul = await (await browser.newContext({ timezoneId: 'Asia/Seoul' })).newPage();
	const url = await createEvent(
		seoul,
		app,
		'title=Early&dates=2026-12-01,2026-12-02&from=06:00&to=10:00&slot=60&tz=Asia/Seoul'
	);
	const page = await (await browser.newContext({ timezoneId: 'UTC' })).newPage();
	await page.goto(url);
	await join(page, 'Uma');
	// Nov 30 has 21:00–24:00 only; its 00:00 row is blank.
	const blank = myGrid(page).getByRole('gridcell', { name: /November 30, 2026 00:00: Not part of this event/ });
	const a = (await blank.boundingBox())!;
	const b = (await myCell(page, '2026-12-01T00:00Z').boundingBox())!;
	await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
	await page.mouse.down();
	await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 6 });
	await page.mouse.up();
	await expect(myCell(page, '2026-12-01T00:00Z')).toHaveAttribute('data-mark', '1');
	// Dec 1 00:00 is covered; Nov 30's cells sit in other rows, outside the rectangle.
	await expect(myCell(page, '2026-11-30T21:00Z')).toHaveAttribute('data-mark', '0');
});

test('on a desktop, a 14-day grid keeps its sideways scrollbar within the screen', async ({ page, app }) => {
	await page.setViewportSize({ width: 1280, height: 800 });
	await createEvent(page, app, BIG);
	await join(page, 'Dee');
	const box = myGrid(page).locator('xpath=..');
	const height = await box.evaluate((el) => el.getBoundingClientRect().height);
	expect(height).toBeLessThanOrEqual(800);
	// Every day is reachable: the box scrolls sideways when the days don't fit, and its last day comes into view.
	await box.evaluate((el) => el.scrollTo({ left: el.scrollWidth }));
	await expect(myGrid(page).getByRole('columnheader').last()).toBeInViewport();
});

test('opening an event link on a phone moves nothing on the screen as the event arrives', async ({
	browser,
	page,
	app
}) => {
	const url = await createEvent(
		page,
		app,
		'title=Lunch&dates=2026-12-01,2026-12-02&from=09:00&to=18:00&slot=30&tz=UTC'
	);
	await join(page, 'Olga');
	await drag(page, '2026-12-01T09:00Z', '2026-12-01T10:00Z');
	// Lighthouse's phone, a first visit: "Opening…", then the event, the join form and the heatmap.
	const visitor = await (
		await browser.newContext({ viewport: { width: 412, height: 823 }, hasTouch: true, isMobile: true })
	).newPage();
	await visitor.addInitScript(() => {
		const shifts: { value: number; nodes: string[] }[] = [];
		(window as unknown as { shifts: typeof shifts }).shifts = shifts;
		new PerformanceObserver((list) => {
			for (const entry of list.getEntries() as (PerformanceEntry & {
				value: number;
				sources?: { node?: Node }[];
			})[])
				shifts.push({ value: entry.value, nodes: (entry.sources ?? []).map((s) => s.node?.nodeName ?? '?') });
		}).observe({ type: 'layout-shift', buffered: true });
	});
	await visitor.goto(url);
	await expect(visitor.getByLabel('Name')).toBeVisible();
	await expect(heatCell(visitor, '2026-12-01T09:00Z')).toHaveAttribute('data-count', '1');
	// What comes after the first screen (best times) has arrived too.
	await expect(visitor.getByTestId('best-times')).toBeVisible();
	// The footer used to move down past the arriving event (0.06 each time).
	expect(await visitor.evaluate(() => (window as unknown as { shifts: unknown[] }).shifts)).toEqual([]);
});
