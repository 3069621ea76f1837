/** Time zones: a dated event read in each person's own time, with a switch to the event's. */
import { createEvent, drag, expect, heatCell, join, myCell, test } from './fixtures.js';

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

test("the decided time says whose time it is, and gives it in the event's zone too", async ({ browser, app }) => {
	const seoul = await (await browser.newContext({ timezoneId: 'Asia/Seoul' })).newPage();
	const la = await (await browser.newContext({ timezoneId: 'America/Los_Angeles' })).newPage();
	// 10:00–12:00 on Monday 7 December in Seoul is 17:00–19:00 on Sunday 6 December in Los Angeles.
	const url = await createEvent(seoul, app, 'title=Call&dates=2026-12-07&from=10:00&to=12:00&slot=60&tz=Asia/Seoul');
	await join(seoul, 'Min');
	await drag(seoul, '2026-12-07T01:00Z', '2026-12-07T02:00Z');
	await seoul
		.getByRole('button', { name: /^Decide on this time/ })
		.first()
		.click();
	await expect(seoul.getByTestId('decision-when')).toHaveText('Mon, Dec 7, 10:00 – 12:00');
	// Everyone in the event's zone: no zone to name.
	await expect(seoul.getByTestId('decision-zone')).toHaveCount(0);

	await la.goto(url);
	await expect(la.getByTestId('decision-when')).toHaveText('Sun, Dec 6, 17:00 – 19:00');
	await expect(la.getByTestId('decision-zone')).toHaveText('Los Angeles time');
	await expect(la.getByTestId('decision-other-zone')).toHaveText('Seoul time: Mon, Dec 7, 10:00 – 12:00');
	// Shown in the event's time, the other line gives the viewer's own.
	await la.getByLabel('Event time (Seoul)').check();
	await expect(la.getByTestId('decision-when')).toHaveText('Mon, Dec 7, 10:00 – 12:00');
	await expect(la.getByTestId('decision-zone')).toHaveText('Seoul time');
	await expect(la.getByTestId('decision-other-zone')).toHaveText('Los Angeles time: Sun, Dec 6, 17:00 – 19:00');
});
