/**
 * Research code for issue 19 (document size), not used by the app: a
 * member's availability kept as an append-only *stroke log* instead of a
 * Y.Map per slot, and the on-device compaction that folds a long log into
 * one base record. bench/layout.ts measures it; tests/unit/layout-research
 * checks that it keeps the product's promises under concurrency.
 *
 * Why a log: Yjs keeps one item per map write forever (overwritten marks
 * included), with its key, so a per-slot map grows by ~10 bytes per slot
 * ever painted. Consecutive appends by one client to one sequence merge
 * into a single item, so a log costs only its content (a few bytes per
 * stroke) plus one item header per session; deleting it leaves a tiny
 * garbage-collected range.
 *
 * Positions are UTC quarter-hours counted from an epoch fixed per event
 * (`q`), so a stroke means the same instants whatever the event's window
 * or block length becomes. A stroke is a rectangle: `n` quarter-hours from
 * `q`, repeated on `d` consecutive days (stride 96), all set to mark `m`.
 *
 * Records are strings of varints written in 7-bit characters (one UTF-8
 * byte each): bit 6 says another character follows, bits 0–5 are payload,
 * least significant first.
 * - stroke: `2·zz(q)`, `((n−1)·32 + (d−1))·3 + m`, and in the stamped form
 *   a Lamport stamp;
 * - base: `2·runs + 1`, `zz(q0)`, then per run `len·4 + m` (m = 3: not
 *   touched) and in the stamped form the run's stamp (absent for m = 3).
 *
 * Two orders are studied:
 * - **position** (`stamped: false`): later in the sequence wins, as Yjs
 *   orders concurrent appends. Compaction inserts the base at index 0, so
 *   strokes it did not see still come after it. Two devices compacting the
 *   same member concurrently can lose strokes (the later base overrides the
 *   other's unseen strokes); see the test.
 * - **stamped** (`stamped: true`): each stroke carries a Lamport stamp, one
 *   more than any stamp in the member's log when it is written; per
 *   quarter-hour the highest (stamp, mark) wins, wherever it sits. A base
 *   keeps each run's stamp, so bases and strokes merge by a max — order
 *   free, so concurrent compactions lose nothing.
 */
import * as Y from 'yjs';

/** A quarter-hour rectangle set to one mark. */
export interface Shape {
	/** First quarter-hour, counted from the event's epoch (may be negative). */
	q: number;
	/** Quarter-hours per day, 1–128. */
	n: number;
	/** Consecutive days, 1–32. */
	d: number;
	/** The mark: 0 cleared, 1 available, 2 if needed. */
	m: 0 | 1 | 2;
}

/** Quarter-hours in a day: the stride of a stroke's days. */
const DAY = 96;
/** Stored value of a quarter-hour a base does not touch. */
const UNTOUCHED = 3;

/** One quarter-hour's current mark and the stamp that set it. */
interface Cell {
	m: number;
	stamp: number;
}

/** A member's marks: quarter-hour → mark (0 cleared, 1, 2), with stamps. */
export type Cells = Map<number, Cell>;

const zigzag = (v: number) => (v < 0 ? -2 * v - 1 : 2 * v);
const unzigzag = (v: number) => (v % 2 === 1 ? -(v + 1) / 2 : v / 2);

function writeVar(out: number[], value: number): void {
	let v = value;
	while (v >= 0x40) {
		out.push(0x40 | (v & 0x3f));
		v = Math.floor(v / 0x40);
	}
	out.push(v);
}

/** Reads varints from a record string. */
class Reader {
	at = 0;
	constructor(readonly s: string) {}
	get done() {
		return this.at >= this.s.length;
	}
	next(): number {
		let v = 0;
		let scale = 1;
		for (;;) {
			const c = this.s.charCodeAt(this.at++);
			if (Number.isNaN(c)) throw new Error('truncated record');
			v += (c & 0x3f) * scale;
			if (!(c & 0x40)) return v;
			scale *= 0x40;
		}
	}
}

/** The record of one stroke. */
export function encodeStroke(shape: Shape, stamp: number | null): string {
	const out: number[] = [];
	writeVar(out, 2 * zigzag(shape.q));
	writeVar(out, ((shape.n - 1) * 32 + (shape.d - 1)) * 3 + shape.m);
	if (stamp !== null) writeVar(out, stamp);
	return String.fromCharCode(...out);
}

/** Sets `q`'s cell if (stamp, m) is at least the current one (stamped) or always (position order). */
function put(cells: Cells, q: number, m: number, stamp: number, stamped: boolean): void {
	if (stamped) {
		const now = cells.get(q);
		if (now && (now.stamp > stamp || (now.stamp === stamp && now.m > m))) return;
	}
	cells.set(q, { m, stamp });
}

/** Applies one stroke to `cells`. */
function paint(cells: Cells, { q, n, d, m }: Shape, stamp: number, stamped: boolean): void {
	for (let day = 0; day < d; day++) for (let i = 0; i < n; i++) put(cells, q + day * DAY + i, m, stamp, stamped);
}

/** Applies every record of `records` (concatenated) to `cells`; returns the highest stamp seen. */
export function replay(records: string, cells: Cells, stamped: boolean): number {
	const r = new Reader(records);
	let max = 0;
	while (!r.done) {
		const head = r.next();
		if (head % 2 === 0) {
			const q = unzigzag(head / 2);
			const packed = r.next();
			const m = packed % 3;
			const d = (Math.floor(packed / 3) % 32) + 1;
			const n = Math.floor(packed / 96) + 1;
			const stamp = stamped ? r.next() : 0;
			max = Math.max(max, stamp);
			paint(cells, { q, n, d, m: m as Shape['m'] }, stamp, stamped);
		} else {
			const runs = (head - 1) / 2;
			let q = unzigzag(r.next());
			for (let k = 0; k < runs; k++) {
				const run = r.next();
				const m = run % 4;
				const len = Math.floor(run / 4);
				if (m === UNTOUCHED) {
					q += len;
					continue;
				}
				const stamp = stamped ? r.next() : 0;
				max = Math.max(max, stamp);
				for (let i = 0; i < len; i++) put(cells, q + i, m, stamp, stamped);
				q += len;
			}
		}
	}
	return max;
}

/** The base record that stands for `cells` (every quarter-hour ever touched, cleared ones included). */
export function encodeBase(cells: Cells, stamped: boolean): string {
	const qs = [...cells.keys()].sort((a, b) => a - b);
	const body: number[] = [];
	let runs = 0;
	if (qs.length > 0) {
		const first = qs[0];
		const last = qs[qs.length - 1];
		let q = first;
		while (q <= last) {
			const cell = cells.get(q);
			let len = 1;
			if (!cell) {
				while (q + len <= last && !cells.has(q + len)) len++;
				writeVar(body, len * 4 + UNTOUCHED);
			} else {
				for (;;) {
					const next = cells.get(q + len);
					if (!next || next.m !== cell.m || (stamped && next.stamp !== cell.stamp)) break;
					len++;
				}
				writeVar(body, len * 4 + cell.m);
				if (stamped) writeVar(body, cell.stamp);
			}
			runs++;
			q += len;
		}
	}
	const head: number[] = [];
	writeVar(head, 2 * runs + 1);
	writeVar(head, zigzag(qs[0] ?? 0));
	return String.fromCharCode(...head, ...body);
}

/** A member's log kept in a Y.Text: records back to back. */
export const textLog = {
	/** Appends a stroke (one Yjs insert; consecutive appends of one client merge into one item). */
	append(log: Y.Text, shape: Shape, stamped: boolean): void {
		const stamp = stamped ? replay(log.toString(), new Map(), true) + 1 : null;
		log.insert(log.length, encodeStroke(shape, stamp));
	},
	/** The member's current cells. */
	read(log: Y.Text, stamped: boolean): Cells {
		const cells: Cells = new Map();
		replay(log.toString(), cells, stamped);
		return cells;
	},
	/**
	 * Folds the whole log as this device sees it into one base at index 0 and
	 * deletes the records it covers, in one transaction. A stroke another
	 * device appends concurrently is not deleted and stays after the base.
	 */
	compact(log: Y.Text, stamped: boolean): void {
		const before = log.length;
		const base = encodeBase(textLog.read(log, stamped), stamped);
		log.doc!.transact(() => {
			log.insert(0, base);
			log.delete(base.length, before);
		});
	}
};

/**
 * A member's log kept in a Y.Array of packed numbers (position order only):
 * a stroke is `zz(q)·12288 + ((n−1)·32 + (d−1))·3 + m`, one varint of
 * writeAny (≤ 2^31, so 2 weeks of quarter-hours fit; a longer event would
 * need two numbers); a base is a record string (see above).
 */
export const arrayLog = {
	/** Appends a stroke. */
	append(log: Y.Array<number | string>, shape: Shape): void {
		log.push([zigzag(shape.q) * 12288 + ((shape.n - 1) * 32 + (shape.d - 1)) * 3 + shape.m]);
	},
	/** The member's current cells. */
	read(log: Y.Array<number | string>): Cells {
		const cells: Cells = new Map();
		for (const value of log.toArray()) {
			if (typeof value === 'string') replay(value, cells, false);
			else {
				const q = unzigzag(Math.floor(value / 12288));
				const rest = value % 12288;
				const shape: Shape = {
					q,
					n: Math.floor(rest / 96) + 1,
					d: (Math.floor(rest / 3) % 32) + 1,
					m: (rest % 3) as Shape['m']
				};
				paint(cells, shape, 0, false);
			}
		}
		return cells;
	},
	/** Folds the log into one base at index 0, deleting what it covers. */
	compact(log: Y.Array<number | string>): void {
		const before = log.length;
		const base = encodeBase(arrayLog.read(log), false);
		log.doc!.transact(() => {
			log.insert(0, [base]);
			log.delete(1, before);
		});
	}
};

/** Marks that count (1 or 2) by quarter-hour, as a reader would show them. */
export function levels(cells: Cells): Map<number, number> {
	const out = new Map<number, number>();
	for (const [q, { m }] of cells) if (m !== 0) out.set(q, m);
	return out;
}
