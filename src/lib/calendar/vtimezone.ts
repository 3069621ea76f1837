/**
 * A VTIMEZONE for an IANA zone, worked out from the zone's offsets as the
 * platform's time-zone data gives them (RFC 5545 requires one for every
 * TZID a file uses, and a reader that does not know the IANA name, such as
 * some Outlook versions, reads the times by it alone).
 */
import { fromAbsolute } from '@internationalized/date';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ICS_DAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'] as const;
/** Years of explicit observances written when the zone's changes follow no yearly rule. */
const EXPLICIT_YEARS = 20;

/** An offset change: at instant `at`, from `from` to `to` minutes east of UTC. */
interface Transition {
	at: number;
	from: number;
	to: number;
}

const offsetAt = (ms: number, zone: string) => Math.round(fromAbsolute(ms, zone).offset / 60_000);

/** The zone's offset changes in [start, end), found day by day and narrowed to the minute. */
function transitions(zone: string, start: number, end: number): Transition[] {
	const found: Transition[] = [];
	let before = offsetAt(start, zone);
	for (let t = start; t < end; t += DAY) {
		const next = Math.min(t + DAY, end);
		const after = offsetAt(next, zone);
		if (after === before) continue;
		let [lo, hi] = [t, next];
		while (hi - lo > 60_000) {
			const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
			if (offsetAt(mid, zone) === before) lo = mid;
			else hi = mid;
		}
		found.push({ at: hi, from: before, to: after });
		before = after;
	}
	return found;
}

const yearStart = (year: number) => Date.UTC(year, 0, 1) - DAY;

/** The local (offset-before) wall clock of a transition, as UTC fields of a Date. */
const localBefore = (t: Transition) => new Date(t.at + t.from * 60_000);

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function stamp(local: Date): string {
	return (
		`${pad(local.getUTCFullYear(), 4)}${pad(local.getUTCMonth() + 1)}${pad(local.getUTCDate())}` +
		`T${pad(local.getUTCHours())}${pad(local.getUTCMinutes())}${pad(local.getUTCSeconds())}`
	);
}

function offsetText(minutes: number): string {
	const abs = Math.abs(minutes);
	return `${minutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
}

/** "The 2nd Sunday of March" or "the last Sunday of October": the yearly rule a transition would follow. */
interface YearlyRule {
	month: number;
	weekday: number;
	/** 1–4, or -1 for the last such weekday of the month. */
	nth: number;
	hour: number;
	minute: number;
}

function ruleOf(t: Transition): YearlyRule {
	const local = localBefore(t);
	const day = local.getUTCDate();
	const monthDays = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + 1, 0)).getUTCDate();
	return {
		month: local.getUTCMonth() + 1,
		weekday: local.getUTCDay(),
		nth: day + 7 > monthDays ? -1 : Math.ceil(day / 7),
		hour: local.getUTCHours(),
		minute: local.getUTCMinutes()
	};
}

/** Whether `t` happens when `rule` says it would in its year. */
function follows(t: Transition, rule: YearlyRule): boolean {
	const actual = ruleOf(t);
	return (
		actual.month === rule.month &&
		actual.weekday === rule.weekday &&
		actual.nth === rule.nth &&
		actual.hour === rule.hour &&
		actual.minute === rule.minute
	);
}

function observance(t: Transition, rrule?: YearlyRule): string[] {
	const kind = t.to > t.from ? 'DAYLIGHT' : 'STANDARD';
	return [
		`BEGIN:${kind}`,
		`DTSTART:${stamp(localBefore(t))}`,
		`TZOFFSETFROM:${offsetText(t.from)}`,
		`TZOFFSETTO:${offsetText(t.to)}`,
		...(rrule ? [`RRULE:FREQ=YEARLY;BYMONTH=${rrule.month};BYDAY=${rrule.nth}${ICS_DAYS[rrule.weekday]}`] : []),
		`END:${kind}`
	];
}

/**
 * The VTIMEZONE lines (CRLF-joined, without a final line break) for IANA
 * `zone`, correct from the year before `from` onwards. Changes that recur
 * on a weekday of a month ("last Sunday of March") become one observance
 * with a yearly RRULE each, checked against the following years; a zone
 * whose changes follow no such rule gets each change of the next
 * {@link EXPLICIT_YEARS} years written out; a zone without changes gets
 * one STANDARD observance.
 */
export function vtimezone(zone: string, from: number): string {
	const year = new Date(from).getUTCFullYear() - 1;
	const first = transitions(zone, yearStart(year), yearStart(year + 1));
	const lines = ['BEGIN:VTIMEZONE', `TZID:${zone}`];
	if (first.length === 0) {
		const offset = offsetAt(yearStart(year), zone);
		lines.push(...observance({ at: Date.UTC(1970, 0, 1) - offset * 60_000, from: offset, to: offset }));
	} else {
		const later = transitions(zone, yearStart(year + 1), yearStart(year + 4));
		const rules = first.map(ruleOf);
		const regular =
			first.length === 2 &&
			later.length === 6 &&
			later.every((t, i) => follows(t, rules[i % 2]) && t.from === first[i % 2].from && t.to === first[i % 2].to);
		if (regular) first.forEach((t, i) => lines.push(...observance(t, rules[i])));
		else {
			const all = [...first, ...transitions(zone, yearStart(year + 1), yearStart(year + EXPLICIT_YEARS))];
			for (const t of all) lines.push(...observance(t));
		}
	}
	lines.push('END:VTIMEZONE');
	return lines.join('\r\n');
}
