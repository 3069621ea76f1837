import { afterEach, describe, expect, it } from 'vitest';
import { baseLocale, overwriteGetLocale, type Locale } from '../paraglide/runtime.js';
import { dayAndTime, describeDateSpan } from './format.js';

const speak = (locale: Locale) => overwriteGetLocale(() => locale);
afterEach(() => speak(baseLocale));

describe('when the next routine starts', () => {
	// Monday 30 November 2026, 09:00 in Seoul (00:00Z).
	const now = Date.parse('2026-11-30T00:00:00Z');
	const at = (iso: string) => Date.parse(iso);

	it('says today and tomorrow in both languages, counting days in the given zone', () => {
		speak('ko');
		expect(dayAndTime(at('2026-11-30T05:00:00Z'), now, 'Asia/Seoul')).toBe('오늘 14:00');
		expect(dayAndTime(at('2026-12-01T05:00:00Z'), now, 'Asia/Seoul')).toBe('내일 14:00');
		speak('en');
		expect(dayAndTime(at('2026-11-30T05:00:00Z'), now, 'Asia/Seoul')).toBe('today at 14:00');
		expect(dayAndTime(at('2026-12-01T05:00:00Z'), now, 'Asia/Seoul')).toBe('tomorrow at 14:00');
		// 23:30 the same evening is still today; 00:30 after midnight is tomorrow.
		expect(dayAndTime(at('2026-11-30T14:30:00Z'), now, 'Asia/Seoul')).toBe('today at 23:30');
		expect(dayAndTime(at('2026-11-30T15:30:00Z'), now, 'Asia/Seoul')).toBe('tomorrow at 00:30');
		// The same instants seen from Los Angeles (Sunday 16:00 there) fall on other days.
		expect(dayAndTime(at('2026-11-30T05:00:00Z'), now, 'America/Los_Angeles')).toBe('today at 21:00');
	});

	it('names the weekday further ahead, and says "next" a week or more away', () => {
		speak('ko');
		expect(dayAndTime(at('2026-12-02T05:00:00Z'), now, 'Asia/Seoul')).toBe('수요일 14:00');
		expect(dayAndTime(at('2026-12-07T05:00:00Z'), now, 'Asia/Seoul')).toBe('다음 주 월요일 14:00');
		speak('en');
		expect(dayAndTime(at('2026-12-02T05:00:00Z'), now, 'Asia/Seoul')).toBe('Wednesday at 14:00');
		expect(dayAndTime(at('2026-12-07T05:00:00Z'), now, 'Asia/Seoul')).toBe('next Monday at 14:00');
	});
});

describe('a span of dates', () => {
	it('gives the first and last date and how many days, with the plural', () => {
		speak('en');
		expect(describeDateSpan('2026-12-07', '2026-12-11', 5)).toBe('Dec 7 – 11 · 5 days');
		expect(describeDateSpan('2026-11-30', '2026-12-02', 2)).toBe('Nov 30 – Dec 2 · 2 days');
		expect(describeDateSpan('2026-12-07', '2026-12-07', 1)).toBe('Dec 7');
		speak('ko');
		expect(describeDateSpan('2026-12-07', '2026-12-11', 5)).toBe('12월 7일~11일 · 총 5일');
	});
});
