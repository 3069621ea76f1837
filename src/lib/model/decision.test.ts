import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { attendance, decisionFromSlots, decisionSlots, readDecision, setDecision } from './decision.js';
import { createEvent, eventMap, type Level } from './event-doc.js';

function doc() {
	const d = new Y.Doc();
	createEvent(
		d,
		{ title: 'T', kind: 'dates', dates: ['2026-12-01'], weekdays: [], start: 540, end: 720, slot: 30, tz: 'UTC' },
		1
	);
	return d;
}

describe('decision', () => {
	it('is set, read back, and taken back', () => {
		const d = doc();
		expect(readDecision(d)).toBeNull();
		setDecision(d, { start: '2026-12-01T09:30Z', minutes: 60 });
		expect(readDecision(d)).toEqual({ start: '2026-12-01T09:30Z', minutes: 60 });
		setDecision(d, null);
		expect(readDecision(d)).toBeNull();
	});

	it('a damaged stored value reads as no decision, and a bad one is refused on write', () => {
		const d = doc();
		for (const bad of [
			{ start: 'tomorrow', minutes: 60 },
			{ start: '2026-12-01T09:30Z', minutes: 0 },
			{ start: 'w1T09:00', minutes: 1.5 },
			'x'
		]) {
			eventMap(d).set('decision', bad);
			expect(readDecision(d)).toBeNull();
		}
		expect(() => setDecision(d, { start: 'w9T09:00', minutes: 30 })).toThrow(/Not a decision/);
	});

	it('covers its blocks: instants for dates, wall-clock keys for weekdays', () => {
		expect(decisionFromSlots(['2026-12-01T09:30Z', '2026-12-01T10:00Z'], 30)).toEqual({
			start: '2026-12-01T09:30Z',
			minutes: 60
		});
		expect(decisionSlots({ start: '2026-12-01T23:30Z', minutes: 90 }, 30)).toEqual([
			'2026-12-01T23:30Z',
			'2026-12-02T00:00Z',
			'2026-12-02T00:30Z'
		]);
		expect(decisionSlots({ start: 'w5T23:00', minutes: 120 }, 60)).toEqual(['w5T23:00']);
		expect(decisionSlots({ start: 'w2T10:00', minutes: 60 }, 15)).toEqual([
			'w2T10:00',
			'w2T10:15',
			'w2T10:30',
			'w2T10:45'
		]);
	});

	it('splits people by whether they can come to every block', () => {
		const marks = (entries: [string, Level][]) => new Map(entries);
		const availability = new Map([
			[
				'ana',
				marks([
					['a', 1],
					['b', 1]
				])
			],
			[
				'ben',
				marks([
					['a', 1],
					['b', 2]
				])
			],
			['cy', marks([['a', 1]])]
		]);
		expect(attendance(['a', 'b'], ['ana', 'ben', 'cy', 'dee'], availability)).toEqual({
			available: ['ana'],
			ifNeeded: ['ben'],
			unavailable: ['cy', 'dee']
		});
	});
});
