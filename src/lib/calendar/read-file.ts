/**
 * Reading a calendar file the person chose, in a Web Worker (see
 * import.worker.ts), with progress and a way to stop. Where a worker cannot
 * be started or loaded, the file is read on the page instead: slower for a
 * big calendar, but never not at all.
 */
import type { BusySpan } from '../model/index.js';
import type { CalendarImport, ImportProgress } from './import.js';
import { CalendarFileError } from './file-error.js';

/** What the page sends the worker: the file itself, read there. */
export interface ReadRequest {
	file: Blob;
	window: BusySpan;
	zone: string;
}

/** What the worker sends back: progress reports, then a result or why there is none. */
export type ReadReply =
	| { type: 'progress'; progress: ImportProgress }
	| { type: 'done'; result: CalendarImport }
	| { type: 'error'; reason: CalendarFileError['reason'] | 'unreadable' };

/** The reading was stopped by {@link readCalendarFile}'s signal. */
export class ReadStopped extends Error {
	constructor() {
		super('Reading the calendar was stopped');
	}
}

/** An error the page can explain: a {@link CalendarFileError}, or a plain one for "unreadable". */
const failure = (reason: CalendarFileError['reason'] | 'unreadable') =>
	reason === 'unreadable' ? new Error('The calendar file could not be read') : new CalendarFileError(reason);

/** Reads `file` on this thread: for when no worker can run. */
async function readHere(request: ReadRequest, onProgress: (progress: ImportProgress) => void): Promise<CalendarImport> {
	const { readIcs, MAX_ICS_CHARS } = await import('./import.js');
	if (request.file.size > MAX_ICS_CHARS) throw new CalendarFileError('too-big');
	return readIcs(await request.file.text(), request.window, request.zone, { onProgress });
}

/**
 * Busy spans of the calendar `file` within `window` (read as {@link readIcs}
 * does, local times without a zone in `zone`), read in a worker that reports
 * progress to `onProgress`. Aborting `signal` ends the worker at once and
 * rejects with {@link ReadStopped}. Rejects with a {@link CalendarFileError}
 * for a file that is not a calendar.
 */
export function readCalendarFile(
	request: ReadRequest,
	onProgress: (progress: ImportProgress) => void,
	signal?: AbortSignal
): Promise<CalendarImport> {
	if (signal?.aborted) return Promise.reject(new ReadStopped());
	let worker: Worker;
	try {
		worker = new Worker(new URL('./import.worker.ts', import.meta.url), { type: 'module' });
	} catch {
		return readHere(request, onProgress);
	}
	return new Promise<CalendarImport>((resolve, reject) => {
		const stop = () => {
			worker.terminate();
			reject(new ReadStopped());
		};
		signal?.addEventListener('abort', stop, { once: true });
		const settle = () => {
			worker.terminate();
			signal?.removeEventListener('abort', stop);
		};
		let heard = false;
		worker.addEventListener('message', (event: MessageEvent<ReadReply>) => {
			heard = true;
			const reply = event.data;
			if (reply.type === 'progress') return onProgress(reply.progress);
			settle();
			if (reply.type === 'done') resolve(reply.result);
			else reject(failure(reply.reason));
		});
		worker.addEventListener('error', (event) => {
			event.preventDefault();
			settle();
			// Failed before a word from it: its script could not be loaded (a
			// blocked script, a browser without module workers), so read here.
			// Failed while reading (out of memory): reading here would fail too.
			if (heard) reject(failure('unreadable'));
			else readHere(request, onProgress).then(resolve, reject);
		});
		worker.postMessage(request);
	});
}
