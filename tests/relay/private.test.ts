/**
 * Private events (issue 20) as the relay stores them: a sealed event's title,
 * dates, zone and members' names appear nowhere in the store, in any
 * encoding, while the same search finds them for a plain event; and the
 * relay still refuses another member's entry and settings without the
 * organizer's secret. Marks (stroke frames, sealed-log.ts) are searched for
 * as slot keys, full and compact, and as the records a plain log holds.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import pg from 'pg';
import { ClassicLevel } from 'classic-level';
import { importEventKey, newEventKey } from '../../src/lib/model/event-crypto.js';
import { applyMarks, availabilityMap, createEvent, joinEvent, type Mark } from '../../src/lib/model/event-doc.js';
import { newEventId } from '../../src/lib/model/ids.js';
import { PARAM_SCHEMA } from '../../src/lib/model/relay-protocol.js';
import {
	createSealedEvent,
	EventCipher,
	joinSealedEvent,
	readSealedMembers,
	readSealedSettings,
	SEALED_SCHEMA_VERSION,
	updateSealedSettings
} from '../../src/lib/model/sealed-event.js';
import type { EventDraft } from '../../src/lib/model/settings.js';
import { applySealedMarks, readSealedLog, readSealedMarks } from '../../src/lib/model/sealed-log.js';
import { buildGrid, compactSlotKey } from '../../src/lib/model/slots.js';
import { SyncTracker } from '../../src/lib/sync/status.js';
import { until, type StockClient } from '../support/clients.js';
import { relayHarness } from '../support/harness.js';
import { person } from '../support/identity.js';
import type { RelayProcess } from '../support/relay-process.js';

const { relay, client, onCleanup } = relayHarness();

const DRAFT: EventDraft = {
	title: 'Quarterly offsite 분기 워크숍',
	kind: 'dates',
	dates: ['2026-12-14', '2026-12-15'],
	weekdays: [],
	start: 9 * 60,
	end: 17 * 60,
	slot: 30,
	tz: 'Pacific/Auckland'
};
const NAMES = ['Olga Petrova', '김민지'];
/** What the relay must never hold in any form. */
const SECRETS = [DRAFT.title, '분기 워크숍', 'Quarterly', ...DRAFT.dates, DRAFT.tz, ...NAMES, 'Petrova', '민지'];

const GRID = buildGrid(DRAFT);
/** What each person paints: a morning on each day (the organizer), an afternoon as "if needed" (the member). */
const STROKES: [string, Mark][][][] = [
	GRID.cells.map((day) => day.slice(0, 5).map((slot) => [slot!, 1] as [string, Mark])),
	GRID.cells.map((day) => day.slice(8, 14).map((slot) => [slot!, 2] as [string, Mark]))
];
/** The slots painted, as keys in full and compact form. */
const SLOT_SECRETS = STROKES.flat(2).flatMap(([slot]) => [slot, compactSlotKey(slot)]);

/**
 * The records a plain log holds for these strokes, one string per stroke:
 * what a plain event would store for them, searched for in the private one.
 */
function plainRecords(): string[] {
	const doc = new Y.Doc();
	createEvent(doc, DRAFT, 1, 3);
	const out: string[] = [];
	for (const [i, person] of STROKES.entries()) {
		const id = joinEvent(doc, `p${i}`, 1, `member-${i}`);
		const log = availabilityMap(doc).get(id) as Y.Text;
		for (const stroke of person) {
			const before = log.length;
			applyMarks(doc, id, stroke);
			out.push(log.toString().slice(before));
		}
	}
	return out;
}

/** A private event's app reads schema 4: the relay closes older apps (4426). */
const READS_PRIVATE = { [PARAM_SCHEMA]: String(SEALED_SCHEMA_VERSION) };

/**
 * Every form `text` could take in stored bytes: UTF-8, UTF-16LE, and the
 * stable middle of its base64 and base64url at each of the three alignments.
 */
function encodings(text: string): string[] {
	const utf8 = Buffer.from(text, 'utf8');
	const out = [utf8.toString('latin1'), Buffer.from(text, 'utf16le').toString('latin1')];
	for (let shift = 0; shift < 3; shift++) {
		const b64 = Buffer.concat([Buffer.alloc(shift), utf8]).toString('base64');
		const middle = b64.slice(Math.ceil((shift * 4) / 3) + 1, Math.floor(((shift + utf8.length) * 4) / 3) - 1);
		if (middle.length >= 4) out.push(middle, middle.replaceAll('+', '-').replaceAll('/', '_'));
	}
	return out;
}

/** Every column of `rows` as bytes: `bytea` as stored, the rest as their text. */
function bytesOf(rows: Record<string, unknown>[]): Buffer[] {
	return rows.flatMap((row) =>
		Object.values(row).map((value) => (Buffer.isBuffer(value) ? value : Buffer.from(String(value), 'utf8')))
	);
}

/** Resolves once the relay has confirmed everything `c` holds. */
async function confirmed(c: StockClient) {
	const tracker = new SyncTracker(c.provider, c.doc);
	onCleanup(() => tracker.destroy());
	await until(() => tracker.snapshot.state === 'synced', 'confirmed by the relay');
}

describe('a private event on the relay', () => {
	it('is stored with no title, dates, zone or names in any encoding; a plain event is, in the same search', async () => {
		const r = await relay();
		const eventId = newEventId();
		const key = newEventKey();
		const cipher = async () => new EventCipher(await importEventKey(key, eventId));

		const olga = person({ organizer: true });
		const organizer = client(r, eventId, olga, undefined, READS_PRIVATE);
		await until(() => organizer.provider.synced, 'organizer synced');
		const organizerCipher = await cipher();
		await createSealedEvent(organizer.doc, organizerCipher, DRAFT, 1);
		await joinSealedEvent(organizer.doc, organizerCipher, NAMES[0], 1, olga.memberId);
		await confirmed(organizer);

		const min = person();
		const member = client(r, eventId, min, undefined, READS_PRIVATE);
		const memberCipher = await cipher();
		await until(() => member.provider.synced, 'member synced');
		readSealedSettings(member.doc, memberCipher);
		await memberCipher.settled();
		expect(readSealedSettings(member.doc, memberCipher)).toMatchObject({
			state: 'ok',
			settings: { title: DRAFT.title }
		});
		await joinSealedEvent(member.doc, memberCipher, NAMES[1], 2, min.memberId);
		await confirmed(member);
		await until(() => organizer.doc.getMap('members').has(min.memberId), 'the member at the organizer');
		readSealedMembers(organizer.doc, organizerCipher);
		await organizerCipher.settled();
		expect(readSealedMembers(organizer.doc, organizerCipher).get(min.memberId)).toMatchObject({ name: NAMES[1] });

		// Both paint; each reads the other's marks once their frames open.
		for (const stroke of STROKES[0])
			await applySealedMarks(organizer.doc, organizerCipher, olga.memberId, stroke, DRAFT.slot);
		for (const stroke of STROKES[1]) await applySealedMarks(member.doc, memberCipher, min.memberId, stroke, DRAFT.slot);
		await confirmed(organizer);
		await confirmed(member);
		const painted = (who: number) => STROKES[who].flat().length * 2; // 30-minute blocks read as quarter-hours
		await until(() => {
			readSealedLog(member.doc, memberCipher, olga.memberId);
			return readSealedMarks(member.doc, memberCipher, olga.memberId).size === painted(0);
		}, "the organizer's marks at the member");
		await until(() => {
			readSealedLog(organizer.doc, organizerCipher, min.memberId);
			return readSealedMarks(organizer.doc, organizerCipher, min.memberId).size === painted(1);
		}, "the member's marks at the organizer");
		expect(readSealedMarks(organizer.doc, organizerCipher, min.memberId).get(STROKES[1][0][0][0])).toBe(2);

		// The positive control: a plain event, same title, names and strokes, searched the same way.
		const plainRoom = newEventId();
		const plainOrganizer = person({ organizer: true });
		const plain = client(r, plainRoom, plainOrganizer);
		await until(() => plain.provider.synced, 'plain organizer synced');
		createEvent(plain.doc, { ...DRAFT, title: `${DRAFT.title} (plain)` }, 1, 3);
		joinEvent(plain.doc, NAMES[0], 1, plainOrganizer.memberId);
		// The organizer may paint for a member: the member's log gets the same records as in the private event.
		const plainMember = joinEvent(plain.doc, NAMES[1], 2);
		for (const stroke of STROKES[0]) applyMarks(plain.doc, plainOrganizer.memberId, stroke);
		for (const stroke of STROKES[1]) applyMarks(plain.doc, plainMember, stroke);
		await confirmed(plain);

		organizer.destroy();
		member.destroy();
		plain.destroy();
		expect(await r.stop()).toBe(0);
		// The search finds them where they are in the clear: the plain event's records.
		const plainStored = await roomContents(r, plainRoom);
		const records = plainRecords();
		for (const secret of [DRAFT.title, NAMES[0], DRAFT.tz, DRAFT.dates[0], ...records])
			expect(plainStored, secret).toContain(encodings(secret)[0]);
		// And nowhere in the private event's, in any form.
		const privateStored = await roomContents(r, eventId);
		const leaks = [...SECRETS, ...SLOT_SECRETS].flatMap((secret) =>
			encodings(secret)
				.filter((form) => privateStored.includes(form))
				.map((form) => `${secret} as ${JSON.stringify(form)}`)
		);
		expect(leaks).toEqual([]);
		expect(records.every((stroke) => stroke.length >= 6)).toBe(true);
		expect(records.filter((stroke) => privateStored.includes(stroke))).toEqual([]);
	});

	it("still refuses another member's entry, and settings without the organizer's secret", async () => {
		const r = await relay();
		const eventId = newEventId();
		const key = newEventKey();
		const olga = person({ organizer: true });
		const organizer = client(r, eventId, olga, undefined, READS_PRIVATE);
		await until(() => organizer.provider.synced, 'organizer synced');
		const organizerCipher = new EventCipher(await importEventKey(key, eventId));
		await createSealedEvent(organizer.doc, organizerCipher, DRAFT, 1);
		await joinSealedEvent(organizer.doc, organizerCipher, NAMES[0], 1, olga.memberId);
		await confirmed(organizer);

		// A member who tries to rename the event, then to write as the organizer's member.
		const mallory = person();
		const doc = new Y.Doc();
		const hostile = client(r, eventId, mallory, doc, READS_PRIVATE);
		await until(() => hostile.provider.synced, 'member synced');
		const hostileCipher = new EventCipher(await importEventKey(key, eventId));
		await updateSealedSettings(doc, hostileCipher, { ...DRAFT, title: 'Taken over' });
		await until(() => r.output().includes('"reason":"settings-need-organizer"'), 'the settings write refused');

		const again = client(r, eventId, person(), new Y.Doc(), READS_PRIVATE);
		await until(() => again.provider.synced, 'second member synced');
		await joinSealedEvent(again.doc, hostileCipher, 'Olga Petrova', 3, olga.memberId);
		await until(() => r.output().includes('"reason":"not-your-member-entry"'), 'the impersonation refused');
		// A sealed stroke into the organizer's log: sealed or not, it is not theirs to write.
		const third = client(r, eventId, person(), new Y.Doc(), READS_PRIVATE);
		await until(() => third.provider.synced, 'third member synced');
		await until(() => availabilityMap(third.doc).has(olga.memberId), "the organizer's log at the third member");
		await applySealedMarks(third.doc, hostileCipher, olga.memberId, [[GRID.cells[0][0]!, 1]], DRAFT.slot);
		await until(() => r.output().includes('"reason":"not-your-availability"'), 'the forged stroke refused');

		// The organizer's copy never changed.
		const reader = new EventCipher(await importEventKey(key, eventId));
		readSealedSettings(organizer.doc, reader);
		await reader.settled();
		expect(readSealedSettings(organizer.doc, reader)).toMatchObject({ state: 'ok', settings: { title: DRAFT.title } });
	});
});

/** The records of one room only (its log and snapshot), as one latin1 string, from a stopped relay. */
async function roomContents(r: RelayProcess, room: string): Promise<string> {
	const chunks: Buffer[] = [];
	if (r.env.STORE === 'postgres') {
		const db = new pg.Client({ connectionString: r.env.DATABASE_URL });
		await db.connect();
		try {
			const rooms = await db.query('SELECT * FROM moim_rooms WHERE id = $1', [room]);
			const log = await db.query('SELECT * FROM moim_log WHERE room = $1', [room]);
			const clients = await db.query('SELECT * FROM moim_clients WHERE room = $1', [room]);
			chunks.push(...bytesOf([...rooms.rows, ...log.rows, ...clients.rows]));
		} finally {
			await db.end();
		}
	} else {
		const db = new ClassicLevel<string, Uint8Array>(r.dataDir, { keyEncoding: 'utf8', valueEncoding: 'view' });
		const handle = await db.get(`r/${room}/h`);
		const prefixes = [`r/${room}/`, ...(handle ? [`l/${new TextDecoder().decode(handle)}/`] : [])];
		for (const prefix of prefixes)
			for await (const [key, value] of db.iterator({ gte: prefix, lt: `${prefix}~` }))
				chunks.push(Buffer.from(key), Buffer.from(value));
		await db.close();
	}
	if (chunks.length === 0) throw new Error(`room ${room} not found in the store`);
	return Buffer.concat(chunks).toString('latin1');
}
