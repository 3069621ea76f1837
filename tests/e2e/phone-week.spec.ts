/**
 * My week and the header on a phone (360 × 800, touch), in Korean and English:
 * no header item or page heading breaks inside a word at 320 or 360 px, the
 * home says "오늘"/"today" for a routine later today, a new routine entry
 * opens empty, and a short block in the week calendar still reads.
 */
import type { Page } from '@playwright/test';
import { addRoutine, expect, test, EVENT_URL } from './fixtures.js';

// Monday 30 November 2026, 09:00 in Seoul: Date.now() is fixed there, timers still run.
const MONDAY_MORNING = new Date('2026-11-30T00:00:00Z');

/** How far the page is wider than the screen (0 when it fits). */
const overflow = (page: Page) =>
	page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/**
 * Stands in for the browser's install offer, as Chromium on a phone makes it,
 * so the page has its fullest set of items ("앱 설치" too, in the footer). The
 * app listens once it has started, so the offer is repeated until it is seen.
 */
async function offerInstall(page: Page, label: string) {
	await expect(async () => {
		await page.evaluate(() =>
			dispatchEvent(
				Object.assign(new Event('beforeinstallprompt', { cancelable: true }), {
					prompt: async () => {},
					userChoice: Promise.resolve({ outcome: 'dismissed' })
				})
			)
		);
		await expect(page.getByRole('button', { name: label })).toBeVisible({ timeout: 500 });
	}).toPass();
}

/**
 * Header items that take more than one line: each link's and button's text,
 * measured as laid out (a Range over its text), against 1.6 × its line height.
 */
function wrappedHeaderItems(page: Page): Promise<string[]> {
	return page.evaluate(() =>
		[...document.querySelectorAll<HTMLElement>('header.top a, header.top button')]
			.filter((el) => el.textContent?.trim())
			.filter((el) => {
				const range = document.createRange();
				range.selectNodeContents(el);
				const style = getComputedStyle(el);
				const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.45;
				return range.getBoundingClientRect().height >= 1.6 * line;
			})
			.map((el) => el.textContent!.trim())
	);
}

/**
 * Line breaks between two letters or digits, i.e. inside a word, in the
 * header and the page's headings: each character's box is compared with the
 * previous one's, so a break at a space or after a dash passes and a break
 * between two syllables of one word ("스터 / 디") fails. (Header items must
 * not wrap at all, spaces included: "나의 한 / 주" is caught by the check above.)
 */
function wordsBrokenInside(page: Page): Promise<string[]> {
	return page.evaluate(() => {
		const broken: string[] = [];
		const letter = /[\p{L}\p{N}]/u;
		for (const el of document.querySelectorAll('header.top a, header.top button, main h1, main h2')) {
			const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
			let previous: { top: number; char: string } | null = null;
			for (let node = walker.nextNode(); node; node = walker.nextNode()) {
				const text = node.textContent ?? '';
				for (let i = 0; i < text.length; i++) {
					const range = document.createRange();
					range.setStart(node, i);
					range.setEnd(node, i + 1);
					const box = range.getClientRects()[0];
					if (!box) continue;
					if (previous && box.top > previous.top + 2 && letter.test(previous.char) && letter.test(text[i]))
						broken.push(`${el.textContent?.trim()}: ${previous.char}|${text[i]}`);
					previous = { top: box.top, char: text[i] };
				}
			}
		}
		return broken;
	});
}

test.describe('in Korean', () => {
	test.use({
		locale: 'ko-KR',
		timezoneId: 'Asia/Seoul',
		viewport: { width: 360, height: 800 },
		hasTouch: true,
		isMobile: true
	});

	test('no header item or heading breaks inside a word at 320 and 360 px, and the home says "오늘" for a routine later today', async ({
		page,
		app
	}) => {
		await page.clock.setFixedTime(MONDAY_MORNING);
		await page.goto(`${app}/week`);
		await addRoutine(page, { title: '수학 학원', from: '14:00', to: '16:00', days: ['월요일', '수요일'] }, true);
		await addRoutine(page, { title: '피아노', from: '19:00', to: '19:30', days: ['화요일'] }, true);
		await page.goto(
			`${app}/new?title=영어 스터디 모임&dates=2026-12-07,2026-12-08,2026-12-09,2026-12-10,2026-12-11&from=19:00&to=21:00&slot=30&tz=Asia/Seoul`
		);
		await page.getByRole('button', { name: '만들기' }).click();
		await page.waitForURL(EVENT_URL);
		const event = page.url();

		for (const width of [320, 360]) {
			await page.setViewportSize({ width, height: 800 });
			for (const path of ['/', '/new', '/week', new URL(event).pathname]) {
				await page.goto(`${app}${path}`);
				await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
				await offerInstall(page, '앱 설치');
				const where = `${path} at ${width} px`;
				expect(await wrappedHeaderItems(page), `header items on more than one line, ${where}`).toEqual([]);
				expect(await wordsBrokenInside(page), `words broken inside, ${where}`).toEqual([]);
				expect(await overflow(page), `sideways overflow, ${where}`).toBe(0);
				// For a look at the header as laid out.
				await page.screenshot({ path: test.info().outputPath(`header${path.replaceAll('/', '-')}-${width}.png`) });
			}
		}

		// Monday 09:00: the academy is at 14:00 today, not "(월) 14:00".
		await page.goto(app);
		await expect(page.getByTestId('week-now')).toHaveText(/다음: 수학 학원, 오늘 14:00/);
		// The event list says how many days the span has, in words.
		await expect(page.getByTestId('event-list')).toContainText('총 5일');
	});

	test('a new routine entry opens empty and names what is missing; a short block in the calendar still reads and a tap shows it whole', async ({
		page,
		app
	}) => {
		await page.goto(`${app}/week`);
		await page.getByRole('button', { name: '+ 나의 한 주에 추가' }).click();
		const dialog = page.getByTestId('routine-dialog');
		const title = dialog.getByLabel('무엇을 하나요?');
		await expect(title).toHaveValue('');
		await expect(title).toHaveAttribute('placeholder', '예: 수학 학원');
		const range = dialog.getByRole('group', { name: '시간 범위 1' });
		for (const label of ['시작', '종료'])
			await expect(range.getByLabel(label).locator('option:checked')).toHaveText('시각 선택');
		for (const day of ['월요일', '화요일', '수요일', '목요일', '금요일', '토요일', '일요일'])
			await expect(range.getByLabel(day)).not.toBeChecked();
		expect(await overflow(page)).toBe(0);
		await dialog.getByRole('button', { name: '저장' }).click();
		await expect(dialog.getByRole('alert').getByRole('listitem')).toHaveText([
			'무엇을 하는지 적어 주세요.',
			'범위마다 시작 시각과 끝나는 시각을 고르세요.',
			'범위마다 요일을 하나 이상 고르세요.'
		]);
		await expect(title).toHaveAttribute('aria-invalid', 'true');
		await page.screenshot({ path: test.info().outputPath('routine-dialog-ko.png') });
		await dialog.getByRole('button', { name: '취소' }).click();
		await expect(dialog).toBeHidden();
		await expect(page.getByTestId('routine-entry')).toHaveCount(0);

		// A phone's day column is about 33 px wide: two syllables, too narrow for "14:00".
		await addRoutine(page, { title: '피아노 레슨', from: '19:00', to: '19:30', days: ['화요일'] }, true);
		await addRoutine(page, { title: '수학 학원', from: '14:00', to: '16:00', days: ['월요일'] }, true);
		const piano = page.getByRole('button', { name: '피아노 레슨, 화요일 19:00–19:30' });
		const academy = page.getByRole('button', { name: '수학 학원, 월요일 14:00–16:00' });
		for (const block of [piano, academy]) {
			const title = block.locator('strong');
			const [outer, inner] = [(await block.boundingBox())!, (await title.boundingBox())!];
			// The title starts inside its block and never runs past its bottom; the time is left out rather than cut.
			expect(inner.width).toBeGreaterThan(10);
			expect(inner.y + inner.height).toBeLessThanOrEqual(outer.y + outer.height + 0.5);
			await expect(block.locator('small')).toBeHidden();
		}
		// Half an hour has one line of title; two hours wrap it over several.
		const lines = async (block: typeof piano) =>
			block
				.locator('strong')
				.evaluate((el) => el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight));
		expect(Math.round(await lines(piano))).toBe(1);
		expect(Math.round(await lines(academy))).toBeGreaterThanOrEqual(2);
		await piano.tap();
		const details = page.getByTestId('week-block-details');
		await expect(details).toContainText('피아노 레슨');
		await expect(details).toContainText('화요일 19:00–19:30');
		await expect(piano).toHaveAttribute('aria-pressed', 'true');
		await details.getByRole('button', { name: '수정' }).tap();
		await expect(page.getByTestId('routine-dialog').getByLabel('무엇을 하나요?')).toHaveValue('피아노 레슨');
		expect(await overflow(page)).toBe(0);
	});
});

/** Screenshots at 360 px for the docs (saved with the test's output; docs/screenshots holds the chosen ones). */
for (const [language, locale] of [
	['ko', 'ko-KR'],
	['en', 'en-US']
] as const) {
	test.describe(`screenshots in ${language}`, () => {
		test.use({
			locale,
			timezoneId: 'Asia/Seoul',
			viewport: { width: 360, height: 800 },
			hasTouch: true,
			isMobile: true
		});

		test(`home and my week at 360 px (${language})`, async ({ page, app }) => {
			const ko = language === 'ko';
			await page.clock.setFixedTime(MONDAY_MORNING);
			await page.goto(`${app}/week`);
			const days = ko ? ['월요일', '수요일', '금요일'] : ['Monday', 'Wednesday', 'Friday'];
			await addRoutine(page, { title: ko ? '수학 학원' : 'Math academy', from: '14:00', to: '16:00', days }, ko);
			await addRoutine(
				page,
				{ title: ko ? '피아노' : 'Piano', from: '19:00', to: '19:30', days: [ko ? '화요일' : 'Tuesday'] },
				ko
			);
			await addRoutine(
				page,
				{ title: ko ? '수영' : 'Swimming', from: '08:00', to: '09:00', days: [ko ? '토요일' : 'Saturday'] },
				ko
			);
			await page.getByTestId('week-block').nth(1).tap();
			await expect(page.getByTestId('week-block-details')).toBeVisible();
			await page.screenshot({ path: test.info().outputPath(`phone-360-week-${language}.png`), fullPage: true });

			const title = ko ? '영어 스터디' : 'Book club';
			await page.goto(
				`${app}/new?title=${title}&dates=2026-12-07,2026-12-08,2026-12-09,2026-12-10,2026-12-11&from=19:00&to=21:00&slot=30&tz=Asia/Seoul`
			);
			await page.getByRole('button', { name: ko ? '만들기' : 'Create' }).click();
			await page.waitForURL(EVENT_URL);
			await page.goto(app);
			await expect(page.getByTestId('week-now')).toContainText(ko ? '오늘 14:00' : 'today at 14:00');
			await expect(page.getByTestId('event-list')).toContainText(ko ? '총 5일' : '5 days');
			await page.screenshot({ path: test.info().outputPath(`phone-360-home-${language}.png`), fullPage: true });
		});
	});
}
