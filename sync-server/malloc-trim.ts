/**
 * Handing freed native memory back to the system once the relay is idle.
 *
 * After a crowd, glibc's malloc keeps 8–11 MB of freed memory below live
 * allocations near the top of its heap (docs/RELIABILITY.md, finding 3):
 * free() only returns the top of the heap, and later crowds reuse the rest,
 * so it is a one-time high-water mark, but an idle relay would hold it for
 * good. Only `malloc_trim(0)` releases such pages, and Node cannot call it
 * itself: koffi (an FFI library whose prebuilt binaries come as optional
 * per-platform packages, no install script needed) calls it in libc.
 *
 * Loaded when the relay starts rather than at the first idle moment, so that
 * the library's own memory (about 3 MB) counts in a cold start like the rest
 * of the relay's code. Where there is no glibc (Alpine's musl, macOS) or the
 * binary is missing, trimming is skipped and the relay runs as before.
 */
import { createRequire } from 'node:module';
import { log } from './log.js';

type Trim = (pad: number) => number;

function load(): Trim | null {
	if (process.platform !== 'linux') return null;
	// musl has no malloc_trim; the report names glibc only where it runs.
	const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
	if (!header?.glibcVersionRuntime) return null;
	try {
		const koffi = createRequire(import.meta.url)('koffi');
		return koffi.load('libc.so.6').func('int malloc_trim(size_t pad)') as Trim;
	} catch (err) {
		log.warn({ err: String(err) }, 'cannot load koffi: freed native memory stays with the relay when idle');
		return null;
	}
}

const trim = load();

/** Whether `trimMalloc` can give memory back on this system. */
export const canTrimMalloc = trim !== null;

/**
 * Returns malloc's free pages to the system (`malloc_trim(0)`). True when
 * glibc released something; false when it had nothing to give or cannot trim.
 */
export function trimMalloc(): boolean {
	return trim ? trim(0) === 1 : false;
}
