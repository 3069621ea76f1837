/**
 * Importing a big calendar (issue 16): the file is read in a Web Worker with
 * progress shown, the page's result equals readIcs's reading of the same
 * file, and Stop ends the reading with nothing applied.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readIcs } from '../../src/lib/calendar/import.js';
import { googleExport } from '../support/google-export.js';
import { createEvent, drag, expect, join, test } from './fixtures.js';

/** As big as the biggest real export we know of (a Google calendar of 4,778 events). */
const EVENTS = 4778;
const folder = mkdtempSync(path.join(tmpdir(), 'moim-ics-'));
const bigFile = path.join(folder, 'google-export.ics');
const text = googleExport(EVENTS);
writeFileSync(bigFile, text);

/** Records every text the reading status shows, from before the file is chosen. */
const recordReading = (page: import('@playwright/test').Page) =>
	page.evaluate(() => {
		const seen: string[] = [];
		(window as unknown as { readingSeen: string[] }).readingSeen = seen;
		new MutationObserver(() => {
			const status = document.querySelector('[data-testid="ics-reading"]');
			const last = seen[seen.length - 1];
			if (status && status.textContent !== last) seen.push(status.textContent ?? '');
		}).observe(document.body, { subtree: true, childList: true, characterData: true });
	});

test('a big calendar is read in a worker with its progress shown, and gives the same busy times as readIcs', async ({
	page,
	app
}) => {
	await createEvent(
		page,
		app,
		'title=Year end&dates=2026-12-01,2026-12-02,2026-12-03,2026-12-04&from=08:00&to=20:00&slot=60&tz=UTC'
	);
	await join(page, 'Min');
	// Free all four days, so the import has marks to clear.
	await drag(page, '2026-12-01T08:00Z', '2026-12-04T19:00Z');
	await page.getByRole('button', { name: 'Import a calendar (.ics)' }).click();
	const worker = page.waitForEvent('worker');
	await recordReading(page);
	await page.getByLabel('Calendar file').setInputFiles(bigFile);
	expect((await worker).url()).toContain('import.worker');
	// The page's window: the event's first block to the end of its last.
	const expected = readIcs(
		text,
		{ start: Date.parse('2026-12-01T08:00Z'), end: Date.parse('2026-12-04T20:00Z') },
		'UTC'
	).spans.length;
	expect(expected).toBeGreaterThan(50);
	await expect(page.getByText(`${expected.toLocaleString('en')} busy times in this event's window.`)).toBeVisible();
	await expect(page.getByTestId('ics-reading')).toHaveCount(0);
	const seen = await page.evaluate(() => (window as unknown as { readingSeen: string[] }).readingSeen);
	// Progress in steps of 250 events, out of every event in the file.
	expect(seen.some((shown) => /Reading your calendar: [1-9][\d,]* of 4,778 events/.test(shown))).toBe(true);
	await expect(page.getByTestId('fill-summary')).toContainText(
		/Preview: 0 blocks become available, [1-9]\d* are cleared/
	);
});

test('Stop ends the reading of a big calendar: its worker is ended and nothing is previewed', async ({ page, app }) => {
	await createEvent(page, app, 'title=Year end&dates=2026-12-01,2026-12-02&from=08:00&to=20:00&slot=60&tz=UTC');
	await join(page, 'Min');
	await page.getByRole('button', { name: 'Import a calendar (.ics)' }).click();
	const worker = page.waitForEvent('worker');
	// Stop is pressed from inside the page the moment the first progress
	// report shows: the worker is mid-way, and there is no race with it.
	await page.evaluate(() => {
		new MutationObserver((_, observer) => {
			const status = document.querySelector('[data-testid="ics-reading"]');
			const stop = status?.querySelector('button');
			if (!stop || !/Reading your calendar: [1-9]/.test(status?.textContent ?? '')) return;
			observer.disconnect();
			stop.click();
		}).observe(document.body, { subtree: true, childList: true, characterData: true });
	});
	await page.getByLabel('Calendar file').setInputFiles(bigFile);
	const closed = (await worker).waitForEvent('close');
	await closed;
	await expect(page.getByTestId('ics-reading')).toHaveCount(0);
	await expect(page.getByText(/busy times in this event's window/)).toHaveCount(0);
	await expect(page.getByTestId('fill-summary')).toHaveCount(0);
	await expect(page.getByRole('button', { name: 'Apply' })).toBeDisabled();
	// The panel still takes a file after a stop.
	await page.getByLabel('Calendar file').setInputFiles(path.join(path.dirname(bigFile), 'google-export.ics'));
	await expect(page.getByText(/busy times in this event's window/)).toBeVisible();
});

test.describe('on a phone, in Korean', () => {
	test.use({ viewport: { width: 360, height: 800 }, hasTouch: true, isMobile: true, locale: 'ko-KR' });

	test('the reading shows its progress and a 44 px Stop within the screen, then the file and its busy times', async ({
		page,
		app
	}) => {
		await page.goto(`${app}/new?title=연말&dates=2026-12-01,2026-12-02,2026-12-03&from=08:00&to=20:00&slot=60&tz=UTC`);
		await page.getByRole('button', { name: '만들기' }).click();
		await page.waitForURL(/\/e\//);
		await page.getByLabel('이름').fill('민지');
		await page.getByRole('button', { name: '참여' }).click();
		await page.getByRole('button', { name: '캘린더 가져오기 (.ics)' }).click();
		// Measured from inside the page the moment the first progress report shows.
		const measured = page.evaluate(
			() =>
				new Promise<{ text: string; stop: number; overflow: number }>((resolve) => {
					new MutationObserver((_, observer) => {
						const status = document.querySelector('[data-testid="ics-reading"]');
						const stop = status?.querySelector('button');
						if (!stop || !/일정 4,778개 중 [1-9]/.test(status?.textContent ?? '')) return;
						observer.disconnect();
						const root = document.documentElement;
						resolve({
							text: status?.textContent ?? '',
							stop: stop.getBoundingClientRect().height,
							overflow: root.scrollWidth - root.clientWidth
						});
					}).observe(document.body, { subtree: true, childList: true, characterData: true });
				})
		);
		await page.getByLabel('캘린더 파일').setInputFiles(bigFile);
		const during = await measured;
		expect(during.text).toMatch(/캘린더를 읽는 중이에요: 일정 4,778개 중 [\d,]+개/);
		expect(during.stop).toBeGreaterThanOrEqual(44);
		expect(during.overflow).toBe(0);
		await expect(page.getByTestId('ics-file')).toHaveText('google-export.ics');
		await expect(page.getByText(/이 일정 범위 안에 바쁜 시간이 [\d,]+개 있어요\./)).toBeVisible();
		expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(
			0
		);
		await page.screenshot({ path: test.info().outputPath('import-phone-ko.png') });
	});
});
