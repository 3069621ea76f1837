import { describe, expect, it } from 'vitest';
import { isIsoDate, parseClock, validateDraft, type EventDraft } from './settings.js';
import { createLinkParams, parseCreateLink } from './create-link.js';

const good: EventDraft = {
	title: 'Study',
	kind: 'dates',
	dates: ['2026-12-01'],
	weekdays: [],
	start: 540,
	end: 1080,
	slot: 30,
	tz: 'Asia/Seoul'
};

describe('settings', () => {
	it('accepts a good draft and names each broken rule by field', () => {
		expect(validateDraft(good)).toEqual({});
		expect(validateDraft({ ...good, title: '   ' })).toEqual({ title: 'title.required' });
		expect(validateDraft({ ...good, dates: [] })).toEqual({ dates: 'dates.required' });
		expect(validateDraft({ ...good, end: 500 })).toEqual({ to: 'time.order' });
		expect(validateDraft({ ...good, start: 545 })).toEqual({ to: 'time.alignment' });
		expect(validateDraft({ ...good, tz: 'Mars/Olympus' })).toEqual({ tz: 'tz.invalid' });
		expect(validateDraft({ ...good, kind: 'weekdays' })).toEqual({ weekdays: 'weekdays.required' });
	});

	it('knows real dates and clock times', () => {
		expect(isIsoDate('2028-02-29')).toBe(true);
		expect(isIsoDate('2026-02-29')).toBe(false);
		expect(isIsoDate('2026-13-01')).toBe(false);
		expect(parseClock('24:00')).toBe(1440);
		expect(parseClock('9:30')).toBe(570);
		expect(parseClock('24:30')).toBeNull();
		expect(parseClock('noon')).toBeNull();
	});
});

describe('create links', () => {
	it('reads the documented example', () => {
		const { draft, problems } = parseCreateLink(
			new URLSearchParams('title=Study&dates=2026-12-01,2026-12-03&from=09:00&to=18:00&slot=30&tz=Asia/Seoul'),
			'UTC'
		);
		expect(problems).toEqual({});
		expect(draft).toEqual({ ...good, dates: ['2026-12-01', '2026-12-03'] });
	});

	it('reads weekdays and round-trips', () => {
		const draft: EventDraft = { ...good, kind: 'weekdays', dates: [], weekdays: [1, 3, 5], slot: 60 };
		expect(parseCreateLink(createLinkParams(draft), 'UTC')).toEqual({ draft, problems: {} });
	});

	it('reports each bad parameter on its field and keeps the good parts', () => {
		const { draft, problems } = parseCreateLink(
			new URLSearchParams('dates=2026-12-01,2026-02-30,tomorrow&from=25:00&to=18:00&slot=45&tz=Nowhere'),
			'Asia/Seoul'
		);
		expect(draft.dates).toEqual(['2026-12-01']);
		expect(problems.dates).toEqual({ code: 'dates.invalid', value: '2026-02-30, tomorrow' });
		expect(problems.from?.code).toBe('time.invalid');
		expect(problems.slot).toEqual({ code: 'slot.invalid', value: '45' });
		expect(problems.tz).toEqual({ code: 'tz.invalid', value: 'Nowhere' });
		expect(draft.tz).toBe('Asia/Seoul');
		expect(draft.slot).toBe(30);
	});

	it('flags weekdays out of range and a window that ends before it starts', () => {
		const { draft, problems } = parseCreateLink(new URLSearchParams('weekdays=1,8,3&from=18:00&to=09:00'), 'UTC');
		expect(draft.kind).toBe('weekdays');
		expect(draft.weekdays).toEqual([1, 3]);
		expect(problems.weekdays?.value).toBe('8');
		expect(problems.to?.code).toBe('time.order');
	});
});
