/** My week: a routine made in the dialog fills an event as one undoable stroke; a calendar file is read on the device. */
import path from 'node:path';
import * as Y from 'yjs';
import { newPersonalRoomId } from '../../src/lib/model/ids.js';
import { stockClient, until } from '../support/clients.js';
import { ROOT } from '../support/relay-process.js';
import { addRoutine, createEvent, drag, expect, join, myCell, test } from './fixtures.js';

test('a routine with two ranges, drawn as a week, fills an event in one stroke that undo takes back', async ({
	page,
	app
}) => {
	await page.goto(`${app}/week`);
	await expect(page.getByTestId('week-empty')).toBeVisible();
	await page.getByRole('button', { name: '+ Add to my week' }).click();
	const dialog = page.getByTestId('routine-dialog');
	// A new entry starts empty: the sample is a placeholder, and Save names every missing part.
	await expect(dialog.getByLabel('What is it?')).toHaveValue('');
	await expect(dialog.getByLabel('What is it?')).toHaveAttribute('placeholder', 'e.g. Math academy');
	await dialog.getByRole('button', { name: 'Save' }).click();
	await expect(dialog.getByRole('alert').getByRole('listitem')).toHaveText([
		'Give it a name.',
		'Choose when each range starts and ends.',
		'Pick at least one day for each range.'
	]);
	await expect(dialog.getByLabel('What is it?')).toBeFocused();
	await dialog.getByLabel('What is it?').fill('Math academy');
	const first = dialog.getByRole('group', { name: 'Time range 1' });
	// Choosing a start proposes an hour (options are minutes after midnight: 900 is 15:00); the end can then be moved.
	await first.getByLabel('From').selectOption({ label: '14:00' });
	await expect(first.getByLabel('To')).toHaveValue('900');
	await first.getByLabel('To').selectOption({ label: '16:00' });
	for (const day of ['Monday', 'Wednesday', 'Friday']) await first.getByLabel(day).check();
	await dialog.getByRole('button', { name: '+ Add a time range' }).click();
	const second = dialog.getByRole('group', { name: 'Time range 2' });
	await expect(second.getByLabel('Monday')).not.toBeChecked();
	await second.getByLabel('From').selectOption({ label: '18:00' });
	await second.getByLabel('To').selectOption({ label: '20:00' });
	// A range without days is refused with a clear message.
	await dialog.getByRole('button', { name: 'Save' }).click();
	await expect(dialog.getByRole('alert')).toHaveText('Pick at least one day for each range.');
	for (const day of ['Tuesday', 'Thursday']) await second.getByLabel(day).check();
	await dialog.getByRole('button', { name: 'Save' }).click();
	await expect(dialog).toBeHidden();
	await expect(page.getByTestId('routine-entry')).toContainText('14:00–16:00 Mon Wed Fri; 18:00–20:00 Tue Thu');
	await expect(page.getByTestId('week-block')).toHaveCount(5);
	// The home page tells what comes next.
	await page.goto(app);
	await expect(page.getByTestId('week-now')).toContainText('Math academy');

	// Mondays and Tuesdays 13:00–19:00 (the browser and the routine are in UTC).
	await createEvent(page, app, 'title=Weekly&weekdays=1,2&from=13:00&to=19:00&slot=60&tz=UTC');
	await join(page, 'Min');
	await page.getByRole('button', { name: 'Fill from my week' }).click();
	await expect(page.getByTestId('fill-summary')).toHaveText('Preview: 9 blocks become available, 0 are cleared.');
	await expect(myCell(page, 'w1T13:00')).toHaveAttribute('data-proposal', '1');
	await expect(myCell(page, 'w1T14:00')).not.toHaveAttribute('data-proposal');
	await expect(myCell(page, 'w2T18:00')).not.toHaveAttribute('data-proposal');
	// Nothing is written before Apply.
	await expect(myCell(page, 'w1T13:00')).toHaveAttribute('data-mark', '0');
	await page.getByRole('button', { name: 'Apply' }).click();
	await expect(myCell(page, 'w1T13:00')).toHaveAttribute('data-mark', '1');
	await expect(myCell(page, 'w2T17:00')).toHaveAttribute('data-mark', '1');
	await expect(myCell(page, 'w1T15:00')).toHaveAttribute('data-mark', '0');
	await expect(page.getByTestId('heatmap').locator('[data-slot="w1T13:00"]')).toHaveAttribute('data-count', '1');
	await page.getByRole('button', { name: /Undo/ }).click();
	for (const slot of ['w1T13:00', 'w2T17:00']) await expect(myCell(page, slot)).toHaveAttribute('data-mark', '0');

	// Replace mode also clears a busy block I had marked.
	await myCell(page, 'w1T14:00').click();
	await page.getByRole('button', { name: 'Fill from my week' }).click();
	await expect(page.getByTestId('fill-summary')).toHaveText('Preview: 9 blocks become available, 1 are cleared.');
	await page.getByLabel('Only add my free times').check();
	await expect(page.getByTestId('fill-summary')).toHaveText('Preview: 9 blocks become available, 0 are cleared.');
	await page.getByRole('button', { name: 'Cancel' }).click();
	await expect(myCell(page, 'w1T13:00')).not.toHaveAttribute('data-proposal');
});

test('importing a calendar file previews its busy times as unavailable; a file that is not a calendar is told', async ({
	page,
	app
}) => {
	await createEvent(page, app, 'title=Planning&dates=2026-11-02,2026-11-03&from=09:00&to=18:00&slot=60&tz=UTC');
	await join(page, 'Min');
	await drag(page, '2026-11-02T13:00Z', '2026-11-02T17:00Z');
	await page.getByRole('button', { name: 'Import a calendar (.ics)' }).click();
	// Dropped: not a calendar.
	await page.getByTestId('ics-drop').evaluate((zone) => {
		const data = new DataTransfer();
		data.items.add(new File(['hello'], 'notes.txt', { type: 'text/plain' }));
		zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
	});
	await expect(page.getByRole('alert')).toHaveText('That file is not an iCalendar (.ics) file.');
	// Picked: the fixture's moved standup (16:00–16:30Z on 2 Nov) clears one block; its free reminder does not.
	await page.getByLabel('Calendar file').setInputFiles(path.join(ROOT, 'tests/fixtures/busy.ics'));
	await expect(page.getByTestId('fill-summary')).toHaveText('Preview: 0 blocks become available, 1 are cleared.');
	await expect(myCell(page, '2026-11-02T16:00Z')).toHaveAttribute('data-proposal', '0');
	await page.getByRole('button', { name: 'Apply' }).click();
	await expect(myCell(page, '2026-11-02T16:00Z')).toHaveAttribute('data-mark', '0');
	await expect(myCell(page, '2026-11-02T15:00Z')).toHaveAttribute('data-mark', '1');
});

test('a calendar file with an event that cannot be read: the others are previewed, and the skipped one is told', async ({
	page,
	app
}) => {
	await createEvent(page, app, 'title=Checkup&dates=2026-04-08&from=09:00&to=18:00&slot=60&tz=UTC');
	await join(page, 'Min');
	await drag(page, '2026-04-08T14:00Z', '2026-04-08T16:00Z');
	await page.getByRole('button', { name: 'Import a calendar (.ics)' }).click();
	// The fixture's good event (15:00–16:00Z) is read; its other event has a DTSTART date without VALUE=DATE.
	await page
		.getByLabel('Calendar file')
		.setInputFiles(path.join(ROOT, 'tests/fixtures/ics/broken-date-without-value.ics'));
	await expect(page.getByTestId('ics-notes')).toHaveText("1 event couldn't be read and was skipped (a broken date).");
	await expect(page.getByTestId('fill-summary')).toHaveText('Preview: 0 blocks become available, 1 are cleared.');
	await expect(myCell(page, '2026-04-08T15:00Z')).toHaveAttribute('data-proposal', '0');
	await expect(myCell(page, '2026-04-08T14:00Z')).not.toHaveAttribute('data-proposal');
});

test('"Use on my other devices": a private link brings my week to another device, and edits flow both ways', async ({
	browser,
	page,
	app,
	relay
}) => {
	const addEntry = (p: typeof page, title: string) =>
		addRoutine(p, { title, from: '07:00', to: '08:00', days: ['Saturday'] });
	await page.goto(`${app}/week`);
	await addEntry(page, 'Gym');
	const sync = page.getByTestId('week-sync');
	await sync.getByRole('button', { name: 'Turn on' }).click();
	const link = await sync.getByLabel('Private sync link').inputValue();
	// The room and its key: the relay gets the room, never the key.
	expect(link).toMatch(/\/week#sync=my-[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
	const room = link.split('#sync=')[1].split('.')[0];

	const laptop = await (await browser.newContext()).newPage();
	await laptop.goto(link);
	await expect(laptop.getByText('This device now shares your week with your other devices.')).toBeVisible();
	// The key leaves the address bar at once.
	expect(new URL(laptop.url()).hash).toBe('');
	await expect(laptop.getByTestId('routine-entry')).toContainText('Gym');
	await addEntry(laptop, 'Choir');
	await expect(page.getByTestId('routine-entry')).toHaveCount(2);
	await expect(page.getByTestId('routine-entry').filter({ hasText: 'Choir' })).toBeVisible();
	// Still syncing after a reload (the room is remembered on the device).
	await laptop.reload();
	await page.getByRole('button', { name: 'Delete: Gym' }).click();
	await expect(laptop.getByTestId('routine-entry')).toHaveCount(1);

	// What the relay holds for the room: sealed entries, none of their titles.
	const reader = stockClient(relay.process.wsUrl, room);
	try {
		await until(() => reader.provider.synced && reader.doc.getMap('routines').size === 1, 'the room read');
		const stored = Buffer.from(Y.encodeStateAsUpdate(reader.doc)).toString('latin1');
		for (const title of ['Choir', 'Gym', '07:00', '"ranges"']) expect(stored).not.toContain(title);
		const key = link.split('#sync=')[1].split('.')[1];
		expect(key).toHaveLength(43);
		expect(relay.process.output()).not.toContain(key);
	} finally {
		reader.destroy();
	}
	// A link from before keys (a room alone) still syncs, and says it is not encrypted.
	const older = await (await browser.newContext()).newPage();
	await older.goto(`${app}/week#sync=${newPersonalRoomId()}`);
	await expect(older.getByTestId('week-sync-plain')).toBeVisible();

	const bad = await (await browser.newContext()).newPage();
	await bad.goto(`${app}/week#sync=not-a-room`);
	await expect(bad.getByRole('alert')).toHaveText('This sync link is not valid. Copy it again from your other device.');
});
