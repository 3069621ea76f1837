import { describe, expect, it } from 'vitest';
import { readIcs } from './import.js';
import { fixture, spanLabels } from './test-fixtures.js';

describe('calendar import: spans that end before they start, durations over a DST change', () => {
	it('skips an event ending before its start and a series with a negative DURATION, and says why', () => {
		const read = readIcs(
			fixture('inverted-spans.ics'),
			{ start: Date.parse('2026-04-06T00:00Z'), end: Date.parse('2026-04-11T00:00Z') },
			'UTC'
		);
		expect(spanLabels(read.spans)).toEqual(['2026-04-08T12:00–2026-04-08T13:00']);
		expect(read.notes).toEqual([{ code: 'event.skipped', count: 2, reason: 'inverted' }]);
	});

	it("reads a DURATION's hours as exact time and its days as calendar days across the night clocks go back", () => {
		const read = readIcs(
			fixture('duration-over-dst.ics'),
			{ start: Date.parse('2026-10-24T00:00Z'), end: Date.parse('2026-11-10T00:00Z') },
			'UTC'
		);
		expect(spanLabels(read.spans)).toEqual([
			// 01:30 EDT for an hour.
			'2026-10-25T05:30–2026-10-25T06:30',
			// Sat 31 Oct 12:00 EDT, two calendar days later (Mon 2 Nov 12:00 EST) plus an hour.
			'2026-10-31T16:00–2026-11-02T18:00',
			// 01:30 happens twice on 1 Nov: the first (EDT) is meant; an hour later it is 01:30 EST.
			'2026-11-01T05:30–2026-11-01T06:30',
			'2026-11-08T06:30–2026-11-08T07:30'
		]);
	});
});
