/**
 * The create form on a phone (360 × 800, touch), in English and Korean: a refused Create always says why
 * where it can be seen and takes the person there; limits are shown before they bite; control characters
 * never get into a title or a name; past days are out of reach; a zone is found by searching.
 */
import type { Locator, Page } from '@playwright/test';
import { createEvent, expect, test } from './fixtures.js';

const phone = { viewport: { width: 360, height: 800 }, hasTouch: true, isMobile: true };
const BOTH_LISTS = 'title=Study&dates=2026-12-02&weekdays=9,x&from=09:00&to=12:00&slot=30&tz=UTC';

/** Pastes `text` into `field` as the system clipboard would (a paste event carrying it). */
async function paste(field: Locator, text: string) {
	await field.focus();
	await field.evaluate((el, text) => {
		const data = new DataTransfer();
		data.setData('text/plain', text);
		el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
	}, text);
}

/** The element that has focus, by id or accessible value. */
const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');

test.describe('in English', () => {
	test.use(phone);

	test('a Create stopped by the link says why on screen, focuses the field, and goes ahead once seen', async ({
		page,
		app
	}) => {
		await page.goto(`${app}/new?${BOTH_LISTS}`);
		// The weekdays' problem belongs to a list that is not on screen and will not be saved: not shown.
		await expect(page.getByText('Not weekdays')).toHaveCount(0);
		await page.getByRole('button', { name: 'Create' }).tap();
		// The reason is beside the field, on screen, and the field has focus; the list by the button says it too.
		await expect(page.locator('#error-kind')).toHaveText('Choose either dates or weekdays, not both.');
		await expect(page.locator('#error-kind')).toBeInViewport();
		await expect(page.getByLabel('Specific dates')).toBeFocused();
		const summary = page.getByTestId('form-problems');
		await expect(summary).toContainText("Can't create the event yet:");
		await expect(summary).toContainText('Which days?: Choose either dates or weekdays, not both.');
		await expect(page).toHaveURL(/\/new\?/);
		// Seen once: Create again uses what the form shows.
		await page.getByRole('button', { name: 'Create' }).tap();
		await page.waitForURL(/\/e\//);
	});

	test('the reported path: weekdays and back to dates, then Create creates', async ({ page, app }) => {
		await page.goto(`${app}/new?${BOTH_LISTS}`);
		await page.getByLabel('Days of the week').check();
		await expect(page.getByText('Not weekdays (1 = Monday … 7 = Sunday): 9, x')).toBeVisible();
		await page.getByLabel('Specific dates').check();
		await expect(page.getByText('Not weekdays')).toHaveCount(0);
		await page.getByRole('button', { name: 'Create' }).tap();
		await page.waitForURL(/\/e\//);
	});

	test('a blocking field off screen is scrolled to and focused; the summary leads to each field', async ({
		page,
		app
	}) => {
		await page.setViewportSize({ width: 360, height: 640 });
		await page.goto(`${app}/new?dates=2026-12-02,2026-02-30&from=09:00&to=12:00&slot=30&tz=UTC`);
		const create = page.getByRole('button', { name: 'Create' });
		await create.scrollIntoViewIfNeeded();
		await expect(page.getByLabel('Title')).not.toBeInViewport();
		await create.tap();
		await expect(page.getByLabel('Title')).toBeFocused();
		await expect(page.locator('#error-title')).toHaveText('Give the event a title.');
		await expect(page.locator('#error-title')).toBeInViewport();
		const summary = page.getByTestId('form-problems');
		await expect(summary.getByRole('button')).toHaveText([
			'Title: Give the event a title.',
			'Dates: These are not dates (YYYY-MM-DD): 2026-02-30'
		]);
		await summary.getByRole('button', { name: /^Dates/ }).tap();
		expect(await focusedId(page)).toBe('field-dates');
		await expect(page.locator('#error-dates')).toBeInViewport();
		// Fixing a field takes it off the list. What is left is a note about the link: the form says so,
		// and Create pressed again goes ahead with the dates shown.
		await page.getByLabel('Title').fill('Club');
		await expect(summary.getByRole('button')).toHaveText(['Dates: These are not dates (YYYY-MM-DD): 2026-02-30']);
		await expect(summary).toContainText('press Create again');
		await create.tap();
		await page.waitForURL(/\/e\//);
		await expect(page.getByRole('heading', { name: 'Club' })).toBeVisible();
	});

	test('an error from the link goes once the field holds a valid value', async ({ page, app }) => {
		const long = 'Long title '.repeat(11); // 121 characters
		await page.goto(`${app}/new?title=${encodeURIComponent(long)}&dates=2026-12-02&from=18:00&to=09:00&tz=UTC`);
		const title = page.getByLabel('Title');
		// Kept whole, not cut: the person sees what was too long and shortens it.
		await expect(title).toHaveValue(long);
		await expect(page.getByText('The title is too long (100 characters at most).')).toBeVisible();
		await expect(page.getByText('121/100')).toBeVisible();
		await expect(page.getByText('The end must be after the start.')).toBeVisible();
		await title.fill(long.slice(0, 100));
		await expect(page.getByText('The title is too long')).toHaveCount(0);
		await expect(title).toHaveAttribute('aria-invalid', 'false');
		await page.getByLabel('To').selectOption({ label: '20:00' });
		await expect(page.getByText('The end must be after the start.')).toHaveCount(0);
		await page.getByRole('button', { name: 'Create' }).tap();
		await page.waitForURL(/\/e\//);
	});

	test('the title stops at 100 characters, with a count from 80 on', async ({ page, app }) => {
		await page.goto(`${app}/new`);
		const title = page.getByLabel('Title');
		await title.fill('x'.repeat(79));
		await expect(page.getByText('79/100')).toHaveCount(0);
		await title.pressSequentially('y');
		await expect(page.getByText('80/100')).toBeVisible();
		await title.pressSequentially('z'.repeat(30));
		await expect(title).toHaveValue('x'.repeat(79) + 'y' + 'z'.repeat(20));
		await expect(page.getByText('100/100')).toBeVisible();
		// Screen readers hear it politely, in words.
		await expect(page.locator('[aria-live="polite"]', { hasText: '100 of 100 characters' })).toHaveCount(1);
	});

	test('control characters typed or pasted into the title and a name are dropped', async ({ page, app }) => {
		await page.goto(`${app}/new?dates=2026-12-02&from=09:00&to=12:00&slot=30&tz=UTC`);
		const title = page.getByLabel('Title');
		await title.focus();
		await page.keyboard.insertText('Te\u0000am');
		await expect(title).toHaveValue('Team');
		await paste(title, ' din\u0000ner\u202e\u0007');
		await expect(title).toHaveValue('Team dinner');
		await page.getByRole('button', { name: 'Create' }).tap();
		await page.waitForURL(/\/e\//);
		await expect(page.getByRole('heading', { name: 'Team dinner' })).toBeVisible();

		const name = page.getByLabel('Name');
		await paste(name, 'Min\u0000ji');
		await expect(name).toHaveValue('Minji');
		await name.focus();
		await page.keyboard.insertText('\u2066');
		await expect(name).toHaveValue('Minji');
		// The name stops at 40 characters.
		await name.fill('');
		await name.pressSequentially('n'.repeat(45));
		await expect(name).toHaveValue('n'.repeat(40));
		await expect(page.getByText('40/40')).toBeVisible();
	});

	test('past days are dimmed and cannot be picked; in an edited event they stay and can be removed', async ({
		page,
		app
	}) => {
		await page.clock.setFixedTime(new Date('2026-12-15T12:00:00'));
		await page.goto(`${app}/new`);
		const past = page.locator('[data-date="2026-12-10"]');
		await expect(past).toHaveAttribute('aria-disabled', 'true');
		await expect(past).toHaveAttribute('title', 'Past day');
		expect(Number(await past.evaluate((el) => getComputedStyle(el).opacity))).toBeLessThan(1);
		await expect(past).toBeDisabled();
		await past.tap({ force: true });
		await expect(past).toHaveAttribute('aria-pressed', 'false');
		await expect(page.getByRole('button', { name: 'Previous month' })).toBeDisabled();
		const future = page.locator('[data-date="2026-12-20"]');
		await expect(future).toHaveAttribute('aria-disabled', 'false');
		await future.tap();
		await expect(future).toHaveAttribute('aria-pressed', 'true');

		await createEvent(page, app, 'title=Old&dates=2026-12-02,2026-12-20&from=09:00&to=12:00&slot=30&tz=UTC');
		await page.getByRole('button', { name: 'Edit event' }).tap();
		const kept = page.locator('[data-date="2026-12-02"]');
		await expect(kept).toHaveAttribute('aria-pressed', 'true');
		await expect(kept).toHaveAttribute('aria-disabled', 'false');
		await kept.tap();
		await expect(kept).toHaveAttribute('aria-pressed', 'false');
		await kept.tap();
		await expect(kept).toHaveAttribute('aria-pressed', 'true');
		await expect(page.locator('[data-date="2026-12-03"]')).toHaveAttribute('aria-disabled', 'true');
	});

	test('a zone is found by city, by old name or by offset, with touch and with keys', async ({ page, app }) => {
		await page.goto(`${app}/new?title=Zones&dates=2026-12-02&from=09:00&to=12:00&slot=30&tz=UTC`);
		const zone = page.getByLabel('Time zone');
		await expect(zone).toHaveAttribute('data-zone', 'UTC');
		await zone.tap();
		await zone.fill('seoul');
		const seoul = page.getByRole('option', { name: 'Seoul · Korean Standard Time (GMT+9)' });
		expect((await seoul.boundingBox())!.height).toBeGreaterThanOrEqual(44);
		await seoul.tap();
		await expect(zone).toHaveAttribute('data-zone', 'Asia/Seoul');
		await expect(zone).toHaveValue('Seoul · Korean Standard Time (GMT+9)');
		await expect(page.getByRole('listbox')).toHaveCount(0);

		// An old name finds the zone under its current one; Enter picks the first match.
		await zone.focus();
		await page.keyboard.type('calcutta');
		await expect(page.getByRole('listbox', { name: 'Search results' }).getByRole('option')).toHaveText([
			'Kolkata · India Standard Time (GMT+5:30)'
		]);
		await page.keyboard.press('Enter');
		await expect(zone).toHaveAttribute('data-zone', 'Asia/Kolkata');
		await expect(page).toHaveURL(/\/new\?/);

		await zone.focus();
		await page.keyboard.type('gmt+5:45');
		await page.keyboard.press('ArrowDown');
		await page.keyboard.press('ArrowUp');
		await page.keyboard.press('Enter');
		await expect(zone).toHaveAttribute('data-zone', 'Asia/Kathmandu');
		// Escape leaves the zone as it was.
		await zone.focus();
		await page.keyboard.type('tokyo');
		await page.keyboard.press('Escape');
		await expect(zone).toHaveAttribute('data-zone', 'Asia/Kathmandu');
		const width = await page.evaluate(() => document.documentElement.scrollWidth);
		expect(width).toBeLessThanOrEqual(360);
	});

	test("an existing event's zone stays choosable under its old name", async ({ page, app }) => {
		await createEvent(page, app, 'title=Old%20zone&dates=2026-12-02&from=09:00&to=12:00&slot=30&tz=Asia/Calcutta');
		await page.getByRole('button', { name: 'Edit event' }).tap();
		const zone = page.getByLabel('Time zone');
		await expect(zone).toHaveAttribute('data-zone', 'Asia/Calcutta');
		await zone.tap();
		await zone.fill('calcutta');
		await expect(page.getByRole('option', { name: /^Calcutta · / })).toBeVisible();
		await expect(page.getByRole('option', { name: /^Kolkata · / })).toBeVisible();
	});
});

test.describe('in Korean', () => {
	test.use({ ...phone, locale: 'ko-KR' });

	test('a stopped Create says why on screen and focuses the field', async ({ page, app }) => {
		await page.goto(`${app}/new?weekdays=1&from=09:00&to=12:00&slot=30&tz=UTC`);
		await page.getByRole('button', { name: '만들기' }).scrollIntoViewIfNeeded();
		await page.getByRole('button', { name: '만들기' }).tap();
		await expect(page.getByLabel('제목')).toBeFocused();
		await expect(page.getByText('일정 제목을 입력하세요.').first()).toBeInViewport();
		await expect(page.getByTestId('form-problems')).toContainText('아직 일정을 만들 수 없어요:');
	});

	test('the title count and a zone found by its Korean city name', async ({ page, app }) => {
		await page.goto(`${app}/new?dates=2026-12-02&from=09:00&to=12:00&slot=30&tz=UTC`);
		await page.getByLabel('제목').fill('가'.repeat(85));
		await expect(page.getByText('85/100')).toBeVisible();
		await expect(page.locator('[aria-live="polite"]', { hasText: '100자 중 85자' })).toHaveCount(1);

		const zone = page.getByLabel('시간대');
		await zone.tap();
		await zone.fill('서울');
		await page.getByRole('option', { name: '서울 · 한국 표준시 (GMT+9)' }).tap();
		await expect(zone).toHaveAttribute('data-zone', 'Asia/Seoul');
		await zone.tap();
		await zone.fill('뉴욕');
		await page.getByRole('option', { name: /^뉴욕 · 북미 동부 시간/ }).tap();
		await expect(zone).toHaveAttribute('data-zone', 'America/New_York');
		// The English city name finds it too.
		await zone.tap();
		await zone.fill('tokyo');
		await page.getByRole('option', { name: /^도쿄 · 일본 표준시/ }).tap();
		await expect(zone).toHaveAttribute('data-zone', 'Asia/Tokyo');
	});
});
