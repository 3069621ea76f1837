/**
 * Slot keys and the grid derived from an event's settings.
 *
 * A slot key names a block of time absolutely, never as a position in the
 * grid, so editing the event's window or days never rewrites anyone's marks:
 * - `dates` events: the UTC instant the slot starts, `YYYY-MM-DDTHH:MMZ`.
 * - `weekdays` events: `w<ISO weekday>T<HH:MM>` in the event's own zone.
 *
 * The grid is computed from the settings when shown; no empty slot is stored.
 */
import { CalendarDateTime, toZoned } from '@internationalized/date';
import { formatClock, type EventSettings } from './settings.js';

/** Matches a `dates` slot key. */
export const DATE_SLOT_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z$/;
/** Matches a `weekdays` slot key. */
export const WEEKDAY_SLOT_PATTERN = /^w[1-7]T(?:[01]\d|2[0-3]):[0-5]\d$/;

/** Whether `key` has the form of a slot key of either kind. */
export function isSlotKey(key: string): boolean {
	return DATE_SLOT_PATTERN.test(key) || WEEKDAY_SLOT_PATTERN.test(key);
}

/** The slot key for a UTC instant (ms), truncated to the minute. */
export function instantSlotKey(ms: number): string {
	return new Date(ms).toISOString().slice(0, 16) + 'Z';
}

/** The slot key for a weekly block: ISO weekday and minutes after midnight. */
export function weekdaySlotKey(weekday: number, minutes: number): string {
	return `w${weekday}T${formatClock(minutes)}`;
}

/**
 * The UTC instant (ms) at which local wall-clock time `minutes` on `date`
 * occurs in `tz`, or `null` when that wall-clock time does not exist there
 * (skipped by a daylight-saving change). A repeated wall-clock time maps to
 * its first occurrence, so a repeated hour is shown once.
 */
export function localToInstant(date: string, minutes: number, tz: string): number | null {
	const [y, mo, d] = date.split('-').map(Number);
	const local = new CalendarDateTime(y, mo, d, Math.floor(minutes / 60), minutes % 60);
	const zoned = toZoned(local, tz, 'earlier');
	if (zoned.hour !== local.hour || zoned.minute !== local.minute || zoned.day !== local.day) return null;
	return zoned.toDate().getTime();
}

/** One column of the grid: a calendar date or a weekday. */
export interface GridColumn {
	/** `YYYY-MM-DD` for `dates` events, `w<1-7>` for `weekdays` events. */
	id: string;
	/** ISO weekday of the column (1 = Monday). */
	weekday: number;
	/** The calendar date, for `dates` events. */
	date?: string;
}

/** The grid of an event: columns × rows, each cell a slot key or `null`. */
export interface Grid {
	columns: GridColumn[];
	/** Row start times, minutes after local midnight. */
	rows: number[];
	/** `cells[column][row]`: the slot key, or `null` where that time does not exist. */
	cells: (string | null)[][];
	/** Every slot key in the grid, for membership tests. */
	slots: Set<string>;
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a `YYYY-MM-DD` date. */
export function isoWeekday(date: string): number {
	const [y, mo, d] = date.split('-').map(Number);
	const day = new Date(Date.UTC(y, mo - 1, d)).getUTCDay();
	return day === 0 ? 7 : day;
}

/** Derives the grid from an event's settings, in the event's own zone. */
export function buildGrid(settings: Pick<EventSettings, 'kind' | 'dates' | 'weekdays' | 'start' | 'end' | 'slot' | 'tz'>): Grid {
	const rows: number[] = [];
	for (let m = settings.start; m < settings.end; m += settings.slot) rows.push(m);
	const slots = new Set<string>();
	const columns: GridColumn[] = [];
	const cells: (string | null)[][] = [];
	if (settings.kind === 'dates') {
		for (const date of settings.dates) {
			columns.push({ id: date, weekday: isoWeekday(date), date });
			cells.push(
				rows.map((m) => {
					const at = localToInstant(date, m, settings.tz);
					if (at === null) return null;
					const key = instantSlotKey(at);
					// A repeated hour maps two rows to one instant: show it once.
					if (slots.has(key)) return null;
					slots.add(key);
					return key;
				})
			);
		}
	} else {
		for (const weekday of settings.weekdays) {
			columns.push({ id: `w${weekday}`, weekday });
			cells.push(
				rows.map((m) => {
					const key = weekdaySlotKey(weekday, m);
					slots.add(key);
					return key;
				})
			);
		}
	}
	return { columns, rows, cells, slots };
}

/** Slot keys of the rectangle spanned by two cells (inclusive), skipping missing times. */
export function slotsInRectangle(
	grid: Grid,
	a: { col: number; row: number },
	b: { col: number; row: number }
): string[] {
	const out: string[] = [];
	const [c0, c1] = a.col <= b.col ? [a.col, b.col] : [b.col, a.col];
	const [r0, r1] = a.row <= b.row ? [a.row, b.row] : [b.row, a.row];
	for (let c = c0; c <= c1; c++) {
		for (let r = r0; r <= r1; r++) {
			const key = grid.cells[c]?.[r];
			if (key) out.push(key);
		}
	}
	return out;
}
