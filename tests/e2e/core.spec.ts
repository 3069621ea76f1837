/**
 * The core slice end to end: create, join, paint, see the group, reload,
 * two people live, and two people offline converging.
 */
import {
	createEvent,
	drag,
	expect,
	heatCell,
	join,
	myCell,
	myGrid,
	syncState,
	test,
	twoPeople,
	EVENT_URL
} from './fixtures.js';

const EVENT = 'title=Study&dates=2026-12-01,2026-12-03&from=09:00&to=12:00&slot=30&tz=UTC';

test('create through the form, join, paint, reload: the marks are still there', async ({ page, app }) => {
	await page.goto(app);
	await page.getByLabel('Title').fill('Team dinner');
	// Two dates next month, picked on the calendar.
	const now = new Date();
	const next = new Date(Date.UTC(now.getFullYear(), now.getMonth() + 1, 1));
	const ym = `${next.getUTCFullYear()}-${String(next.getUTCMonth() + 1).padStart(2, '0')}`;
	await page.getByRole('button', { name: 'Next month' }).click();
	await page.locator(`[data-date="${ym}-10"]`).click();
	await page.locator(`[data-date="${ym}-12"]`).click();
	await expect(page.getByText('2 dates selected')).toBeVisible();
	await page.getByLabel('From').selectOption({ label: '10:00' });
	await page.getByLabel('To').selectOption({ label: '12:00' });
	await page.getByLabel('Block length').selectOption({ label: '60 minutes' });
	await page.getByLabel('Time zone').fill('Seoul');
	await page.getByRole('option', { name: /^Seoul · / }).click();
	await page.getByRole('button', { name: 'Create' }).click();
	await page.waitForURL(EVENT_URL);
	await expect(page.getByRole('heading', { name: 'Team dinner' })).toBeVisible();
	await expect(page.getByRole('button', { name: 'Copy link' })).toBeVisible();

	await join(page, 'Minji');
	// 10:00 and 11:00 in Seoul are 01:00 and 02:00 UTC.
	const first = `${ym}-10T01:00Z`;
	const second = `${ym}-12T02:00Z`;
	await expect(myGrid(page).locator('[role=gridcell]')).toHaveCount(4);
	await drag(page, first, second);
	for (const slot of [first, `${ym}-10T02:00Z`, `${ym}-12T01:00Z`, second]) {
		await expect(myCell(page, slot)).toHaveAttribute('aria-selected', 'true');
		await expect(heatCell(page, slot)).toHaveAttribute('data-count', '1');
	}
	await syncState(page, 'synced');

	await page.reload();
	await expect(page.getByText('You are Minji')).toBeVisible();
	await expect(myCell(page, first)).toHaveAttribute('aria-selected', 'true');
	await expect(myCell(page, second)).toHaveAttribute('aria-selected', 'true');
	await expect(heatCell(page, second)).toHaveAttribute('data-count', '1');

	// The home page lists the event.
	await page.goto(app);
	await expect(page.getByTestId('event-list').getByRole('link', { name: 'Team dinner' })).toBeVisible();
});

test('dragging from a marked block erases; undo and redo work by button and keyboard', async ({ page, app }) => {
	await createEvent(page, app, EVENT);
	await join(page, 'Jun');
	await drag(page, '2026-12-01T09:00Z', '2026-12-01T10:30Z');
	await expect(heatCell(page, '2026-12-01T10:30Z')).toHaveAttribute('data-count', '1');
	await drag(page, '2026-12-01T10:00Z', '2026-12-01T11:00Z');
	await expect(myCell(page, '2026-12-01T10:00Z')).toHaveAttribute('aria-selected', 'false');
	await expect(myCell(page, '2026-12-01T09:30Z')).toHaveAttribute('aria-selected', 'true');
	await expect(myCell(page, '2026-12-01T11:00Z')).toHaveAttribute('aria-selected', 'false');

	await page.getByRole('button', { name: 'Undo' }).click();
	await expect(myCell(page, '2026-12-01T10:00Z')).toHaveAttribute('aria-selected', 'true');
	await page.keyboard.press('Control+z');
	await expect(myCell(page, '2026-12-01T09:00Z')).toHaveAttribute('aria-selected', 'false');
	await expect(page.getByRole('button', { name: 'Undo' })).toBeDisabled();
	await page.keyboard.press('Control+Shift+z');
	await expect(myCell(page, '2026-12-01T09:00Z')).toHaveAttribute('aria-selected', 'true');
	await page.getByRole('button', { name: 'Redo' }).click();
	await expect(myCell(page, '2026-12-01T10:00Z')).toHaveAttribute('aria-selected', 'false');
	await expect(heatCell(page, '2026-12-01T09:30Z')).toHaveAttribute('data-count', '1');
});

test('keys pressed during a mouse drag neither drop it nor move its range', async ({ page, app }) => {
	await createEvent(page, app, EVENT);
	await join(page, 'Mouse');
	const a = (await myCell(page, '2026-12-01T09:00Z').boundingBox())!;
	const b = (await myCell(page, '2026-12-01T10:00Z').boundingBox())!;
	await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
	await page.mouse.down();
	await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 4 });
	await page.keyboard.press('ArrowRight');
	await page.keyboard.press('Shift+ArrowDown');
	await page.keyboard.press('Space');
	await page.keyboard.press('Enter');
	await page.mouse.up();
	for (const slot of ['2026-12-01T09:00Z', '2026-12-01T09:30Z', '2026-12-01T10:00Z'])
		await expect(myCell(page, slot)).toHaveAttribute('aria-selected', 'true');
	for (const slot of ['2026-12-01T10:30Z', '2026-12-03T09:00Z', '2026-12-03T10:00Z'])
		await expect(myCell(page, slot)).toHaveAttribute('aria-selected', 'false');
	await expect(heatCell(page, '2026-12-01T10:00Z')).toHaveAttribute('data-count', '1');
	// After the drag the keys work from the block the drag ended on.
	await page.keyboard.press('ArrowDown');
	await expect(myCell(page, '2026-12-01T10:30Z')).toBeFocused();
});

test('keyboard: one tab stop, arrows move, Space toggles, Shift+arrows extend', async ({ page, app }) => {
	await createEvent(page, app, EVENT);
	await join(page, 'Keys');
	const cells = myGrid(page).locator('[tabindex="0"]');
	await expect(cells).toHaveCount(1);
	await cells.focus();
	await expect(myCell(page, '2026-12-01T09:00Z')).toBeFocused();
	await page.keyboard.press('Space');
	await expect(myCell(page, '2026-12-01T09:00Z')).toHaveAttribute('aria-selected', 'true');
	await page.keyboard.press('ArrowDown');
	await page.keyboard.press('ArrowRight');
	await expect(myCell(page, '2026-12-03T09:30Z')).toBeFocused();
	await page.keyboard.press('Shift+ArrowDown');
	await page.keyboard.press('Shift+ArrowDown');
	await page.keyboard.press('Shift+ArrowLeft');
	await page.keyboard.press('Enter');
	for (const slot of ['2026-12-01T09:30Z', '2026-12-01T10:30Z', '2026-12-03T09:30Z', '2026-12-03T10:30Z'])
		await expect(myCell(page, slot)).toHaveAttribute('aria-selected', 'true');
	await expect(myCell(page, '2026-12-03T09:00Z')).toHaveAttribute('aria-selected', 'false');
	// Space on a marked block clears it.
	await page.keyboard.press('Space');
	await expect(myCell(page, '2026-12-01T10:30Z')).toHaveAttribute('aria-selected', 'false');
	// Tab leaves the grid in one step.
	await page.keyboard.press('Tab');
	await expect(myGrid(page).locator(':focus')).toHaveCount(0);
});

test('touch: a tap marks its block at once, a second tap fills the range; a swipe scrolls and paints nothing', async ({
	browser,
	app
}) => {
	const context = await browser.newContext({ hasTouch: true, isMobile: true, viewport: { width: 390, height: 700 } });
	const page = await context.newPage();
	await createEvent(page, app, 'title=Phone&dates=2026-12-01,2026-12-02,2026-12-03&from=08:00&to=20:00&slot=30&tz=UTC');
	await join(page, 'Thumb');
	await myCell(page, '2026-12-01T09:00Z').tap();
	await expect(page.getByTestId('tap-bar')).toContainText('Tue Dec 1 09:00 marked.');
	await expect(myCell(page, '2026-12-01T09:00Z')).toHaveAttribute('aria-selected', 'true');
	await expect(myCell(page, '2026-12-01T09:30Z')).toHaveAttribute('aria-selected', 'false');
	await myCell(page, '2026-12-02T10:00Z').tap();
	for (const slot of ['2026-12-01T09:00Z', '2026-12-01T10:00Z', '2026-12-02T09:30Z', '2026-12-02T10:00Z'])
		await expect(myCell(page, slot)).toHaveAttribute('aria-selected', 'true');
	await expect(myCell(page, '2026-12-03T09:00Z')).toHaveAttribute('aria-selected', 'false');

	// A vertical swipe that starts on the grid scrolls (the grid's own box, then the page).
	await page.evaluate(() => window.scrollTo(0, 0));
	const target = myCell(page, '2026-12-03T11:00Z');
	await target.scrollIntoViewIfNeeded();
	const box = (await target.boundingBox())!;
	expect(box.y).toBeGreaterThan(0);
	expect(box.y).toBeLessThan(700);
	const scrolled = () => page.evaluate(() => window.scrollY + (document.querySelector('.paint .wrap')?.scrollTop ?? 0));
	const before = await scrolled();
	const cdp = await context.newCDPSession(page);
	// A finger put down on a block and moved up, as a person scrolls.
	const x = Math.round(box.x + box.width / 2);
	const y = Math.round(box.y + box.height / 2);
	await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y }] });
	for (let i = 1; i <= 10; i++)
		await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x, y: y - i * 25 }] });
	await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
	await expect.poll(scrolled).toBeGreaterThan(before + 100);
	await expect(myGrid(page).locator('[aria-selected=true]')).toHaveCount(6);
	await expect(page.getByTestId('tap-bar')).toHaveCount(0);
	await context.close();
});

test('two people: a stroke shows up live in the other heatmap, with who is free and presence', async ({
	browser,
	app
}) => {
	const { a, b } = await twoPeople(browser, app, EVENT);
	await expect(a.getByTestId('presence')).toContainText('Ben');
	await expect(b.getByTestId('presence')).toContainText('Ana');

	await drag(a, '2026-12-03T09:00Z', '2026-12-03T10:00Z');
	await expect(heatCell(b, '2026-12-03T09:30Z')).toHaveAttribute('data-count', '1');
	await drag(b, '2026-12-03T10:00Z', '2026-12-03T11:00Z');
	await expect(heatCell(a, '2026-12-03T10:00Z')).toHaveAttribute('data-count', '2');
	await expect(heatCell(b, '2026-12-03T10:00Z')).toHaveAttribute('data-count', '2');

	// More people free is drawn darker: 2 > 1 > 0, visibly.
	const colour = (slot: string) => heatCell(b, slot).evaluate((el) => getComputedStyle(el).backgroundColor);
	const [none, one, two] = [
		await colour('2026-12-01T09:00Z'),
		await colour('2026-12-03T09:00Z'),
		await colour('2026-12-03T10:00Z')
	];
	expect(new Set([none, one, two]).size).toBe(3);

	// Who is free at 09:00 on Dec 3: Ana, not Ben.
	await heatCell(b, '2026-12-03T09:00Z').hover();
	await expect(b.getByTestId('slot-available')).toHaveText('Ana');
	await expect(b.getByTestId('slot-unavailable')).toHaveText('Ben');

	// Filtering to Ben alone counts only him.
	await b.getByTestId('people-filter').getByRole('button', { name: 'Ben', exact: false }).click();
	await expect(heatCell(b, '2026-12-03T09:00Z')).toHaveAttribute('data-count', '0');
	await expect(heatCell(b, '2026-12-03T10:00Z')).toHaveAttribute('data-count', '1');
	await b.getByRole('button', { name: 'Show everyone' }).click();
	await expect(heatCell(b, '2026-12-03T10:00Z')).toHaveAttribute('data-count', '2');
});

test('with the relay stopped both paint (the same slot too); after restart both heatmaps agree', async ({
	browser,
	app,
	relay
}) => {
	const { a, b, url } = await twoPeople(browser, app, EVENT);
	await syncState(a, 'synced');
	await syncState(b, 'synced');

	await relay.stop();
	await syncState(a, 'offline');
	await syncState(b, 'offline');
	await drag(a, '2026-12-01T09:00Z', '2026-12-01T10:00Z');
	await drag(b, '2026-12-01T10:00Z', '2026-12-01T11:00Z');
	// Offline, each sees only its own marks.
	await expect(heatCell(a, '2026-12-01T10:00Z')).toHaveAttribute('data-count', '1');
	await expect(heatCell(b, '2026-12-01T10:00Z')).toHaveAttribute('data-count', '1');
	await expect(b.getByTestId('sync-status')).toContainText('will sync');

	await relay.start();
	await syncState(a, 'synced');
	await syncState(b, 'synced');
	const slots = [
		'2026-12-01T09:00Z',
		'2026-12-01T09:30Z',
		'2026-12-01T10:00Z',
		'2026-12-01T10:30Z',
		'2026-12-01T11:00Z'
	];
	const expected = ['1', '1', '2', '1', '1'];
	for (const [i, slot] of slots.entries()) {
		await expect(heatCell(a, slot)).toHaveAttribute('data-count', expected[i]);
		await expect(heatCell(b, slot)).toHaveAttribute('data-count', expected[i]);
	}
	// And a third person arriving later gets the merged result from the relay.
	const c = await (await browser.newContext()).newPage();
	await c.goto(url);
	await expect(heatCell(c, '2026-12-01T10:00Z')).toHaveAttribute('data-count', '2');
});

test('an event created while the relay is down exists at once and reaches the relay when it returns', async ({
	browser,
	page,
	app,
	relay
}) => {
	// The app is open and says it is ready to work offline; then the relay goes away. (Before that,
	// the event page's code may not be on the device yet: tests/e2e/unavailable.spec.ts covers that.)
	await page.goto(`${app}/new?title=Offline%20made&weekdays=6&from=10:00&to=11:00&slot=30&tz=UTC`);
	await expect(page.getByRole('button', { name: 'Create' })).toBeVisible();
	await expect(page.getByTestId('offline-ready')).toBeVisible();
	await relay.stop();
	await page.getByRole('button', { name: 'Create' }).click();
	await page.waitForURL(/\/e\//);
	await expect(page.getByRole('heading', { name: 'Offline made' })).toBeVisible();
	await syncState(page, 'offline');
	await join(page, 'Early');
	await myCell(page, 'w6T10:30').click();
	await expect(myCell(page, 'w6T10:30')).toHaveAttribute('aria-selected', 'true');
	await expect(page.getByTestId('sync-status')).toContainText('will sync');

	await relay.start();
	await syncState(page, 'synced');
	const other = await (await browser.newContext()).newPage();
	await other.goto(page.url());
	await expect(other.getByRole('heading', { name: 'Offline made' })).toBeVisible();
	await expect(heatCell(other, 'w6T10:30')).toHaveAttribute('data-count', '1');
});

test('"if needed": a second brush, shown striped, counted apart and listed on its own', async ({ browser, app }) => {
	const { a, b } = await twoPeople(browser, app, EVENT);
	await a.getByText('If needed', { exact: true }).first().click();
	await drag(a, '2026-12-03T09:00Z', '2026-12-03T10:00Z');
	for (const slot of ['2026-12-03T09:00Z', '2026-12-03T09:30Z', '2026-12-03T10:00Z'])
		await expect(myCell(a, slot)).toHaveAttribute('data-mark', '2');
	await expect(heatCell(b, '2026-12-03T09:30Z')).toHaveAttribute('data-if-needed', '1');
	await expect(heatCell(b, '2026-12-03T09:30Z')).toHaveAttribute('data-count', '0');

	// Ben is simply free then; Ana only if needed.
	await drag(b, '2026-12-03T09:30Z', '2026-12-03T09:30Z');
	await heatCell(b, '2026-12-03T09:30Z').hover();
	await expect(b.getByTestId('slot-available')).toHaveText('Ben');
	await expect(b.getByTestId('slot-if-needed')).toHaveText('Ana');
	await expect(b.getByTestId('slot-unavailable')).toHaveText('Nobody');
	const stripes = await heatCell(b, '2026-12-03T09:30Z').evaluate((el) => getComputedStyle(el).backgroundImage);
	expect(stripes).toContain('repeating-linear-gradient');

	// Painting "Available" over it upgrades the block; painting "If needed" over it again clears it.
	await a.getByText('Available', { exact: true }).first().click();
	await drag(a, '2026-12-03T09:00Z', '2026-12-03T09:00Z');
	await expect(myCell(a, '2026-12-03T09:00Z')).toHaveAttribute('data-mark', '1');
	await a.getByText('If needed', { exact: true }).first().click();
	await drag(a, '2026-12-03T10:00Z', '2026-12-03T10:00Z');
	await expect(myCell(a, '2026-12-03T10:00Z')).toHaveAttribute('data-mark', '0');
	await expect(heatCell(b, '2026-12-03T09:00Z')).toHaveAttribute('data-count', '1');
	await expect(heatCell(b, '2026-12-03T10:00Z')).toHaveAttribute('data-if-needed', '0');
});

test('best times: the overlap of two people first, with a minimum length and people who must come', async ({
	browser,
	app
}) => {
	const { a, b } = await twoPeople(browser, app, EVENT);
	await drag(a, '2026-12-03T09:00Z', '2026-12-03T10:30Z');
	await drag(b, '2026-12-03T09:30Z', '2026-12-03T11:00Z');
	const best = a.getByTestId('best-times');
	await expect(best.getByTestId('best-time').first()).toContainText('09:30 – 11:00');
	await expect(best.getByTestId('best-time').first()).toContainText('2 of 2 available');

	// Longer than the overlap: only one person can make it.
	await best.getByLabel('At least').selectOption({ label: '2 hours' });
	await expect(best.getByTestId('best-time').first()).toContainText('09:00 – 11:00');
	await expect(best.getByTestId('best-time').first()).toContainText('1 of 2 available');
	await best.getByTestId('best-time').first().getByText('People').click();
	await expect(best.getByTestId('best-time').first()).toContainText("Can't: Ben");

	// Ben must come: only his times are listed.
	await best.getByLabel('At least').selectOption({ label: '30 minutes' });
	await best.getByRole('button', { name: 'Ben' }).click();
	await expect(best.getByRole('button', { name: 'Ben' })).toHaveAttribute('aria-pressed', 'true');
	// The list is ranked again just after the click: wait for the new list as a whole, then read it.
	const items = best.getByTestId('best-time');
	await expect(items).toHaveText([/09:30 – 11:00\s+2 of 2 available/, /09:30 – 11:30\s+1 of 2 available/]);
	await expect(items.filter({ hasText: "Can't: Ben" })).toHaveCount(0);
});
