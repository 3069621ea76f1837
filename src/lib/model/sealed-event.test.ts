import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { importEventKey, newEventKey } from './event-crypto.js';
import { availabilityMap, createEvent, eventMap, membersMap, readSettings, SETTING_KEYS } from './event-doc.js';
import { newEventId } from './ids.js';
import {
	createSealedEvent,
	EventCipher,
	isSealedEvent,
	joinSealedEvent,
	readSealedMembers,
	readSealedSettings,
	renameSealedMember,
	SEALED_SCHEMA_VERSION,
	UNREADABLE,
	updateSealedSettings
} from './sealed-event.js';
import { checkUpdate, type Writer } from './write-check.js';
import type { EventDraft } from './settings.js';

const DRAFT: EventDraft = {
	title: '팀 회식 Team dinner',
	kind: 'dates',
	dates: ['2026-12-04', '2026-12-05'],
	weekdays: [],
	start: 18 * 60,
	end: 22 * 60,
	slot: 30,
	tz: 'Asia/Seoul'
};
const ORGANIZER: Writer = { memberId: null, organizer: true };

async function cipherFor(key: string, eventId: string) {
	return new EventCipher(await importEventKey(key, eventId));
}

/** Every byte the relay would store for `doc`, as text. */
const stored = (doc: Y.Doc) => Buffer.from(Y.encodeStateAsUpdate(doc)).toString('latin1');

/** A copy of `doc` on another device. */
function copyOf(doc: Y.Doc): Y.Doc {
	const copy = new Y.Doc();
	Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
	return copy;
}

describe('a private event', () => {
	it('keeps its settings sealed in the document, and another device with the link reads them', async () => {
		const eventId = newEventId();
		const key = newEventKey();
		const doc = new Y.Doc();
		await createSealedEvent(doc, await cipherFor(key, eventId), DRAFT, 1_700_000_000_000);

		expect(isSealedEvent(doc)).toBe(true);
		expect(eventMap(doc).get('v')).toBe(SEALED_SCHEMA_VERSION);
		expect(eventMap(doc).get('createdAt')).toBe(1_700_000_000_000);
		// What the relay stores has no title, no dates, no zone, no window.
		for (const secret of [
			'Team dinner',
			'팀 회식',
			Buffer.from('팀 회식').toString('latin1'),
			'2026-12-04',
			'Asia/Seoul',
			'1080'
		])
			expect(stored(doc)).not.toContain(secret);
		// A plain reader sees no event (not garbage).
		expect(readSettings(doc)).toBeNull();
		// The search above would find them in a plain event.
		const plain = new Y.Doc();
		createEvent(plain, DRAFT, 0);
		for (const found of ['Team dinner', Buffer.from('팀 회식').toString('latin1'), '2026-12-04', 'Asia/Seoul'])
			expect(stored(plain)).toContain(found);

		const other = copyOf(doc);
		const cipher = await cipherFor(key, eventId);
		let told = 0;
		cipher.onOpened(() => told++);
		expect(readSealedSettings(other, cipher)).toEqual({ state: 'opening' });
		await cipher.settled();
		await Promise.resolve();
		expect(told).toBeGreaterThan(0);
		const read = readSealedSettings(other, cipher);
		expect(read).toEqual({
			state: 'ok',
			settings: { ...DRAFT, title: '팀 회식 Team dinner', createdAt: 1_700_000_000_000, v: SEALED_SCHEMA_VERSION }
		});
	});

	it('reads as unreadable with another key, and as unreadable when a value is tampered with, without throwing', async () => {
		const eventId = newEventId();
		const key = newEventKey();
		const doc = new Y.Doc();
		await createSealedEvent(doc, await cipherFor(key, eventId), DRAFT, 0);

		const wrong = await cipherFor(newEventKey(), eventId);
		readSealedSettings(doc, wrong);
		await wrong.settled();
		expect(readSealedSettings(doc, wrong)).toEqual({ state: 'unreadable' });

		// A hostile peer swaps the title for the zone's sealed value: bound to another place, it does not open.
		const tampered = copyOf(doc);
		eventMap(tampered).set('title', eventMap(tampered).get('tz'));
		const right = await cipherFor(key, eventId);
		readSealedSettings(tampered, right);
		await right.settled();
		expect(readSealedSettings(tampered, right)).toEqual({ state: 'unreadable' });

		// A setting that is not even a string: not a complete event.
		eventMap(tampered).set('title', 42);
		expect(readSealedSettings(tampered, right)).toEqual({ state: 'missing' });
	});

	it("reads a device's own writes at once, with no round trip", async () => {
		const eventId = newEventId();
		const cipher = await cipherFor(newEventKey(), eventId);
		const doc = new Y.Doc();
		await createSealedEvent(doc, cipher, DRAFT, 0);
		expect(readSealedSettings(doc, cipher).state).toBe('ok');
	});

	it("rewrites only the settings that changed, so two organizers' edits of two settings both stay", async () => {
		const eventId = newEventId();
		const key = newEventKey();
		const a = new Y.Doc();
		const ca = await cipherFor(key, eventId);
		await createSealedEvent(a, ca, DRAFT, 0);
		const b = copyOf(a);
		const cb = await cipherFor(key, eventId);

		const before = Object.fromEntries(SETTING_KEYS.map((k) => [k, eventMap(a).get(k)]));
		await updateSealedSettings(a, ca, { ...DRAFT, title: 'Dinner, moved' });
		await updateSealedSettings(b, cb, { ...DRAFT, end: 23 * 60 });
		// Only the title was sealed again on a.
		for (const k of SETTING_KEYS) if (k !== 'title') expect(eventMap(a).get(k)).toBe(before[k]);

		Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
		Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
		for (const [doc, cipher] of [
			[a, ca],
			[b, cb]
		] as const) {
			readSealedSettings(doc, cipher);
			await cipher.settled();
			const read = readSealedSettings(doc, cipher);
			expect(read.state === 'ok' && [read.settings.title, read.settings.end]).toEqual(['Dinner, moved', 23 * 60]);
		}
	});

	it("keeps members' names sealed; the relay's write check still sees whose entry each is", async () => {
		const eventId = newEventId();
		const key = newEventKey();
		const relay = new Y.Doc();
		const organizer = await cipherFor(key, eventId);
		await createSealedEvent(relay, organizer, DRAFT, 0);

		// Min joins on her device; the relay checks the update as it would a plain event's.
		const device = copyOf(relay);
		const mine = await cipherFor(key, eventId);
		const sv = Y.encodeStateVector(device);
		const min = await joinSealedEvent(device, mine, '김민', 5);
		const join = Y.encodeStateAsUpdate(device, sv);
		expect(checkUpdate(relay, join, { memberId: min, organizer: false })).toMatchObject({ ok: true });
		// The same update from someone else is refused: another member's entry.
		expect(checkUpdate(relay, join, { memberId: 'AAAAAAAAAAAAAAAA', organizer: false })).toMatchObject({
			ok: false,
			reason: 'not-your-member-entry'
		});
		// And settings without the organizer's secret.
		const sv2 = Y.encodeStateVector(device);
		await updateSealedSettings(device, mine, { ...DRAFT, title: 'Mine now' });
		expect(checkUpdate(relay, Y.encodeStateAsUpdate(device, sv2), { memberId: min, organizer: false })).toMatchObject({
			ok: false
		});
		expect(checkUpdate(relay, Y.encodeStateAsUpdate(device, sv2), ORGANIZER)).toMatchObject({ ok: true });

		Y.applyUpdate(relay, join);
		expect(stored(relay)).not.toContain('김민');
		expect(stored(relay)).not.toContain(Buffer.from('김민').toString('latin1'));
		expect(availabilityMap(relay).get(min)).toBeInstanceOf(Y.Text);

		const reader = await cipherFor(key, eventId);
		expect(readSealedMembers(relay, reader).get(min)).toBeNull();
		await reader.settled();
		expect(readSealedMembers(relay, reader).get(min)).toEqual({ name: '김민', joinedAt: 5 });

		// Renamed from a device that has not opened her entry yet: her join time stays.
		await renameSealedMember(device, await cipherFor(key, eventId), min, 'Min Kim');
		Y.applyUpdate(relay, Y.encodeStateAsUpdate(device));
		readSealedMembers(relay, reader);
		await reader.settled();
		expect(readSealedMembers(relay, reader).get(min)).toEqual({ name: 'Min Kim', joinedAt: 5 });

		// A name a peer garbled still counts as a member, shown without a name.
		(membersMap(relay) as unknown as Y.Map<unknown>).set('BBBBBBBBBBBBBBBB', 'not sealed');
		readSealedMembers(relay, reader);
		await reader.settled();
		expect(readSealedMembers(relay, reader).get('BBBBBBBBBBBBBBBB')).toBe(UNREADABLE);
	});

	it('seals every day list to one size, so the relay cannot count the days', async () => {
		const eventId = newEventId();
		const cipher = await cipherFor(newEventKey(), eventId);
		const sizes = await Promise.all(
			[1, 7, 31, 62].map(async (count) => {
				const doc = new Y.Doc();
				const dates = Array.from({ length: count }, (_, i) =>
					new Date(Date.UTC(2026, 11, 1) + i * 86_400_000).toISOString().slice(0, 10)
				);
				await createSealedEvent(doc, cipher, { ...DRAFT, dates }, 0);
				return (eventMap(doc).get('dates') as string).length;
			})
		);
		expect(new Set(sizes).size).toBe(1);
	});

	it('refuses names a plain event would refuse', async () => {
		const cipher = await cipherFor(newEventKey(), newEventId());
		const doc = new Y.Doc();
		await createSealedEvent(doc, cipher, DRAFT, 0);
		await expect(joinSealedEvent(doc, cipher, '   ', 0)).rejects.toThrow('name.required');
		await expect(createSealedEvent(doc, cipher, DRAFT, 0)).rejects.toThrow('already holds an event');
	});
});
