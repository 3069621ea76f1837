/** The events on this device: what each is and where I stand, search (Korean too), trash, and deleting for everyone. */
import { createEvent, expect, join, myCell, test, eventIdOf } from './fixtures.js';

test('the home list describes each event, finds Korean fragments and people, and has a restorable trash', async ({
	page,
	app
}) => {
	const study = await createEvent(
		page,
		app,
		'title=영어스터디 모임&dates=2026-12-01,2026-12-02&from=09:00&to=11:00&slot=30&tz=UTC'
	);
	await join(page, '민지');
	const dinnerUrl = await createEvent(page, app, 'title=Team dinner&weekdays=5&from=18:00&to=21:00&slot=60&tz=UTC');
	const dinnerId = eventIdOf(dinnerUrl);
	await page.goto(app);
	const list = page.getByTestId('event-list');
	// Last opened first.
	await expect(list.getByRole('link')).toHaveText(['Team dinner', '영어스터디 모임']);
	const studyItem = list.getByRole('listitem').filter({ hasText: '영어스터디' });
	await expect(studyItem).toContainText('Dec 1 – 2 · 2 days · 09:00–11:00');
	await expect(studyItem.getByTestId('event-status')).toContainText('You are 민지 · nothing marked yet');
	await expect(list.getByRole('listitem').filter({ hasText: 'Team dinner' })).toContainText('Fri · 18:00–21:00');
	await expect(list.getByRole('listitem').filter({ hasText: 'Team dinner' }).getByTestId('event-status')).toContainText(
		'not joined'
	);

	await page.goto(study);
	await myCell(page, '2026-12-01T09:00Z').click();
	await page.goto(app);
	await expect(studyItem.getByTestId('event-status')).toContainText('You are 민지 · marked');

	const search = page.getByLabel('Search events and people');
	await search.fill('스터');
	await expect(list.getByRole('link')).toHaveText(['영어스터디 모임']);
	await search.fill('스ㅌ');
	await expect(list.getByRole('link')).toHaveText(['영어스터디 모임']);
	await search.fill('민지');
	await expect(list.getByRole('link')).toHaveText(['영어스터디 모임']);
	await search.fill('dinner');
	await expect(list.getByRole('link')).toHaveText(['Team dinner']);
	await search.fill('없는말');
	await expect(page.getByText('No event matches.')).toBeVisible();
	await search.fill('');

	await page.getByRole('button', { name: 'Remove Team dinner from this device' }).click();
	await expect(list.getByRole('link')).toHaveText(['영어스터디 모임']);
	const trash = page.getByTestId('trash');
	await trash.getByText('Trash (1)').click();
	await trash.getByRole('button', { name: 'Restore Team dinner' }).click();
	await expect(list.getByRole('link')).toHaveText(['영어스터디 모임', 'Team dinner']);
	await expect(trash).toHaveCount(0);

	await page.getByRole('button', { name: 'Remove Team dinner from this device' }).click();
	await trash.getByText('Trash (1)').click();
	const databases = () => page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
	expect(await databases()).toContain(`moim-event-${dinnerId}`);
	await trash.getByRole('button', { name: 'Empty trash' }).click();
	await trash.getByRole('button', { name: 'Really delete these copies from this device?' }).click();
	await expect(trash).toHaveCount(0);
	await expect.poll(databases).not.toContain(`moim-event-${dinnerId}`);
	await expect(list.getByRole('link')).toHaveText(['영어스터디 모임']);
	// Removing here never deleted it for anyone: the link still opens it from the relay.
	await page.goto(dinnerUrl);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Team dinner');
});

test('the organizer deletes an event for everyone; everyone sees it deleted; it can be restored', async ({
	browser,
	page,
	app
}) => {
	const url = await createEvent(page, app, 'title=Picnic&dates=2026-12-05&from=10:00&to=12:00&slot=60&tz=UTC');
	const guest = await (await browser.newContext()).newPage();
	await guest.goto(url);
	await join(guest, 'Ben');
	const tools = page.getByTestId('organizer');
	await tools.getByRole('button', { name: 'Delete event for everyone' }).click();
	await expect(tools.getByText('Really delete it for everyone?')).toBeVisible();
	await tools.getByRole('button', { name: 'Yes, delete for everyone' }).click();
	for (const p of [page, guest])
		await expect(p.getByTestId('event-deleted')).toContainText('The organizer deleted this event for everyone.');
	await guest.goto(new URL(url).origin);
	await expect(guest.getByTestId('event-status')).toContainText('Deleted by the organizer');
	await page.getByRole('button', { name: 'Restore the event' }).click();
	await guest.goto(url);
	await expect(guest.getByRole('heading', { level: 1 })).toHaveText('Picnic');
});
