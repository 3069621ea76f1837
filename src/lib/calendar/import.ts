/**
 * Reading a calendar file (.ics) on the device: its busy times within a
 * window, recurring events (RRULE, EXDATE, moved occurrences) expanded by
 * ical.js. The file never leaves the device; only the marks it leads to do.
 */
import ICAL from 'ical.js';
import { CalendarDateTime, toZoned } from '@internationalized/date';
import { isTimeZone, type BusySpan } from '../model/index.js';
import { ianaOfDisplayName, ianaOfWindowsName } from './windows-zones.js';
import { CalendarFileError, MAX_ICS_CHARS } from './file-error.js';

// Apart (file-error.ts) so that the page can explain a failure without loading ical.js.
export { CalendarFileError, MAX_ICS_CHARS } from './file-error.js';

/**
 * How a TZID the file does not define was read: a Windows zone name or an
 * Outlook display name ("(UTC-05:00) Eastern Time (US & Canada)") mapped to
 * an IANA zone, a display name we could not match read at its fixed offset
 * (no daylight saving), or an unknown name read in the device's zone.
 */
export type ImportNote =
	| { code: 'zone.windows' | 'zone.display'; tzid: string; zone: string }
	| { code: 'zone.offset'; tzid: string; offsetMinutes: number }
	| { code: 'zone.unknown'; tzid: string; zone: string }
	| { code: 'event.skipped'; count: number; reason: SkipReason }
	| { code: 'event.capped'; count: number; limit: number };

/**
 * Why events were skipped: a date or time that is not one (a bare date
 * where a date-time belongs, an impossible value), a line that cannot be
 * parsed (an unclosed quote in a parameter), an end before the start
 * (DTEND before DTSTART, a negative DURATION), or anything else ical.js
 * refused.
 */
export type SkipReason = 'date' | 'line' | 'inverted' | 'other';

/** Thrown for an occurrence that ends before it starts, so its event is skipped. */
class InvertedSpan extends Error {}

const reasonOf = (error: unknown): SkipReason => {
	if (error instanceof InvertedSpan) return 'inverted';
	const message = error instanceof Error ? error.message : '';
	if (/invalid line/i.test(message)) return 'line';
	if (/date|time|period|duration/i.test(message)) return 'date';
	return 'other';
};

/** Counts skipped events by reason, for one note per reason. */
class Skips {
	private readonly counts = new Map<SkipReason, number>();
	add(reason: SkipReason) {
		this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
	}
	get notes(): ImportNote[] {
		return [...this.counts].map(([reason, count]) => ({ code: 'event.skipped', count, reason }));
	}
}

/** A line a property can start with: a name, then its parameters or value. */
const PROPERTY_START = /^[A-Za-z0-9-]+[;:]/;

/**
 * Joins to the line before it every line that cannot start a property and
 * does not begin with the space or tab of a fold: exporters that wrap long
 * text without the space leave such lines, and ical.js refuses the whole
 * file for one of them. Joined as a fold would be, the text loses nothing.
 */
function repairFolds(text: string): string {
	return text
		.split(/\r?\n/)
		.map((line, i) => (i > 0 && line && !/^[ \t]/.test(line) && !PROPERTY_START.test(line) ? ` ${line}` : line))
		.join('\r\n');
}

/**
 * The calendar in `text`, as much of it as can be read. The whole file is
 * parsed if it can be; otherwise each VEVENT is parsed on its own and put
 * back into the calendar (so it still finds the file's VTIMEZONEs), and
 * the ones that cannot be parsed are counted in `skips`.
 */
function parseCalendar(text: string, skips: Skips): ICAL.Component {
	try {
		return new ICAL.Component(ICAL.parse(text));
	} catch {
		// Read below, part by part.
	}
	const lines = repairFolds(text).split('\r\n');
	const outside: string[] = [];
	const blocks: string[][] = [];
	let block: string[] | null = null;
	for (const line of lines) {
		if (!block && /^BEGIN:VEVENT\s*$/i.test(line)) block = [];
		if (block) block.push(line);
		else outside.push(line);
		if (block && /^END:VEVENT\s*$/i.test(line)) {
			blocks.push(block);
			block = null;
		}
	}
	// A file cut off part way: its unfinished last event is not an event,
	// and the calendar is closed for it.
	if (block) skips.add('line');
	if (!outside.some((line) => /^END:VCALENDAR\s*$/i.test(line))) outside.push('END:VCALENDAR');
	let root: ICAL.Component;
	try {
		root = new ICAL.Component(ICAL.parse(outside.join('\r\n')));
	} catch {
		throw new CalendarFileError('not-a-calendar');
	}
	if (root.name !== 'vcalendar') throw new CalendarFileError('not-a-calendar');
	for (const lines of blocks) {
		try {
			root.addSubcomponent(new ICAL.Component(ICAL.parse(lines.join('\r\n'))));
		} catch (error) {
			skips.add(reasonOf(error));
		}
	}
	return root;
}

/** How far a reading has got: events read of all the events in the file. */
export interface ImportProgress {
	read: number;
	total: number;
}

/** What a reading may be asked to do besides reading. */
export interface ReadOptions {
	/** Told how far it has got, every {@link PROGRESS_EVERY} events and at the end. */
	onProgress?: (progress: ImportProgress) => void;
}

/** How many events are read between two progress reports. */
export const PROGRESS_EVERY = 250;

/** What a calendar file says about busy times, and how its zones were read. */
export interface CalendarImport {
	spans: BusySpan[];
	notes: ImportNote[];
}

/**
 * Most occurrences one recurring event may contribute, counted within the
 * window (a guard against endless rules): a rule every minute fills two
 * weeks with 20,160, more than any schedule needs marked one by one.
 */
const MAX_OCCURRENCES = 5000;
/**
 * Most occurrences generated per event before the window is reached: a rule
 * with COUNT is expanded from DTSTART (COUNT counts from there), so one
 * every second since 1970 would take minutes to reach the window; after
 * this many steps the event is given up and counted as skipped.
 */
const MAX_STEPS = 100_000;
const DAY = 86_400_000;

type Zone = { zone: string } | { offsetMinutes: number };

/** "(UTC-05:00) Name", "(UTC) Name", and the older "(GMT+01:00) Name". */
const DISPLAY_FORM = /^\((?:UTC|GMT)(?:([+-])(\d{1,2}):(\d{2}))?\)\s*(.*)$/i;

/** One change of a zone's offset, as ical.js lists them: its instant as UTC fields, offsets in seconds. */
interface ZoneChange {
	year: number;
	month: number;
	day: number;
	hour: number;
	minute: number;
	second: number;
	utcOffset: number;
	prevUtcOffset: number;
}

/**
 * Local time to instant for a zone a VTIMEZONE defines, read from the
 * offset changes ical.js expands from it. ical.js's own reading copies its
 * whole list of changes for every time it converts (most of the time of a
 * big import went there), and near a change it takes the second of two
 * instants a local time names and the offset after a skipped hour, where
 * RFC 5545 (3.3.5) means the first and the offset before. Here a local time
 * reads at a change's new offset once it is past the change in both the
 * old and the new offset, which gives the RFC's reading in both cases.
 */
class OffsetTable {
	/** Local time (seconds, as if UTC) from which `offsets[i]` applies; ascending. */
	private from: number[] = [];
	private offsets: number[] = [];
	private before = 0;
	private coveredUntil = -Infinity;
	constructor(private readonly zone: ICAL.Timezone) {}

	/** The instant, in ms, of the local time given by its fields. */
	instant(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
		const local = Date.UTC(year, month - 1, day, hour, minute, second) / 1000;
		return (local - this.offset(year, local)) * 1000;
	}

	/**
	 * Makes ical.js read `zone` through this table too: its recurrence
	 * expansion compares times by their instants, and so converts every
	 * occurrence. The zone objects belong to this file's parsed tree only.
	 */
	install() {
		this.zone.utcOffset = (time: ICAL.Time) =>
			this.offset(time.year, Date.UTC(time.year, time.month - 1, time.day, time.hour, time.minute, time.second) / 1000);
	}

	/** The offset, in seconds, that the local time `local` (seconds, as if UTC) in `year` reads at. */
	private offset(year: number, local: number): number {
		if (year > this.coveredUntil) this.cover(year);
		const { from } = this;
		let low = 0;
		let high = from.length;
		while (low < high) {
			const mid = (low + high) >>> 1;
			if (from[mid] <= local) low = mid + 1;
			else high = mid;
		}
		return low === 0 ? this.before : this.offsets[low - 1];
	}

	private cover(year: number) {
		this.zone._ensureCoverage(year);
		const changes = this.zone.changes as ZoneChange[];
		this.from = [];
		this.offsets = [];
		for (const change of changes) {
			const at = Date.UTC(change.year, change.month - 1, change.day, change.hour, change.minute, change.second) / 1000;
			const from = at + Math.max(change.utcOffset, change.prevUtcOffset);
			// Two observances naming the same change (or out of order) keep the list ascending.
			if (this.from.length && from <= this.from[this.from.length - 1]) {
				this.from[this.from.length - 1] = from;
				this.offsets[this.offsets.length - 1] = change.utcOffset;
				continue;
			}
			this.from.push(from);
			this.offsets.push(change.utcOffset);
		}
		this.before = changes.length ? changes[0].prevUtcOffset : 0;
		// ical.js expands changes a few years past the year asked for.
		this.coveredUntil = Math.max(year, ...changes.map((change) => change.year - 1));
	}
}

/** Reads the zones of one file; a fresh one per import, so nothing leaks between files. */
class ZoneReader {
	readonly notes: ImportNote[] = [];
	private readonly resolved = new Map<string, Zone>();
	private readonly tables = new Map<ICAL.Timezone, OffsetTable>();
	constructor(private readonly device: string) {}

	/** Reads every zone the file defines through an {@link OffsetTable}, ical.js included. */
	adopt(root: ICAL.Component) {
		for (const vtimezone of root.getAllSubcomponents('vtimezone')) {
			const zone = root.getTimeZoneByID(String(vtimezone.getFirstPropertyValue('tzid')));
			if (!zone || this.tables.has(zone)) continue;
			const table = new OffsetTable(zone);
			table.install();
			this.tables.set(zone, table);
		}
	}

	/** The zone a TZID that has no usable VTIMEZONE in the file stands for. */
	resolve(tzid: string): Zone {
		let found = this.resolved.get(tzid);
		if (found) return found;
		found = this.lookup(tzid);
		this.resolved.set(tzid, found);
		return found;
	}

	private lookup(tzid: string): Zone {
		if (isTimeZone(tzid)) return { zone: tzid };
		const windows = ianaOfWindowsName(tzid);
		if (windows) {
			this.notes.push({ code: 'zone.windows', tzid, zone: windows });
			return { zone: windows };
		}
		const display = DISPLAY_FORM.exec(tzid.trim());
		if (display) {
			const [, sign, hours, minutes, name] = display;
			const zone = ianaOfDisplayName(name);
			if (zone) {
				this.notes.push({ code: 'zone.display', tzid, zone });
				return { zone };
			}
			const offsetMinutes = sign ? (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes)) : 0;
			this.notes.push({ code: 'zone.offset', tzid, offsetMinutes });
			return { offsetMinutes };
		}
		this.notes.push({ code: 'zone.unknown', tzid, zone: this.device });
		return { zone: this.device };
	}

	/**
	 * An ical.js time as an instant. A time whose TZID the file defines with
	 * a VTIMEZONE (with rules) is read by ical.js; any other TZID is resolved
	 * by name; a floating time (and an all-day date) is read in the device's
	 * zone.
	 */
	instant(time: ICAL.Time, tzid: string | null): number {
		const zone = time.zone;
		const defined =
			zone && (zone.tzid === 'UTC' || (zone.component && zone.component.getAllSubcomponents().length > 0));
		if (defined && !time.isDate) {
			if (zone.tzid === 'UTC') {
				return Date.UTC(time.year, time.month - 1, time.day, time.hour, time.minute, time.second);
			}
			let table = this.tables.get(zone);
			if (!table) this.tables.set(zone, (table = new OffsetTable(zone)));
			return table.instant(time.year, time.month, time.day, time.hour, time.minute, time.second);
		}
		const hour = time.isDate ? 0 : time.hour;
		const minute = time.isDate ? 0 : time.minute;
		const read = tzid ? this.resolve(tzid) : { zone: this.device };
		if ('offsetMinutes' in read) {
			return Date.UTC(time.year, time.month - 1, time.day, hour, minute) - read.offsetMinutes * 60_000;
		}
		return toZoned(new CalendarDateTime(time.year, time.month, time.day, hour, minute), read.zone)
			.toDate()
			.getTime();
	}
}

const tzidOf = (component: ICAL.Component, name: string) => {
	const value = component.getFirstProperty(name)?.getParameter('tzid');
	return typeof value === 'string' ? value : null;
};

const isFree = (component: ICAL.Component) =>
	component.getFirstPropertyValue('transp') === 'TRANSPARENT' ||
	component.getFirstPropertyValue('status') === 'CANCELLED';

const sequenceOf = (component: ICAL.Component) => Number(component.getFirstPropertyValue('sequence') ?? 0) || 0;

/** Length of one period of the rules that skipAhead can move, in seconds. */
const PERIOD_SECONDS: Partial<Record<string, number>> = {
	SECONDLY: 1,
	MINUTELY: 60,
	HOURLY: 3600,
	DAILY: 86_400,
	WEEKLY: 7 * 86_400
};

/**
 * A start from which to expand `rule` so that the occurrences before the
 * window are skipped without being generated: DTSTART moved forward by
 * whole periods of a SECONDLY to WEEKLY rule, which keeps its weekdays and
 * phase. The moved start is itself always an occurrence (ical.js treats
 * DTSTART so), so it is kept far enough before the window to end before it.
 * Rules with COUNT are expanded from DTSTART, as COUNT counts from there.
 */
function skipAhead(start: ICAL.Time, startMs: number, lengthMs: number, rule: ICAL.Recur, window: BusySpan) {
	if (rule.count) return start;
	const seconds = PERIOD_SECONDS[rule.freq];
	if (!seconds) return start;
	const period = seconds * (rule.interval || 1);
	// Two periods and a day of margin: local time moves against the instant
	// by up to a day (zone offsets), so sub-daily rules keep a day spare.
	const gap = window.start - Math.max(lengthMs, 0) - startMs - 2 * period * 1000 - DAY;
	if (gap <= 0) return start;
	const total = Math.floor(gap / (period * 1000)) * period;
	const moved = start.clone();
	// Whole days first: ical.js adds them in local time, keeping the hour.
	moved.adjust(Math.floor(total / 86_400), 0, 0, total % 86_400);
	return moved;
}

/**
 * The instant `duration` after `start` (`startMs` as an instant, its TZID
 * `tzid`). A duration's weeks and days are nominal (the same wall-clock
 * time that many days later) and its hours, minutes and seconds exact
 * (RFC 5545 3.3.6), so a one-hour event starting just before a
 * daylight-saving change lasts one hour; ical.js adds all of it to the
 * wall clock.
 */
function after(zones: ZoneReader, start: ICAL.Time, startMs: number, tzid: string | null, duration: ICAL.Duration) {
	const sign = duration.isNegative ? -1 : 1;
	const nominalDays = duration.weeks * 7 + duration.days;
	let base = startMs;
	if (nominalDays) {
		const moved = start.clone();
		moved.adjust(sign * nominalDays, 0, 0, 0);
		base = zones.instant(moved, tzid);
	}
	return base + sign * ((duration.hours * 60 + duration.minutes) * 60 + duration.seconds) * 1000;
}

/**
 * The end of an occurrence starting at `start` (`startMs` as an instant):
 * DTSTART plus the event's DURATION (see {@link after}), or an end given
 * by DTEND (`end`), read as written.
 */
function endOf(
	component: ICAL.Component,
	zones: ZoneReader,
	start: ICAL.Time,
	startMs: number,
	startTzid: string | null,
	end: () => [ICAL.Time, string | null]
): number {
	const duration = component.getFirstPropertyValue('duration');
	if (!(duration instanceof ICAL.Duration) || component.hasProperty('dtend')) {
		const [time, tzid] = end();
		return zones.instant(time, tzid);
	}
	return after(zones, start, startMs, startTzid, duration);
}

/** The values of every `name` property of `component` (RDATE, EXDATE), each with its property's TZID. */
function datesOf(component: ICAL.Component, name: string): [ICAL.Time | ICAL.Period, string | null][] {
	return component.getAllProperties(name).flatMap((property) => {
		const tzid = property.getParameter('tzid');
		return property
			.getValues()
			.filter((value) => value instanceof ICAL.Time || value instanceof ICAL.Period)
			.map((value): [ICAL.Time | ICAL.Period, string | null] => [value, typeof tzid === 'string' ? tzid : null]);
	});
}

/**
 * Busy spans of the calendar in `text` overlapping [window.start, window.end),
 * with notes on how zones the file does not define were read. Events marked
 * free (TRANSP:TRANSPARENT) or cancelled do not count, nor do single
 * occurrences an override frees or cancels. Overrides (RECURRENCE-ID) apply
 * only to the event with their UID, the highest SEQUENCE winning; an
 * override whose event is not in the file counts on its own.
 */
export function readIcs(text: string, window: BusySpan, zone: string, options: ReadOptions = {}): CalendarImport {
	if (text.length > MAX_ICS_CHARS) throw new CalendarFileError('too-big');
	const skips = new Skips();
	const root = parseCalendar(text, skips);
	if (root.name !== 'vcalendar') throw new CalendarFileError('not-a-calendar');
	// A VTIMEZONE without a TZID (Zimbra writes empty ones) makes ical.js
	// fail on every zone lookup in the file; it defines nothing, so it goes.
	for (const vtimezone of root.getAllSubcomponents('vtimezone')) {
		if (typeof vtimezone.getFirstPropertyValue('tzid') !== 'string') root.removeSubcomponent(vtimezone);
	}
	const vevents = root.getAllSubcomponents('vevent');
	if (vevents.length === 0 && skips.notes.length === 0) throw new CalendarFileError('no-events');
	// In-file VTIMEZONEs are found by ical.js through the parsed tree; they
	// are never registered with ICAL.TimezoneService, which is global.
	const zones = new ZoneReader(zone);
	zones.adopt(root);

	const spans: BusySpan[] = [];
	let capped = 0;

	const masters: ICAL.Component[] = [];
	// Per UID, per replaced occurrence (as an instant): the winning override.
	const overrides = new Map<string, Map<number, ICAL.Component>>();
	for (const component of vevents) {
		if (!component.hasProperty('recurrence-id')) {
			masters.push(component);
			continue;
		}
		const uid = String(component.getFirstPropertyValue('uid') ?? '');
		let id: number;
		try {
			const recurrenceId = component.getFirstPropertyValue('recurrence-id');
			if (!(recurrenceId instanceof ICAL.Time)) continue;
			id = zones.instant(recurrenceId, tzidOf(component, 'recurrence-id'));
		} catch (error) {
			skips.add(reasonOf(error));
			continue;
		}
		let byId = overrides.get(uid);
		if (!byId) overrides.set(uid, (byId = new Map()));
		const other = byId.get(id);
		if (!other || sequenceOf(component) >= sequenceOf(other)) byId.set(id, component);
	}

	/**
	 * Reads one event into `spans`, or none of it: an event that fails part
	 * way (an EXDATE that is not a date-time, met during expansion) is
	 * counted as skipped, and the occurrences it gave before are dropped.
	 */
	const readEvent = (read: (add: (start: number, end: number) => void) => void) => {
		const own: BusySpan[] = [];
		try {
			read((start, end) => {
				// Busy "until before it began" has no reading we could trust.
				if (end < start) throw new InvertedSpan();
				if (start < window.end && window.start < end) own.push({ start, end });
			});
		} catch (error) {
			skips.add(reasonOf(error));
			return;
		}
		spans.push(...own);
	};

	const addSingle = (component: ICAL.Component, add: (start: number, end: number) => void) => {
		if (isFree(component)) return;
		const event = new ICAL.Event(component, { exceptions: [] });
		if (!event.startDate) return;
		const startTzid = tzidOf(component, 'dtstart');
		const startMs = zones.instant(event.startDate, startTzid);
		add(
			startMs,
			endOf(component, zones, event.startDate, startMs, startTzid, () => [
				event.endDate,
				tzidOf(component, 'dtend') ?? startTzid
			])
		);
	};

	/**
	 * A recurring event's occurrences: DTSTART, the RRULE's (expanded by
	 * ical.js, which also takes out EXDATEs), and RDATEs (read here: ical.js
	 * gives a period RDATE's start as a period, and drops DTSTART when there
	 * is no RRULE, though RFC 5545 3.8.5.2 makes it always the first), each
	 * counted once, less those EXDATE removes or an override replaces.
	 */
	const addSeries = (component: ICAL.Component, add: (start: number, end: number) => void) => {
		if (isFree(component)) return;
		const rdates = datesOf(component, 'rdate');
		// Taken out of the tree, so that ical.js expands the rule alone.
		if (rdates.length) component.removeAllProperties('rdate');
		const replaced = overrides.get(String(component.getFirstPropertyValue('uid') ?? ''));
		const event = new ICAL.Event(component, { exceptions: [] });
		if (!event.startDate) return;
		if (!event.isRecurring() && rdates.length === 0) {
			addSingle(component, add);
			return;
		}
		const startTzid = tzidOf(component, 'dtstart');
		const endTzid = tzidOf(component, 'dtend') ?? startTzid;
		const duration = event.duration;
		const startMs = zones.instant(event.startDate, startTzid);
		const byDuration = component.hasProperty('duration') && !component.hasProperty('dtend');
		/** The first occurrence's length: with DTEND, every occurrence lasts exactly as long (RFC 5545 3.8.5.3). */
		const length = zones.instant(event.endDate, endTzid) - startMs;
		/**
		 * The end of the occurrence starting at `time` (its TZID `tzid`;
		 * `start` as an instant): the DURATION after it, the first
		 * occurrence's exact length for a time, its days for a date.
		 */
		const endAt = (time: ICAL.Time, tzid: string | null, start: number) => {
			if (byDuration) return endOf(component, zones, time, start, tzid, () => [time, tzid]);
			if (!time.isDate) return start + length;
			const end = time.clone();
			end.addDuration(duration);
			return zones.instant(end, tzid);
		};
		const starts = new Set<number>();
		/** Adds an occurrence unless an override replaces it or it was already counted; says whether it did. */
		const occurrence = (start: number, end: number) => {
			if (replaced?.has(start) || starts.has(start)) return false;
			starts.add(start);
			add(start, end);
			return true;
		};
		if (event.isRecurring()) {
			const rules = component.getAllProperties('rrule');
			// A date UNTIL on a timed series (RFC 5545 wants a date-time; some
			// exporters write the date): the series runs through that day, as
			// a person reading "until 9 April" means, where ical.js stops at
			// its midnight.
			for (const property of rules) {
				const rule = property.getFirstValue() as ICAL.Recur;
				if (rule.until?.isDate && !event.startDate.isDate) {
					const { year, month, day } = rule.until;
					rule.until = ICAL.Time.fromData({ year, month, day, hour: 23, minute: 59, second: 59 }, event.startDate.zone);
				}
			}
			const from =
				rules.length === 1
					? skipAhead(event.startDate, startMs, length, rules[0].getFirstValue() as ICAL.Recur, window)
					: event.startDate;
			const it = new ICAL.RecurExpansion({ component, dtstart: from });
			let added = 0;
			for (let step = 0, next = it.next(); next; step++, next = it.next()) {
				// Given up before the window's end: what it would still give is
				// unknown, so the event counts as skipped rather than read in part.
				if (step === MAX_STEPS) throw new Error('too many occurrences before the window');
				const start = zones.instant(next, startTzid);
				// Past the window: an override may still move a later occurrence
				// into it, but overrides are read on their own below.
				if (start >= window.end) break;
				const end = endAt(next, startTzid, start);
				if (end <= window.start) continue;
				if (added === MAX_OCCURRENCES) {
					capped++;
					break;
				}
				if (occurrence(start, end)) added++;
			}
		}
		if (event.isRecurring() && rdates.length === 0) return;
		const excluded = new Set(
			datesOf(component, 'exdate').map(([time, tzid]) => zones.instant(time as ICAL.Time, tzid))
		);
		if (!event.isRecurring() && !excluded.has(startMs)) occurrence(startMs, endAt(event.startDate, startTzid, startMs));
		for (const [value, tzid] of rdates) {
			const time = value instanceof ICAL.Period ? value.start : value;
			const start = zones.instant(time, tzid);
			if (excluded.has(start)) continue;
			if (!(value instanceof ICAL.Period)) occurrence(start, endAt(time, tzid, start));
			else if (value.end) occurrence(start, zones.instant(value.end, tzid));
			else occurrence(start, after(zones, time, start, tzid, value.duration));
		}
	};

	const total = vevents.length;
	let read = 0;
	const progress = () => {
		if (++read % PROGRESS_EVERY === 0) options.onProgress?.({ read, total });
	};
	options.onProgress?.({ read, total });
	for (const component of masters) {
		readEvent((add) => addSeries(component, add));
		progress();
	}
	// Every override stands for its own occurrence: moved ones are busy at
	// their new time (even without their series in the file), freed and
	// cancelled ones not at all. Older versions of an override count as read.
	for (const byId of overrides.values()) {
		for (const component of byId.values()) {
			readEvent((add) => addSingle(component, add));
			progress();
		}
	}
	options.onProgress?.({ read: total, total });
	const cappedNotes: ImportNote[] = capped ? [{ code: 'event.capped', count: capped, limit: MAX_OCCURRENCES }] : [];
	return { spans, notes: [...zones.notes, ...skips.notes, ...cappedNotes] };
}

/** Busy spans of the calendar in `text` overlapping [window.start, window.end) (see {@link readIcs}). */
export function busySpansFromIcs(text: string, window: BusySpan, zone: string): BusySpan[] {
	return readIcs(text, window, zone).spans;
}
