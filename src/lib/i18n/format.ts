/** Display formatting of days and times (the runtime's locale, via Intl). */
import { fromAbsolute, getLocalTimeZone, toCalendarDate } from '@internationalized/date';
import { formatClock, type Grid, type GridColumn, type GridRow } from '../model/index.js';
import { m } from '../paraglide/messages.js';
import { intlLocale } from './language.js';

const WEEKDAY_BASE = Date.UTC(2024, 0, 1); // a Monday

const formats = new Map<string, Intl.DateTimeFormat>();
/**
 * A date-time format for the current language, made once per set of
 * options: making one costs far more than using it, and labels are
 * formatted again on every remote stroke (docs/BENCHMARKS.md).
 */
export function dateFormat(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
	const key = `${intlLocale()}|${JSON.stringify(options)}`;
	let format = formats.get(key);
	if (!format) formats.set(key, (format = new Intl.DateTimeFormat(intlLocale(), options)));
	return format;
}

/** Weekday name for an ISO weekday, e.g. `Mon`. */
export function weekdayName(weekday: number, style: 'short' | 'long' = 'short'): string {
	return dateFormat({ weekday: style, timeZone: 'UTC' }).format(WEEKDAY_BASE + (weekday - 1) * 86_400_000);
}

/** Two-line label of a grid column: weekday, and the date for dated events. */
export function columnLabel(column: GridColumn): { top: string; bottom: string; full: string } {
	if (!column.date) return { top: weekdayName(column.weekday), bottom: '', full: weekdayName(column.weekday, 'long') };
	const [y, m, d] = column.date.split('-').map(Number);
	const at = Date.UTC(y, m - 1, d);
	// A column is about 3 characters wide: Korean's "12월 1일" would break in two, its numeric "12. 1." fits.
	const month = intlLocale().startsWith('ko') ? 'numeric' : 'short';
	const md = dateFormat({ month, day: 'numeric', timeZone: 'UTC' }).format(at);
	const full = dateFormat({ dateStyle: 'full', timeZone: 'UTC' }).format(at);
	return { top: weekdayName(column.weekday), bottom: md, full };
}

/** Row label: wall-clock time, `HH:MM`. */
export const rowLabel = formatClock;

/** Label of a grid row: its time, marked when it is the second pass of a repeated hour. */
export function gridRowLabel(row: GridRow): string {
	return row.repeat ? m.event_repeatedTime({ clock: formatClock(row.minutes) }) : formatClock(row.minutes);
}

/** Accessible label of one cell: the day and the time. */
export function cellLabel(grid: Grid, col: number, row: number): string {
	return `${columnLabel(grid.columns[col]).full} ${gridRowLabel(grid.rows[row])}`;
}

/**
 * A span of time in `zone`, e.g. `Mon, Nov 30, 17:00 – 19:00`; the end
 * date is shown only when the span crosses midnight there.
 */
function instantRange(start: number, end: number, zone: string): string {
	return dateFormat({
		weekday: 'short',
		month: 'short',
		day: 'numeric',
		hour: '2-digit',
		minute: '2-digit',
		hourCycle: 'h23',
		timeZone: zone
	}).formatRange(start, end);
}

/**
 * A run of adjacent slots (in order) as one span of time: in `zone` for
 * dated slots, in the event's own week for weekly ones.
 */
export function slotSpan(slots: readonly string[], slotMinutes: number, zone: string): string {
	const first = slots[0];
	const last = slots[slots.length - 1];
	if (!first) return '';
	const weekly = /^w([1-7])T(\d\d):(\d\d)$/;
	const a = weekly.exec(first);
	const b = weekly.exec(last);
	if (a && b) {
		const end = Number(b[2]) * 60 + Number(b[3]) + slotMinutes;
		return `${weekdayName(Number(a[1]), 'long')} · ${a[2]}:${a[3]}–${formatClock(end)}`;
	}
	return instantRange(Date.parse(first), Date.parse(last) + slotMinutes * 60_000, zone);
}

/** A zone's readable name, e.g. `Los Angeles` from `America/Los_Angeles`. */
export function zoneName(zone: string): string {
	return (zone.split('/').pop() ?? zone).replaceAll('_', ' ');
}

/** A short description of an event's days and window. */
export function describeDays(kind: 'dates' | 'weekdays', dates: string[], weekdays: number[]): string {
	if (kind === 'weekdays') return weekdays.map((w) => weekdayName(w)).join(', ');
	if (dates.length === 0) return '';
	return describeDateSpan(dates[0], dates[dates.length - 1], dates.length);
}

/**
 * `Dec 1 – 5 · 3 days` (`12월 1일~5일 · 총 3일`): the first and last of
 * `count` dates, which need not be consecutive, so the count is said.
 */
export function describeDateSpan(first: string, last: string, count: number): string {
	const at = (d: string) => Date.parse(`${d}T00:00Z`);
	const format = dateFormat({ month: 'short', day: 'numeric', timeZone: 'UTC' });
	if (count === 1 || first === last) return format.format(at(first));
	// ICU puts thin spaces around the range dash; plain ones read the same and match what people type.
	const span = format.formatRange(at(first), at(last)).replaceAll('\u2009', ' ');
	return `${span} · ${m.event_dateCount({ count })}`;
}

/**
 * When something starts, said from `now`: `today at 14:00`, `tomorrow at
 * 14:00`, `Wednesday at 14:00` within the week, `next Monday at 14:00` a
 * week or more ahead (so it is never mistaken for today). Days are counted
 * in `zone` (the device's by default), where the clock time is shown too.
 */
export function dayAndTime(at: number, now: number, zone: string = getLocalTimeZone()): string {
	const time = dateFormat({ hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: zone }).format(at);
	const day = toCalendarDate(fromAbsolute(at, zone));
	const days = day.compare(toCalendarDate(fromAbsolute(now, zone)));
	if (days === 0) return m.week_today({ time });
	if (days === 1) return m.week_tomorrow({ time });
	const weekday = dateFormat({ weekday: 'long', timeZone: zone }).format(at);
	return days >= 7 ? m.week_nextWeekAt({ day: weekday, time }) : m.week_dayAt({ day: weekday, time });
}

/** The decided time as a span in `zone`. */
export function decisionSpan(decision: { start: string; minutes: number }, zone: string): string {
	return slotSpan([decision.start], decision.minutes, zone);
}

/** Plain text to paste into a chat: the title, the time in the event's zone, who can come, the link. */
export function decisionSummary(o: {
	title: string;
	decision: { start: string; minutes: number };
	zone: string;
	people: { available: string[]; ifNeeded: string[]; unavailable: string[] };
	url: string;
}): string {
	const span = decisionSpan(o.decision, o.zone);
	const when = o.decision.start.startsWith('w') ? m.decision_weekly({ span }) : span;
	const lines = [o.title, `${when} (${o.zone.replaceAll('_', ' ')})`];
	if (o.people.available.length) lines.push(`${m.event_available()}: ${o.people.available.join(', ')}`);
	if (o.people.ifNeeded.length) lines.push(`${m.event_ifNeeded()}: ${o.people.ifNeeded.join(', ')}`);
	if (o.people.unavailable.length) lines.push(`${m.event_notAvailable()}: ${o.people.unavailable.join(', ')}`);
	lines.push(o.url);
	return lines.join('\n');
}

/** A length of time in words: "30 min", "1 h", "1 h 30 min". */
export function durationLabel(minutes: number): string {
	if (minutes % 60 === 0) return m.event_durationHours({ hours: minutes / 60 });
	if (minutes < 60) return m.event_durationMinutes({ minutes });
	return m.event_durationHoursMinutes({ hours: Math.floor(minutes / 60), minutes: minutes % 60 });
}

/** A count as people write it in the current language ("4,778"). */
export function countText(n: number): string {
	return n.toLocaleString(intlLocale());
}
