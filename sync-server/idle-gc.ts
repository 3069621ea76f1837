/**
 * Returning memory once the relay is idle. After a crowd leaves and every
 * room has unloaded, V8 keeps the garbage they left and the heap pages it
 * grew into (tens of MB) until allocation pressure makes it collect, which an
 * idle relay never has: its RSS stays at the crowd's peak.
 *
 * A plain full collection (`gc()` under `--expose-gc`) frees the objects but
 * keeps the pages: in the soak it left RSS where it was (105 → 105 MB). The
 * collection a heap snapshot or a low-memory notification runs also shrinks
 * the heap and hands pages back (99.7 → 78.8 MB), and the only way to ask for
 * it from JavaScript is the inspector's `HeapProfiler.collectGarbage`, run
 * through an in-process session (no port is opened). It costs a few rounds
 * of full collection on an almost empty heap, once per idle period.
 *
 * The session is disconnected on the next turn of the event loop: in Node 20
 * a `disconnect()` inside the post's callback blocks the main thread for
 * good (the relay then ignored SIGTERM), and one right after `post()` ends
 * the session before the collection has answered.
 *
 * Once the heap has shrunk, malloc's free pages go back too (malloc-trim.ts).
 */
import { Session } from 'node:inspector';
import { log } from './log.js';
import { trimMalloc } from './malloc-trim.js';

/** Collects garbage and shrinks the heap (the relay has no rooms left); logs the memory before and after. */
export function collectIdle(): void {
	const before = process.memoryUsage().rss;
	let session: Session;
	try {
		session = new Session();
		session.connect();
	} catch (err) {
		// A Node built without the inspector: the memory stays until V8 needs it.
		log.warn({ err: String(err) }, 'no rooms left: cannot shrink the heap without the inspector');
		return;
	}
	session.post('HeapProfiler.collectGarbage', (err) => {
		setImmediate(() => session.disconnect());
		// V8 frees its own native allocations (buffers, external strings) in the collection: trim after it.
		const mallocTrimmed = trimMalloc();
		if (err) log.warn({ err: String(err), mallocTrimmed }, 'no rooms left: collecting garbage failed');
		else
			log.info(
				{ rssBefore: before, rssAfter: process.memoryUsage().rss, mallocTrimmed },
				'no rooms left: collected garbage'
			);
	});
}
