/**
 * The relay as a real process, driven by the stock y-websocket client
 * (with `ws` as its WebSocket) and by raw sockets for protocol edge cases.
 */
import { describe, expect, it, vi } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import * as Y from 'yjs';
import WebSocket from 'ws';
import { ClassicLevel } from 'classic-level';
import type { WebsocketProvider } from 'y-websocket';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';
import { applyStroke, createEvent, markedSlots, readMarks, readSettings } from '../../src/lib/model/event-doc.js';
import { newEventId } from '../../src/lib/model/ids.js';
import { CLOSE_MALFORMED_MESSAGE, CLOSE_TRY_AGAIN_LATER, MESSAGE_SYNC } from '../../src/lib/model/relay-protocol.js';
import type { SyncTracker } from '../../src/lib/sync/status.js';
import { DRAFT, relayHarness } from '../support/harness.js';
import { ROOT, tempDir } from '../support/relay-process.js';
import { relayMalloc } from '../../scripts/build-relay.js';
import { person, query } from '../support/identity.js';
import { until } from '../support/clients.js';

const { onCleanup, relay, restart, client, organizedRoom, tracker } = relayHarness();

const synced = (p: WebsocketProvider) => until(() => p.synced, 'provider sync');
/** The relay answers a client's probe only once all it sent before is on disk. */
const confirmed = (t: SyncTracker) => until(() => t.snapshot.state === 'synced', 'the relay confirming');

/** A raw websocket that records what the relay sends and how it closes. */
function raw(url: string) {
	const ws = new WebSocket(url);
	ws.binaryType = 'nodebuffer';
	const received: Uint8Array[] = [];
	const closed = new Promise<{ code: number; reason: string }>((resolve) =>
		ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }))
	);
	ws.on('message', (d) => received.push(new Uint8Array(d as Buffer)));
	const opened = new Promise<void>((resolve, reject) => {
		ws.once('open', () => resolve());
		ws.once('error', reject);
	});
	onCleanup(() => ws.terminate());
	return { ws, received, closed, opened };
}

describe('relay', () => {
	it.each([
		['run from its sources', false],
		['compiled, as npm start runs it', true]
	])('syncs two stock y-websocket clients, live (%s)', async (_how, compiled) => {
		const r = await relay({ compiled });
		const { organizer, members } = await organizedRoom(r, { members: 1 });
		const [a, b] = [organizer.client, members[0].client];
		const [me, them] = [organizer.person.memberId, members[0].person.memberId];
		expect(readSettings(b.doc)?.title).toBe(DRAFT.title);
		applyStroke(b.doc, them, ['w1T09:00'], 1);
		applyStroke(a.doc, me, ['w2T09:30', 'w1T09:00'], 1);
		await until(() => markedSlots(a.doc, them).has('w1T09:00'), "B's stroke at A");
		await until(() => markedSlots(b.doc, me).size === 2, "A's stroke at B");
	});

	it('keeps every update across a graceful restart and a crash', async () => {
		const r = await relay();
		const { room, organizer } = await organizedRoom(r);
		const { person: ana, client: a } = organizer;
		const me = ana.memberId;
		const aTracker = tracker(a);
		applyStroke(a.doc, me, ['w1T09:00'], 1);
		await confirmed(aTracker);
		a.provider.disconnect();
		expect(await r.stop()).toBe(0);

		const r2 = await restart(r);
		// The same person on a new device copy: the registered secret survived the restart.
		const fresh = client(r2, room, ana);
		await synced(fresh.provider);
		expect(readSettings(fresh.doc)?.title).toBe(DRAFT.title);
		expect(markedSlots(fresh.doc, me)).toEqual(new Set(['w1T09:00']));

		const freshTracker = tracker(fresh);
		applyStroke(fresh.doc, me, ['w2T09:00'], 1);
		await confirmed(freshTracker);
		await r2.kill();
		const r3 = await restart(r2);
		const third = client(r3, room);
		await synced(third.provider);
		expect(markedSlots(third.doc, me)).toEqual(new Set(['w1T09:00', 'w2T09:00']));
	});

	it('compacts a long log into a snapshot without losing strokes', async () => {
		const dataDir = tempDir();
		const r = await relay({ dataDir, env: { COMPACT_AFTER: '5', ROOM_IDLE_MS: '50' } });
		const { room, organizer } = await organizedRoom(r);
		const { client: a } = organizer;
		const me = organizer.person.memberId;
		const aTracker = tracker(a);
		const slots: string[] = [];
		for (let h = 0; h < 23; h++) {
			const slot = `w1T${String(h).padStart(2, '0')}:00`;
			slots.push(slot);
			applyStroke(a.doc, me, [slot], 1);
			// Confirmed one by one, so each is its own log record.
			await confirmed(aTracker);
		}
		a.provider.destroy();
		// The room unloads 50 ms after its last client leaves.
		await vi.waitFor(async () => expect((await (await fetch(`${r.httpUrl}/healthz`)).json()).rooms).toBe(0), {
			timeout: 10_000,
			interval: 50
		});
		await r.stop();
		// On disk: one snapshot and a log shorter than the compaction threshold.
		const db = new ClassicLevel<string, Uint8Array>(dataDir, { keyEncoding: 'utf8', valueEncoding: 'view' });
		const keys = await db.keys().all();
		const handle = new TextDecoder().decode((await db.get(`r/${room}/h`))!);
		await db.close();
		expect(keys).toContain(`r/${room}/s2`);
		expect(keys.filter((k) => k.startsWith(`l/${handle}/`)).length).toBeLessThan(5);
		const r2 = await restart(r);
		const b = client(r2, room);
		await synced(b.provider);
		expect(markedSlots(b.doc, me)).toEqual(new Set(slots));
	});

	it('sends a writer whose update overtook content the relay lacks back to sync (1013), and both land in order', async () => {
		const r = await relay();
		const { room, organizer } = await organizedRoom(r);
		const me = organizer.person.memberId;
		// The organizer's device painted one block twice, and the relay never got the first
		// stroke (it restarted first): the second is built on it, since overwriting a mark
		// refers to the value it replaces. Its update goes out before the device's sync step 2.
		const device = new Y.Doc();
		Y.applyUpdate(device, Y.encodeStateAsUpdate(organizer.client.doc));
		const before = Y.encodeStateVector(device);
		applyStroke(device, me, ['w1T09:00'], 1);
		const afterFirst = Y.encodeStateVector(device);
		applyStroke(device, me, ['w1T09:00'], 2);
		const frame = (update: Uint8Array) => {
			const e = encoding.createEncoder();
			encoding.writeVarUint(e, MESSAGE_SYNC);
			syncProtocol.writeUpdate(e, update);
			return encoding.toUint8Array(e);
		};
		const early = raw(`${r.wsUrl}/${room}${query(organizer.person)}`);
		await early.opened;
		early.ws.send(frame(Y.encodeStateAsUpdate(device, afterFirst)));
		// Not a refusal (44xx), which the app shows as "the relay refused this device".
		expect(await early.closed).toEqual({ code: CLOSE_TRY_AGAIN_LATER, reason: 'out-of-order' });
		expect(readMarks(organizer.client.doc, me).size).toBe(0);

		// Back with a handshake: the device sends everything the relay lacks, in order.
		const again = raw(`${r.wsUrl}/${room}${query(organizer.person)}`);
		await again.opened;
		again.ws.send(frame(Y.encodeStateAsUpdate(device, before)));
		await until(() => readMarks(organizer.client.doc, me).get('w1T09:00') === 2, 'both strokes at the organizer');
		expect(r.output()).not.toContain('"code":4403');
	});

	it('gives memory back once the last room has unloaded, and still stops on SIGTERM', async () => {
		const r = await relay({ env: { ROOM_IDLE_MS: '50' } });
		const { organizer } = await organizedRoom(r);
		organizer.client.provider.destroy();
		// idle-gc.ts logs the collection a second after the last room unloads.
		const collected = () =>
			r
				.output()
				.split('\n')
				.find((l) => l.includes('"no rooms left: collected garbage"'));
		await until(() => !!collected(), 'the idle collection');
		const { rssBefore, rssAfter } = JSON.parse(collected()!) as { rssBefore: number; rssAfter: number };
		expect(rssAfter).toBeGreaterThan(0);
		expect(rssAfter).toBeLessThanOrEqual(rssBefore);
		// Where glibc runs, malloc's free pages go back too (malloc-trim.ts), through koffi's prebuilt binary.
		const glibc = !!(process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header
			?.glibcVersionRuntime;
		const listening = r
			.output()
			.split('\n')
			.find((l) => l.includes('"relay listening"'));
		expect(JSON.parse(listening!).mallocTrim).toBe(process.platform === 'linux' && glibc);
		expect(JSON.parse(collected()!)).toHaveProperty('mallocTrimmed');
		// The first version disconnected its inspector session inside the
		// callback, which blocked the main thread: SIGTERM was never handled.
		expect(await r.stop()).toBe(0);
	});

	it('runs with the malloc settings that give memory back, as npm start and the Docker image do', async () => {
		const r = await relay();
		const environ = fs.readFileSync(`/proc/${r.pid}/environ`, 'utf8').split('\0');
		// glibc rewrites the variable in place as it parses it: only the first setting stays readable here.
		expect(relayMalloc.startsWith('glibc.malloc.arena_max=1:')).toBe(true);
		expect(environ.find((v) => v.startsWith('GLIBC_TUNABLES='))).toMatch(
			/^GLIBC_TUNABLES=glibc\.malloc\.arena_max=1\b/
		);
		const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
		expect(dockerfile).toContain(`ENV GLIBC_TUNABLES=${relayMalloc}\n`);
		expect(fs.readFileSync(path.join(ROOT, 'scripts/start.js'), 'utf8')).toContain('env: relayEnv()');
	});

	it('answers a sync step 1 sent after an update only once the update is applied', async () => {
		const r = await relay();
		const room = newEventId();
		const sock = raw(`${r.wsUrl}/${room}${query(person({ organizer: true }))}`);
		await sock.opened;
		const doc = new Y.Doc();
		createEvent(doc, DRAFT, 1);
		const update = encoding.createEncoder();
		encoding.writeVarUint(update, MESSAGE_SYNC);
		syncProtocol.writeUpdate(update, Y.encodeStateAsUpdate(doc));
		const probe = encoding.createEncoder();
		encoding.writeVarUint(probe, MESSAGE_SYNC);
		syncProtocol.writeSyncStep1(probe, new Y.Doc());
		sock.ws.send(encoding.toUint8Array(update));
		sock.ws.send(encoding.toUint8Array(probe));
		// The relay greets with its step 1, then answers the probe with a step 2
		// that, since the probe's state vector was empty, carries the event.
		await until(() => sock.received.length >= 2, 'probe answer');
		const answer = decoding.createDecoder(sock.received[1]);
		expect(decoding.readVarUint(answer)).toBe(MESSAGE_SYNC);
		expect(decoding.readVarUint(answer)).toBe(syncProtocol.messageYjsSyncStep2);
		const copy = new Y.Doc();
		Y.applyUpdate(copy, decoding.readVarUint8Array(answer));
		expect(readSettings(copy)?.title).toBe(DRAFT.title);
	});

	it('closes a connection that sends a malformed frame, keeps running, and keeps the room intact', async () => {
		const r = await relay();
		const { room } = await organizedRoom(r);

		const frames: Uint8Array[] = [
			new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), // oversized varuint
			new Uint8Array([9]), // unknown message type
			new Uint8Array([0, 7, 1, 0]), // unknown sync step
			new Uint8Array([0, 2, 50, 1, 2, 3]), // update claiming 50 bytes, has 3
			new Uint8Array([0, 2, 6, 1, 200, 1, 250, 7, 0]), // update bytes that are not an update
			new Uint8Array([1, 4, 1, 5, 1, 2, 123, 34]) // awareness entry with broken JSON
		];
		for (const frame of frames) {
			const sock = raw(`${r.wsUrl}/${room}`);
			await sock.opened;
			sock.ws.send(frame);
			const { code, reason } = await sock.closed;
			expect(code).toBe(CLOSE_MALFORMED_MESSAGE);
			expect(reason).toMatch(/malformed|could not be applied/);
		}
		expect((await fetch(`${r.httpUrl}/healthz`)).status).toBe(200);
		const b = client(r, room);
		await synced(b.provider);
		expect(readSettings(b.doc)?.title).toBe(DRAFT.title);
		expect(r.output()).toContain('closing websocket');
	});

	it('closes a connection whose frame exceeds MAX_FRAME_BYTES (1009) and keeps serving others', async () => {
		const r = await relay({ env: { MAX_FRAME_BYTES: '1000' } });
		const room = newEventId();
		const sock = raw(`${r.wsUrl}/${room}`);
		await sock.opened;
		sock.ws.send(new Uint8Array(5000));
		expect((await sock.closed).code).toBe(1009);
		const a = client(r, room);
		await synced(a.provider);
	});

	it('refuses a websocket whose path is not a valid event room', async () => {
		const r = await relay();
		for (const room of ['not-an-id', 'AAAAAAAAAAAAAAAAAAAAAB', '']) {
			const sock = raw(`${r.wsUrl}/${room}`);
			await expect(sock.opened).rejects.toThrow(/400/);
		}
	});

	it('serves the app shell for page paths, files as they are, and 404 for missing assets', async () => {
		const build = tempDir('moim-build-');
		fs.writeFileSync(path.join(build, '200.html'), '<!doctype html><title>shell</title>');
		fs.mkdirSync(path.join(build, '_app'));
		fs.writeFileSync(path.join(build, '_app', 'x.js'), 'console.log(1)');
		const r = await relay({ buildDir: build });
		const page = await fetch(`${r.httpUrl}/e/${newEventId()}`);
		expect(page.status).toBe(200);
		expect(await page.text()).toContain('shell');
		const js = await fetch(`${r.httpUrl}/_app/x.js`);
		expect(js.headers.get('content-type')).toMatch(/javascript/);
		expect((await fetch(`${r.httpUrl}/_app/missing.js`)).status).toBe(404);
		expect((await fetch(`${r.httpUrl}/..%2f..%2fetc%2fpasswd`)).status).not.toBe(500);
		const escape = await fetch(`${r.httpUrl}/%2e%2e/%2e%2e/etc/passwd`);
		expect(await escape.text()).not.toContain('root:');
	});
});
