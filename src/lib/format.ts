/** Display formatting of days and times (the runtime's locale, via Intl). */
import { formatClock, type GridColumn } from './model/index.js';

const WEEKDAY_BASE = Date.UTC(2024, 0, 1); // a Monday

/** Weekday name for an ISO weekday, e.g. `Mon`. */
export function weekdayName(weekday: number, style: 'short' | 'long' = 'short'): string {
	return new Intl.DateTimeFormat(undefined, { weekday: style, timeZone: 'UTC' }).format(
		WEEKDAY_BASE + (weekday - 1) * 86_400_000
	);
}

/** Two-line label of a grid column: weekday, and the date for dated events. */
export function columnLabel(column: GridColumn): { top: string; bottom: string; full: string } {
	if (!column.date) return { top: weekdayName(column.weekday), bottom: '', full: weekdayName(column.weekday, 'long') };
	const [y, m, d] = column.date.split('-').map(Number);
	const at = Date.UTC(y, m - 1, d);
	const md = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(at);
	const full = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeZone: 'UTC' }).format(at);
	return { top: weekdayName(column.weekday), bottom: md, full };
}

/** Row label: wall-clock time, `HH:MM`. */
export const rowLabel = formatClock;

/** A short description of an event's days and window. */
export function describeDays(kind: 'dates' | 'weekdays', dates: string[], weekdays: number[]): string {
	if (kind === 'weekdays') return weekdays.map((w) => weekdayName(w)).join(', ');
	if (dates.length === 0) return '';
	const fmt = (d: string) => columnLabel({ id: d, weekday: 1, date: d }).bottom;
	return dates.length === 1 ? fmt(dates[0]) : `${fmt(dates[0])} – ${fmt(dates[dates.length - 1])} (${dates.length})`;
}
