/** Links: prefilled create links, malformed event links, unknown events, identity on this device. */
import { createEvent, expect, join, test } from './fixtures.js';

test('a prefilled create link fills the form', async ({ page, app }) => {
	await page.goto(`${app}/new?title=Study&weekdays=1,3,5&from=10:00&to=18:00&slot=60&tz=Asia/Seoul`);
	await expect(page.getByLabel('Title')).toHaveValue('Study');
	await expect(page.getByLabel('Days of the week')).toBeChecked();
	for (const day of ['Monday', 'Wednesday', 'Friday'])
		await expect(page.getByRole('button', { name: day })).toHaveAttribute('aria-pressed', 'true');
	await expect(page.getByRole('button', { name: 'Tuesday' })).toHaveAttribute('aria-pressed', 'false');
	await expect(page.getByLabel('From')).toHaveValue('600');
	await expect(page.getByLabel('Block length')).toHaveValue('60');
	await expect(page.getByLabel('Time zone')).toHaveAttribute('data-zone', 'Asia/Seoul');
	await page.getByRole('button', { name: 'Create' }).click();
	await page.waitForURL(/\/e\//);
	await join(page, 'Sol');
	await expect(page.getByRole('grid', { name: /^Your availability/ }).locator('[data-slot="w3T17:00"]')).toBeVisible();
});

test('invalid create-link parameters are reported next to their fields, and block creating', async ({ page, app }) => {
	await page.goto(`${app}/new?title=X&dates=2026-12-01,2026-02-30&from=9am&slot=45&tz=Mars/Base`);
	await expect(page.getByText('These are not dates (YYYY-MM-DD): 2026-02-30')).toBeVisible();
	await expect(page.getByText('Not a time of day (HH:MM): 9am')).toBeVisible();
	await expect(page.getByText('Not a block length (15, 30 or 60 minutes): 45')).toBeVisible();
	await expect(page.getByText('Not a known time zone: Mars/Base')).toBeVisible();
	// The valid date was kept.
	await expect(page.locator('[data-date="2026-12-01"]')).toHaveAttribute('aria-pressed', 'true');
	await page.getByRole('button', { name: 'Create' }).click();
	await expect(page).toHaveURL(/\/new\?/);
	// Fixing the fields clears their messages and lets the event be created.
	await page.getByLabel('From').selectOption({ label: '09:00' });
	await page.getByLabel('Block length').selectOption({ label: '30 minutes' });
	await page.getByLabel('Time zone').fill('Seoul');
	await page.getByRole('option', { name: /^Seoul · / }).click();
	await page.locator('[data-date="2026-12-01"]').click();
	await page.locator('[data-date="2026-12-01"]').click();
	await page.getByRole('button', { name: 'Create' }).click();
	await page.waitForURL(/\/e\//);
});

test('an empty form names what is missing', async ({ page, app }) => {
	await page.goto(app);
	await page.getByRole('button', { name: 'Create' }).click();
	await expect(page.getByText('Give the event a title.', { exact: true })).toBeVisible();
	await expect(page.getByText('Pick at least one date.', { exact: true })).toBeVisible();
});

test('a malformed event link shows a clear page', async ({ page, app }) => {
	for (const bad of ['nope', 'AAAAAAAAAAAAAAAAAAAAAB', 'AAAAAAAAAAAAAAAAAAAAAAAA']) {
		await page.goto(`${app}/e/${bad}`);
		await expect(page.getByRole('heading', { name: 'Not a valid event link' })).toBeVisible();
	}
});

test('a valid but unknown event id says so once the relay has answered', async ({ page, app }) => {
	await page.goto(`${app}/e/AAAAAAAAAAAAAAAAAAAAAA`);
	await expect(page.getByRole('heading', { name: 'No event at this link' })).toBeVisible();
});

test('reopening continues as the same member; "Not you?" lets someone else pick or join', async ({ page, app }) => {
	const url = await createEvent(page, app, 'title=Club&weekdays=2,4&from=18:00&to=20:00&slot=60&tz=UTC');
	await join(page, 'Hana');
	await page.goto(app);
	await page.goto(url);
	await expect(page.getByText('You are Hana')).toBeVisible();
	await page.getByRole('button', { name: 'Not you?' }).click();
	await join(page, 'Dong');
	await expect(page.getByText('You are Dong')).toBeVisible();
	await page.getByRole('button', { name: 'Not you?' }).click();
	await page.getByRole('button', { name: 'Continue as Hana' }).click();
	await expect(page.getByText('You are Hana')).toBeVisible();
	await page.reload();
	await expect(page.getByText('You are Hana')).toBeVisible();
});

test('sharing: a QR code of the event link, and the system share sheet where the browser has one', async ({
	browser,
	page,
	app
}) => {
	const url = await createEvent(page, app, 'title=Picnic&weekdays=6&from=10:00&to=12:00&slot=60&tz=UTC');
	await page.getByRole('button', { name: 'QR code' }).click();
	const dialog = page.getByTestId('qr-dialog');
	await expect(dialog).toBeVisible();
	await expect(dialog).toContainText(url);
	// The code encodes exactly the link: the same encoder and options, run here, draw the same picture.
	const QRCode = await import('qrcode');
	const expected = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
	const drawn = await page.getByTestId('qr-code').innerHTML();
	const paths = (svg: string) => [...svg.matchAll(/ d="([^"]+)"/g)].map((m) => m[1]);
	expect(paths(drawn)).toEqual(paths(expected));
	expect(paths(drawn).length).toBeGreaterThan(0);
	await dialog.getByRole('button', { name: 'Close' }).click();
	await expect(dialog).toBeHidden();

	// Headless Chromium has no share sheet: no button. Where there is one (stood in for), it gets the link.
	await expect(page.getByRole('button', { name: 'Share…' })).toHaveCount(0);
	const phone = await browser.newContext();
	await phone.addInitScript(() => {
		(navigator as unknown as { share: (data: ShareData) => Promise<void> }).share = async (data) => {
			(window as unknown as { shared: ShareData }).shared = data;
		};
	});
	const other = await phone.newPage();
	await other.goto(url);
	await other.getByRole('button', { name: 'Share…' }).click();
	await expect.poll(() => other.evaluate(() => (window as unknown as { shared?: ShareData }).shared?.url)).toBe(url);
	expect(await other.evaluate(() => (window as unknown as { shared: ShareData }).shared.title)).toBe('Picnic');
	await phone.close();
});

test('"Duplicate" starts a new event with the same settings and none of the answers', async ({ page, app }) => {
	const first = await createEvent(
		page,
		app,
		'title=Weekly%20sync&weekdays=2,4&from=13:00&to=15:00&slot=30&tz=Asia/Seoul'
	);
	await join(page, 'Min');
	const requested: string[] = [];
	page.on('request', (request) => requested.push(request.url()));
	await page.getByRole('link', { name: 'Duplicate' }).click();
	// The settings travel in the fragment: not even a reload sends them to the relay.
	await expect(page).toHaveURL(/\/new#title=Weekly\+sync&/);
	await expect(page.getByLabel('Title')).toHaveValue('Weekly sync');
	await page.reload();
	await expect(page.getByLabel('Title')).toHaveValue('Weekly sync');
	expect(requested.some((url) => url.includes('/new'))).toBe(true);
	expect(requested.filter((url) => /Weekly|title=/.test(url))).toEqual([]);
	// A link made by hand keeps its query when its fragment names no setting.
	await page.goto(`${app}/new?title=From%20the%20query#top`);
	await expect(page.getByLabel('Title')).toHaveValue('From the query');
	await page.goBack();
	await expect(page.getByLabel('Title')).toHaveValue('Weekly sync');
	await expect(page.getByRole('button', { name: 'Tuesday' })).toHaveAttribute('aria-pressed', 'true');
	await expect(page.getByRole('button', { name: 'Thursday' })).toHaveAttribute('aria-pressed', 'true');
	await expect(page.getByLabel('Time zone')).toHaveAttribute('data-zone', 'Asia/Seoul');
	await page.getByRole('button', { name: 'Create' }).click();
	await page.waitForURL(/\/e\//);
	expect(page.url()).not.toBe(first);
	await expect(page.getByLabel('Name')).toBeVisible();
	await expect(page.getByRole('heading', { name: 'Weekly sync' })).toBeVisible();
});
