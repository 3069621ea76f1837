import { afterEach, describe, expect, it } from 'vitest';
import { baseLocale, overwriteGetLocale, type Locale } from '../paraglide/runtime.js';
import { importNoteMessage } from './codes.js';

const speak = (locale: Locale) => overwriteGetLocale(() => locale);
afterEach(() => speak(baseLocale));

describe('what a calendar import tells the person', () => {
	it('counts skipped events with their reason, one event in the singular', () => {
		speak('en');
		expect(importNoteMessage({ code: 'event.skipped', count: 2, reason: 'date' })).toBe(
			"2 events couldn't be read and were skipped (a broken date)."
		);
		expect(importNoteMessage({ code: 'event.skipped', count: 1, reason: 'line' })).toBe(
			"1 event couldn't be read and was skipped (a broken line)."
		);
		speak('ko');
		expect(importNoteMessage({ code: 'event.skipped', count: 2, reason: 'date' })).toBe(
			'일정 2개는 읽을 수 없어서 건너뛰었어요 (날짜 형식 오류).'
		);
	});

	it('says how zone names the file did not define were read', () => {
		const windows = { code: 'zone.windows', tzid: 'Eastern Standard Time', zone: 'America/New_York' } as const;
		speak('en');
		expect(importNoteMessage(windows)).toBe('Times in ‘Eastern Standard Time’ were read as America/New_York.');
		expect(importNoteMessage({ code: 'zone.offset', tzid: '(UTC+05:30) Head Office', offsetMinutes: 330 })).toBe(
			'Times in ‘(UTC+05:30) Head Office’ were read at UTC+05:30, without daylight saving.'
		);
		expect(importNoteMessage({ code: 'zone.offset', tzid: '(UTC-03:00) Field', offsetMinutes: -180 })).toBe(
			'Times in ‘(UTC-03:00) Field’ were read at UTC-03:00, without daylight saving.'
		);
		speak('ko');
		expect(importNoteMessage(windows)).toBe('‘Eastern Standard Time’의 시간은 America/New_York 기준으로 읽었어요.');
		expect(importNoteMessage({ code: 'zone.unknown', tzid: 'Zimbra Local', zone: 'Asia/Seoul' })).toBe(
			'‘Zimbra Local’ 시간대는 알 수 없어서 내 시간대(Asia/Seoul) 기준으로 읽었어요.'
		);
	});
});
