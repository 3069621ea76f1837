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
import { EventState } from './event.svelte.js';

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
});
