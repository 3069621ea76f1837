import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	applyStroke,
	availabilityMap,
	createEvent,
	eventMap,
	joinEvent,
	LOG_SCHEMA_VERSION,
	removeMember,
	renameMember
} from '../model/event-doc.js';
import { EventState, UndoState, unreadableName } from './event.svelte.js';
import type { SlotChange } from '../model/stroke-history.js';
import { importEventKey, newEventKey } from '../model/event-crypto.js';
import { newEventId } from '../model/ids.js';
import {
	createSealedEvent,
	EventCipher,
	joinSealedEvent,
	readSealedSettings,
	renameSealedMember
} from '../model/sealed-event.js';
import { applySealedMarks, compactSealedLog, splitFrames } from '../model/sealed-log.js';

const draft = {
	title: 'State',
	kind: 'weekdays' as const,
	dates: [],
	weekdays: [1, 2],
	start: 540,
	end: 720,
	slot: 30 as const,
	tz: 'UTC'
};

/** An event state on one replica, and a peer replica whose edits reach it as remote updates. */
function replicas() {
	const local = new Y.Doc();
	const peer = new Y.Doc();
	peer.on('update', (u: Uint8Array) => Y.applyUpdate(local, u, 'remote'));
	// Per-slot maps (schema v2), whose keys are the blocks painted; the log's own test is below.
	createEvent(peer, draft, 1, 2);
	const ana = joinEvent(peer, 'Ana', 1);
	const ben = joinEvent(peer, 'Ben', 2);
	applyStroke(peer, ana, ['w1T09:00'], 1);
	applyStroke(peer, ben, ['w1T09:00', 'w1T09:30'], 2);
	return { state: new EventState(local), peer, ana, ben };
}

describe('EventState', () => {
	it('re-reads only the member whose marks changed, and hands the rest on as the same objects', () => {
		const { state, peer, ana, ben } = replicas();
		const settings = state.settings;
		const members = state.members;
		const anaMarks = state.availability.get(ana);
		const benMarks = state.availability.get(ben);
		expect(anaMarks).toEqual(new Map([['w1T09:00', 1]]));

		applyStroke(peer, ben, ['w2T10:00'], 1);
		expect(state.availability.get(ana)).toBe(anaMarks);
		expect(state.availability.get(ben)).not.toBe(benMarks);
		expect(state.availability.get(ben)).toEqual(
			new Map([
				['w1T09:00', 2],
				['w1T09:30', 2],
				['w2T10:00', 1]
			])
		);
		expect(state.settings).toBe(settings);
		expect(state.members).toBe(members);
	});

	it('follows members joining, renamed and removed, and settings changing', () => {
		const { state, peer, ana, ben } = replicas();
		const members = state.members;
		void state.availability;
		const cara = joinEvent(peer, 'Cara', 3);
		expect(state.members).not.toBe(members);
		expect([...state.availability.keys()]).toEqual([ana, ben, cara]);
		expect(state.availability.get(cara)).toEqual(new Map());

		renameMember(peer, ana, 'Anna');
		expect(state.members.get(ana)?.name).toBe('Anna');
		removeMember(peer, ben);
		expect(state.availability.has(ben)).toBe(false);
		expect(state.availability.get(ana)).toEqual(new Map([['w1T09:00', 1]]));

		const settings = state.settings;
		peer.getMap('event').set('title', 'Renamed');
		expect(state.settings).not.toBe(settings);
		expect(state.settings?.title).toBe('Renamed');
	});

	it('reads a member who arrives with marks in one update, and stops following after destroy', () => {
		const { state, peer } = replicas();
		const dan = peer.transact(() => {
			const id = joinEvent(peer, 'Dan', 4);
			applyStroke(peer, id, ['w2T09:00'], 1);
			return id;
		});
		expect(state.availability.get(dan)).toEqual(new Map([['w2T09:00', 1]]));

		state.destroy();
		applyStroke(peer, dan, ['w2T09:30'], 1);
		joinEvent(peer, 'Eve', 5);
		expect(state.availability.get(dan)).toEqual(new Map([['w2T09:00', 1]]));
		expect([...state.members.values()].map((m) => m.name)).not.toContain('Eve');
	});

	it('reads members whose marks are a stroke log like the others, re-reading only the one who painted', () => {
		const local = new Y.Doc();
		const peer = new Y.Doc();
		peer.on('update', (u: Uint8Array) => Y.applyUpdate(local, u, 'remote'));
		createEvent(peer, draft, 1);
		eventMap(peer).set('v', LOG_SCHEMA_VERSION);
		const ana = joinEvent(peer, 'Ana', 1);
		const ben = joinEvent(peer, 'Ben', 2);
		applyStroke(peer, ana, ['w1T09:00'], 1);
		const state = new EventState(local);
		expect(availabilityMap(local).get(ana)).toBeInstanceOf(Y.Text);
		// A 30-minute block is both its quarter-hours; the grid reads the first.
		expect(state.availability.get(ana)).toEqual(
			new Map([
				['w1T09:00', 1],
				['w1T09:15', 1]
			])
		);
		const benMarks = state.availability.get(ben);
		applyStroke(peer, ana, ['w1T09:00'], 2);
		expect(state.availability.get(ana)?.get('w1T09:00')).toBe(2);
		expect(state.availability.get(ben)).toBe(benMarks);
	});

	it('undoes by quarter-hour in a stroke log: after the block length changed, a stroke takes back only what it changed', async () => {
		const doc = new Y.Doc();
		createEvent(doc, { ...draft, slot: 15 }, 1);
		eventMap(doc).set('v', LOG_SCHEMA_VERSION);
		const ana = joinEvent(doc, 'Ana', 1);
		const state = new EventState(doc);
		applyStroke(doc, ana, ['w1T09:15', 'w1T10:00'], 1);
		// The organizer makes the blocks 30 minutes: 09:00 and 10:00 now each hold one marked quarter-hour.
		await state.updateSettings({ ...draft, slot: 30 });
		const undo = new UndoState(state, ana);
		const record = (changes: SlotChange[]) => undo.record(changes, false);
		await state.paint(ana, ['w1T09:00'], 1, record);
		await state.paint(ana, ['w1T10:00'], 1, record);
		const marks = () => Object.fromEntries(state.availability.get(ana) ?? []);
		expect(marks()).toEqual({ 'w1T09:00': 1, 'w1T09:15': 1, 'w1T10:00': 1, 'w1T10:15': 1 });
		// The second stroke changed only 10:15: it is a step of its own, and undoing it leaves 10:00.
		await state.writeBack(ana, undo.takeUndo()!);
		expect(marks()).toEqual({ 'w1T09:00': 1, 'w1T09:15': 1, 'w1T10:00': 1 });
		// The first changed only 09:00: 09:15, marked before it, stays.
		await state.writeBack(ana, undo.takeUndo()!);
		expect(marks()).toEqual({ 'w1T09:15': 1, 'w1T10:00': 1 });
		expect(undo.canUndo).toBe(false);
		await state.writeBack(ana, undo.takeRedo()!);
		expect(marks()).toEqual({ 'w1T09:00': 1, 'w1T09:15': 1, 'w1T10:00': 1 });
	});
});

/** A private event on a peer, followed by a local replica; `key` makes ciphers for either. */
async function privateReplicas() {
	const eventId = newEventId();
	const key = newEventKey();
	const cipher = async (k = key) => new EventCipher(await importEventKey(k, eventId));
	const local = new Y.Doc();
	const peer = new Y.Doc();
	peer.on('update', (u: Uint8Array) => Y.applyUpdate(local, u, 'remote'));
	const peerCipher = await cipher();
	await createSealedEvent(peer, peerCipher, { ...draft, title: 'Private' }, 1);
	const ana = await joinSealedEvent(peer, peerCipher, 'Ana', 1);
	const ben = await joinSealedEvent(peer, peerCipher, 'Ben', 2);
	await applySealedMarks(peer, peerCipher, ana, [['w1T09:00', 1]], 30);
	return { local, peer, peerCipher, cipher, ana, ben };
}

/** Waits until every value asked of `cipher` has opened and its listeners have heard. */
async function opened(cipher: EventCipher) {
	await cipher.settled();
	await new Promise((resolve) => setTimeout(resolve, 0));
}

describe('EventState of a private event', () => {
	it('reads nothing without the key, then everything once the key is attached', async () => {
		const { local, cipher, ana, ben } = await privateReplicas();
		const state = new EventState(local);
		expect(state.keyState).toBe('missing');
		expect(state.private).toBe(true);
		expect(state.settings).toBeNull();
		expect(state.members.size).toBe(0);

		const mine = await cipher();
		// The settings open before the members here: the event still shows all at once, never without them.
		readSealedSettings(local, mine);
		await mine.settled();
		state.attach(mine);
		expect(state.settings).toBeNull();
		await opened(mine);
		expect(state.keyState).toBe('ok');
		expect(state.settings?.title).toBe('Private');
		expect([...state.members.values()].map((m) => m.name)).toEqual(['Ana', 'Ben']);
		expect(state.availability.get(ana)).toEqual(
			new Map([
				['w1T09:00', 1],
				['w1T09:15', 1]
			])
		);
		expect(state.availability.get(ben)).toEqual(new Map());
	});

	it('says the key is bad when it does not open the event, and a plain event needs no key', async () => {
		const { local, cipher } = await privateReplicas();
		const wrong = await cipher(newEventKey());
		const state = new EventState(local, wrong);
		await opened(wrong);
		expect(state.keyState).toBe('bad');
		expect(state.settings).toBeNull();

		const plain = new Y.Doc();
		createEvent(plain, draft, 1);
		expect(new EventState(plain).keyState).toBe('plain');
	});

	it("re-reads only the member whose frames opened, and keeps a renamed member's last name while the new one opens", async () => {
		const { local, peer, peerCipher, cipher, ana, ben } = await privateReplicas();
		const mine = await cipher();
		const state = new EventState(local, mine);
		await opened(mine);
		const anaMarks = state.availability.get(ana);
		const settings = state.settings;

		await applySealedMarks(peer, peerCipher, ben, [['w2T10:00', 2]], 30);
		await opened(mine);
		expect(state.availability.get(ben)?.get('w2T10:00')).toBe(2);
		expect(state.availability.get(ana)).toBe(anaMarks);
		expect(state.settings).toBe(settings);

		await renameSealedMember(peer, peerCipher, ana, 'Anna');
		// Arrived, not opened yet: the old name stays rather than the member vanishing.
		expect(state.members.get(ana)?.name).toBe('Ana');
		await opened(mine);
		expect(state.members.get(ana)?.name).toBe('Anna');
	});

	it('shows a member whose entry does not open as unreadable, skips a tampered frame, and never throws', async () => {
		const { local, peer, cipher, ana } = await privateReplicas();
		const mine = await cipher();
		const state = new EventState(local, mine);
		await opened(mine);
		// A hostile peer moves Ana's sealed entry to a new member id, and flips a bit of her frame.
		const log = peer.getMap('availability').get(ana) as Y.Text;
		const [frame] = splitFrames(log.toString()).frames;
		peer.transact(() => {
			peer.getMap('members').set('member-x', peer.getMap('members').get(ana));
			peer.getMap('availability').set('member-x', new Y.Text());
			log.insert(log.length, frame.slice(0, 5) + String.fromCharCode(frame.charCodeAt(5) ^ 2) + frame.slice(6));
		});
		await opened(mine);
		expect(state.members.get('member-x')?.name).toBe(unreadableName());
		expect(state.availability.get(ana)?.get('w1T09:00')).toBe(1);
		expect(state.keyState).toBe('ok');
	});

	it('writes through the key, and strokes made in a row stay separate undo steps', async () => {
		const { local, cipher, ana } = await privateReplicas();
		const mine = await cipher();
		const state = new EventState(local, mine);
		await opened(mine);
		const undo = new UndoState(state, ana);
		// Two strokes made quickly: each is sealed before it is written, the second waits for the first.
		const first = state.paint(ana, ['w2T09:00'], 1, (changes) => undo.record(changes, false));
		const second = state.paint(ana, ['w2T09:30'], 2, (changes) => undo.record(changes, false));
		expect(await Promise.all([first, second])).toEqual([1, 1]);
		expect(state.availability.get(ana)?.get('w2T09:30')).toBe(2);
		await state.writeBack(ana, undo.takeUndo()!);
		expect(state.availability.get(ana)?.get('w2T09:00')).toBe(1);
		expect(state.availability.get(ana)?.has('w2T09:30')).toBe(false);
		// Folded during the visit, the log has no stroke left to remove: undo and redo still work, as marks.
		expect(await compactSealedLog(local, mine, ana, Y.decodeStateVector(Y.encodeStateVector(local)))).toBeGreaterThan(
			1
		);
		expect(splitFrames((local.getMap('availability').get(ana) as Y.Text).toString()).frames).toHaveLength(1);
		await state.writeBack(ana, undo.takeUndo()!);
		expect(state.availability.get(ana)?.has('w2T09:00')).toBe(false);
		expect(undo.canUndo).toBe(false);
		await state.writeBack(ana, undo.takeRedo()!);
		await state.writeBack(ana, undo.takeRedo()!);
		expect(state.availability.get(ana)?.get('w2T09:00')).toBe(1);
		expect(state.availability.get(ana)?.get('w2T09:30')).toBe(2);
		expect(undo.canRedo).toBe(false);

		await state.updateSettings({ ...draft, title: 'Renamed privately' });
		await state.decide({ start: 'w1T09:00', minutes: 60 });
		expect(state.settings?.title).toBe('Renamed privately');
		expect(state.decision).toEqual({ start: 'w1T09:00', minutes: 60 });
		expect(JSON.stringify(local.getMap('event').toJSON())).not.toContain('Renamed');
	});
});
