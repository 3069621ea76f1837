/**
 * PIN recovery over the relay's HTTP API, against the real process: set a
 * PIN, recover on "another device", brute force stopped early, organizer reset.
 */
import { describe, expect, it } from 'vitest';
import { applyStroke, markedSlots } from '../../src/lib/model/event-doc.js';
import { newSecret } from '../../src/lib/model/ids.js';
import {
	API_PATHS,
	PARAM_MEMBER,
	PARAM_MEMBER_SECRET,
	PARAM_ORGANIZER_SECRET
} from '../../src/lib/model/relay-protocol.js';
import { relayHarness } from '../support/harness.js';
import { type RelayProcess } from '../support/relay-process.js';
import { type Person } from '../support/identity.js';
import { until } from '../support/clients.js';

const { relay, restart, client, organizedRoom } = relayHarness();

async function post(r: RelayProcess, path: string, body: unknown, headers: Record<string, string> = {}) {
	const res = await fetch(r.httpUrl + path, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...headers },
		body: JSON.stringify(body)
	});
	const text = await res.text();
	return { status: res.status, body: text ? JSON.parse(text) : null, retryAfter: res.headers.get('retry-after') };
}

/** A relay with `env` and an event with `memberCount` members besides the organizer. */
async function event(env: Record<string, string> = {}, memberCount = 1) {
	const r = await relay({ env });
	const { room, organizer, members } = await organizedRoom(r, { members: memberCount });
	return { r, room, org: organizer.person, members: members.map((m) => m.person) };
}

describe('PIN', () => {
	it('a PIN set on one device lets another device write as the same member; the first keeps working', async () => {
		const { r, room, members } = await event();
		const [ana] = members;
		const secret = ana.params[PARAM_MEMBER_SECRET];
		expect(
			(await post(r, API_PATHS.pin(room), { member: ana.memberId, secret: newSecret(), pin: '4829' })).status
		).toBe(403);
		expect((await post(r, API_PATHS.pin(room), { member: ana.memberId, secret, pin: '12' })).body).toEqual({
			error: 'bad-pin'
		});
		expect((await post(r, API_PATHS.pin(room), { member: ana.memberId, secret, pin: '482913' })).status).toBe(204);

		const recovered = await post(r, API_PATHS.recover(room), { member: ana.memberId, pin: '482913' });
		expect(recovered.status).toBe(200);
		const phone: Person = {
			memberId: ana.memberId,
			params: { [PARAM_MEMBER]: ana.memberId, [PARAM_MEMBER_SECRET]: recovered.body.secret }
		};
		const c = client(r, room, phone);
		await until(() => c.provider.synced, 'phone synced');
		applyStroke(c.doc, ana.memberId, ['w1T09:00'], 1);
		const laptop = client(r, room, ana);
		await until(() => markedSlots(laptop.doc, ana.memberId).has('w1T09:00'), "the phone's stroke");
		applyStroke(laptop.doc, ana.memberId, ['w1T10:00'], 1);
		await until(() => markedSlots(c.doc, ana.memberId).has('w1T10:00'), "the laptop's stroke");
		expect(c.closes).toEqual([]);
		expect(laptop.closes).toEqual([]);
		expect(r.output()).not.toContain('482913');
		expect(r.output()).not.toContain(recovered.body.secret);
	});

	it('stops a brute force after a handful of guesses, long before 10,000', async () => {
		const { r, room, members } = await event({ PIN_MAX_FAILURES: '5' });
		const [ana] = members;
		await post(r, API_PATHS.pin(room), { member: ana.memberId, secret: ana.params[PARAM_MEMBER_SECRET], pin: '7351' });
		let answered = 0;
		let locked = null;
		for (let guess = 0; guess < 10_000; guess++) {
			const pin = String(guess).padStart(4, '0');
			if (pin === '7351') continue;
			const res = await post(r, API_PATHS.recover(room), { member: ana.memberId, pin });
			if (res.status === 429) {
				locked = res;
				break;
			}
			expect(res.body).toEqual({ error: 'wrong-pin' });
			answered++;
		}
		expect(answered).toBe(5);
		expect(locked?.body.error).toBe('locked');
		expect(Number(locked?.retryAfter)).toBeGreaterThan(0);
		// Locked means locked: even the right PIN is not checked now.
		expect((await post(r, API_PATHS.recover(room), { member: ana.memberId, pin: '7351' })).status).toBe(429);
	});

	it('keeps a lockout across a restart: the counters are stored with the rooms', async () => {
		const { r, room, members } = await event({ PIN_MAX_FAILURES: '3' });
		const [ana] = members;
		await post(r, API_PATHS.pin(room), { member: ana.memberId, secret: ana.params[PARAM_MEMBER_SECRET], pin: '7351' });
		for (const pin of ['0001', '0002'])
			expect((await post(r, API_PATHS.recover(room), { member: ana.memberId, pin })).status).toBe(403);
		await r.stop();
		const back = await restart(r);
		// Two failures were kept: the third locks.
		expect((await post(back, API_PATHS.recover(room), { member: ana.memberId, pin: '0003' })).status).toBe(403);
		expect((await post(back, API_PATHS.recover(room), { member: ana.memberId, pin: '7351' })).status).toBe(429);
		await back.kill();
		const again = await restart(back);
		expect((await post(again, API_PATHS.recover(room), { member: ana.memberId, pin: '7351' })).status).toBe(429);
	});

	it('limits guesses per client address across members', async () => {
		const { r, room, members } = await event({ PIN_MAX_FAILURES: '100', PIN_MAX_FAILURES_PER_ADDRESS: '6' }, 3);
		for (const m of members)
			await post(r, API_PATHS.pin(room), { member: m.memberId, secret: m.params[PARAM_MEMBER_SECRET], pin: '2468' });
		const statuses: number[] = [];
		for (let i = 0; i < 9; i++) {
			const m = members[i % 3];
			statuses.push((await post(r, API_PATHS.recover(room), { member: m.memberId, pin: String(1000 + i) })).status);
		}
		expect(statuses.slice(0, 6)).toEqual([403, 403, 403, 403, 403, 403]);
		expect(statuses.slice(6)).toEqual([429, 429, 429]);
	});

	it('the organizer can reset a PIN; nobody else can', async () => {
		const { r, room, org, members } = await event();
		const [ana] = members;
		await post(r, API_PATHS.pin(room), { member: ana.memberId, secret: ana.params[PARAM_MEMBER_SECRET], pin: '1357' });
		expect((await post(r, API_PATHS.pinReset(room), { member: ana.memberId, organizer: newSecret() })).status).toBe(
			403
		);
		expect(
			(await post(r, API_PATHS.pinReset(room), { member: ana.memberId, organizer: org.params[PARAM_ORGANIZER_SECRET] }))
				.status
		).toBe(204);
		expect((await post(r, API_PATHS.recover(room), { member: ana.memberId, pin: '1357' })).body).toEqual({
			error: 'no-pin'
		});
	});

	it('refuses API calls from foreign origins, bad JSON and wrong methods', async () => {
		const { r, room, members } = await event();
		const body = { member: members[0].memberId, pin: '1234' };
		expect((await post(r, API_PATHS.recover(room), body, { origin: 'https://evil.example' })).status).toBe(403);
		const bad = await fetch(r.httpUrl + API_PATHS.recover(room), { method: 'POST', body: '{nope' });
		expect(bad.status).toBe(400);
		expect((await fetch(r.httpUrl + API_PATHS.recover(room))).status).toBe(405);
		expect((await post(r, '/api/events/nope/recover', body)).status).toBe(404);
	});
});
