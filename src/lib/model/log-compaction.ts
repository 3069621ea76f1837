/**
 * Compaction of a member's stroke log on their own device
 * (docs/design/document-size.md, "Concurrency semantics"): one base record
 * at index 0 holding every quarter-hour the folded records touched with its
 * winning `(mark, stamp)`, and the folded records deleted, in one
 * transaction. Reading is a per-quarter-hour max and a base keeps its
 * runs' stamps, so a stroke another device appended meanwhile (never
 * folded) and a concurrent compaction elsewhere (each deletes only what it
 * saw) both merge without losing anything.
 */
import * as Y from 'yjs';
import { cachedRead } from './log-cache.js';
import { encodeBase, readLog } from './stroke-log.js';

/** Transaction origin of a compaction: not a stroke. */
export const COMPACT_ORIGIN = 'moim:compact';
/** A log with at least this many records is worth compacting. */
export const COMPACT_RECORDS = 64;
/** …or at least this many characters (bytes: records are 7-bit). */
export const COMPACT_CHARS = 1024;

/**
 * Whether a log reads cleanly and has grown enough since it was last folded
 * to fold again: {@link COMPACT_RECORDS} records, or {@link COMPACT_CHARS}
 * characters more than the base a fold would leave (a base alone can be
 * that long, and must not be rewritten after every stroke).
 */
export function needsCompaction(log: Y.Text): boolean {
	const read = cachedRead(log);
	if (!read.complete || read.records < 2) return false;
	if (read.records >= COMPACT_RECORDS) return true;
	if (log.length < COMPACT_CHARS) return false;
	const base =
		(read.dated.size ? encodeBase(read.dated, false).length : 0) +
		(read.weekly.size ? encodeBase(read.weekly, true).length : 0);
	return log.length - base >= COMPACT_CHARS;
}

/**
 * Folds the records of `log` that the relay has acknowledged (`acked`, a
 * state vector) or that this session wrote (the document's client id) into
 * one base per domain at index 0, deleting them, in one transaction with
 * origin {@link COMPACT_ORIGIN}. Records the relay may lack are left alone:
 * deleting one the relay never had (received from another tab) would be
 * refused by its write check (`unknown-deletion`). Does nothing on a log
 * that does not read cleanly (a base would give garbage a meaning) or when
 * fewer than two records could be folded. Call only for one's own log (undo
 * is unaffected: it writes marks back, model/stroke-history.ts). Returns how
 * many records it folded.
 */
export function compactLog(log: Y.Text, acked: ReadonlyMap<number, number>): number {
	const doc = log.doc;
	if (!doc || !cachedRead(log).complete) return 0;
	/** Ranges of the text to delete, as [index, length], in text order. */
	const ranges: [number, number][] = [];
	let folded = '';
	let index = 0;
	for (let item = log._start; item; item = item.right) {
		if (item.deleted || !item.countable) continue;
		const { client, clock } = item.id;
		const foldable =
			item.content instanceof Y.ContentString &&
			(client === doc.clientID || clock + item.length <= (acked.get(client) ?? 0));
		if (foldable) {
			const last = ranges[ranges.length - 1];
			if (last && last[0] + last[1] === index) last[1] += item.length;
			else ranges.push([index, item.length]);
			folded += (item.content as Y.ContentString).str;
		}
		index += item.length;
	}
	const read = readLog(folded);
	if (!read.complete || read.records < 2) return 0;
	let base = '';
	if (read.dated.size > 0) base += encodeBase(read.dated, false);
	if (read.weekly.size > 0) base += encodeBase(read.weekly, true);
	doc.transact(() => {
		for (let i = ranges.length - 1; i >= 0; i--) log.delete(ranges[i][0], ranges[i][1]);
		if (base) log.insert(0, base);
	}, COMPACT_ORIGIN);
	return read.records;
}
