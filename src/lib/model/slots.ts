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
import { CalendarDateTime, fromAbsolute, toZoned } from '@internationalized/date';
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

/** Dated slots are stored as minutes since this instant (schema v2). */
const STORED_EPOCH = Date.UTC(2020, 0, 1);
/** Marks weekly slots in their stored form; base 36 digits are lower case, so it never starts a dated one. */
const STORED_WEEKLY = 'W';
const STORED_DATED_PATTERN = /^-?[0-9a-z]{1,9}$/;
const STORED_WEEKLY_PATTERN = /^W[0-9a-z]{1,3}$/;

/**
 * A slot key in the compact form schema v2 stores in members' marks: the
 * same logical time in fewer bytes — minutes since 2020 in base 36 for an
 * instant (`2026-12-01T09:30Z` → `25z3u`), `W` + minutes into the week in
 * base 36 for a weekly block (`w1T09:30` → `Wfu`). Every overwritten mark
 * keeps its key in the document, so key length is most of its size
 * (docs/BENCHMARKS.md). Anything that is not a slot key is stored as is.
 */
export function compactSlotKey(slot: string): string {
	if (DATE_SLOT_PATTERN.test(slot)) return ((Date.parse(slot) - STORED_EPOCH) / 60_000).toString(36);
	if (WEEKDAY_SLOT_PATTERN.test(slot)) {
		const minutes = (Number(slot[1]) - 1) * 1440 + Number(slot.slice(3, 5)) * 60 + Number(slot.slice(6, 8));
		return STORED_WEEKLY + minutes.toString(36);
	}
	return slot;
}

/**
 * The slot key a stored key names, in either form (full keys, as schema v1
 * stores them, are returned as they are); `null` for a key that names no
 * slot (a newer schema or a hostile peer).
 */
export function slotFromStored(key: string): string | null {
	let slot = decoded.get(key);
	if (slot === undefined) {
		// Bounded: a hostile document could hold any number of distinct keys.
		if (decoded.size >= 100_000) decoded.clear();
		decoded.set(key, (slot = decodeStored(key)));
	}
	return slot;
}

/** Stored keys already decoded: opening an event reads every member's marks, mostly the same few hundred keys. */
const decoded = new Map<string, string | null>();

function decodeStored(key: string): string | null {
	if (isSlotKey(key)) return key;
	if (STORED_WEEKLY_PATTERN.test(key)) {
		const minutes = parseInt(key.slice(1), 36);
		if (minutes >= 7 * 1440) return null;
		return weekdaySlotKey(Math.floor(minutes / 1440) + 1, minutes % 1440);
	}
	if (STORED_DATED_PATTERN.test(key)) {
		const ms = STORED_EPOCH + parseInt(key, 36) * 60_000;
		return Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? instantSlotKey(ms) : null;
	}
	return null;
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

/** One row of the grid: a wall-clock time of day in the grid's zone. */
export interface GridRow {
	/** Minutes after local midnight. */
	minutes: number;
	/**
	 * The second occurrence of this wall-clock time on a day the clocks fall
	 * back. Only a grid shown in another zone than the event's has these: the
	 * event's own zone shows a repeated time once.
	 */
	repeat: boolean;
	/** The row does not follow the one above it in time (the rows skip a stretch of the day). */
	gapBefore: boolean;
}

/** The grid of an event: columns × rows, each cell a slot key or `null`. */
export interface Grid {
	columns: GridColumn[];
	rows: GridRow[];
	/** `cells[column][row]`: the slot key, or `null` where the grid has no slot. */
	cells: (string | null)[][];
	/** Every slot key in the grid, for membership tests. */
	slots: Set<string>;
	/** The IANA zone the rows' wall-clock times are in. */
	zone: string;
	/** Block length in minutes. */
	slot: number;
	/**
	 * What an empty cell means: `skipped`, a time a clock change skips (the
	 * event's own zone), or `outside`, a time that is not part of the event
	 * (a grid converted into another zone, whose days cut the event's days
	 * elsewhere).
	 */
	empty: 'skipped' | 'outside';
}

const row = (minutes: number): GridRow => ({ minutes, repeat: false, gapBefore: false });

/** ISO weekday (1 = Monday … 7 = Sunday) of a `YYYY-MM-DD` date. */
export function isoWeekday(date: string): number {
	const [y, mo, d] = date.split('-').map(Number);
	const day = new Date(Date.UTC(y, mo - 1, d)).getUTCDay();
	return day === 0 ? 7 : day;
}

const DAY_MS = 86_400_000;

/** Offset (ms) of `tz` from UTC at the instant `ms`: one look-up in the zone's rules. */
const offsetAt = (ms: number, tz: string) => fromAbsolute(ms, tz).offset;

/**
 * The instants of one day's wall-clock `minutes` in `tz`, as `localToInstant`
 * gives them (`null` for a skipped time), with a handful of zone look-ups for
 * the whole day instead of several per block: opening an event derives 14 ×
 * 48 of them, and each `localToInstant` asks the zone's rules four times.
 * When the offset is the same a day before the first block, at the first and
 * last blocks and a day after the last, every block of the day is its
 * wall-clock time minus that offset, exactly what `localToInstant` would find
 * (it looks a day either side too). Otherwise the day holds a clock change
 * and each block is converted on its own.
 */
function dayInstants(date: string, minutes: readonly number[], tz: string): (number | null)[] {
	if (minutes.length === 0) return [];
	const [y, mo, d] = date.split('-').map(Number);
	const midnight = Date.UTC(y, mo - 1, d); // the day's wall clock read as if it were UTC
	const first = midnight + minutes[0] * 60_000;
	const last = midnight + minutes[minutes.length - 1] * 60_000;
	const offset = offsetAt(first - DAY_MS, tz);
	if (
		// Date.UTC reads years 0–99 as 1900–1999 (CalendarDateTime does not): leave those to localToInstant.
		y >= 100 &&
		offsetAt(last + DAY_MS, tz) === offset &&
		offsetAt(first - offset, tz) === offset &&
		offsetAt(last - offset, tz) === offset
	)
		return minutes.map((m) => midnight + m * 60_000 - offset);
	return minutes.map((m) => localToInstant(date, m, tz));
}

/**
 * `tz`'s offset at each of the `instants` (sorted), with two zone look-ups
 * per day of them instead of one each: within a stretch of at most a day
 * whose two ends have the same offset, every instant has it (clocks do not
 * change twice in a day and back). A stretch whose ends differ is looked up
 * instant by instant.
 */
function offsetsAt(instants: readonly number[], tz: string): number[] {
	const out: number[] = [];
	for (let from = 0; from < instants.length;) {
		let to = from;
		while (to + 1 < instants.length && instants[to + 1] - instants[from] <= DAY_MS) to++;
		const offset = offsetAt(instants[from], tz);
		const same = offsetAt(instants[to], tz) === offset;
		for (let i = from; i <= to; i++) out.push(same ? offset : offsetAt(instants[i], tz));
		from = to + 1;
	}
	return out;
}

/** Derives the grid from an event's settings, in the event's own zone. */
export function buildGrid(
	settings: Pick<EventSettings, 'kind' | 'dates' | 'weekdays' | 'start' | 'end' | 'slot' | 'tz'>
): Grid {
	const minutes: number[] = [];
	for (let m = settings.start; m < settings.end; m += settings.slot) minutes.push(m);
	const slots = new Set<string>();
	const columns: GridColumn[] = [];
	const cells: (string | null)[][] = [];
	if (settings.kind === 'dates') {
		for (const date of settings.dates) {
			columns.push({ id: date, weekday: isoWeekday(date), date });
			cells.push(
				dayInstants(date, minutes, settings.tz).map((at) => {
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
				minutes.map((m) => {
					const key = weekdaySlotKey(weekday, m);
					slots.add(key);
					return key;
				})
			);
		}
	}
	return { columns, rows: minutes.map(row), cells, slots, zone: settings.tz, slot: settings.slot, empty: 'skipped' };
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * The same slots laid out in another zone's days and wall-clock times, so a
 * viewer reads the event in their own time. A `dates` event's slots are
 * instants, so they can move: a Seoul afternoon becomes a Los Angeles
 * evening of the day before, and one event day can become parts of two.
 * Columns are the viewer's dates that hold any slot; rows are every
 * wall-clock time any column needs (with `gapBefore` where the day is cut);
 * a time the viewer's clocks repeat gets a second, `repeat` row rather than
 * being dropped. `weekdays` events have no instants and stay in their zone.
 */
export function gridInZone(grid: Grid, zone: string): Grid {
	if (grid.zone === zone || grid.columns.some((c) => !c.date)) return grid;
	const placed: { key: string; date: string; minutes: number; repeat: boolean }[] = [];
	const seen = new Set<string>();
	// Instant keys sort chronologically, so a repeated time is met second.
	const keys = [...grid.slots].sort();
	const instants = keys.map((key) => Date.parse(key));
	const offsets = offsetsAt(instants, zone);
	keys.forEach((key, i) => {
		// The wall clock there, read with UTC getters (as fromAbsolute does).
		const local = new Date(instants[i] + offsets[i]);
		const date = `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`;
		const minutes = local.getUTCHours() * 60 + local.getUTCMinutes();
		const id = `${date} ${minutes}`;
		placed.push({ key, date, minutes, repeat: seen.has(id) });
		seen.add(id);
	});
	const dates = [...new Set(placed.map((p) => p.date))].sort();
	const rowId = (minutes: number, repeat: boolean) => minutes * 2 + (repeat ? 1 : 0);
	const rowIds = [...new Set(placed.map((p) => rowId(p.minutes, p.repeat)))].sort((a, b) => a - b);
	const rows = rowIds.map((id, i): GridRow => {
		const minutes = id >> 1;
		const previous = i > 0 ? rowIds[i - 1] >> 1 : minutes;
		return { minutes, repeat: (id & 1) === 1, gapBefore: minutes - previous > grid.slot };
	});
	const rowIndex = new Map(rowIds.map((id, i) => [id, i]));
	const colIndex = new Map(dates.map((d, i) => [d, i]));
	const cells = dates.map(() => rows.map((): string | null => null));
	for (const p of placed) cells[colIndex.get(p.date)!][rowIndex.get(rowId(p.minutes, p.repeat))!] = p.key;
	return {
		columns: dates.map((date) => ({ id: date, weekday: isoWeekday(date), date })),
		rows,
		cells,
		slots: grid.slots,
		zone,
		slot: grid.slot,
		empty: 'outside'
	};
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
