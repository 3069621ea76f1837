/**
 * Private events (schema v4, issue 20): the settings and the members' names
 * sealed with the event's key (event-crypto.ts), in the same places as in a
 * plain event, so the relay's write check, which looks only at which entry
 * an update touches, works unchanged.
 *
 * What stays readable to the relay: `v` (4), `createdAt`, `locked` and
 * `deleted` in the event map, and the member ids (the keys of `members` and
 * `availability`). Each setting is sealed on its own, as each is stored on
 * its own, so two organizers' concurrent edits of two settings both stay.
 *
 * WebCrypto only answers with promises, while views read the document
 * synchronously. So writers seal first and then make their one
 * transaction, and readers go through an {@link EventCipher}: a cache of
 * opened values that answers at once for what it has opened, starts
 * opening what it has not, and tells its listeners when more is readable.
 *
 * Not used by the app yet: the plan for the rest (marks, the state layer,
 * keys in links) is docs/plans/private-events.md.
 */
import * as Y from 'yjs';
import { openText, sealText, type EventKeys } from './event-crypto.js';
import {
	availabilityMap,
	checkName,
	eventMap,
	membersMap,
	settingsFrom,
	settingValues,
	SETTING_KEYS,
	type Member,
	type SettingKey
} from './event-doc.js';
import { newMemberId } from './ids.js';
import { DECISION_KEY, isDecision, type Decision } from './decision.js';
import { normaliseText, type EventDraft, type EventSettings } from './settings.js';

/** The schema of private events: settings and names sealed. */
export const SEALED_SCHEMA_VERSION = 4;

/** Whether the document holds a private event (its `v` is readable to anyone). */
export function isSealedEvent(doc: Y.Doc): boolean {
	const v = eventMap(doc).get('v');
	return typeof v === 'number' && v >= SEALED_SCHEMA_VERSION;
}

/** Where a setting lives: the additional data its sealed value is bound to. */
export const settingPlace = (key: SettingKey): string => `event/${key}`;

/** Where a member's entry lives. */
export const memberPlace = (memberId: string): string => `members/${memberId}`;

/**
 * Bytes a setting is padded to a multiple of. The day list gets one bucket
 * that holds the longest list there can be (`MAX_DATES` dates), so every
 * event's seals to the same size and the relay cannot count the days; the
 * rest are short.
 */
const BUCKETS: Partial<Record<SettingKey, number>> = { dates: 1024 };

/** A value that will never open: tampered with, moved, or sealed under another key. */
export const UNREADABLE: unique symbol = Symbol('unreadable');

/**
 * Opened values of one private event, cached so that reading stays
 * synchronous. One per open document (and key); it keeps one value per
 * place in the document (each setting, each member), the latest asked for.
 */
export class EventCipher {
	readonly keys: EventKeys;
	/** The last value opened (or remembered) for each place: a place's older values are dropped. */
	readonly #opened = new Map<string, { sealed: string; value: string | typeof UNREADABLE }>();
	/** The value being opened for each place, if it is not the one in `#opened`. */
	readonly #opening = new Map<string, { sealed: string; done: Promise<void> }>();
	readonly #listeners = new Set<(places: ReadonlySet<string>) => void>();
	/** Other work that opens values (a stroke log's frames, sealed-log.ts), for {@link settled}. */
	readonly #work = new Set<Promise<unknown>>();
	/** Places with values opened since listeners were last told. */
	#told = new Set<string>();

	constructor(keys: EventKeys) {
		this.keys = keys;
	}

	/**
	 * The text sealed in `sealed` for `place`: the text once opened,
	 * {@link UNREADABLE} if it never will, `undefined` while it is being
	 * opened (asking starts it; listeners hear when it is done).
	 */
	peek(sealed: string, place: string): string | typeof UNREADABLE | undefined {
		const opened = this.#opened.get(place);
		if (opened?.sealed === sealed) return opened.value;
		if (this.#opening.get(place)?.sealed === sealed) return undefined;
		const done = openText(this.keys, sealed, place).then((text) => {
			// A newer value asked for meanwhile wins; this one is dropped.
			if (this.#opening.get(place)?.sealed !== sealed) return;
			this.#opening.delete(place);
			this.#opened.set(place, { sealed, value: text ?? UNREADABLE });
			this.opened(place);
		});
		this.#opening.set(place, { sealed, done });
		return undefined;
	}

	/** A value this device has just sealed: readable at once, with no round trip through WebCrypto. */
	remember(sealed: string, place: string, text: string): void {
		this.#opening.delete(place);
		this.#opened.set(place, { sealed, value: text });
	}

	/** Counts `work` (opening values kept elsewhere) until it ends, so {@link settled} waits for it too. */
	track<T>(work: Promise<T>): Promise<T> {
		this.#work.add(work);
		const done = () => this.#work.delete(work);
		work.then(done, done);
		return work;
	}

	/** Resolves once everything asked for so far has been opened (or found unreadable). */
	async settled(): Promise<void> {
		while (this.#opening.size > 0 || this.#work.size > 0)
			await Promise.all([...[...this.#opening.values()].map((o) => o.done), ...this.#work]);
	}

	/**
	 * Calls `listener` with the places (`event/title`, `members/<id>`,
	 * `availability/<id>`) whose values became readable; returns the unsubscribe.
	 */
	onOpened(listener: (places: ReadonlySet<string>) => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	/**
	 * Tells listeners, soon, that a value for `place` has opened. Values
	 * opened in one go (the whole event at open) are told once.
	 */
	opened(place: string): void {
		this.#told.add(place);
		if (this.#told.size > 1) return;
		queueMicrotask(() => {
			const places = this.#told;
			this.#told = new Set();
			for (const listener of this.#listeners) listener(places);
		});
	}
}

/** What a private event's settings read as right now. */
export type SealedSettings =
	| { state: 'ok'; settings: EventSettings }
	/** Some values are still being opened: read again when the cipher says so. */
	| { state: 'opening' }
	/** A value does not open with this key: the wrong key, or tampered with. */
	| { state: 'unreadable' }
	/** Not (yet) a complete event: nothing synced, or a value of the wrong shape. */
	| { state: 'missing' };

/** Reads a private event's settings through `cipher` (synchronously; see {@link EventCipher.peek}). */
export function readSealedSettings(doc: Y.Doc, cipher: EventCipher): SealedSettings {
	const map = eventMap(doc);
	const values = new Map<SettingKey, unknown>();
	let opening = false;
	for (const key of SETTING_KEYS) {
		const sealed = map.get(key);
		if (typeof sealed !== 'string') return { state: 'missing' };
		const text = cipher.peek(sealed, settingPlace(key));
		if (text === UNREADABLE) return { state: 'unreadable' };
		if (text === undefined) opening = true;
		else values.set(key, parseJson(text));
	}
	if (opening) return { state: 'opening' };
	const settings = settingsFrom((key) => values.get(key), map.get('createdAt'), map.get('v'));
	return settings ? { state: 'ok', settings } : { state: 'missing' };
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

/** Seals each of `values`, keyed by setting, and remembers the plaintexts in `cipher`. */
async function sealSettings(
	cipher: EventCipher,
	values: Partial<Record<SettingKey, unknown>>
): Promise<[SettingKey, string][]> {
	return Promise.all(
		(Object.entries(values) as [SettingKey, unknown][]).map(async ([key, value]) => {
			const text = JSON.stringify(value);
			const sealed = await sealText(cipher.keys, text, settingPlace(key), BUCKETS[key]);
			cipher.remember(sealed, settingPlace(key), text);
			return [key, sealed] as [SettingKey, string];
		})
	);
}

/**
 * Writes a new private event into an empty document: every setting sealed,
 * then one transaction, as {@link createEvent} does for a plain event.
 */
export async function createSealedEvent(
	doc: Y.Doc,
	cipher: EventCipher,
	draft: EventDraft,
	now: number
): Promise<void> {
	const map = eventMap(doc);
	if (map.size > 0) throw new Error('This document already holds an event');
	const sealed = await sealSettings(cipher, settingValues(draft));
	if (map.size > 0) throw new Error('This document already holds an event');
	doc.transact(() => {
		map.set('v', SEALED_SCHEMA_VERSION);
		for (const [key, value] of sealed) map.set(key, value);
		map.set('createdAt', now);
	});
}

/**
 * Changes a private event's settings: only those whose opened value differs
 * from `draft` are sealed again and written (sealed values always differ,
 * so comparing them would rewrite every setting and undo a concurrent edit).
 */
export async function updateSealedSettings(doc: Y.Doc, cipher: EventCipher, draft: EventDraft): Promise<void> {
	const map = eventMap(doc);
	const changed: Partial<Record<SettingKey, unknown>> = {};
	for (const [key, value] of Object.entries(settingValues(draft, true)) as [SettingKey, unknown][]) {
		const sealed = map.get(key);
		const text = typeof sealed === 'string' ? await openText(cipher.keys, sealed, settingPlace(key)) : null;
		if (text !== JSON.stringify(value)) changed[key] = value;
	}
	const sealed = await sealSettings(cipher, changed);
	if (sealed.length > 0) doc.transact(() => sealed.forEach(([key, value]) => map.set(key, value)));
}

/** Seals a member's entry (name and when they joined) for their place. */
async function sealMember(cipher: EventCipher, memberId: string, member: Member): Promise<string> {
	const text = JSON.stringify({ name: member.name, joinedAt: member.joinedAt });
	const sealed = await sealText(cipher.keys, text, memberPlace(memberId));
	cipher.remember(sealed, memberPlace(memberId), text);
	return sealed;
}

/**
 * Adds a member to a private event, as {@link joinEvent} does: the name
 * sealed first, then one transaction with the member's empty stroke log.
 * `members/<id>` holds the sealed string, so the relay sees only the id.
 */
export async function joinSealedEvent(
	doc: Y.Doc,
	cipher: EventCipher,
	name: string,
	now: number,
	id: string = newMemberId()
): Promise<string> {
	const problem = checkName(name);
	if (problem) throw new Error(`Invalid member name (${problem})`);
	const sealed = await sealMember(cipher, id, { name: normaliseText(name), joinedAt: now });
	doc.transact(() => {
		(membersMap(doc) as unknown as Y.Map<string>).set(id, sealed);
		if (!availabilityMap(doc).has(id)) availabilityMap(doc).set(id, new Y.Text());
	});
	return id;
}

/** Renames a member of a private event (themselves or the organizer). */
export async function renameSealedMember(
	doc: Y.Doc,
	cipher: EventCipher,
	memberId: string,
	name: string
): Promise<void> {
	const problem = checkName(name);
	if (problem) throw new Error(`Invalid member name (${problem})`);
	const current = (membersMap(doc) as unknown as Y.Map<unknown>).get(memberId);
	if (current === undefined) throw new Error(`No member ${memberId}`);
	// Opened here rather than peeked: a value still being opened must not lose its join time.
	const text = typeof current === 'string' ? await openText(cipher.keys, current, memberPlace(memberId)) : null;
	const joinedAt = Number((text && (parseJson(text) as { joinedAt?: unknown } | undefined)?.joinedAt) || 0);
	const sealed = await sealMember(cipher, memberId, { name: normaliseText(name), joinedAt });
	(membersMap(doc) as unknown as Y.Map<string>).set(memberId, sealed);
}

/**
 * A private event's members by id: the member once opened, `null` while it
 * is being opened, {@link UNREADABLE} if it never will (they still count
 * as a member; the view shows them without a name).
 */
export function readSealedMembers(doc: Y.Doc, cipher: EventCipher): Map<string, Member | null | typeof UNREADABLE> {
	const out = new Map<string, Member | null | typeof UNREADABLE>();
	(membersMap(doc) as unknown as Y.Map<unknown>).forEach((sealed, id) => {
		if (typeof sealed !== 'string') return out.set(id, UNREADABLE);
		const text = cipher.peek(sealed, memberPlace(id));
		if (text === undefined || text === UNREADABLE) return out.set(id, text === undefined ? null : UNREADABLE);
		const value = parseJson(text) as { name?: unknown; joinedAt?: unknown } | undefined;
		out.set(
			id,
			value && typeof value.name === 'string' ? { name: value.name, joinedAt: Number(value.joinedAt) || 0 } : UNREADABLE
		);
	});
	return out;
}

/** Where the decision lives. */
const DECISION_PLACE = `event/${DECISION_KEY}`;

/**
 * A private event's decision: the decision once opened, `null` when none is
 * made (or it does not open, or is not a decision), `undefined` while it is
 * being opened.
 */
export function readSealedDecision(doc: Y.Doc, cipher: EventCipher): Decision | null | undefined {
	const sealed = eventMap(doc).get(DECISION_KEY);
	if (typeof sealed !== 'string') return null;
	const text = cipher.peek(sealed, DECISION_PLACE);
	if (text === undefined) return undefined;
	const value = text === UNREADABLE ? null : parseJson(text);
	return isDecision(value) ? { start: value.start, minutes: value.minutes } : null;
}

/** Organizer: decides a time in a private event, or takes the decision back (`null`, sealed too). */
export async function setSealedDecision(doc: Y.Doc, cipher: EventCipher, decision: Decision | null): Promise<void> {
	if (decision && !isDecision(decision)) throw new Error('Not a decision: ' + JSON.stringify(decision));
	const text = JSON.stringify(decision && { start: decision.start, minutes: decision.minutes });
	const sealed = await sealText(cipher.keys, text, DECISION_PLACE);
	cipher.remember(sealed, DECISION_PLACE, text);
	eventMap(doc).set(DECISION_KEY, sealed);
}
