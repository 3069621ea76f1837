/**
 * The relay's limits and how secrets travel, as a person meets them: a full
 * event says so (here on a Korean phone) and lets them look on; no secret is
 * ever part of a websocket URL, which browsers print on failed reconnects
 * and proxies write to their logs.
 */
import path from 'node:path';
import { ROOT, startRelay } from '../support/relay-process.js';
import { createEvent, deviceSecret, drag, expect, heatCell, join, syncState, test, eventIdOf } from './fixtures.js';

const EVENT = 'title=Full&dates=2026-12-01&from=09:00&to=11:00&slot=30&tz=UTC';

test('a full event tells the next person so on a Korean phone, lets them look on, and no URL carries a secret', async ({
	browser
}) => {
	const relay = await startRelay({ buildDir: path.join(ROOT, 'build'), env: { MAX_MEMBERS_PER_EVENT: '1' } });
	try {
		const sockets: string[] = [];
		const logged: string[] = [];
		const organizer = await (await browser.newContext()).newPage();
		organizer.on('websocket', (ws) => sockets.push(ws.url()));
		const url = await createEvent(organizer, relay.httpUrl, EVENT);
		await join(organizer, 'Olga');
		await drag(organizer, '2026-12-01T09:00Z', '2026-12-01T09:00Z');
		await syncState(organizer, 'synced');

		const context = await browser.newContext({
			viewport: { width: 360, height: 800 },
			hasTouch: true,
			isMobile: true,
			locale: 'ko-KR'
		});
		const phone = await context.newPage();
		phone.on('websocket', (ws) => sockets.push(ws.url()));
		phone.on('console', (message) => logged.push(message.text()));
		await phone.goto(url);
		await phone.locator('#join-name').fill('벤');
		await phone.keyboard.press('Enter');
		const refusal = phone.getByTestId('refusal');
		await expect(refusal).toHaveAttribute('data-reason', 'event-full');
		await expect(refusal).toContainText('이 일정은 인원이 다 찼어요');
		await syncState(phone, 'refused');
		// A limit, not a fault of this device: the badge says which.
		await expect(phone.getByTestId('sync-status')).toHaveText('동기화 안 됨 — 릴레이의 한도에 걸렸어요');
		await expect(phone.getByTestId('sync-status')).not.toContainText('거부');
		expect(await phone.evaluate(() => document.documentElement.scrollWidth - innerWidth)).toBeLessThanOrEqual(0);
		const reset = refusal.getByRole('button', { name: '릴레이 사본으로 초기화' });
		expect((await reset.boundingBox())!.height).toBeGreaterThanOrEqual(44);

		// Resetting drops the join from this phone; Ben looks on as a reader.
		await reset.tap();
		await expect(phone.locator('#join-name')).toBeVisible();
		await syncState(phone, 'synced');
		await expect(heatCell(phone, '2026-12-01T09:00Z')).toHaveAttribute('data-count', '1');
		await expect(phone.getByTestId('refusal')).toHaveCount(0);

		const id = eventIdOf(url);
		const memberId = await organizer.evaluate((id) => localStorage.getItem(`moim:identity:${id}`), id);
		const secrets = [
			await deviceSecret(organizer, `organizer:${id}`),
			await deviceSecret(organizer, `member:${id}:${memberId}`)
		];
		expect(secrets.every(Boolean)).toBe(true);
		expect(sockets.length).toBeGreaterThanOrEqual(3);
		for (const socket of sockets) {
			// The only query parameter is the event layout the app reads (`?v=`), never a credential.
			expect([...new URL(socket).searchParams.keys()]).toEqual(['v']);
			for (const secret of secrets) expect(socket).not.toContain(secret);
		}
		for (const line of logged) for (const secret of secrets) expect(line).not.toContain(secret);
		for (const secret of secrets) expect(relay.output()).not.toContain(secret!);
	} finally {
		await relay.kill();
	}
});
