/**
 * A crowd painting at once (issue 19): the relay forwards each group commit
 * as one merged frame, to every observer whole and to each writer without
 * what it sent itself.
 */
import { expect, it } from 'vitest';
import * as Y from 'yjs';
import WebSocket from 'ws';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import { applyStroke, markedSlots } from '../../src/lib/model/event-doc.js';
import { MESSAGE_SYNC } from '../../src/lib/model/relay-protocol.js';
import { relayHarness } from '../support/harness.js';
import { until } from '../support/clients.js';

const { relay: startRelay, organizedRoom, onCleanup } = relayHarness();

/** The update in a sync update frame, or null for any other frame. */
function updateIn(frame: Uint8Array): Uint8Array | null {
	const d = decoding.createDecoder(frame);
	if (decoding.readVarUint(d) !== MESSAGE_SYNC) return null;
	if (decoding.readVarUint(d) !== syncProtocol.messageYjsUpdate) return null;
	return decoding.readVarUint8Array(d);
}

/** Client ids whose items or deletions `update` carries. */
function clientsIn(update: Uint8Array): Set<number> {
	const { structs, ds } = Y.decodeUpdate(update);
	return new Set([...structs.map((s) => s.id.client), ...ds.clients.keys()]);
}

/** Group commits the relay has written so far (its persist histogram's count). */
async function commits(httpUrl: string): Promise<number> {
	const text = await (await fetch(`${httpUrl}/metrics`)).text();
	return text
		.split('\n')
		.filter((l) => l.startsWith('moim_persist_seconds_count'))
		.reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

/** A raw reader of `room`: every update frame it gets, applied to its own document. */
async function observer(wsUrl: string, room: string) {
	const ws = new WebSocket(`${wsUrl}/${room}`);
	onCleanup(() => ws.terminate());
	const doc = new Y.Doc();
	const frames: Uint8Array[] = [];
	let synced = false;
	ws.on('message', (data: Buffer) => {
		const d = decoding.createDecoder(new Uint8Array(data));
		if (decoding.readVarUint(d) !== MESSAGE_SYNC) return;
		const kind = decoding.readVarUint(d);
		if (kind === syncProtocol.messageYjsSyncStep1) return;
		const update = decoding.readVarUint8Array(d);
		if (kind === syncProtocol.messageYjsUpdate) frames.push(update);
		else synced = true;
		Y.applyUpdate(doc, update);
	});
	await new Promise((resolve) => ws.once('open', resolve));
	// Asks for what the room holds (the event and its members), as a client does on connecting.
	const e = encoding.createEncoder();
	encoding.writeVarUint(e, MESSAGE_SYNC);
	syncProtocol.writeSyncStep1(e, doc);
	ws.send(encoding.toUint8Array(e));
	await until(() => synced, 'observer synced');
	return { doc, frames };
}

it(
	'observers get one merged frame per group commit with every writer’s strokes, and no writer gets its own back',
	{ timeout: 60_000 },
	async () => {
		const r = await startRelay();
		const { room, organizer, members } = await organizedRoom(r, { members: 5 });
		const writers = [organizer, ...members];
		const observers = await Promise.all([1, 2, 3].map(() => observer(r.wsUrl, room)));
		const received = writers.map(() => [] as Uint8Array[]);
		writers.forEach(({ client }, i) =>
			client.provider.ws!.addEventListener('message', (event: MessageEvent) => {
				const update = updateIn(new Uint8Array(event.data as ArrayBuffer));
				if (update) received[i].push(update);
			})
		);
		const before = await commits(r.httpUrl);

		// 20 strokes from each of 6 writers, all sent at once: far more than one commit can be waiting for.
		const slots = Array.from({ length: 20 }, (_, k) => `w${(k % 7) + 1}T${String(k).padStart(2, '0')}:00`);
		for (const slot of slots) for (const w of writers) applyStroke(w.client.doc, w.person.memberId, [slot], 1);
		const strokes = slots.length * writers.length;

		const everyone = (doc: Y.Doc) => writers.every((w) => markedSlots(doc, w.person.memberId).size === slots.length);
		for (const o of observers) await until(() => everyone(o.doc), 'every stroke at an observer');
		for (const w of writers) await until(() => everyone(w.client.doc), 'every stroke at a writer');
		const written = (await commits(r.httpUrl)) - before;

		// Merged: fewer commits than strokes, and each commit reached each observer as one frame.
		expect(written).toBeLessThan(strokes);
		for (const o of observers) {
			expect(o.frames.length).toBe(written);
			for (const w of writers) expect(markedSlots(o.doc, w.person.memberId)).toEqual(new Set(slots));
		}
		// Some frame carried several writers' strokes at once.
		expect(observers[0].frames.some((f) => clientsIn(f).size > 1)).toBe(true);
		writers.forEach((w, i) => {
			// Nothing a writer sent came back to it, and it got no more frames than there were commits.
			for (const frame of received[i]) expect(clientsIn(frame).has(w.client.doc.clientID)).toBe(false);
			expect(received[i].length).toBeLessThanOrEqual(written);
		});
	}
);
