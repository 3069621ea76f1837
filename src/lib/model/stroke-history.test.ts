import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { applyMarks, createEvent, joinEvent, readMarks, type Mark } from './event-doc.js';
import { compactLog } from './log-compaction.js';
import type { EventDraft } from './settings.js';
import { blockQuarters, StrokeHistory, type SlotChange } from './stroke-history.js';

const DRAFT: EventDraft = {
	title: 'History',
	kind: 'dates',
	dates: ['2026-03-21'],
	weekdays: [],
	start: 9 * 60,
	end: 12 * 60,
	slot: 30,
	tz: 'UTC'
};
const SLOTS = ['09:00', '09:30', '10:00', '10:30', '11:00', '11:30'].map((t) => `2026-03-21T${t}Z`);

/** A v3 event with one member, and a writer that records each stroke as the app does. */
function event() {
	const doc = new Y.Doc();
	createEvent(doc, DRAFT, Date.UTC(2026, 2, 20));
	const me = joinEvent(doc, 'Me', 0);
	const history = new StrokeHistory();
	const current = (slot: string): Mark => readMarks(doc, me).get(slot) ?? 0;
	const paint = (marks: [string, Mark][], continues = false) => {
		history.record(
			marks.map(([slot, mark]): SlotChange => [slot, current(slot), mark]),
			continues
		);
		applyMarks(doc, me, marks);
	};
	const write = (marks: Map<string, Mark> | null) => marks && applyMarks(doc, me, marks);
	const snapshot = () => new Map(SLOTS.map((s) => [s, current(s)]));
	return { doc, me, history, current, paint, write, snapshot };
}

describe('blockQuarters', () => {
	it('names the quarter-hours of a dated or weekly block, and leaves other keys alone', () => {
		expect(blockQuarters('2026-03-21T23:30Z', 60)).toEqual([
			'2026-03-21T23:30Z',
			'2026-03-21T23:45Z',
			'2026-03-22T00:00Z',
			'2026-03-22T00:15Z'
		]);
		expect(blockQuarters('w3T09:00', 30)).toEqual(['w3T09:00', 'w3T09:15']);
		expect(blockQuarters('w3T09:00', 15)).toEqual(['w3T09:00']);
		expect(blockQuarters('not a slot', 60)).toEqual(['not a slot']);
	});
});

describe('undo and redo as marks', () => {
	it('puts back the marks a stroke changed, and redo writes them again', () => {
		const e = event();
		e.paint([[SLOTS[0], 1]]);
		const afterFirst = e.snapshot();
		e.paint([
			[SLOTS[0], 2],
			[SLOTS[1], 1]
		]);
		const afterSecond = e.snapshot();
		expect(e.history.canUndo).toBe(true);
		e.write(e.history.undo(e.current));
		expect(e.snapshot()).toEqual(afterFirst);
		expect(e.history.canRedo).toBe(true);
		e.write(e.history.redo(e.current));
		expect(e.snapshot()).toEqual(afterSecond);
		e.write(e.history.undo(e.current));
		e.write(e.history.undo(e.current));
		expect([...e.snapshot().values()].every((m) => m === 0)).toBe(true);
		expect(e.history.canUndo).toBe(false);
		expect(e.history.undo(e.current)).toBeNull();
	});

	it('still undoes strokes after the log was folded (the reason undo is not a Yjs undo manager)', () => {
		const e = event();
		for (let i = 0; i < 40; i++) e.paint([[SLOTS[i % SLOTS.length], (i % 3) as Mark]]);
		const before = e.snapshot();
		e.paint([
			[SLOTS[2], 2],
			[SLOTS[3], 2]
		]);
		const log = e.doc.getMap('availability').get(e.me) as Y.Text;
		expect(compactLog(log, Y.decodeStateVector(Y.encodeStateVector(e.doc)))).toBeGreaterThan(1);
		e.write(e.history.undo(e.current));
		expect(e.snapshot()).toEqual(before);
	});

	it('joins a continuing stroke to its step, keeping the first mark before it', () => {
		const e = event();
		e.paint([[SLOTS[0], 1]]);
		e.paint([[SLOTS[1], 1]]);
		e.paint([[SLOTS[1], 2]], true);
		e.write(e.history.undo(e.current));
		expect(e.current(SLOTS[0])).toBe(1);
		expect(e.current(SLOTS[1])).toBe(0);
	});

	it('starts a step even for a stroke that changed nothing, so the next tap never joins an older step', () => {
		const e = event();
		e.paint([[SLOTS[0], 1]]);
		e.paint([[SLOTS[0], 1]]);
		e.paint([[SLOTS[1], 2]], true);
		e.write(e.history.undo(e.current));
		expect(e.current(SLOTS[0])).toBe(1);
		expect(e.current(SLOTS[1])).toBe(0);
	});

	it('leaves alone a slot changed since by someone else, and a new stroke clears redo', () => {
		const e = event();
		e.paint([
			[SLOTS[0], 1],
			[SLOTS[1], 1]
		]);
		// The same member on another device, not recorded here.
		applyMarks(e.doc, e.me, [[SLOTS[1], 2]]);
		e.write(e.history.undo(e.current));
		expect(e.current(SLOTS[0])).toBe(0);
		expect(e.current(SLOTS[1])).toBe(2);
		e.paint([[SLOTS[4], 1]]);
		expect(e.history.canRedo).toBe(false);
	});

	it('undo then redo of any run of strokes gives back each state in turn', () => {
		const mark = fc.constantFrom<Mark>(0, 1, 2);
		const stroke = fc.tuple(fc.uniqueArray(fc.integer({ min: 0, max: SLOTS.length - 1 }), { minLength: 1 }), mark);
		fc.assert(
			fc.property(fc.array(stroke, { minLength: 1, maxLength: 12 }), (strokes) => {
				const e = event();
				const states = [e.snapshot()];
				for (const [slots, m] of strokes) {
					const changes = slots.some((s) => e.current(SLOTS[s]) !== m);
					e.paint(slots.map((s) => [SLOTS[s], m]));
					if (changes) states.push(e.snapshot());
					// A stroke that changed nothing opens a step with nothing in it: there is nothing to undo.
				}
				for (let i = states.length - 2; i >= 0; i--) {
					e.write(e.history.undo(e.current));
					expect(e.snapshot()).toEqual(states[i]);
				}
				expect(e.history.canUndo).toBe(false);
				for (let i = 1; i < states.length; i++) {
					e.write(e.history.redo(e.current));
					expect(e.snapshot()).toEqual(states[i]);
				}
				expect(e.history.canRedo).toBe(false);
			}),
			{ numRuns: 60 }
		);
	});
});
