/**
 * One calendar file being read for "Import a calendar": its progress, its
 * result or why there is none, and a way to stop it. A new file, or
 * stopping, ends the reading before it (its worker is ended, its result
 * never shown).
 */
import type { BusySpan } from '$lib/model';
import type { CalendarImport, ImportProgress } from '$lib/calendar/import';
import { readCalendarFile, ReadStopped } from '$lib/calendar/read-file';

/** The state of reading one calendar file, for the fill panel to show. */
export class CalendarFileState {
	/** How far the reading has got; null when nothing is being read. */
	progress = $state<ImportProgress | null>(null);
	/** The last file's busy spans and notes, once read. */
	result = $state<CalendarImport | null>(null);
	/** Why the last file could not be read (a CalendarFileError or another error). */
	error = $state<unknown>(null);
	/** The name of the file being read or last read: the file input is emptied once chosen. */
	name = $state<string | null>(null);
	#reading: AbortController | null = null;

	/** True while a file is being read. */
	get reading() {
		return this.progress !== null;
	}

	/** Reads `file` for busy times in `window`; local times without a zone are read in `zone`. */
	async read(file: File, window: BusySpan, zone: string) {
		this.stop();
		const reading = new AbortController();
		this.#reading = reading;
		this.result = null;
		this.error = null;
		this.name = file.name;
		this.progress = { read: 0, total: 0 };
		try {
			const result = await readCalendarFile(
				{ file, window, zone },
				(progress) => {
					if (this.#reading === reading) this.progress = progress;
				},
				reading.signal
			);
			if (this.#reading === reading) this.result = result;
		} catch (error) {
			if (!(error instanceof ReadStopped) && this.#reading === reading) this.error = error;
		} finally {
			if (this.#reading === reading) {
				this.#reading = null;
				this.progress = null;
			}
		}
	}

	/** Stops a reading under way; nothing of it is kept. */
	stop() {
		this.#reading?.abort();
		this.#reading = null;
		this.progress = null;
	}

	/** Forgets everything: for when the panel closes. */
	clear() {
		this.stop();
		this.result = null;
		this.error = null;
		this.name = null;
	}
}
