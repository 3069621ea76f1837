import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { buildGrid } from './slots.js';
import {
	busySlots,
	checkRoutine,
	emptyRange,
	isCompleteRoutine,
	routineProblems,
	deleteRoutine,
	fillProposal,
	nowAndNext,
	readRoutines,
	saveRoutine,
	slotsOverlapping,
	type RoutineEntry
} from './routine.js';

const academy: RoutineEntry = {
	id: 'r1',
	title: 'Math academy',
	ranges: [
		{ start: 14 * 60, end: 16 * 60, weekdays: [1, 3, 5] },
		{ start: 18 * 60, end: 20 * 60, weekdays: [2, 4] }
	],
	tz: 'Asia/Seoul'
};
const NOW = Date.parse('2026-11-22T00:00:00Z');

describe('my week', () => {
	it('is stored as patterns in a personal document, checked, replaced and deleted', () => {
		const doc = new Y.Doc();
		saveRoutine(doc, { ...academy, title: '  Math   academy ' });
		expect(readRoutines(doc)).toEqual([{ ...academy, ranges: academy.ranges }]);
		saveRoutine(doc, { ...academy, until: '2026-12-31' });
		expect(readRoutines(doc)[0].until).toBe('2026-12-31');
		expect(checkRoutine({ ...academy, ranges: [{ start: 600, end: 540, weekdays: [1] }] })).toBe('range.order');
		expect(checkRoutine({ ...academy, ranges: [{ start: 540, end: 600, weekdays: [] }] })).toBe('range.weekdays');
		expect(checkRoutine({ ...academy, from: '2026-12-31', until: '2026-12-01' })).toBe('dates.order');
		expect(() => saveRoutine(doc, { ...academy, title: ' ' })).toThrow(/title.required/);
		// A new entry starts empty, and every missing part is named at once.
		const blank = { id: 'r2', title: '', ranges: [emptyRange()], tz: 'Asia/Seoul' };
		expect(routineProblems(blank)).toEqual(['title.required', 'range.times', 'range.weekdays']);
		expect(isCompleteRoutine(blank)).toBe(false);
		expect(checkRoutine({ ...blank, title: 'Gym', ranges: [{ start: 540, end: null, weekdays: [2] }] })).toBe(
			'range.times'
		);
		expect(isCompleteRoutine({ ...blank, title: 'Gym', ranges: [{ start: 540, end: 600, weekdays: [2] }] })).toBe(true);
		deleteRoutine(doc, 'r1');
		expect(readRoutines(doc)).toEqual([]);
	});

	it('covers the slots of a dates event it overlaps, partly overlapping blocks included', () => {
		// Mon 30 Nov and Tue 1 Dec 2026, 13:00–19:00 Seoul, 60-minute blocks.
		const grid = buildGrid({
			kind: 'dates',
			dates: ['2026-11-30', '2026-12-01'],
			weekdays: [],
			start: 780,
			end: 1140,
			slot: 60,
			tz: 'Asia/Seoul'
		});
		const busy = busySlots(
			[{ ...academy, ranges: [...academy.ranges, { start: 17 * 60 + 30, end: 17 * 60 + 45, weekdays: [1] }] }],
			grid,
			NOW
		);
		// Monday 14:00, 15:00 (academy) and 17:00 (a 15-minute entry inside the block); Tuesday 18:00.
		expect([...busy].sort()).toEqual([
			'2026-11-30T05:00Z',
			'2026-11-30T06:00Z',
			'2026-11-30T08:00Z',
			'2026-12-01T09:00Z'
		]);
	});

	it('is read in its own zone: a Seoul routine against a New York event', () => {
		// Monday 14:00–16:00 KST = Monday 05:00–07:00Z = Monday 00:00–02:00 EST.
		const grid = buildGrid({
			kind: 'dates',
			dates: ['2026-11-29', '2026-11-30'],
			weekdays: [],
			start: 0,
			end: 180,
			slot: 60,
			tz: 'America/New_York'
		});
		expect([...busySlots([academy], grid, NOW)].sort()).toEqual(['2026-11-30T05:00Z', '2026-11-30T06:00Z']);
	});

	it('keeps its wall-clock times across a daylight-saving change, and stops after its last day', () => {
		// Every day 08:00–09:00 in New York; the clocks go back on Sunday 1 November 2026.
		const morning: RoutineEntry = {
			id: 'm',
			title: 'Gym',
			ranges: [{ start: 480, end: 540, weekdays: [1, 2, 3, 4, 5, 6, 7] }],
			tz: 'America/New_York',
			until: '2026-11-02'
		};
		const grid = buildGrid({
			kind: 'dates',
			dates: ['2026-10-31', '2026-11-01', '2026-11-02', '2026-11-03'],
			weekdays: [],
			start: 480,
			end: 540,
			slot: 60,
			tz: 'America/New_York'
		});
		const busy = [...busySlots([morning], grid, NOW)].sort();
		// 08:00 EDT = 12:00Z before the change, 08:00 EST = 13:00Z after; nothing on 3 November.
		expect(busy).toEqual(['2026-10-31T12:00Z', '2026-11-01T13:00Z', '2026-11-02T13:00Z']);
	});

	it('covers the slots of a weekdays event by weekday and time in the event zone', () => {
		const grid = buildGrid({
			kind: 'weekdays',
			dates: [],
			weekdays: [1, 2],
			start: 840,
			end: 1200,
			slot: 60,
			tz: 'Asia/Seoul'
		});
		expect([...busySlots([academy], grid, NOW)].sort()).toEqual(['w1T14:00', 'w1T15:00', 'w2T18:00', 'w2T19:00']);
		// From Los Angeles (a different zone) the same routine falls elsewhere in the week.
		const la = buildGrid({
			kind: 'weekdays',
			dates: [],
			weekdays: [7],
			start: 1260,
			end: 1440,
			slot: 60,
			tz: 'America/Los_Angeles'
		});
		// Sunday 21:00–23:00 PST = Monday 14:00–16:00 KST.
		expect([...busySlots([academy], la, NOW)].sort()).toEqual(['w7T21:00', 'w7T22:00']);
	});

	it('a fill marks free slots available and clears busy ones, or only adds the free ones', () => {
		const grid = buildGrid({
			kind: 'weekdays',
			dates: [],
			weekdays: [1],
			start: 780,
			end: 1020,
			slot: 60,
			tz: 'Asia/Seoul'
		});
		const busy = busySlots([academy], grid, NOW);
		const current = new Map([
			['w1T14:00', 1],
			['w1T13:00', 1]
		]);
		expect(Object.fromEntries(fillProposal(grid, busy, current, 'replace'))).toEqual({ 'w1T14:00': 0, 'w1T16:00': 1 });
		expect(Object.fromEntries(fillProposal(grid, busy, current, 'free-only'))).toEqual({ 'w1T16:00': 1 });
	});
});

describe('now and next', () => {
	it('finds the entry on now and the next one, across days and in the entry zone', () => {
		// Monday 30 November 2026, 14:30 KST = 05:30Z.
		const monday = Date.parse('2026-11-30T05:30:00Z');
		const { current, next } = nowAndNext([academy], monday);
		expect(current?.entry.id).toBe('r1');
		expect(current?.end).toBe(Date.parse('2026-11-30T07:00:00Z'));
		// Next: Tuesday 18:00 KST = 09:00Z.
		expect(next?.start).toBe(Date.parse('2026-12-01T09:00:00Z'));
		// Saturday evening: nothing now; next on Monday 14:00.
		const saturday = nowAndNext([academy], Date.parse('2026-12-05T12:00:00Z'));
		expect(saturday.current).toBeNull();
		expect(saturday.next?.start).toBe(Date.parse('2026-12-07T05:00:00Z'));
		expect(nowAndNext([{ ...academy, until: '2026-12-04' }], Date.parse('2026-12-05T12:00:00Z')).next).toBeNull();
	});

	it('busy spans from a calendar cover the slots they overlap, and a calendar fill only clears', () => {
		const grid = buildGrid({
			kind: 'dates',
			dates: ['2026-12-01'],
			weekdays: [],
			start: 540,
			end: 720,
			slot: 60,
			tz: 'UTC'
		});
		const busy = slotsOverlapping(
			[{ start: Date.parse('2026-12-01T09:30Z'), end: Date.parse('2026-12-01T10:15Z') }],
			grid,
			NOW
		);
		expect([...busy].sort()).toEqual(['2026-12-01T09:00Z', '2026-12-01T10:00Z']);
		const current = new Map([
			['2026-12-01T09:00Z', 1],
			['2026-12-01T11:00Z', 1]
		]);
		expect(Object.fromEntries(fillProposal(grid, busy, current, 'busy-only'))).toEqual({ '2026-12-01T09:00Z': 0 });
	});
});
