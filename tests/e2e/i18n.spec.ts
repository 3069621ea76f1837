/** Korean and English: chosen from the browser's languages, switchable, with dates formatted in the chosen language. */
import type { Page } from '@playwright/test';
import { expect, seriousViolations, test } from './fixtures.js';

test('a Korean browser gets Korean: words, dates and times; axe finds nothing serious on home, create and event pages', async ({
	browser,
	app
}) => {
	const page = await (await browser.newContext({ locale: 'ko-KR', timezoneId: 'Asia/Seoul' })).newPage();
	await page.goto(app);
	await expect(page.locator('html')).toHaveAttribute('lang', 'ko');
	await expect(page.getByText('모두가 가능한 시간을 찾아요')).toBeVisible();
	expect(await seriousViolations(page), 'home (ko)').toEqual([]);

	await page.goto(`${app}/new?title=스터디&dates=2026-12-01&from=10:00&to=12:00&slot=30&tz=Asia/Seoul`);
	await expect(page.getByLabel('제목')).toHaveValue('스터디');
	expect(await seriousViolations(page), 'create (ko)').toEqual([]);
	await page.getByRole('button', { name: '만들기' }).click();
	await page.waitForURL(/\/e\//);
	await page.getByLabel('이름').fill('민지');
	await page.getByRole('button', { name: '참여' }).click();
	await expect(page.getByRole('heading', { name: '내 가능 시간' })).toBeVisible();
	const myCell = (p: Page, slot: string) =>
		p.getByRole('grid', { name: /^내 가능 시간/ }).locator(`[data-slot="${slot}"]`);
	// The column header and cell labels are Korean dates.
	await expect(myCell(page, '2026-12-01T01:00Z')).toHaveAttribute('aria-label', '2026년 12월 1일 화요일 10:00');
	await myCell(page, '2026-12-01T01:00Z').click();
	await myCell(page, '2026-12-01T01:30Z').click();
	await expect(page.getByTestId('best-time').first()).toContainText('1명 중 1명 가능');
	await expect(page.getByTestId('best-time').first()).toContainText('12월 1일 (화) 10:00 ~ 11:00');
	expect(await seriousViolations(page), 'event (ko)').toEqual([]);
	await page.getByRole('button', { name: /^이 시간으로 확정/ }).click();
	await expect(page.getByTestId('decision')).toContainText('확정');
	expect(await seriousViolations(page), 'event with a decision (ko)').toEqual([]);
});

test('the language switch changes every word, remembers the choice, and switches back', async ({ page, app }) => {
	await page.goto(app);
	await expect(page.getByRole('heading', { name: 'New event' })).toBeVisible();
	await page.getByLabel('Language').selectOption('ko');
	await expect(page.getByRole('heading', { name: '새 일정' })).toBeVisible();
	await expect(page.locator('html')).toHaveAttribute('lang', 'ko');
	await expect(page.getByLabel('테마')).toBeVisible();
	// Remembered on this device: a new visit opens in Korean.
	await page.goto(`${app}/new`);
	await expect(page.getByRole('button', { name: '만들기' })).toBeVisible();
	await expect(page.getByLabel('제목')).toBeVisible();
	await page.getByLabel('언어').selectOption('en');
	await expect(page.getByRole('button', { name: 'Create' })).toBeVisible();
	await expect(page.locator('html')).toHaveAttribute('lang', 'en');
});
