/**
 * A private event's stroke logs (schema v4, issue 20): the records of each
 * stroke (stroke-log.ts) sealed as one frame, so the relay sees how many
 * strokes a member made and how big, never which times.
 *
 * A frame in the member's Y.Text is a varint (the sealed length in bytes)
 * followed by the sealed bytes packed 7 bits to a character, so a frame
 * costs one byte of the update per character, as records do. Each frame is
 * sealed for `availability/<memberId>`: moved into another member's log it
 * no longer opens.
 *
 * Reading is a per-quarter-hour max, as for plain logs, so frames count in
 * whatever order they open. A frame that does not open (tampered, moved,
 * another key) or whose records are malformed is skipped, and the rest of
 * the log still counts: one bad frame spoils one stroke. Opened frames are
 * kept by their text, so a re-read after a compaction or a sync opens
 * only frames it has not seen.
 *
 * Writes and compaction seal first and then make their one transaction;
 * writes to one log run one after the other, so each stroke's stamp is
 * above every stroke before it.
 */
import * as Y from 'yjs';
import { openRaw, SEAL_OVERHEAD, sealRaw } from './event-crypto.js';
import { availabilityMap, eventLogEpoch, STROKE_ORIGIN, type Level, type Mark } from './event-doc.js';
import { COMPACT_ORIGIN } from './log-compaction.js';
import type { EventCipher } from './sealed-event.js';
import {
	changedBlocks,
	encodeBase,
	encodeStroke,
	type LogRead,
	readLog,
	readMarksOf,
	readMore,
	strokeRects,
	VarReader,
	writeVar
} from './stroke-log.js';

/** Largest frame a reader accepts, in sealed bytes: far above a whole month's base. */
const MAX_FRAME_BYTES = 1 << 20;

/** Where a member's log lives: the additional data its frames are bound to. */
export const logPlace = (memberId: string): string => `availability/${memberId}`;

/** A frame's text: the sealed bytes' length, then the bytes 7 bits to a character. */
export function packFrame(sealed: Uint8Array): string {
	const out: number[] = [];
	writeVar(out, sealed.length);
	let bits = 0;
	let acc = 0;
	for (const byte of sealed) {
		acc = (acc << 8) | byte;
		bits += 8;
		while (bits >= 7) {
			bits -= 7;
			out.push((acc >> bits) & 0x7f);
		}
		acc &= (1 << bits) - 1;
	}
	if (bits > 0) out.push((acc << (7 - bits)) & 0x7f);
	return charsOf(out);
}

/** The string of 7-bit character codes `codes`, built in slices (a spread of a long array overflows the stack). */
function charsOf(codes: ArrayLike<number>): string {
	let out = '';
	for (let i = 0; i < codes.length; i += 8192)
		out += String.fromCharCode(...(Array.prototype.slice.call(codes, i, i + 8192) as number[]));
	return out;
}

/** Characters {@link packFrame} spends on `n` sealed bytes after the length. */
const packedChars = (n: number) => Math.ceil((n * 8) / 7);

/**
 * Splits a log's text into frames (each frame's whole text, length
 * included). `complete` is false when the text does not end on a frame
 * boundary or holds a malformed length; frames before that still count.
 */
export function splitFrames(text: string): { frames: string[]; complete: boolean } {
	const frames: string[] = [];
	const r = new VarReader(text);
	while (!r.done) {
		const from = r.at;
		const n = r.next();
		if (n < SEAL_OVERHEAD || n > MAX_FRAME_BYTES) return { frames, complete: false };
		const end = r.at + packedChars(n);
		if (end > text.length) return { frames, complete: false };
		frames.push(text.slice(from, end));
		r.at = end;
	}
	return { frames, complete: true };
}

/** The sealed bytes of a frame's text, or `null` if they are not well formed. */
export function unpackFrame(frame: string): Uint8Array<ArrayBuffer> | null {
	const r = new VarReader(frame);
	const n = r.next();
	if (n < 0 || frame.length - r.at !== packedChars(n)) return null;
	const out = new Uint8Array(n);
	let bits = 0;
	let acc = 0;
	let at = 0;
	for (let i = r.at; i < frame.length; i++) {
		const c = frame.charCodeAt(i);
		if (c > 0x7f) return null;
		acc = (acc << 7) | c;
		bits += 7;
		if (bits >= 8) {
			bits -= 8;
			out[at++] = (acc >> bits) & 0xff;
			acc &= (1 << bits) - 1;
		}
	}
	// Only the one spelling: the bits left over are zero.
	return acc === 0 ? out : null;
}

/** A frame that did not open, or opened to records that are not well formed. */
const BAD = 0;

/** What a member's sealed log reads as now. */
export interface SealedLogRead {
	/** The records of every frame opened so far (do not change it). */
	read: LogRead;
	/** Frames still being opened: read again when the cipher says `availability/<id>` opened. */
	opening: number;
	/** Frames that will never count: sealed under another key or place, tampered with, or malformed. */
	unreadable: number;
	/** Whether the text splits into frames to its end. */
	framed: boolean;
}

/** One member's sealed log as this device has read it, kept per Y.Text. */
class SealedLog {
	/** Every frame seen, by its text: the records once opened, {@link BAD}, or the opening. */
	frames = new Map<string, string | typeof BAD | Promise<void>>();
	/** Frames of the text `read` stands for, so an opened frame can tell whether it counts there. */
	current = new Set<string>();
	read: LogRead | null = null;
	length = -1;
	opening = 0;
	unreadable = 0;
	framed = true;
	marks: Map<string, Level> | null = null;
	epoch = 0;
	/** The end of the last write queued on this log. */
	writes: Promise<unknown> = Promise.resolve();

	readonly #observer = (event: Y.YTextEvent) => this.#follow(event);

	constructor(
		readonly log: Y.Text,
		readonly cipher: EventCipher,
		readonly place: string
	) {
		log.observe(this.#observer);
	}

	/** Stops following the log (another cipher reads it now). */
	dispose() {
		this.log.unobserve(this.#observer);
	}

	/** The read, brought up to date with the log's text. */
	now(): SealedLogRead {
		if (!this.read || this.length !== this.log.length) this.#reread();
		return { read: this.read!, opening: this.opening, unreadable: this.unreadable, framed: this.framed };
	}

	/** Opened frames that belong to the log's current text, and those still opening. */
	#reread() {
		const { frames, complete } = splitFrames(this.log.toString());
		// Frames no longer in the text are kept a while: another tab's copy may still bring one back.
		if (this.frames.size > 2 * frames.length + 256) {
			const kept = new Map<string, string | typeof BAD | Promise<void>>();
			for (const frame of frames) {
				const known = this.frames.get(frame);
				if (known !== undefined) kept.set(frame, known);
			}
			this.frames = kept;
		}
		this.current = new Set();
		this.read = readLog('');
		this.opening = 0;
		this.unreadable = 0;
		this.framed = complete;
		this.marks = null;
		this.#take(frames);
		this.length = this.log.length;
	}

	/** Counts `frames`, a part of the current text, into the read: opened ones now, the rest when they open. */
	#take(frames: string[]) {
		for (const frame of frames) {
			if (this.current.has(frame)) continue;
			this.current.add(frame);
			let known = this.frames.get(frame);
			if (known === undefined) this.frames.set(frame, (known = this.#open(frame)));
			if (known instanceof Promise) this.opening++;
			else this.#count(known);
		}
	}

	#count(records: string | typeof BAD) {
		if (records === BAD) this.unreadable++;
		else readMore(this.read!, records);
		this.marks = null;
	}

	#open(frame: string): Promise<void> {
		const sealed = unpackFrame(frame);
		// Never rejects: a frame that fails in any way counts as one that does not open.
		const opened = sealed ? openRaw(this.cipher.keys, sealed, this.place).catch(() => null) : Promise.resolve(null);
		const opening = opened.then((plain) => {
			if (this.frames.get(frame) !== opening) return;
			const records = plain && recordsOf(plain);
			this.frames.set(frame, records ?? BAD);
			if (this.read && this.current.has(frame)) {
				this.opening--;
				this.#count(records ?? BAD);
			}
			this.cipher.opened(this.place);
		});
		return this.cipher.track(opening);
	}

	/** Applies an append at the end to the read; anything else makes the next read start over. */
	#follow(event: Y.YTextEvent) {
		if (!this.read) return;
		let at = 0;
		let text = '';
		for (const op of event.delta) {
			if (op.retain !== undefined && !text && !op.attributes) at += op.retain;
			else if (typeof op.insert === 'string' && !op.attributes) text += op.insert;
			else return void (this.read = null);
		}
		const { frames, complete } = splitFrames(text);
		if (at !== this.length || !complete || this.length + text.length !== this.log.length) {
			this.read = null;
			return;
		}
		this.#take(frames);
		this.length = this.log.length;
	}

	/** Resolves once every frame of the log's current text has opened (or failed to). */
	async settled(): Promise<SealedLogRead> {
		for (;;) {
			const now = this.now();
			if (now.opening === 0) return now;
			await Promise.all([...this.current].map((frame) => this.frames.get(frame)));
		}
	}

	/** Runs `write` after every write queued before it on this log. */
	queue<T>(write: () => Promise<T>): Promise<T> {
		const done = this.writes.then(write, write);
		this.writes = done.catch(() => undefined);
		return done;
	}

	/** Tells the read about a frame this device sealed, so it counts with no round trip. */
	remember(frame: string, records: string) {
		this.frames.set(frame, records);
	}
}

/** A frame's plaintext as records, or `null` when they are not well-formed records (they would not count). */
function recordsOf(plain: Uint8Array): string | null {
	for (const byte of plain) if (byte > 0x7f) return null;
	const records = charsOf(plain);
	return readLog(records).complete ? records : null;
}

const logs = new WeakMap<Y.Text, SealedLog>();

function sealedLog(log: Y.Text, cipher: EventCipher, memberId: string): SealedLog {
	let kept = logs.get(log);
	if (!kept || kept.cipher !== cipher) {
		kept?.dispose();
		logs.set(log, (kept = new SealedLog(log, cipher, logPlace(memberId))));
	}
	return kept;
}

/** The member's stroke log, if they have one. */
function logOf(doc: Y.Doc, memberId: string): Y.Text | null {
	const log = availabilityMap(doc).get(memberId);
	return log instanceof Y.Text ? log : null;
}

/**
 * What a member's sealed log reads as now, synchronously: the frames opened
 * so far (asking starts opening the rest; the cipher's listeners hear
 * `availability/<memberId>` when more count).
 */
export function readSealedLog(doc: Y.Doc, cipher: EventCipher, memberId: string): SealedLogRead | null {
	const log = logOf(doc, memberId);
	return log ? sealedLog(log, cipher, memberId).now() : null;
}

/** {@link readSealedLog} once every frame has opened (or failed to). */
export async function settleSealedLog(
	doc: Y.Doc,
	cipher: EventCipher,
	memberId: string
): Promise<SealedLogRead | null> {
	const log = logOf(doc, memberId);
	return log ? sealedLog(log, cipher, memberId).settled() : null;
}

/**
 * A member's marks that count, by slot key, from the frames opened so far
 * (the private event's {@link readMarks}; a new map each call).
 */
export function readSealedMarks(doc: Y.Doc, cipher: EventCipher, memberId: string): Map<string, Level> {
	const log = logOf(doc, memberId);
	if (!log) return new Map();
	const kept = sealedLog(log, cipher, memberId);
	const { read } = kept.now();
	const epoch = eventLogEpoch(doc);
	if (!kept.marks || kept.epoch !== epoch) {
		kept.marks = readMarksOf(read, epoch);
		kept.epoch = epoch;
	}
	return new Map(kept.marks);
}

/**
 * Writes marks as one stroke into a member's sealed log (the private
 * event's {@link applyMarks}): once every frame of the log has opened,
 * the blocks whose mark changes become one sealed frame, appended in one
 * transaction with origin `moim:stroke` (one update, one undo step).
 * `slotMinutes` is the event's block length (the opened `slot` setting).
 * `beforeWrite` runs just before the transaction (where undo records the
 * stroke). Resolves to how many blocks changed.
 */
export function applySealedMarks(
	doc: Y.Doc,
	cipher: EventCipher,
	memberId: string,
	entries: Iterable<readonly [string, Mark]>,
	slotMinutes: number,
	beforeWrite?: () => void
): Promise<number> {
	const log = logOf(doc, memberId);
	if (!log) return Promise.reject(new Error(`Member ${memberId} has not joined this event`));
	const kept = sealedLog(log, cipher, memberId);
	const wanted = [...entries];
	return kept.queue(async () => {
		const { read } = await kept.settled();
		const epoch = eventLogEpoch(doc);
		const changed = changedBlocks(read, wanted, slotMinutes, epoch);
		if (changed.length === 0) {
			// Nothing to write, but undo still hears of the stroke (it starts a step), as for a plain one.
			beforeWrite?.();
			return 0;
		}
		// Above every stamp this device has opened; frames that never open cannot be outbid and do not count.
		const stamp = read.stamp + 1;
		const records = strokeRects(changed, slotMinutes, epoch)
			.map((rect) => encodeStroke(rect, stamp))
			.join('');
		const frame = await sealFrame(kept, records);
		beforeWrite?.();
		doc.transact(() => log.insert(log.length, frame), STROKE_ORIGIN);
		return changed.length;
	});
}

async function sealFrame(kept: SealedLog, records: string): Promise<string> {
	const bytes = new Uint8Array(records.length);
	for (let i = 0; i < records.length; i++) bytes[i] = records.charCodeAt(i);
	const frame = packFrame(await sealRaw(kept.cipher.keys, bytes, kept.place));
	kept.remember(frame, records);
	return frame;
}

/** A sealed log with at least this many frames is worth compacting (each costs ~34 bytes of sealing). */
export const COMPACT_FRAMES = 16;

/** Whether a member's sealed log is worth compacting and reads cleanly (every frame opened). */
export function needsSealedCompaction(doc: Y.Doc, cipher: EventCipher, memberId: string): boolean {
	const log = logOf(doc, memberId);
	if (!log) return false;
	const now = sealedLog(log, cipher, memberId).now();
	return (
		now.framed &&
		now.opening === 0 &&
		now.unreadable === 0 &&
		now.read.records > 0 &&
		countFrames(log) >= COMPACT_FRAMES
	);
}

const countFrames = (log: Y.Text) => splitFrames(log.toString()).frames.length;

/**
 * Compaction of a private event's log, as {@link compactLog} does for a
 * plain one: the frames the relay has acknowledged (`acked`) or this
 * session wrote become one sealed base frame at index 0, in one
 * transaction with origin {@link COMPACT_ORIGIN}. Sealing takes a moment,
 * so the fold is decided first and written only if the log has not changed
 * meanwhile (otherwise nothing is written and the next fold tries again).
 * Only whole frames are folded; a log with a frame that does not open is
 * left as it is. Resolves to how many frames were folded.
 */
export function compactSealedLog(
	doc: Y.Doc,
	cipher: EventCipher,
	memberId: string,
	acked: ReadonlyMap<number, number>
): Promise<number> {
	const log = logOf(doc, memberId);
	if (!log) return Promise.resolve(0);
	const kept = sealedLog(log, cipher, memberId);
	return kept.queue(async () => {
		const now = await kept.settled();
		if (!now.framed || now.unreadable > 0) return 0;
		const text = log.toString();
		// Which characters may be deleted: written by this session, or acknowledged by the relay.
		const foldable: boolean[] = [];
		for (let item = log._start; item; item = item.right) {
			if (item.deleted || !item.countable) continue;
			const { client, clock } = item.id;
			const ok =
				item.content instanceof Y.ContentString &&
				(client === doc.clientID || clock + item.length <= (acked.get(client) ?? 0));
			for (let i = 0; i < item.length; i++) foldable.push(ok);
		}
		const ranges: [number, number][] = [];
		const read = readLog('');
		let folded = 0;
		let at = 0;
		for (const frame of splitFrames(text).frames) {
			const records = kept.frames.get(frame);
			if (typeof records === 'string' && foldable.slice(at, at + frame.length).every(Boolean)) {
				readMore(read, records);
				folded++;
				const last = ranges[ranges.length - 1];
				if (last && last[0] + last[1] === at) last[1] += frame.length;
				else ranges.push([at, frame.length]);
			}
			at += frame.length;
		}
		if (folded < 2 || !read.complete) return 0;
		let base = '';
		if (read.dated.size > 0) base += encodeBase(read.dated, false);
		if (read.weekly.size > 0) base += encodeBase(read.weekly, true);
		const frame = base ? await sealFrame(kept, base) : '';
		if (log.toString() !== text) return 0;
		doc.transact(() => {
			for (let i = ranges.length - 1; i >= 0; i--) log.delete(ranges[i][0], ranges[i][1]);
			if (frame) log.insert(0, frame);
		}, COMPACT_ORIGIN);
		return folded;
	});
}
