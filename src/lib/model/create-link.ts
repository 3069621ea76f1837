/**
 * Prefilled create links: `/new?title=Study&dates=2026-12-01,2026-12-03&from=09:00&to=18:00&slot=30&tz=Asia/Seoul`
 * (or `weekdays=1,3,5` instead of `dates`), or the same after `#`: "Duplicate"
 * uses the fragment, which browsers never send to a server. Parsing never drops a bad value
 * silently: each one comes back as an error on the field it concerns, with
 * the offending text, and the valid parts still fill the form.
 */
import {
	formatClock,
	hasControlChars,
	isIsoDate,
	isTimeZone,
	MAX_TITLE_LENGTH,
	parseClock,
	SLOT_LENGTHS,
	uniqueSorted,
	type DraftError,
	type DraftField,
	type EventDraft,
	type SlotLength
} from './settings.js';

/** A problem with one parameter of a create link. */
export interface LinkProblem {
	code: DraftError;
	/** The text from the link that could not be used. */
	value: string;
}

/** Result of parsing a create link. */
export interface ParsedCreateLink {
	draft: EventDraft;
	problems: Partial<Record<DraftField, LinkProblem>>;
}

/** Default window when a link names none: a working day. */
const DEFAULT_START = 9 * 60;
const DEFAULT_END = 18 * 60;
const DEFAULT_SLOT: SlotLength = 30;

/** Parses create-link parameters; `defaultTz` fills a missing `tz`. */
export function parseCreateLink(params: URLSearchParams, defaultTz: string): ParsedCreateLink {
	const problems: ParsedCreateLink['problems'] = {};
	const draft: EventDraft = {
		title: '',
		kind: 'dates',
		dates: [],
		weekdays: [],
		start: DEFAULT_START,
		end: DEFAULT_END,
		slot: DEFAULT_SLOT,
		tz: defaultTz
	};

	const title = params.get('title');
	if (title !== null) {
		// Kept whole up to twice the limit (not cut to fit): the form shows it with the error, and the person shortens it.
		draft.title = title.slice(0, MAX_TITLE_LENGTH * 2);
		if (title.trim().length > MAX_TITLE_LENGTH) problems.title = { code: 'title.tooLong', value: title };
		else if (hasControlChars(title)) problems.title = { code: 'title.controlChars', value: '' };
	}

	const list = (name: string) =>
		(params.get(name) ?? '')
			.split(',')
			.map((s) => s.trim())
			.filter(Boolean);

	if (params.has('dates')) {
		const parts = list('dates');
		const bad = parts.filter((d) => !isIsoDate(d));
		draft.dates = uniqueSorted(parts.filter(isIsoDate));
		if (bad.length) problems.dates = { code: 'dates.invalid', value: bad.join(', ') };
	}
	if (params.has('weekdays')) {
		const parts = list('weekdays');
		const ok = (s: string) => /^[1-7]$/.test(s);
		const bad = parts.filter((s) => !ok(s));
		draft.weekdays = uniqueSorted(parts.filter(ok).map(Number));
		if (bad.length) problems.weekdays = { code: 'weekdays.invalid', value: bad.join(', ') };
		if (!params.has('dates')) draft.kind = 'weekdays';
		else problems.kind = { code: 'kind.invalid', value: 'dates + weekdays' };
	}

	for (const [name, field, key] of [
		['from', 'from', 'start'],
		['to', 'to', 'end']
	] as const) {
		const raw = params.get(name);
		if (raw === null) continue;
		const minutes = parseClock(raw);
		if (minutes === null || (key === 'start' && minutes >= 1440) || (key === 'end' && minutes === 0))
			problems[field] = { code: 'time.invalid', value: raw };
		else draft[key] = minutes;
	}
	if (!problems.from && !problems.to && draft.end <= draft.start && (params.has('from') || params.has('to')))
		problems.to = { code: 'time.order', value: `${formatClock(draft.start)}–${formatClock(draft.end)}` };

	const slot = params.get('slot');
	if (slot !== null) {
		const n = Number(slot);
		if ((SLOT_LENGTHS as readonly number[]).includes(n)) draft.slot = n as SlotLength;
		else problems.slot = { code: 'slot.invalid', value: slot };
	}

	const tz = params.get('tz');
	if (tz !== null) {
		if (isTimeZone(tz)) draft.tz = tz;
		else problems.tz = { code: 'tz.invalid', value: tz };
	}
	return { draft, problems };
}

/** The parameters a create link may carry. */
export const CREATE_LINK_KEYS = ['title', 'dates', 'weekdays', 'from', 'to', 'slot', 'tz'] as const;

/** Builds the create link that {@link parseCreateLink} reads back into `draft`. */
export function createLinkParams(draft: EventDraft): URLSearchParams {
	const p = new URLSearchParams();
	p.set('title', draft.title);
	if (draft.kind === 'dates') p.set('dates', draft.dates.join(','));
	else p.set('weekdays', draft.weekdays.join(','));
	p.set('from', formatClock(draft.start));
	p.set('to', formatClock(draft.end));
	p.set('slot', String(draft.slot));
	p.set('tz', draft.tz);
	return p;
}
