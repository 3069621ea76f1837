/**
 * Reads a calendar file off the page's thread, so that a big calendar
 * (thousands of events, seconds on a slow phone) never freezes the page:
 * the file itself is sent here and read here, with progress reported back.
 */
import { CalendarFileError, MAX_ICS_CHARS, readIcs } from './import.js';
import type { ReadRequest, ReadReply } from './read-file.js';

const reply = (message: ReadReply) => postMessage(message);

addEventListener('message', async (event: MessageEvent<ReadRequest>) => {
	const { file, window, zone } = event.data;
	try {
		// Refused before it is read into memory: its characters are never
		// more than its bytes, so a file within the limit passes readIcs's.
		if (file.size > MAX_ICS_CHARS) throw new CalendarFileError('too-big');
		const text = await file.text();
		const result = readIcs(text, window, zone, { onProgress: (progress) => reply({ type: 'progress', progress }) });
		reply({ type: 'done', result });
	} catch (error) {
		reply({ type: 'error', reason: error instanceof CalendarFileError ? error.reason : 'unreadable' });
	}
});
