/**
 * Why a calendar file gives nothing, and the size limit: apart from
 * import.ts so that the page can check a file and explain a failure without
 * loading ical.js (the reading itself runs in a worker, or is imported when needed).
 */

/** The file could not be read as a calendar. */
export class CalendarFileError extends Error {
	constructor(readonly reason: 'not-a-calendar' | 'no-events' | 'too-big') {
		super(
			reason === 'no-events'
				? 'The calendar has no events'
				: reason === 'too-big'
					? 'The calendar file is too big'
					: 'Not an iCalendar (.ics) file'
		);
	}
}

/**
 * The longest file read, in characters: ten times the biggest real export
 * we know of (1.6 MB, 4,778 events), so that no calendar is refused, while a
 * file that would hold the tab for long is refused at once.
 */
export const MAX_ICS_CHARS = 16_000_000;
