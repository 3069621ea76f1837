/**
 * The relay's limits and hygiene, each against a real process with the limit
 * turned down: a clear refusal, a log line, a metric, and an intact room.
 */
import { describe, expect, it, vi } from 'vitest';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import WebSocket from 'ws';
import { applyStroke, joinEvent, markedSlots, readSettings } from '../../src/lib/model/event-doc.js';
import { newEventId, newPersonalRoomId } from '../../src/lib/model/ids.js';
import { person } from '../support/identity.js';
import { buildGrid } from '../../src/lib/model/slots.js';
import { CLOSE_LIMIT, CLOSE_TRY_AGAIN_LATER } from '../../src/lib/model/relay-protocol.js';
import { DRAFT, relayHarness } from '../support/harness.js';
import { tempDir, type RelayProcess } from '../support/relay-process.js';
import { until, type StockClient } from '../support/clients.js';

const { onCleanup, relay, client, organizedRoom, tracker } = relayHarness();

/** How many members an event document lists. */
const readMembersOf = (doc: { getMap(name: string): { size: number } }) => doc.getMap('members').size;

/** A relay with `env`, and an event in a new room organized (and joined) by Ana, its organizer. */
async function organizedRelay(env: Record<string, string>) {
	const r = await relay({ env });
	const { room, organizer } = await organizedRoom(r);
	return { r, room, ana: organizer.person, a: organizer.client };
}

/** Waits until the relay has confirmed everything `c` wrote, or has closed it. */
function confirmedOrClosed(c: StockClient) {
	const t = tracker(c);
	return () => until(() => c.closes.length > 0 || t.snapshot.state === 'synced', 'the relay confirming or refusing');
}

/** Opens a raw websocket with extra headers; resolves with the upgrade's HTTP status on refusal. */
function rawOpen(url: string, headers: Record<string, string> = {}) {
	const ws = new WebSocket(url, { headers });
	onCleanup(() => ws.terminate());
	const outcome = new Promise<{ open: true } | { open: false; status: number }>((resolve) => {
		ws.once('open', () => resolve({ open: true }));
		ws.once('unexpected-response', (_req, res) => resolve({ open: false, status: res.statusCode ?? 0 }));
		ws.once('error', () => resolve({ open: false, status: 0 }));
	});
	const closed = new Promise<{ code: number; reason: string }>((resolve) =>
		ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }))
	);
	return { ws, outcome, closed };
}

/**
 * Opens a websocket by hand and sends `frames` in the same write as the
 * upgrade request, so the relay has them all before anything it starts on
 * the connection (a room's load) can finish. Resolves to the relay's close
 * frame.
 */
function upgradeWithFrames(url: string, frames: Uint8Array[]): Promise<{ code: number; reason: string }> {
	const { hostname, port, pathname } = new URL(url);
	const key = Buffer.from(Array.from({ length: 16 }, (_, i) => i)).toString('base64');
	const request = Buffer.from(
		`GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
			`Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`
	);
	// Client frames are masked: FIN + binary, the mask bit with a short length, a zero mask (the payload as is).
	const wire = frames.map((f) => Buffer.concat([Buffer.from([0x82, 0x80 | f.length, 0, 0, 0, 0]), Buffer.from(f)]));
	return new Promise((resolve, reject) => {
		const socket = net.connect(Number(port), hostname, () => socket.write(Buffer.concat([request, ...wire])));
		onCleanup(() => socket.destroy());
		let data = Buffer.alloc(0);
		socket.on('error', reject);
		socket.on('close', () => reject(new Error(`closed without a close frame: ${data.toString('latin1')}`)));
		socket.on('data', (chunk) => {
			data = Buffer.concat([data, chunk]);
			const head = data.indexOf('\r\n\r\n');
			if (head < 0) return;
			if (!data.subarray(0, 12).toString().includes(' 101')) return reject(new Error(data.toString('latin1')));
			// Server frames are not masked; the relay's are short.
			for (let at = head + 4; at + 2 <= data.length;) {
				const opcode = data[at] & 0x0f;
				let length = data[at + 1] & 0x7f;
				let body = at + 2;
				if (length === 126) {
					if (body + 2 > data.length) return;
					length = data.readUInt16BE(body);
					body += 2;
				}
				if (body + length > data.length) return;
				if (opcode === 8) {
					socket.removeAllListeners('close');
					socket.destroy();
					return resolve({
						code: data.readUInt16BE(body),
						reason: data.subarray(body + 2, body + length).toString()
					});
				}
				at = body + length;
			}
		});
	});
}

async function metric(r: RelayProcess, line: RegExp): Promise<number> {
	const text = await (await fetch(`${r.httpUrl}/metrics`)).text();
	const match = text.split('\n').find((l) => line.test(l));
	return match ? Number(match.split(' ').pop()) : 0;
}

describe('limits', () => {
	it('accepts websockets from its own origin, ALLOWED_ORIGINS and non-browsers; refuses other origins', async () => {
		const r = await relay({ env: { ALLOWED_ORIGINS: 'https://moim.example' } });
		const url = `${r.wsUrl}/${newEventId()}`;
		expect(await rawOpen(url, { Origin: 'https://evil.example' }).outcome).toEqual({ open: false, status: 403 });
		expect(await rawOpen(url, { Origin: 'https://moim.example' }).outcome).toEqual({ open: true });
		expect(await rawOpen(url, { Origin: r.httpUrl }).outcome).toEqual({ open: true });
		expect(await rawOpen(url).outcome).toEqual({ open: true });
		expect(r.output()).toContain('origin-not-allowed');
		expect(await metric(r, /^moim_rejected_total\{reason="origin-not-allowed"\}/)).toBe(1);
	});

	it('caps connections per client address', async () => {
		const r = await relay({ env: { MAX_CONNECTIONS_PER_ADDRESS: '2' } });
		const url = `${r.wsUrl}/${newEventId()}`;
		const first = rawOpen(url);
		expect(await first.outcome).toEqual({ open: true });
		expect(await rawOpen(url).outcome).toEqual({ open: true });
		expect(await rawOpen(url).outcome).toEqual({ open: false, status: 429 });
		first.ws.close();
		await first.closed;
		// The relay counts a socket out when it sees it close, which may be after this side did.
		await vi.waitFor(async () => expect((await (await fetch(`${r.httpUrl}/healthz`)).json()).connections).toBe(1), {
			timeout: 10_000
		});
		expect(await rawOpen(url).outcome).toEqual({ open: true });
	});

	it('counts connections per address behind TRUST_PROXY proxies by X-Forwarded-For, and ignores the header otherwise', async () => {
		const behind = await relay({ env: { MAX_CONNECTIONS_PER_ADDRESS: '1', TRUST_PROXY: '1' } });
		const url = `${behind.wsUrl}/${newEventId()}`;
		const from = (forwarded: string) => rawOpen(url, { 'x-forwarded-for': forwarded }).outcome;
		expect(await from('203.0.113.1')).toEqual({ open: true });
		expect(await from('203.0.113.2')).toEqual({ open: true });
		expect(await from('203.0.113.1')).toEqual({ open: false, status: 429 });
		// What the client wrote itself (left of the proxy's entry) proves nothing.
		expect(await from('198.51.100.7, 203.0.113.2')).toEqual({ open: false, status: 429 });

		const direct = await relay({ env: { MAX_CONNECTIONS_PER_ADDRESS: '1' } });
		const directUrl = `${direct.wsUrl}/${newEventId()}`;
		expect(await rawOpen(directUrl, { 'x-forwarded-for': '203.0.113.1' }).outcome).toEqual({ open: true });
		expect(await rawOpen(directUrl, { 'x-forwarded-for': '203.0.113.2' }).outcome).toEqual({
			open: false,
			status: 429
		});
	});

	it('serves /metrics only with METRICS_TOKEN as a bearer token, or only on METRICS_PORT', async () => {
		const withToken = await relay({ env: { METRICS_TOKEN: 'scrape-me-please' } });
		const get = (url: string, token?: string) =>
			fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
		expect((await get(`${withToken.httpUrl}/metrics`)).status).toBe(401);
		expect((await get(`${withToken.httpUrl}/metrics`, 'scrape-me-not')).status).toBe(401);
		const allowed = await get(`${withToken.httpUrl}/metrics`, 'scrape-me-please');
		expect(allowed.status).toBe(200);
		expect(await allowed.text()).toContain('moim_connections');

		const port = await new Promise<number>((resolve) => {
			const probe = net.createServer().listen(0, '127.0.0.1', () => {
				const { port } = probe.address() as net.AddressInfo;
				probe.close(() => resolve(port));
			});
		});
		const apart = await relay({ env: { METRICS_PORT: String(port) } });
		expect((await fetch(`${apart.httpUrl}/metrics`)).status).toBe(404);
		expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toContain('moim_connections');
		expect(apart.output()).toContain('"metrics listening"');
	});

	it('stops a room from growing past MAX_ROOM_BYTES and keeps what it has', async () => {
		// Strokes that arrive together are stored as one merged record, a few bytes per mark.
		const { r, room, ana, a } = await organizedRelay({ MAX_ROOM_BYTES: '1000' });
		const settled = confirmedOrClosed(a);
		applyStroke(a.doc, ana.memberId, ['w1T09:00'], 1);
		// Every slot of the week, one stroke at a time, a day at a time, until the relay says no.
		for (const day of [1, 2, 3, 4, 5, 6, 7]) {
			for (let h = 0; h < 24 && a.closes.length === 0; h++)
				applyStroke(a.doc, ana.memberId, [`w${day}T${String(h).padStart(2, '0')}:30`], 1);
			await settled();
		}
		await until(() => a.closes.length > 0, 'the relay refusing more');
		expect(a.closes[0]).toEqual({ code: CLOSE_LIMIT, reason: 'room-too-large' });
		// A reader still gets in: its sync step 2 adds nothing, so the limit does not apply to it.
		const reader = client(r, room);
		await until(() => reader.provider.synced, 'reader');
		expect(reader.closes).toEqual([]);
		expect(readSettings(reader.doc)?.title).toBe(DRAFT.title);
		expect(markedSlots(reader.doc, ana.memberId).has('w1T09:00')).toBe(true);
		expect(r.output()).toContain('room-too-large');
	});

	it('counts a long history of overwrites against MAX_ROOM_BYTES, though its v2 snapshot stays small', async () => {
		// Every block of the week marked, then cleared, then marked again…: the document keeps an item per
		// overwrite (about 9 bytes each in v1; 20,000 bytes after 2,000 strokes), while its v2 snapshot stays
		// near 2 KB. Folding the log every 5 records, only the v1 count can reach the limit.
		const { ana, a } = await organizedRelay({ MAX_ROOM_BYTES: '15000', COMPACT_AFTER: '5' });
		const settled = confirmedOrClosed(a);
		const slots = [...buildGrid(DRAFT).slots];
		for (let i = 0; i < 3000 && a.closes.length === 0; i++) {
			applyStroke(a.doc, ana.memberId, [slots[i % slots.length]], Math.floor(i / slots.length) % 2 === 0 ? 1 : 0);
			if (i % 20 === 19) await settled();
		}
		await until(() => a.closes.length > 0, 'the relay refusing more');
		expect(a.closes[0]).toEqual({ code: CLOSE_LIMIT, reason: 'room-too-large' });
	});

	it('lets one address create MAX_NEW_ROOMS_PER_HOUR rooms an hour; more are refused, existing rooms go on', async () => {
		const { r, room, ana } = await organizedRelay({ MAX_NEW_ROOMS_PER_HOUR: '2' });
		// The second new room: an event.
		await organizedRoom(r);
		// The third: an event, then a personal room (my week), refused before anything is stored.
		const third = newEventId();
		const organizer = person({ organizer: true });
		const refused = client(r, third, organizer);
		await until(() => refused.closes.length > 0, 'the third event refused');
		expect(refused.closes[0]).toEqual({ code: CLOSE_LIMIT, reason: 'too-many-new-rooms' });
		const week = client(r, newPersonalRoomId());
		await until(() => week.provider.synced, 'my week synced');
		week.doc.getMap('routines').set('r1', 'x');
		await until(() => week.closes.length > 0, 'the new personal room refused');
		expect(week.closes[0]).toEqual({ code: CLOSE_LIMIT, reason: 'too-many-new-rooms' });
		expect(r.output()).toMatch(
			/"reason":"too-many-new-rooms".*"address":"127\.0\.0\.1"|"address":"127\.0\.0\.1".*"reason":"too-many-new-rooms"/
		);
		// Joining and writing an existing event is not creating one.
		const ben = person();
		const member = client(r, room, ben);
		await until(() => readSettings(member.doc) !== null, 'Ben has the event');
		joinEvent(member.doc, 'Ben', 2, ben.memberId);
		const reader = client(r, room);
		await until(() => reader.doc.getMap('members').has(ben.memberId), "Ben's join stored");
		expect(member.closes).toEqual([]);
		expect(ana.memberId).toBeTruthy();
	});

	it('registers at most MAX_MEMBERS_PER_EVENT members in an event; the next is told the event is full', async () => {
		const { r, room, a } = await organizedRelay({ MAX_MEMBERS_PER_EVENT: '2' });
		// Anyone with the link can open connections as new members: nothing is registered until they
		// write, so they fill neither the disk nor the event.
		const flood = Array.from({ length: 5 }, () => {
			const who = person();
			return { who, c: client(r, room, who) };
		});
		for (const { c } of flood) await until(() => c.provider.synced, 'a would-be member connected');
		const ben = person();
		const second = client(r, room, ben);
		await until(() => readSettings(second.doc) !== null, 'Ben has the event');
		joinEvent(second.doc, 'Ben', 2, ben.memberId);
		await until(() => a.doc.getMap('members').has(ben.memberId), 'Ben joined');
		const third = client(r, room, person());
		await until(() => third.closes.length > 0, 'the third member refused');
		expect(third.closes[0]).toEqual({ code: CLOSE_LIMIT, reason: 'event-full' });
		// One of those connected before, joining now, is refused at its first write.
		const [late] = flood;
		joinEvent(late.c.doc, 'Late', 5, late.who.memberId);
		await until(() => late.c.closes.length > 0, 'the late join refused');
		expect(late.c.closes[0]).toEqual({ code: CLOSE_LIMIT, reason: 'event-full' });
		expect(readMembersOf(a.doc)).toBe(2);
		expect(r.output()).toContain('"reason":"event-full"');
		// Members already in come back as ever.
		second.destroy();
		const again = client(r, room, ben);
		await until(() => again.provider.synced, 'Ben back');
		applyStroke(again.doc, ben.memberId, ['w1T09:00'], 1);
		await until(() => markedSlots(a.doc, ben.memberId).has('w1T09:00'), "Ben's mark at Ana");
		expect(again.closes).toEqual([]);
	});

	it('holds at most MAX_ROOMS rooms in memory; more are told to try again later', async () => {
		const r = await relay({ env: { MAX_ROOMS: '1' } });
		const first = client(r, newEventId());
		await until(() => first.provider.synced, 'first room');
		const second = rawOpen(`${r.wsUrl}/${newEventId()}`);
		expect(await second.closed).toEqual({ code: CLOSE_TRY_AGAIN_LATER, reason: 'too-many-rooms' });
		expect((await fetch(`${r.httpUrl}/healthz`)).status).toBe(200);
	});

	it('bounds the frames a client may send before its room has loaded', async () => {
		const r = await relay({ env: { MAX_EARLY_FRAMES: '3' } });
		// Sent with the upgrade itself: all arrive before the room can have loaded, however fast it loads.
		const frames = Array.from({ length: 50 }, () => new Uint8Array([0, 0, 1, 0]));
		expect(await upgradeWithFrames(`${r.wsUrl}/${newEventId()}`, frames)).toEqual({
			code: CLOSE_LIMIT,
			reason: 'too-many-early-frames'
		});
	});

	it('drops a connection that stops answering pings', async () => {
		const r = await relay({ env: { PING_INTERVAL_MS: '150' } });
		const silent = new WebSocket(`${r.wsUrl}/${newEventId()}`, { autoPong: false });
		onCleanup(() => silent.terminate());
		const closed = new Promise<number>((resolve) => silent.on('close', (code) => resolve(code)));
		const lively = rawOpen(`${r.wsUrl}/${newEventId()}`);
		expect(await lively.outcome).toEqual({ open: true });
		// Terminated without a close frame: 1006 on this side.
		expect(await closed).toBe(1006);
		// The relay's log line reaches this process through a pipe, possibly after the socket closed.
		await until(() => r.output().includes('missed a ping'), 'the relay logging the dropped connection');
		expect(lively.ws.readyState).toBe(WebSocket.OPEN);
	});

	it('serves pages with a CSP naming only its own scripts, no referrer, and reports readiness and metrics', async () => {
		const build = tempDir('moim-build-');
		const inline = 'console.log("boot")';
		fs.writeFileSync(
			path.join(build, '200.html'),
			`<!doctype html><script>${inline}</script><script src="/_app/a.js"></script>`
		);
		const r = await relay({ buildDir: build });
		const page = await fetch(`${r.httpUrl}/e/${newEventId()}`);
		const csp = page.headers.get('content-security-policy') ?? '';
		const hash = createHash('sha256').update(inline).digest('base64');
		expect(csp).toContain(`script-src 'self' 'sha256-${hash}'`);
		expect(csp).toContain("connect-src 'self'");
		expect(csp).toContain("frame-ancestors 'none'");
		expect(page.headers.get('referrer-policy')).toBe('no-referrer');
		expect(page.headers.get('x-content-type-options')).toBe('nosniff');

		expect((await fetch(`${r.httpUrl}/readyz`)).status).toBe(200);
		const text = await (await fetch(`${r.httpUrl}/metrics`)).text();
		for (const name of [
			'moim_connections',
			'moim_rooms_loaded',
			'moim_updates_received_total',
			'moim_updates_forwarded_total',
			'moim_persist_seconds_bucket',
			'moim_flush_queue_updates',
			'moim_bytes_sent_total'
		])
			expect(text).toContain(name);
	});
});
