/**
 * The organizer's decision: the time the event will happen, chosen from the
 * best times or the grid. Stored as `event/decision` = `{ start, minutes }`
 * (organizer only, like every setting): `start` is a slot key, so a `dates`
 * event decides an instant and a `weekdays` event a weekly time in its zone.
 * `null` means undecided (written, not deleted: append-only like marks).
 */
import type * as Y from 'yjs';
import { eventMap, type MemberMarks } from './event-doc.js';
import { DATE_SLOT_PATTERN, instantSlotKey, WEEKDAY_SLOT_PATTERN, weekdaySlotKey } from './slots.js';

/** Key of the decision in the event map. */
export const DECISION_KEY = 'decision';

/** Longest decision, in minutes (a whole day). */
const MAX_DECISION_MINUTES = 1440;

/** The decided time: its first slot and its length. */
export interface Decision {
	/** Slot key of the first block. */
	start: string;
	/** Length in minutes. */
	minutes: number;
}

/** Whether `value` is a well-formed decision. */
export function isDecision(value: unknown): value is Decision {
	if (typeof value !== 'object' || value === null) return false;
	const { start, minutes } = value as Record<string, unknown>;
	return (
		typeof start === 'string' &&
		(DATE_SLOT_PATTERN.test(start) || WEEKDAY_SLOT_PATTERN.test(start)) &&
		Number.isInteger(minutes) &&
		(minutes as number) > 0 &&
		(minutes as number) <= MAX_DECISION_MINUTES
	);
}

/** The decision, or `null` when none is made (or the stored value is damaged). */
export function readDecision(doc: Y.Doc): Decision | null {
	const value = eventMap(doc).get(DECISION_KEY);
	return isDecision(value) ? { start: value.start, minutes: value.minutes } : null;
}

/** Organizer: decides a time, or takes the decision back with `null`. */
export function setDecision(doc: Y.Doc, decision: Decision | null): void {
	if (decision && !isDecision(decision)) throw new Error('Not a decision: ' + JSON.stringify(decision));
	eventMap(doc).set(DECISION_KEY, decision);
}

/** The decision covering a run of adjacent slots (in order). */
export function decisionFromSlots(slots: readonly string[], slotMinutes: number): Decision {
	if (slots.length === 0) throw new Error('A decision needs at least one slot');
	return { start: slots[0], minutes: slots.length * slotMinutes };
}

/** The slot keys a decision covers, block by block. */
export function decisionSlots(decision: Decision, slotMinutes: number): string[] {
	const count = Math.max(1, Math.ceil(decision.minutes / slotMinutes));
	const weekly = /^w([1-7])T(\d\d):(\d\d)$/.exec(decision.start);
	const out: string[] = [];
	for (let i = 0; i < count; i++) {
		if (weekly) {
			const minutes = Number(weekly[2]) * 60 + Number(weekly[3]) + i * slotMinutes;
			if (minutes >= 1440) break;
			out.push(weekdaySlotKey(Number(weekly[1]), minutes));
		} else {
			out.push(instantSlotKey(Date.parse(decision.start) + i * slotMinutes * 60_000));
		}
	}
	return out;
}

/** Who can come to a run of slots. */
export interface Attendance {
	/** Available in every block. */
	available: string[];
	/** In every block, available or if needed (and not all available). */
	ifNeeded: string[];
	unavailable: string[];
}

/** Splits members by whether they can come to every one of `slots`. */
export function attendance(
	slots: readonly string[],
	members: Iterable<string>,
	availability: ReadonlyMap<string, MemberMarks>
): Attendance {
	const result: Attendance = { available: [], ifNeeded: [], unavailable: [] };
	for (const id of members) {
		const marks = availability.get(id);
		const levels = slots.map((s) => marks?.get(s));
		if (levels.length && levels.every((l) => l === 1)) result.available.push(id);
		else if (levels.length && levels.every((l) => l === 1 || l === 2)) result.ifNeeded.push(id);
		else result.unavailable.push(id);
	}
	return result;
}
