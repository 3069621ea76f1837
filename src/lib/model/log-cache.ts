/**
 * What each member's stroke log reads as, kept per Y.Text and brought up to
 * date as the log changes, so a remote stroke or a new one costs that stroke
 * rather than a re-read of the member's whole log (docs/design/document-size.md,
 * "Incremental reading"). An append at the end of the log is applied with a
 * max ({@link readMore}); anything else (an undo, a compaction, a stroke
 * landing between two others after devices met) marks the log for a re-read
 * of that member only, done when next asked.
 */
import type * as Y from 'yjs';
import { readLog, readMarksOf, readMore, type LogRead } from './stroke-log.js';

interface Cached {
	/** The read, or `null` when it must be read again. */
	read: LogRead | null;
	/** The log's length the read stands for: a read of another length is stale. */
	length: number;
	/** Marks by slot key, derived from `read` for `epoch`, or `null` until asked. */
	marks: Map<string, 1 | 2> | null;
	epoch: number;
}

const cache = new WeakMap<Y.Text, Cached>();

function entry(log: Y.Text): Cached {
	let cached = cache.get(log);
	if (!cached) {
		cached = { read: null, length: -1, marks: null, epoch: 0 };
		cache.set(log, cached);
		const kept = cached;
		log.observe((event) => follow(kept, log, event));
	}
	return cached;
}

/** Applies a transaction's change of the log to its read, or marks it stale. */
function follow(cached: Cached, log: Y.Text, event: Y.YTextEvent): void {
	if (!cached.read) return;
	const appended = appendOf(event.delta);
	if (appended && appended.at === cached.length) {
		readMore(cached.read, appended.text);
		cached.length += appended.text.length;
		cached.marks = null;
	} else if (appended && appended.at + appended.text.length === cached.length) {
		// The writer applied it already within the transaction (noteAppend).
	} else if (appended?.text !== '') cached.read = null;
	if (cached.length !== log.length) cached.read = null;
}

/**
 * The one insert of plain text a delta makes and where, or `null` when it
 * does anything else (deletes, inserts in two places, formats, embeds).
 */
function appendOf(delta: Y.YTextEvent['delta']): { at: number; text: string } | null {
	let at = 0;
	let text = '';
	for (const op of delta) {
		if (op.attributes) return null;
		if (op.retain !== undefined) {
			if (text) return null;
			at += op.retain;
		} else if (typeof op.insert === 'string') text += op.insert;
		else return null;
	}
	return { at, text };
}

/** What a member's log reads as now (the cached read; do not change it). */
export function cachedRead(log: Y.Text): LogRead {
	const cached = entry(log);
	if (!cached.read || cached.length !== log.length) {
		cached.read = readLog(log.toString());
		cached.length = log.length;
		cached.marks = null;
	}
	return cached.read;
}

/** A member's marks by slot key, as {@link readMarksOf} gives them, from the cached read (a new map each call). */
export function cachedMarks(log: Y.Text, epoch: number): Map<string, 1 | 2> {
	const read = cachedRead(log);
	const cached = entry(log);
	if (!cached.marks || cached.epoch !== epoch) {
		cached.marks = readMarksOf(read, epoch);
		cached.epoch = epoch;
	}
	return new Map(cached.marks);
}

/**
 * Tells the cache that `records` were just appended at the end of `log`
 * (inside the writer's transaction, before its observers run), so the next
 * stroke of the same transaction sees them and the observer need not.
 */
export function noteAppend(log: Y.Text, records: string): void {
	const cached = cache.get(log);
	if (!cached?.read) return;
	if (cached.length + records.length !== log.length) {
		cached.read = null;
		return;
	}
	readMore(cached.read, records);
	cached.length = log.length;
	cached.marks = null;
}
