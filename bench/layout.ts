/**
 * How big an event document gets, and which layout and encoding keep it
 * small (issue 7): 50 members each make 200 strokes on 14 days × 48 blocks,
 * written into several candidate layouts of the availability data, each
 * encoded as Yjs update v1 and v2, against the raw information size
 * (members × slots bits). Prints markdown.
 *
 * Layouts:
 * - `per-slot, full keys` (schema v1): availability/<member> is a Y.Map of
 *   slot key (`2026-12-01T09:30Z`) → mark;
 * - `per-slot, compact keys` (schema v2, what Moim stores now): the same with
 *   keys as minutes since 2020 in base 36 (`25z3u`; slots.ts);
 * - `flat`: one Y.Map for everyone, keyed `<member>/<slot key>`;
 * - `per-day string`: availability/<member> is a Y.Map of day → one string
 *   with a character per block of that day.
 */
import * as Y from 'yjs';
import { applyStroke, createEvent, joinEvent } from '../src/lib/model/event-doc.js';
import { buildGrid } from '../src/lib/model/slots.js';

const MEMBERS = 50;
const STROKES = 200;
const dates = Array.from({ length: 14 }, (_, i) => `2026-12-${String(i + 1).padStart(2, '0')}`);
const draft = {
	title: 'Size',
	kind: 'dates' as const,
	dates,
	weekdays: [],
	start: 0,
	end: 1440,
	slot: 30 as const,
	tz: 'UTC'
};
const grid = buildGrid(draft);

/** One stroke: a run of blocks on one day and the mark they get. */
interface Stroke {
	member: number;
	col: number;
	slots: string[];
	mark: 0 | 1 | 2;
}

/** The workload, the same for every layout: strokes of 1–6 blocks, mostly marking. */
function strokes(): Stroke[] {
	let seed = 7;
	const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
	const out: Stroke[] = [];
	for (let member = 0; member < MEMBERS; member++) {
		for (let s = 0; s < STROKES; s++) {
			const col = Math.floor(random() * grid.columns.length);
			const row = Math.floor(random() * grid.rows.length);
			const length = 1 + Math.floor(random() * 6);
			const slots = grid.cells[col].slice(row, row + length).filter((x): x is string => x !== null);
			out.push({ member, col, slots, mark: random() < 0.75 ? 1 : random() < 0.5 ? 2 : 0 });
		}
	}
	return out;
}

type Layout = (doc: Y.Doc, ids: string[], stroke: Stroke) => void;

const perSlot: Layout = (doc, ids, { member, slots, mark }) => applyStroke(doc, ids[member], slots, mark);
/** Layouts by name, with the schema version the event is created with (applyStroke keys by it). */
const layouts: Record<string, [Layout, number]> = {
	'per-slot, full keys (schema v1)': [perSlot, 1],
	'per-slot, compact keys (schema v2, current)': [perSlot, 2],
	flat: [
		(doc, ids, { member, slots, mark }) => {
			const all = doc.getMap<number>('marks');
			doc.transact(() => {
				for (const slot of slots)
					if ((all.get(`${ids[member]}/${slot}`) ?? 0) !== mark) all.set(`${ids[member]}/${slot}`, mark);
			});
		},
		2
	],
	'per-day string': [
		(doc, ids, { member, col, slots, mark }) => {
			const marks = doc.getMap<Y.Map<string>>('availability').get(ids[member])!;
			const day = grid.columns[col].id;
			const chars = (marks.get(day) ?? '0'.repeat(grid.rows.length)).split('');
			for (const slot of slots) chars[grid.cells[col].indexOf(slot)] = String(mark);
			const next = chars.join('');
			if (next !== marks.get(day)) marks.set(day, next);
		},
		2
	]
};

/** Encoded sizes of the document after the workload in `layout`. */
function measure([layout, version]: [Layout, number], workload: Stroke[]) {
	const doc = new Y.Doc();
	createEvent(doc, draft, 1);
	doc.getMap('event').set('v', version);
	const ids = Array.from({ length: MEMBERS }, (_, m) => joinEvent(doc, `Member ${m}`, m));
	let updates = 0;
	let received = 0;
	doc.on('update', (u: Uint8Array) => (updates++, (received += u.byteLength)));
	for (const stroke of workload) layout(doc, ids, stroke);
	return { v1: Y.encodeStateAsUpdate(doc).byteLength, v2: Y.encodeStateAsUpdateV2(doc).byteLength, updates, received };
}

const workload = strokes();
const raw = (MEMBERS * grid.slots.size) / 8;
const kb = (n: number) => (n / 1024).toFixed(1);
const times = (n: number) => `${(n / raw).toFixed(1)}×`;
console.log(`# Event document size — ${new Date().toISOString()}\n`);
console.log(
	`${MEMBERS} members × ${STROKES} strokes, ${grid.columns.length} days × ${grid.rows.length} blocks; raw = members × slots bits = ${kb(raw)} KB; budget 20× raw = ${kb(raw * 20)} KB\n`
);
console.log('| layout | updates sent (KB) | state, v1 | state, v2 | v1 within 20×? | v2 within 20×? |');
console.log('|---|---|---|---|---|---|');
for (const [name, layout] of Object.entries(layouts)) {
	const r = measure(layout, workload);
	console.log(
		`| ${name} | ${kb(r.received)} | ${kb(r.v1)} KB (${times(r.v1)}) | ${kb(r.v2)} KB (${times(r.v2)}) | ${r.v1 <= raw * 20 ? 'yes' : 'no'} | ${r.v2 <= raw * 20 ? 'yes' : 'no'} |`
	);
}
