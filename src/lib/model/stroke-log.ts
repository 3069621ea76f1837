/**
 * A member's availability as a stroke log (schema v3, docs/design/document-size.md):
 * `availability/<member>` is a Y.Text whose content is records back to back.
 * Yjs keeps one item per map write forever, so a per-slot Y.Map grows with
 * every mark ever painted; consecutive appends of one client to one Y.Text
 * merge into one item, so a log costs its content (a few bytes a stroke).
 *
 * Records are varints written as 7-bit characters (one UTF-8 byte each):
 * bit 6 says another character follows, bits 0–5 are payload, least
 * significant first. Positions are quarter-hours (`q`): for a `dates` event
 * UTC quarter-hours from the event's epoch ({@link logEpoch}), for a
 * `weekdays` event quarter-hours into the week (Monday 00:00) in the event's
 * zone — the head's domain bit says which, so an event switched between the
 * two kinds keeps both sets of marks, as the per-slot map does.
 * - stroke: `4·zz(q) + 2·weekly + 0`, `((n−1)·32 + (d−1))·3 + m`, `stamp`:
 *   `n` quarter-hours (1–128) from `q`, repeated on `d` days (1–32, stride
 *   96), all set to mark `m` (0 cleared, 1 available, 2 if needed);
 * - base (what a compaction writes): `4·runs + 2·weekly + 1`, `zz(q0)`, then
 *   per run `len·4 + m` and, unless `m` is 3 (untouched), the run's stamp.
 *
 * Reading: per quarter-hour the record with the highest `(stamp, m)` wins,
 * wherever it sits in the text, so concurrent appends (two devices of one
 * person, a member offline) and concurrent compactions merge by a max.
 * Imports only yjs: the relay and the app share it.
 */
import type * as Y from 'yjs';

/** A mark as event-doc's `Mark` (0 cleared, 1, 2), restated so this module stays free of the schema. */
type LogMark = 0 | 1 | 2;

/** A quarter-hour in ms. */
export const QUARTER_MS = 15 * 60_000;
/** Quarter-hours in a day: the stride of a stroke's days. */
export const DAY_QUARTERS = 96;
/** Quarter-hours in a week: the range of a weekly `q`. */
export const WEEK_QUARTERS = 7 * DAY_QUARTERS;
/** Longest run of a stroke, in quarter-hours. */
export const MAX_RUN = 128;
/** Most days a stroke repeats on. */
export const MAX_DAYS = 32;
/** Largest stamp a reader accepts: far above any honest log, and within a varint of six characters. */
export const MAX_STAMP = 2 ** 32;
/** Largest `|q|` a reader accepts (≈ 119 years of quarter-hours either side of the epoch). */
export const MAX_QUARTER = 2 ** 22;
/**
 * Most quarter-hour writes one member's log may cost a reader; past it the
 * rest of the log is ignored. An honest member painting whole days for a
 * month 500 times stays under it; a hostile one cannot make every viewer
 * loop for long.
 */
export const MAX_LOG_WORK = 2 ** 21;

/** Stored value of a base run that touches nothing. */
const UNTOUCHED = 3;
/** A varint longer than this many characters (36 bits) is malformed. */
const MAX_VAR_CHARS = 6;
const DAY_MS = 86_400_000;

/** A rectangle of quarter-hours set to one mark: what one stroke record says. */
export interface Rect {
	/** First quarter-hour (see the module comment for its domain). */
	q: number;
	/** Quarter-hours per day, 1–{@link MAX_RUN}. */
	n: number;
	/** Days, 1–{@link MAX_DAYS}, each {@link DAY_QUARTERS} after the previous. */
	d: number;
	/** 0 cleared, 1 available, 2 if needed. */
	m: LogMark;
	/** Whether `q` counts quarter-hours into the week (a `weekdays` event) rather than from the epoch. */
	weekly: boolean;
}

/**
 * Quarter-hour → winning `stamp·3 + m`: comparing these numbers compares
 * `(stamp, m)` pairs, so the winner is a plain max.
 */
export type Cells = Map<number, number>;

/** What a log says: the winning cell per quarter-hour in each domain, and the highest stamp read. */
export interface LogRead {
	/** Quarter-hours from the epoch (`dates` events). */
	dated: Cells;
	/** Quarter-hours into the week (`weekdays` events). */
	weekly: Cells;
	/** Highest stamp among the records read (0 for an empty log). */
	stamp: number;
	/** Whether the whole log was read; `false` when reading stopped at a malformed record or a cap. */
	complete: boolean;
	/** Records read (strokes and bases). */
	records: number;
	/** Quarter-hour writes spent so far, against {@link MAX_LOG_WORK}. */
	work: number;
}

/** The mark (0 cleared, 1, 2) of a cell value. */
export function cellMark(cell: number): LogMark {
	return (cell % 3) as LogMark;
}

/** The stamp of a cell value. */
export function cellStamp(cell: number): number {
	return Math.floor(cell / 3);
}

/**
 * The epoch of an event's dated quarter-hours: UTC midnight of the day it
 * was created, minus one day. Fixed at creation (`createdAt` never changes),
 * so every device agrees, and dates an edit adds later are small positive
 * numbers (the day before covers zones west of UTC).
 */
export function logEpoch(createdAt: number): number {
	return Math.floor(createdAt / DAY_MS) * DAY_MS - DAY_MS;
}

const zigzag = (v: number) => (v < 0 ? -2 * v - 1 : 2 * v);
const unzigzag = (v: number) => (v % 2 === 1 ? -(v + 1) / 2 : v / 2);

/** Appends `value` as a varint of 7-bit characters (6 bits of payload each), as records are written. */
export function writeVar(out: number[], value: number): void {
	let v = value;
	while (v >= 0x40) {
		out.push(0x40 | (v % 0x40));
		v = Math.floor(v / 0x40);
	}
	out.push(v);
}

/** The record of one stroke (a rectangle and its stamp). */
export function encodeStroke(rect: Rect, stamp: number): string {
	const out: number[] = [];
	writeVar(out, 4 * zigzag(rect.q) + (rect.weekly ? 2 : 0));
	writeVar(out, ((rect.n - 1) * MAX_DAYS + (rect.d - 1)) * 3 + rect.m);
	writeVar(out, stamp);
	return String.fromCharCode(...out);
}

/**
 * The base record standing for `cells` of one domain: every quarter-hour
 * they hold, with its mark and stamp (cleared ones included, so a base
 * keeps overriding older strokes it folded). What compaction will insert.
 */
export function encodeBase(cells: Cells, weekly: boolean): string {
	const qs = [...cells.keys()].sort((a, b) => a - b);
	const body: number[] = [];
	let runs = 0;
	for (let i = 0; i < qs.length;) {
		const q = qs[i];
		const cell = cells.get(q)!;
		let len = 1;
		while (i + len < qs.length && qs[i + len] === q + len && cells.get(q + len) === cell) len++;
		writeVar(body, len * 4 + cellMark(cell));
		writeVar(body, cellStamp(cell));
		runs++;
		i += len;
		if (i < qs.length && qs[i] > q + len) {
			writeVar(body, (qs[i] - q - len) * 4 + UNTOUCHED);
			runs++;
		}
	}
	const head: number[] = [];
	writeVar(head, 4 * runs + (weekly ? 2 : 0) + 1);
	writeVar(head, zigzag(qs[0] ?? 0));
	return String.fromCharCode(...head, ...body);
}

/** Reads varints from a log; `-1` for a malformed one (truncated, too long, or not a 7-bit character). */
export class VarReader {
	at = 0;
	constructor(readonly s: string) {}
	get done(): boolean {
		return this.at >= this.s.length;
	}
	next(): number {
		let v = 0;
		let scale = 1;
		for (let i = 0; i < MAX_VAR_CHARS; i++) {
			if (this.at >= this.s.length) return -1;
			const c = this.s.charCodeAt(this.at++);
			if (c > 0x7f) return -1;
			v += (c % 0x40) * scale;
			if (c < 0x40) return v;
			scale *= 0x40;
		}
		return -1;
	}
}

function put(cells: Cells, q: number, cell: number): void {
	const now = cells.get(q);
	if (now === undefined || cell > now) cells.set(q, cell);
}

/**
 * Reads a member's log (the Y.Text's string): the winning cell per
 * quarter-hour. Garbage is tolerated: reading stops at the first malformed
 * record (or one past a cap: `q`, `n`, `d`, stamps, {@link MAX_LOG_WORK}),
 * keeping what came before it, so a hostile member can spoil only their
 * own marks and never stall a viewer.
 */
export function readLog(log: string): LogRead {
	return readMore({ dated: new Map(), weekly: new Map(), stamp: 0, complete: true, records: 0, work: 0 }, log);
}

/**
 * Continues `out` (what a log up to a record boundary read as) with `more`,
 * records appended after it, and returns it: the same as reading the whole
 * log again, since a cell is a max (order does not matter) and a log whose
 * reading stopped stays stopped. What lets a viewer apply a remote stroke
 * without re-reading the member's log (log-cache.ts).
 */
export function readMore(out: LogRead, more: string): LogRead {
	if (!out.complete) return out;
	const r = new VarReader(more);
	const fail = () => {
		out.complete = false;
		return out;
	};
	while (!r.done) {
		const head = r.next();
		if (head < 0) return fail();
		const weekly = Math.floor(head / 2) % 2 === 1;
		const cells = weekly ? out.weekly : out.dated;
		const limit = weekly ? WEEK_QUARTERS : MAX_QUARTER;
		const inDomain = (q: number) => (weekly ? q >= 0 && q < WEEK_QUARTERS : Math.abs(q) <= MAX_QUARTER);
		if (head % 2 === 0) {
			const q = unzigzag(Math.floor(head / 4));
			const packed = r.next();
			const stamp = r.next();
			if (packed < 0 || stamp < 0 || stamp > MAX_STAMP || !inDomain(q)) return fail();
			if (packed >= MAX_RUN * MAX_DAYS * 3) return fail();
			const m = packed % 3;
			const d = (Math.floor(packed / 3) % MAX_DAYS) + 1;
			const n = Math.floor(packed / (3 * MAX_DAYS)) + 1;
			if ((out.work += n * d) > MAX_LOG_WORK) return fail();
			const cell = stamp * 3 + m;
			for (let day = 0; day < d; day++) {
				for (let i = 0; i < n; i++) {
					const at = q + day * DAY_QUARTERS + i;
					if (inDomain(at)) put(cells, at, cell);
				}
			}
			out.stamp = Math.max(out.stamp, stamp);
		} else {
			// A base is checked whole before any of it counts.
			const runs = Math.floor(head / 4);
			const first = r.next();
			if (first < 0) return fail();
			let q = unzigzag(first);
			if (!inDomain(q)) return fail();
			const marked: [number, number, number][] = [];
			let stamp = 0;
			for (let k = 0; k < runs; k++) {
				const run = r.next();
				if (run < 4) return fail();
				const m = run % 4;
				const len = Math.floor(run / 4);
				if (q + len > limit) return fail();
				if (m !== UNTOUCHED) {
					const s = r.next();
					if (s < 0 || s > MAX_STAMP || (out.work += len) > MAX_LOG_WORK) return fail();
					marked.push([q, len, s * 3 + m]);
					stamp = Math.max(stamp, s);
				}
				q += len;
			}
			for (const [from, len, cell] of marked) for (let i = 0; i < len; i++) put(cells, from + i, cell);
			out.stamp = Math.max(out.stamp, stamp);
		}
		out.records++;
	}
	return out;
}

/** The highest stamp in a member's log: a new stroke is stamped one more. */
export function maxStamp(log: string): number {
	return readLog(log).stamp;
}

/** Where a slot key's block starts in the log's quarter-hours, or `null` for a key that names no quarter-hour. */
export function slotQuarter(slot: string, epoch: number): { q: number; weekly: boolean } | null {
	const weekly = /^w([1-7])T([01]\d|2[0-3]):([0-5]\d)$/.exec(slot);
	if (weekly) {
		const minutes = (Number(weekly[1]) - 1) * 1440 + Number(weekly[2]) * 60 + Number(weekly[3]);
		return minutes % 15 === 0 ? { q: minutes / 15, weekly: true } : null;
	}
	if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z$/.test(slot)) return null;
	const q = (Date.parse(slot) - epoch) / QUARTER_MS;
	return Number.isInteger(q) && Math.abs(q) <= MAX_QUARTER ? { q, weekly: false } : null;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Dated slot keys already made, by instant: opening an event turns the same few hundred quarter-hours into keys. */
const keyOfInstant = new Map<number, string>();

/** The slot key starting at quarter-hour `q` of a domain (the inverse of {@link slotQuarter}). */
export function quarterSlot(q: number, weekly: boolean, epoch: number): string {
	if (weekly) {
		const minutes = (q % DAY_QUARTERS) * 15;
		return `w${Math.floor(q / DAY_QUARTERS) + 1}T${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
	}
	const ms = epoch + q * QUARTER_MS;
	let key = keyOfInstant.get(ms);
	if (key === undefined) {
		if (keyOfInstant.size >= 100_000) keyOfInstant.clear();
		keyOfInstant.set(ms, (key = new Date(ms).toISOString().slice(0, 16) + 'Z'));
	}
	return key;
}

/**
 * A member's marks that count (available or if needed) as slot keys, one per
 * quarter-hour: the same shape a per-slot map gives, so every view reads
 * both alike. A block reads the key of its start, i.e. its first quarter-hour.
 */
export function logMarks(log: string, epoch: number): Map<string, 1 | 2> {
	return readMarksOf(readLog(log), epoch);
}

/** {@link logMarks} of a log already read. */
export function readMarksOf(read: LogRead, epoch: number): Map<string, 1 | 2> {
	const out = new Map<string, 1 | 2>();
	for (const [cells, weekly] of [
		[read.dated, false],
		[read.weekly, true]
	] as const) {
		for (const [q, cell] of cells) {
			const m = cellMark(cell);
			if (m !== 0) out.set(quarterSlot(q, weekly, epoch), m);
		}
	}
	return out;
}

/**
 * Packs quarter-hours of one domain, all set to `m`, into few rectangles:
 * runs of consecutive quarter-hours (at most {@link MAX_RUN}), and runs of
 * equal length exactly a day apart folded into one rectangle. A day's run
 * shifted by a DST change of the painter's zone is not a day apart in UTC,
 * so it starts a rectangle of its own: every record has a constant UTC stride.
 */
export function rectangles(quarters: Iterable<number>, m: LogMark, weekly: boolean): Rect[] {
	const qs = [...new Set(quarters)].sort((a, b) => a - b);
	const out: Rect[] = [];
	/** Rectangles that may take one more day, by the `q` that day's run would start at (and its length). */
	const open = new Map<string, Rect>();
	for (let i = 0; i < qs.length;) {
		const q = qs[i];
		let n = 1;
		while (i + n < qs.length && qs[i + n] === q + n && n < MAX_RUN) n++;
		i += n;
		const key = `${q}/${n}`;
		const rect = open.get(key);
		open.delete(key);
		if (rect && rect.d < MAX_DAYS) {
			rect.d++;
			open.set(`${q + DAY_QUARTERS}/${n}`, rect);
		} else {
			const made: Rect = { q, n, d: 1, m, weekly };
			out.push(made);
			open.set(`${q + DAY_QUARTERS}/${n}`, made);
		}
	}
	return out;
}

/**
 * Appends one stroke to a member's log: its rectangles (of any marks), all
 * with one stamp, one more than the highest the log holds as this device
 * sees it, so the stroke wins over every record it could have seen. One
 * insert at the end, so the stroke is one Yjs item that concurrent appends
 * never split. Call inside the stroke's transaction (origin `moim:stroke`,
 * one undo step). Returns the stamp.
 */
export function appendStroke(log: Y.Text, rects: readonly Rect[], stamp = maxStamp(log.toString()) + 1): number {
	if (rects.length > 0) log.insert(log.length, rects.map((rect) => encodeStroke(rect, stamp)).join(''));
	return stamp;
}

/**
 * The rectangles that set each slot's block to its mark: a block of
 * `slotMinutes` is all its quarter-hours, so a view with shorter blocks
 * later shows all of them. Slots naming no quarter-hour are skipped.
 */
export function strokeRects(entries: Iterable<readonly [string, LogMark]>, slotMinutes: number, epoch: number): Rect[] {
	const per = Math.max(1, Math.round(slotMinutes / 15));
	const groups = new Map<string, number[]>();
	for (const [slot, m] of entries) {
		const at = slotQuarter(slot, epoch);
		if (!at) continue;
		const key = `${m}/${at.weekly ? 1 : 0}`;
		let qs = groups.get(key);
		if (!qs) groups.set(key, (qs = []));
		for (let i = 0; i < per; i++) {
			const q = at.q + i;
			if (!at.weekly || q < WEEK_QUARTERS) qs.push(q);
		}
	}
	const out: Rect[] = [];
	for (const [key, qs] of groups) {
		const [m, weekly] = key.split('/').map(Number);
		out.push(...rectangles(qs, m as LogMark, weekly === 1));
	}
	return out;
}

/**
 * The entries of `entries` (slot key → mark) whose block does not already
 * hold that mark in every quarter-hour, as `read` says: what a stroke
 * must write. Blocks are `slotMinutes` long; keys naming no quarter-hour are left out.
 */
export function changedBlocks<M extends LogMark>(
	read: LogRead,
	entries: Iterable<readonly [string, M]>,
	slotMinutes: number,
	epoch: number
): [string, M][] {
	const per = Math.max(1, Math.round(slotMinutes / 15));
	const changed: [string, M][] = [];
	for (const [key, mark] of entries) {
		const at = slotQuarter(key, epoch);
		if (!at) continue;
		const cells = at.weekly ? read.weekly : read.dated;
		for (let i = 0; i < per; i++) {
			const cell = cells.get(at.q + i);
			if ((cell === undefined ? 0 : cellMark(cell)) !== mark) {
				changed.push([key, mark]);
				break;
			}
		}
	}
	return changed;
}
