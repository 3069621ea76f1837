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
 *
 * Then the candidates of issue 19 (a second and third table): a per-member
 * append-only stroke log (bench/layout-log.ts) in a Y.Array of packed
 * numbers or a Y.Text of short records, with and without a Lamport stamp,
 * before and after the on-device compaction that folds each log into one
 * base; also with every member writing from their own device over several
 * sessions (a new Yjs client id per page load, as in the app), which is
 * what the relay and IndexedDB really hold. Each candidate's reading is
 * checked against a plain replay of the workload.
 *
 * Last, issue 19's target with the app's own modules: a v2 event and a v3
 * event (schema v3: stroke logs, event-doc.ts and log-compaction.ts) as sent
 * on first open (the relay's sync step 2 to a new client: the v1 update of
 * its whole state) and as stored on the device (y-indexeddb after
 * `storeState`: the v1 state), each member writing from their own device in
 * sessions, the v3 one compacting on open as the app does.
 */
import * as Y from 'yjs';
import { applyStroke, availabilityMap, createEvent, joinEvent, readMarks } from '../src/lib/model/event-doc.js';
import { compactLog, needsCompaction } from '../src/lib/model/log-compaction.js';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import { buildGrid } from '../src/lib/model/slots.js';
import { arrayLog, levels, textLog, type Cells, type Shape } from './layout-log.js';
import { importEventKey, newEventKey } from '../src/lib/model/event-crypto.js';
import { createSealedEvent, EventCipher, joinSealedEvent } from '../src/lib/model/sealed-event.js';
import {
	applySealedMarks,
	compactSealedLog,
	needsSealedCompaction,
	readSealedMarks
} from '../src/lib/model/sealed-log.js';

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

// ——— Issue 19: stroke-log candidates ———

/** Quarter-hour 0 of the logs: the event's first day (the app would fix it from `createdAt`). */
const EPOCH = Date.parse(`${dates[0]}T00:00Z`);

/** A workload stroke as a log shape: its run of 30-minute blocks in quarter-hours. */
function shapeOf({ slots, mark }: Stroke): Shape {
	return { q: (Date.parse(slots[0]) - EPOCH) / 900_000, n: slots.length * 2, d: 1, m: mark };
}

/** The marks that count after the workload, replayed one stroke after another (one writer per member). */
function expected(workload: Stroke[]): Map<number, number>[] {
	const cells: Cells[] = Array.from({ length: MEMBERS }, () => new Map());
	for (const stroke of workload) {
		const { q, n, m } = shapeOf(stroke);
		for (let i = 0; i < n; i++) cells[stroke.member].set(q + i, { m, stamp: 0 });
	}
	return cells.map(levels);
}

/** How a candidate keeps one member's availability. */
interface Candidate {
	entry: () => Y.AbstractType<any>;
	write: (doc: Y.Doc, id: string, stroke: Stroke) => void;
	/** The member's marks that count, by quarter-hour. */
	read: (doc: Y.Doc, id: string) => Map<number, number>;
	compact: ((doc: Y.Doc, id: string) => void) | null;
}

const entryOf = <T>(doc: Y.Doc, id: string) => doc.getMap<T>('availability').get(id)!;

/** The current layout (schema v2) as a candidate, read back through the app's own reader. */
const current: Candidate = {
	entry: () => new Y.Map(),
	write: (doc, id, { slots, mark }) => void applyStroke(doc, id, slots, mark),
	read: (doc, id) => {
		const out = new Map<number, number>();
		for (const [slot, level] of readMarks(doc, id)) {
			const q = (Date.parse(slot) - EPOCH) / 900_000;
			out.set(q, level).set(q + 1, level);
		}
		return out;
	},
	compact: null
};

const candidates: Record<string, Candidate> = {
	'per-slot Y.Map, compact keys (schema v2, current)': current,
	'log: Y.Array of packed numbers, position order': {
		entry: () => new Y.Array(),
		write: (doc, id, stroke) => arrayLog.append(entryOf<Y.Array<number | string>>(doc, id), shapeOf(stroke)),
		read: (doc, id) => levels(arrayLog.read(entryOf<Y.Array<number | string>>(doc, id))),
		compact: (doc, id) => arrayLog.compact(entryOf<Y.Array<number | string>>(doc, id))
	},
	'log: Y.Text records, position order': {
		entry: () => new Y.Text(),
		write: (doc, id, stroke) => textLog.append(entryOf<Y.Text>(doc, id), shapeOf(stroke), false),
		read: (doc, id) => levels(textLog.read(entryOf<Y.Text>(doc, id), false)),
		compact: (doc, id) => textLog.compact(entryOf<Y.Text>(doc, id), false)
	},
	'**log: Y.Text records + Lamport stamp, order-free**': {
		entry: () => new Y.Text(),
		write: (doc, id, stroke) => textLog.append(entryOf<Y.Text>(doc, id), shapeOf(stroke), true),
		read: (doc, id) => levels(textLog.read(entryOf<Y.Text>(doc, id), true)),
		compact: (doc, id) => textLog.compact(entryOf<Y.Text>(doc, id), true)
	}
};

/** Yjs-like client ids: random 32-bit, reproducible, ≥ 2^28 (5 varint bytes) as 94% of Yjs's are. */
let clientSeed = 12345;
const nextClient = () => ((clientSeed = (Math.imul(clientSeed, 1664525) + 1013904223) >>> 0) | 0x10000000) >>> 0;

/** Median time of reading every member's marks, in ms. */
function readTime(read: () => void): number {
	const runs: number[] = [];
	for (let i = 0; i < 21; i++) {
		const t = performance.now();
		read();
		runs.push(performance.now() - t);
	}
	return runs.sort((a, b) => a - b)[10];
}

/**
 * The workload written with `candidate`; `sessions` 0 writes everything from
 * one Yjs client (as the first table), otherwise each member writes from
 * their own device in that many sessions (a new client id each, sessions of
 * all members interleaved in time). Then every member's log is compacted by
 * one more session of its device. `compactOnOpen`: each session but the
 * first starts by compacting the member's log, as the app would on open.
 */
function measureCandidate(candidate: Candidate, workload: Stroke[], sessions: number, compactOnOpen = false) {
	const doc = new Y.Doc();
	// A fixed 32-bit id: Y.Doc's random one makes sizes wander by a few % between runs (varint length).
	doc.clientID = nextClient();
	createEvent(doc, draft, 1);
	const ids = Array.from({ length: MEMBERS }, (_, m) => `member-${String(m).padStart(9, '0')}`);
	doc.transact(() => {
		for (const [m, id] of ids.entries()) {
			doc.getMap('members').set(id, { name: `Member ${m}`, joinedAt: m });
			doc.getMap('availability').set(id, candidate.entry());
		}
	});
	let sent = 0;
	doc.on('update', (u: Uint8Array) => (sent += u.byteLength));
	if (sessions === 0) for (const stroke of workload) candidate.write(doc, ids[stroke.member], stroke);
	else {
		const per = Math.ceil(STROKES / sessions);
		for (let s = 0; s < sessions; s++)
			for (let member = 0; member < MEMBERS; member++) {
				doc.clientID = nextClient();
				if (compactOnOpen && s > 0) candidate.compact?.(doc, ids[member]);
				for (const stroke of workload.slice(member * STROKES + s * per, member * STROKES + (s + 1) * per))
					candidate.write(doc, ids[member], stroke);
			}
	}
	const want = expected(workload);
	const check = (when: string) => {
		for (const [m, id] of ids.entries()) {
			const got = candidate.read(doc, id);
			const same = got.size === want[m].size && [...got].every(([q, level]) => want[m].get(q) === level);
			if (!same) throw new Error(`${when}: member ${m} reads other marks than the workload made`);
		}
	};
	check('after the workload');
	const result = {
		sent,
		v1: Y.encodeStateAsUpdate(doc).byteLength,
		v2: Y.encodeStateAsUpdateV2(doc).byteLength,
		read: readTime(() => ids.forEach((id) => candidate.read(doc, id))),
		compacted: null as null | { sent: number; v1: number; v2: number; read: number }
	};
	if (candidate.compact) {
		const before = sent;
		for (const id of ids) {
			doc.clientID = nextClient();
			candidate.compact(doc, id);
		}
		check('after compaction');
		result.compacted = {
			sent: sent - before,
			v1: Y.encodeStateAsUpdate(doc).byteLength,
			v2: Y.encodeStateAsUpdateV2(doc).byteLength,
			read: readTime(() => ids.forEach((id) => candidate.read(doc, id)))
		};
	}
	return result;
}

const within = (n: number) => `${kb(n)} KB (${times(n)})${n <= raw * 20 ? '' : ' ✗'}`;
for (const [sessions, compactOnOpen] of [
	[0, false],
	[4, false],
	[4, true]
] as const) {
	console.log(
		sessions === 0
			? `\n## Stroke-log candidates, one Yjs client (as above)\n`
			: `\n## Stroke-log candidates, each member on their own device, ${sessions} sessions each (a new client id per session)${compactOnOpen ? ', compacting on every open' : ''}\n`
	);
	console.log(
		'| layout | updates sent | state v1 | state v2 | read all marks | compaction sent | compacted v1 | compacted v2 | read, compacted |'
	);
	console.log('|---|---|---|---|---|---|---|---|---|');
	for (const [name, candidate] of Object.entries(candidates)) {
		const r = measureCandidate(candidate, workload, sessions, compactOnOpen);
		const c = r.compacted;
		console.log(
			`| ${name} | ${kb(r.sent)} KB | ${within(r.v1)} | ${within(r.v2)} | ${r.read.toFixed(2)} ms | ${c ? `${kb(c.sent)} KB` : '—'} | ${c ? within(c.v1) : '—'} | ${c ? within(c.v2) : '—'} | ${c ? `${c.read.toFixed(2)} ms` : '—'} |`
		);
	}
}

// ——— Issue 19's target with the app's modules: schema v2 against v3 ———

/** A member's marks as quarter-hour → level, for comparing a v2 and a v3 reading with the workload. */
function quarters(doc: Y.Doc, id: string, blockQuarters: number, marks = readMarks(doc, id)): Map<number, number> {
	const out = new Map<number, number>();
	for (const [slot, level] of marks) {
		const q = (Date.parse(slot) - EPOCH) / 900_000;
		for (let i = 0; i < blockQuarters; i++) out.set(q + i, level);
	}
	return out;
}

/**
 * What a new client gets on first open (the relay's answer to an empty sync
 * step 1: a y-protocols step 2 message, a v1 update), what y-indexeddb
 * stores once it folds (`storeState`: `encodeStateAsUpdate`, v1), and the
 * state in update v2 for comparison.
 */
function sizes(doc: Y.Doc) {
	const encoder = encoding.createEncoder();
	syncProtocol.writeSyncStep2(encoder, doc, new Uint8Array([0]));
	return {
		firstOpen: encoding.length(encoder),
		stored: Y.encodeStateAsUpdate(doc).byteLength,
		v2: Y.encodeStateAsUpdateV2(doc).byteLength
	};
}

/** Throws unless every member reads (`read`, quarter-hour → level) the marks the workload made. */
function checkMarks(
	label: string,
	ids: string[],
	want: Map<number, number>[],
	read: (id: string) => Map<number, number>
) {
	for (const [m, id] of ids.entries()) {
		const got = read(id);
		const same = got.size === want[m].size && [...got].every(([q, level]) => want[m].get(q) === level);
		if (!same) throw new Error(`${label}: member ${m} reads other marks than the workload made`);
	}
}

/**
 * When a member's log is folded: never, when a session opens (as the app
 * did until 2026-12-01), or on open and during the session as the app does
 * now (it folds 2 s after the person's last stroke when the log needs it;
 * here after any stroke that leaves the log needing it, as if the person
 * paused there).
 */
type Fold = 'never' | 'open' | 'visit';

/**
 * The workload written by the app's model into an event of schema `v`, each
 * member from their own device in `sessions` sessions (a new client id each,
 * all members' sessions interleaved), folding logs as `fold` says
 * (needsCompaction; here the relay has acknowledged everything). Unless
 * `never`, one last session of each member folds.
 */
function measureSchema(v: 2 | 3, sessions: number, fold: Fold) {
	const compact = fold !== 'never';
	const doc = new Y.Doc();
	doc.clientID = nextClient();
	createEvent(doc, draft, Date.parse('2026-11-20T10:00Z'), v);
	const ids = Array.from({ length: MEMBERS }, (_, m) =>
		joinEvent(doc, `Member ${m}`, m, `member-${String(m).padStart(9, '0')}`)
	);
	let sent = 0;
	doc.on('update', (u: Uint8Array) => (sent += u.byteLength));
	const compactMember = (id: string) => {
		const log = availabilityMap(doc).get(id);
		if (log instanceof Y.Text) compactLog(log, Y.decodeStateVector(Y.encodeStateVector(doc)));
	};
	const per = Math.ceil(STROKES / sessions);
	let compactions = 0;
	for (let s = 0; s < sessions; s++)
		for (let member = 0; member < MEMBERS; member++) {
			doc.clientID = nextClient();
			const log = availabilityMap(doc).get(ids[member]);
			const due = () => log instanceof Y.Text && needsCompaction(log);
			if (compact && s > 0 && due()) {
				compactMember(ids[member]);
				compactions++;
			}
			for (const stroke of workload.slice(member * STROKES + s * per, member * STROKES + (s + 1) * per)) {
				applyStroke(doc, ids[member], stroke.slots, stroke.mark);
				if (fold === 'visit' && due()) {
					compactMember(ids[member]);
					compactions++;
				}
			}
		}
	const want = expected(workload);
	const check = (when: string) =>
		checkMarks(`schema v${v}, ${when}`, ids, want, (id) => quarters(doc, id, v === 3 ? 1 : 2));
	check('after the workload');
	const before = { sent, ...sizes(doc) };
	let after = null as null | ({ sent: number } & ReturnType<typeof sizes>);
	if (compact) {
		const at = sent;
		for (const id of ids) {
			doc.clientID = nextClient();
			compactMember(id);
		}
		check('after compaction');
		after = { sent: sent - at, ...sizes(doc) };
	}
	return { before, after, compactions };
}

/** How many folds a run made: on open, out of the opens after the first; during visits, all of them. */
const folds = (fold: Fold, n: number) =>
	fold === 'never' ? '—' : fold === 'open' ? `${n} of ${MEMBERS * 3} opens` : `${n} in all`;

console.log(
	`\n## Issue 19's target with the app's modules: ${MEMBERS} members × ${STROKES} strokes, each member on their own device, 4 sessions\n`
);
console.log(
	'| schema | updates sent | first open (sync step 2, v1) | stored on the device (v1) | state v2 | folds | last compaction sent | after it: first open | after it: stored |'
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const [name, v, fold] of [
	['v2, per-slot maps', 2, 'never'],
	['v3, stroke logs, never compacted', 3, 'never'],
	['v3, stroke logs, compacting on open', 3, 'open'],
	['**v3, stroke logs, compacting on open and during a visit (the app)**', 3, 'visit']
] as const) {
	const { before: b, after: a, compactions } = measureSchema(v, 4, fold);
	console.log(
		`| ${name} | ${kb(b.sent)} KB | ${within(b.firstOpen)} | ${within(b.stored)} | ${within(b.v2)} | ${folds(fold, compactions)} | ${a ? `${kb(a.sent)} KB` : '—'} | ${a ? within(a.firstOpen) : '—'} | ${a ? within(a.stored) : '—'} |`
	);
}

/**
 * {@link measureSchema} for a private event (schema v4, issue 20): settings,
 * names and every stroke sealed (sealed-event.ts, sealed-log.ts), written
 * the same way, each member on their own device in sessions.
 */
async function measureSealed(sessions: number, fold: Fold) {
	const compact = fold !== 'never';
	const eventId = 'bench-layout-private';
	const cipher = new EventCipher(await importEventKey(newEventKey(), eventId));
	const doc = new Y.Doc();
	doc.clientID = nextClient();
	await createSealedEvent(doc, cipher, draft, Date.parse('2026-11-20T10:00Z'));
	const ids: string[] = [];
	for (let m = 0; m < MEMBERS; m++)
		ids.push(await joinSealedEvent(doc, cipher, `Member ${m}`, m, `member-${String(m).padStart(9, '0')}`));
	let sent = 0;
	doc.on('update', (u: Uint8Array) => (sent += u.byteLength));
	const acked = () => Y.decodeStateVector(Y.encodeStateVector(doc));
	const per = Math.ceil(STROKES / sessions);
	let compactions = 0;
	for (let s = 0; s < sessions; s++)
		for (let member = 0; member < MEMBERS; member++) {
			doc.clientID = nextClient();
			if (compact && s > 0 && needsSealedCompaction(doc, cipher, ids[member])) {
				await compactSealedLog(doc, cipher, ids[member], acked());
				compactions++;
			}
			for (const stroke of workload.slice(member * STROKES + s * per, member * STROKES + (s + 1) * per)) {
				await applySealedMarks(
					doc,
					cipher,
					ids[member],
					stroke.slots.map((slot) => [slot, stroke.mark] as const),
					draft.slot
				);
				if (fold === 'visit' && needsSealedCompaction(doc, cipher, ids[member])) {
					await compactSealedLog(doc, cipher, ids[member], acked());
					compactions++;
				}
			}
		}
	const want = expected(workload);
	const check = (when: string) =>
		checkMarks(`schema v4, ${when}`, ids, want, (id) => quarters(doc, id, 1, readSealedMarks(doc, cipher, id)));
	check('after the workload');
	const before = { sent, ...sizes(doc) };
	let after = null as null | ({ sent: number } & ReturnType<typeof sizes>);
	if (compact) {
		const at = sent;
		for (const id of ids) {
			doc.clientID = nextClient();
			await compactSealedLog(doc, cipher, id, acked());
		}
		check('after compaction');
		after = { sent: sent - at, ...sizes(doc) };
	}
	return { before, after, compactions };
}

for (const [name, fold] of [
	['v4, sealed frames (private event), never compacted', 'never'],
	['v4, sealed frames (private event), compacting on open', 'open'],
	['**v4, sealed frames (private event), compacting on open and during a visit (the app)**', 'visit']
] as const) {
	const { before: b, after: a, compactions } = await measureSealed(4, fold);
	console.log(
		`| ${name} | ${kb(b.sent)} KB | ${within(b.firstOpen)} | ${within(b.stored)} | ${within(b.v2)} | ${folds(fold, compactions)} | ${a ? `${kb(a.sent)} KB` : '—'} | ${a ? within(a.firstOpen) : '—'} | ${a ? within(a.stored) : '—'} |`
	);
}
console.log('\n✗: over the budget of 20× raw.');
