import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
	hasControlChars,
	isIsoDate,
	MAX_TITLE_LENGTH,
	needsNewerApp,
	parseClock,
	SCHEMA_VERSION,
	READ_SCHEMA_VERSION,
	stripControlChars,
	validateDraft,
	type EventDraft
} from './settings.js';
import { checkName } from './event-doc.js';
import { MAX_NAME_LENGTH } from './settings.js';
import { canonicalZone, sameZone, zoneChoices } from './zones.js';
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

/** Characters a title or name must never hold once white space is folded. */
// eslint-disable-next-line no-control-regex -- the test's own statement of the rule
const CONTROL = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const controlChar = fc
	.oneof(
		fc.integer({ min: 0, max: 0x1f }),
		fc.integer({ min: 0x7f, max: 0x9f }),
		fc.integer({ min: 0x202a, max: 0x202e }),
		fc.integer({ min: 0x2066, max: 0x2069 })
	)
	.map((c) => String.fromCharCode(c));
/** Text with control characters mixed in among ordinary ones (Hangul, Latin, emoji). */
const dirtyText = fc
	.array(fc.oneof(controlChar, fc.constantFrom('a', 'Z', ' ', '가', '힣', '😀', '\u200e', '-')), { maxLength: 60 })
	.map((parts) => parts.join(''));

describe('control characters', () => {
	it('a title or name with one is refused with its own code; tabs and line breaks are only white space', () => {
		expect(validateDraft({ ...good, title: 'Stu\u0000dy' })).toEqual({ title: 'title.controlChars' });
		expect(validateDraft({ ...good, title: 'Study \u202eyduts' })).toEqual({ title: 'title.controlChars' });
		expect(validateDraft({ ...good, title: 'Study\tgroup\n' })).toEqual({});
		expect(checkName('Min\u0007ji')).toBe('name.controlChars');
		expect(checkName('\u2066Minji\u2069')).toBe('name.controlChars');
		expect(checkName('Min\u0085ji')).toBe('name.controlChars');
		// Left-to-right and right-to-left marks are how mixed scripts are written: allowed.
		expect(checkName('Minji\u200e 민지')).toBeNull();
	});

	it('stripping leaves nothing the checks refuse, and changes nothing else', () => {
		fc.assert(
			fc.property(dirtyText, (text) => {
				const clean = stripControlChars(text);
				expect(CONTROL.test(clean)).toBe(false);
				expect(hasControlChars(clean)).toBe(false);
				// Only control characters go (tabs and breaks become spaces): the rest is in order.
				const kept = [...text].filter((c) => !CONTROL.test(c)).map((c) => (/[\t-\r]/.test(c) ? ' ' : c));
				expect(clean).toBe(kept.join(''));
				expect(stripControlChars(clean)).toBe(clean);
				if (clean.trim()) {
					expect(checkName(clean.slice(0, MAX_NAME_LENGTH))).not.toBe('name.controlChars');
					expect(validateDraft({ ...good, title: clean.slice(0, MAX_TITLE_LENGTH) }).title).toBeUndefined();
				}
			})
		);
	});

	it('any text holding a control character (after folding white space) is refused as a title and a name', () => {
		fc.assert(
			fc.property(dirtyText, controlChar, (text, c) => {
				const input = `T${c}${text}`.slice(0, MAX_NAME_LENGTH);
				fc.pre(CONTROL.test(input.replace(/\s+/g, ' ')));
				expect(validateDraft({ ...good, title: input }).title).toBe('title.controlChars');
				expect(checkName(input)).toBe('name.controlChars');
			})
		);
	});
});

describe('zone names', () => {
	it('renamed zones get their current name; others stay as they are', () => {
		expect(canonicalZone('Asia/Calcutta')).toBe('Asia/Kolkata');
		expect(canonicalZone('Europe/Kiev')).toBe('Europe/Kyiv');
		expect(canonicalZone('Asia/Seoul')).toBe('Asia/Seoul');
		// A country's own zone is never folded into a neighbour's, even where the database links them.
		expect(canonicalZone('Europe/Oslo')).toBe('Europe/Oslo');
		expect(sameZone('Asia/Saigon', 'Asia/Ho_Chi_Minh')).toBe(true);
		expect(sameZone('Asia/Seoul', 'Asia/Tokyo')).toBe(false);
	});

	it('the choices use current names only, once each, with UTC', () => {
		const list = zoneChoices(Intl.supportedValuesOf('timeZone'));
		expect(list).toContain('Asia/Kolkata');
		expect(list).toContain('UTC');
		for (const old of ['Asia/Calcutta', 'Asia/Saigon', 'Europe/Kiev']) expect(list).not.toContain(old);
		expect(new Set(list).size).toBe(list.length);
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

	it('keeps a too-long title whole with its error, and flags control characters', () => {
		const long = 'x'.repeat(MAX_TITLE_LENGTH + 20);
		const { draft, problems } = parseCreateLink(new URLSearchParams({ title: long }), 'UTC');
		expect(draft.title).toBe(long);
		expect(problems.title?.code).toBe('title.tooLong');
		expect(parseCreateLink(new URLSearchParams({ title: 'a\u0000b' }), 'UTC').problems.title?.code).toBe(
			'title.controlChars'
		);
	});

	it('flags weekdays out of range and a window that ends before it starts', () => {
		const { draft, problems } = parseCreateLink(new URLSearchParams('weekdays=1,8,3&from=18:00&to=09:00'), 'UTC');
		expect(draft.kind).toBe('weekdays');
		expect(draft.weekdays).toEqual([1, 3]);
		expect(problems.weekdays?.value).toBe('8');
		expect(problems.to?.code).toBe('time.order');
	});
});

describe('needsNewerApp', () => {
	it('asks for a newer app only for events written by a schema newer than it reads', () => {
		expect(needsNewerApp({ v: 1 })).toBe(false);
		expect(needsNewerApp({ v: SCHEMA_VERSION })).toBe(false);
		// Release A of the stroke log: reads v3, still writes v2.
		expect(needsNewerApp({ v: 3 })).toBe(false);
		expect(needsNewerApp({ v: READ_SCHEMA_VERSION + 1 })).toBe(true);
	});
});
