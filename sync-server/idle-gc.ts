/**
 * Returning memory once the relay is idle. After a crowd leaves and every
 * room has unloaded, V8 keeps the garbage they left (tens of MB) until
 * allocation pressure makes it collect, which an idle relay never has: its
 * RSS stays at the crowd's peak. One full collection when the last room has
 * unloaded gives it back; it costs a few milliseconds on an empty heap.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { log } from './log.js';

let gc: (() => void) | null | undefined;

/** V8's full collection: exposed to this process once, on first use (null if the runtime refuses). */
function collector(): (() => void) | null {
	if (gc === undefined) {
		try {
			v8.setFlagsFromString('--expose-gc');
			gc = vm.runInNewContext('gc') as () => void;
		} catch {
			gc = null;
		}
	}
	return gc;
}

/** Runs a full collection (the relay has no rooms left); logs the memory before and after. */
export function collectIdle(): void {
	const gc = collector();
	if (!gc) return;
	const before = process.memoryUsage().rss;
	gc();
	log.info({ rssBefore: before, rssAfter: process.memoryUsage().rss }, 'no rooms left: collected garbage');
}
