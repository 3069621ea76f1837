/** Time zones: a dated event read in each person's own time, with a switch to the event's. */
import { createEvent, expect, heatCell, join, myCell, test } from './fixtures.js';

test('Seoul and Los Angeles: each sees their own days and hours, marks land on the same instant', async ({
	browser,
	app
}) => {
	const seoul = await (await browser.newContext({ timezoneId: 'Asia/Seoul' })).newPage();
	const la = await (await browser.newContext({ timezoneId: 'America/Los_Angeles' })).newPage();
	// Tuesday 1 December, 10:00–20:00 in Seoul = Monday 30 November 17:00 – Tuesday 03:00 in Los Angeles.
	const url = await createEvent(seoul, app, 'title=Call&dates=2026-12-01&from=10:00&to=20:00&slot=60&tz=Asia/Seoul');
	await join(seoul, 'Min');
	// The organizer is in the event's zone: no switch to offer.
	await expect(seoul.getByTestId('zone-switch')).toHaveCount(0);

	await la.goto(url);
	await join(la, 'Liz');
	await expect(la.getByLabel('My time (Los Angeles)')).toBeChecked();
	const columns = la.getByTestId('heatmap').getByRole('columnheader');
	await expect(columns.filter({ hasText: 'Nov 30' })).toHaveCount(1);
	await expect(columns.filter({ hasText: 'Dec 1' })).toHaveCount(1);
	// 08:00Z is midnight in Los Angeles and 17:00 in Seoul.
	const slot = '2026-12-01T08:00Z';
	await expect(myCell(la, slot)).toHaveAttribute('aria-label', /^Tuesday, December 1, 2026 00:00/);
	await expect(myCell(seoul, slot)).toHaveAttribute('aria-label', /^Tuesday, December 1, 2026 17:00/);
	// Hours of the Los Angeles Monday that are not part of the event are shown empty, not paintable.
	await expect(
		la.getByRole('gridcell', { name: 'Monday, November 30, 2026 00:00: Not part of this event' }).first()
	).toBeVisible();

	await myCell(la, slot).click();
	await myCell(la, '2026-12-01T09:00Z').click();
	await expect(heatCell(seoul, slot)).toHaveAttribute('data-count', '1');
	// Best times read in the viewer's time.
	await expect(la.getByTestId('best-time').first()).toContainText('Tue, Dec 1, 00:00 – 02:00');
	await expect(seoul.getByTestId('best-time').first()).toContainText('Tue, Dec 1, 17:00 – 19:00');

	await la.getByLabel('Event time (Seoul)').check();
	await expect(myCell(la, slot)).toHaveAttribute('aria-label', /^Tuesday, December 1, 2026 17:00/);
	await expect(columns.filter({ hasText: 'Nov 30' })).toHaveCount(0);
	await expect(la.getByTestId('best-time').first()).toContainText('Tue, Dec 1, 17:00 – 19:00');
	await expect(myCell(la, slot)).toHaveAttribute('data-mark', '1');
});

test('a weekly event is shown in its own zone, with a note for people elsewhere', async ({ browser, app }) => {
	const seoul = await (await browser.newContext({ timezoneId: 'Asia/Seoul' })).newPage();
	const la = await (await browser.newContext({ timezoneId: 'America/Los_Angeles' })).newPage();
	const url = await createEvent(seoul, app, 'title=Weekly&weekdays=1,3&from=10:00&to=12:00&slot=60&tz=Asia/Seoul');
	await expect(seoul.getByTestId('zone-note')).toHaveCount(0);
	await la.goto(url);
	await expect(la.getByTestId('zone-note')).toContainText("event's time zone, Asia/Seoul");
	await expect(la.getByTestId('zone-switch')).toHaveCount(0);
	await join(la, 'Liz');
	await expect(myCell(la, 'w1T10:00')).toHaveAttribute('aria-label', /^Monday 10:00/);
});
