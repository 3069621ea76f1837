/**
 * Reactive view of an event document for components: runes kept current by
 * the document's observers; methods write through the model in one
 * transaction each. A private event (schema v4) is read through its
 * cipher, once the page has the key ({@link EventState.attach}).
 */
import { SvelteMap } from 'svelte/reactivity';
import * as Y from 'yjs';
import {
	isLocked,
	isDeleted,
	setDeleted,
	removeMember,
	renameMember,
	setLocked,
	updateSettings,
	readDecision,
	setDecision,
	type Decision,
	applyMarks,
	availabilityMap,
	buildGrid,
	joinEvent,
	readMarks,
	readMembers,
	eventMap,
	membersMap,
	readSettings,
	type EventDraft,
	type EventSettings,
	type Grid,
	type Level,
	type Mark,
	type Member
} from '../model/index.js';
import {
	EventCipher,
	isSealedEvent,
	joinSealedEvent,
	readSealedDecision,
	readSealedMembers,
	readSealedSettings,
	renameSealedMember,
	setSealedDecision,
	UNREADABLE,
	updateSealedSettings
} from '../model/sealed-event.js';
import { applySealedMarks, readSealedMarks } from '../model/sealed-log.js';
import { blockQuarters, StrokeHistory, type CurrentMark, type SlotChange } from '../model/stroke-history.js';
import { m } from '../paraglide/messages.js';

/**
 * Whether this device can read the event: `plain` (not a private event, or
 * nothing synced yet), `ok` (private, and the key opens it), `missing`
 * (private, and this device has no key for it), `bad` (the key does not open it).
 */
export type KeyState = 'plain' | 'ok' | 'missing' | 'bad';

/** The name shown for a member whose entry does not open (tampered with, or sealed under another key). */
export const unreadableName = (): string => m.event_unreadableName();

/**
 * The event document as runes, kept current by the document's own observers:
 * each part (settings, members, marks) is written only when that part
 * changes, and a remote stroke re-reads only the member whose marks changed,
 * so views that read settings, the grid or other members are not woken
 * (re-reading them cost milliseconds per stroke; docs/BENCHMARKS.md). In a
 * private event, a value that is still being opened keeps what was shown
 * before it, and the part is read again when the cipher says it opened.
 */
export class EventState {
	readonly doc: Y.Doc;
	#settings = $state.raw<EventSettings | null>(null);
	#locked = $state(false);
	#deleted = $state(false);
	#decision = $state.raw<Decision | null>(null);
	#members = $state.raw<Map<string, Member>>(new Map());
	/** Each current member's marks; an entry is replaced only when that member's marks change. */
	readonly #availability = new SvelteMap<string, Map<string, Level>>();
	#grid: { key: string; value: Grid | null } = { key: '', value: null };
	/** The `createdAt` the marks were read with (stroke logs count from it). */
	#createdAt: unknown = undefined;
	/** The event is private (its `v` says so; readable without the key). */
	#sealed = $state(false);
	/** The settings do not open with the key this device has. */
	#unreadable = $state(false);
	#cipher = $state.raw<EventCipher | null>(null);
	/** Some members' entries are still being opened (and were not shown before). */
	#membersOpening = false;
	/** A private event's settings have been shown: from then on they change as values open. */
	#shown = false;
	#stopCipher: (() => void) | null = null;
	readonly #stop: () => void;

	constructor(doc: Y.Doc, cipher: EventCipher | null = null) {
		this.doc = doc;
		const event = eventMap(doc);
		const members = membersMap(doc);
		const availability = availabilityMap(doc);
		if (cipher) {
			this.#cipher = cipher;
			this.#stopCipher = cipher.onOpened((places) => this.#opened(places));
		}
		// Members first: a private event's settings wait for them the first time (#readEvent).
		this.#sealed = isSealedEvent(doc);
		this.#readMembers();
		this.#readEvent();
		const onEvent = () => this.#readEvent();
		// A member and their marks usually arrive in one transaction (joining, or
		// loading the stored copy): the members observer runs first and reads the
		// new members' marks, so the marks observer need not read them again.
		let readWith: { transaction: Y.Transaction; ids: Set<string> } | null = null;
		const onMembers = (e: Y.YMapEvent<Member>) => {
			readWith = { transaction: e.transaction, ids: this.#readMembers() };
			// A member still opening may have been removed: the event need not wait for them any more.
			if (this.#sealed && !this.#shown) this.#readEvent();
		};
		const onMarks = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
			const alreadyRead = readWith?.transaction === events[0]?.transaction ? readWith.ids : null;
			const changed = new Set<string>();
			for (const e of events) {
				if (e.target === availability) for (const id of (e as Y.YMapEvent<unknown>).keysChanged) changed.add(id);
				else if (e.path.length) changed.add(String(e.path[0]));
			}
			for (const id of changed)
				if (this.#members.has(id) && !alreadyRead?.has(id)) this.#availability.set(id, this.#marksOf(id));
		};
		event.observe(onEvent);
		members.observe(onMembers);
		availability.observeDeep(onMarks);
		this.#stop = () => {
			event.unobserve(onEvent);
			members.unobserve(onMembers);
			availability.unobserveDeep(onMarks);
			this.#stopCipher?.();
		};
	}

	/**
	 * Reads a private event with `cipher` (made from the link's key) from now
	 * on: everything is read again, and again as values open.
	 */
	attach(cipher: EventCipher): void {
		this.#stopCipher?.();
		this.#cipher = cipher;
		this.#stopCipher = cipher.onOpened((places) => this.#opened(places));
		this.#reread();
	}

	/** Stops following the document (the page is gone; the document may live on a moment for the next one). */
	destroy(): void {
		this.#stop();
	}

	/** Whether this device can read the event (see {@link KeyState}). */
	get keyState(): KeyState {
		if (!this.#sealed) return 'plain';
		if (!this.#cipher) return 'missing';
		return this.#unreadable ? 'bad' : 'ok';
	}

	/** The cipher a private event is read and written with, once attached. */
	get cipher(): EventCipher | null {
		return this.#cipher;
	}

	/** The event is private: its contents are sealed with the link's key. */
	get private(): boolean {
		return this.#sealed;
	}

	#reread(): void {
		this.#sealed = isSealedEvent(this.doc);
		this.#readMembers();
		this.#readEvent();
		for (const id of this.#availability.keys()) this.#availability.set(id, this.#marksOf(id));
	}

	#opened(places: ReadonlySet<string>): void {
		let event = false;
		let members = false;
		const logs: string[] = [];
		for (const place of places) {
			if (place.startsWith('event/')) event = true;
			else if (place.startsWith('members/')) members = true;
			else if (place.startsWith('availability/')) logs.push(place.slice('availability/'.length));
		}
		if (event) this.#readEvent();
		if (members) this.#readMembers();
		// The first time, the event waits for its members too (rather than asking "who are you?").
		if (members && !this.#shown) this.#readEvent();
		for (const id of logs) if (this.#members.has(id)) this.#availability.set(id, this.#marksOf(id));
	}

	#marksOf(id: string): Map<string, Level> {
		if (!this.#sealed) return readMarks(this.doc, id);
		return this.#cipher ? readSealedMarks(this.doc, this.#cipher, id) : new Map();
	}

	#readEvent(): void {
		const sealed = isSealedEvent(this.doc);
		const cipher = this.#cipher;
		if (sealed !== this.#sealed) {
			// The event's `v` arrived: everything read so far was read the other way.
			this.#sealed = sealed;
			this.#readMembers();
			for (const id of this.#availability.keys()) this.#availability.set(id, this.#marksOf(id));
		}
		if (!sealed) {
			this.#settings = readSettings(this.doc);
			this.#decision = readDecision(this.doc);
		} else if (!cipher) {
			this.#settings = null;
			this.#decision = null;
		} else {
			const read = readSealedSettings(this.doc, cipher);
			// While a changed value opens, the last settings stay on screen; the first time, the event
			// shows once its members have opened too, so "who are you?" never flashes up before "you are …".
			if (read.state === 'ok' && (this.#shown || !this.#membersOpening)) {
				this.#settings = read.settings;
				this.#shown = true;
			} else if (read.state !== 'opening') this.#settings = null;
			this.#unreadable = read.state === 'unreadable';
			const decision = readSealedDecision(this.doc, cipher);
			if (decision !== undefined) this.#decision = decision;
		}
		// Stroke logs place their marks from the creation day: should it arrive after some marks, they move.
		const createdAt = eventMap(this.doc).get('createdAt');
		if (createdAt !== this.#createdAt) {
			this.#createdAt = createdAt;
			for (const id of this.#availability.keys())
				if (availabilityMap(this.doc).get(id) instanceof Y.Text) this.#availability.set(id, this.#marksOf(id));
		}
		this.#locked = isLocked(this.doc);
		this.#deleted = isDeleted(this.doc);
	}

	/** The members as this device can read them: a private event's still opening keep their last name. */
	#memberList(): Map<string, Member> {
		if (!this.#sealed) return readMembers(this.doc);
		const out = new Map<string, Member>();
		this.#membersOpening = false;
		if (!this.#cipher) return out;
		for (const [id, member] of readSealedMembers(this.doc, this.#cipher)) {
			if (member === UNREADABLE) out.set(id, { name: unreadableName(), joinedAt: 0 });
			else if (member) out.set(id, member);
			else {
				const shown = this.#members.get(id);
				if (shown) out.set(id, shown);
				else this.#membersOpening = true;
			}
		}
		return out;
	}

	/** Reads the members, and the marks of members new here; returns the ids whose marks it read. */
	#readMembers(): Set<string> {
		const members = this.#memberList();
		this.#members = members;
		const read = new Set<string>();
		for (const id of this.#availability.keys()) if (!members.has(id)) this.#availability.delete(id);
		for (const id of members.keys()) {
			if (this.#availability.has(id)) continue;
			this.#availability.set(id, this.#marksOf(id));
			read.add(id);
		}
		return read;
	}

	/** The settings, or `null` while no event is in the document (or it cannot be read here). */
	get settings(): EventSettings | null {
		return this.#settings;
	}

	/** The organizer closed the event to new members. */
	get locked(): boolean {
		return this.#locked;
	}

	/** The organizer deleted the event for everyone. */
	get deleted(): boolean {
		return this.#deleted;
	}

	/** Organizer: deletes the event for everyone, or restores it. */
	setDeleted(deleted: boolean): void {
		setDeleted(this.doc, deleted);
	}

	/** The organizer's decided time, or `null`. */
	get decision(): Decision | null {
		return this.#decision;
	}

	/** The cipher a private event is written with; an error to write one without its key. */
	#writer(): EventCipher | null {
		if (!this.#sealed) return null;
		if (!this.#cipher) throw new Error('This private event cannot be written without its key');
		return this.#cipher;
	}

	/** Organizer: decides a time, or takes the decision back with `null`. */
	async decide(decision: Decision | null): Promise<void> {
		const cipher = this.#writer();
		if (cipher) await setSealedDecision(this.doc, cipher, decision);
		else setDecision(this.doc, decision);
	}

	/** The grid derived from the settings; rebuilt only when what it depends on changes (not the title). */
	get grid(): Grid | null {
		const s = this.settings;
		const key = s ? JSON.stringify([s.kind, s.dates, s.weekdays, s.start, s.end, s.slot, s.tz]) : '';
		if (this.#grid.key !== key) this.#grid = { key, value: s ? buildGrid(s) : null };
		return this.#grid.value;
	}

	/** Members by id (the same map until members change). */
	get members(): Map<string, Member> {
		return this.#members;
	}

	/**
	 * Every current member's marks, by member id. Each member's own map stays
	 * the same object until their marks change.
	 */
	get availability(): ReadonlyMap<string, Map<string, Level>> {
		return this.#availability;
	}

	/** Adds member `memberId` named `name`. */
	async join(name: string, memberId: string): Promise<string> {
		const cipher = this.#writer();
		return cipher
			? joinSealedEvent(this.doc, cipher, name, Date.now(), memberId)
			: joinEvent(this.doc, name, Date.now(), memberId);
	}

	/** Organizer: removes a member and their marks. */
	removeMember(memberId: string): void {
		removeMember(this.doc, memberId);
	}

	/** Renames a member. */
	async renameMember(memberId: string, name: string): Promise<void> {
		const cipher = this.#writer();
		if (cipher) await renameSealedMember(this.doc, cipher, memberId, name);
		else renameMember(this.doc, memberId, name);
	}

	/** Organizer: changes title, days, window, block length or zone; marks are kept. */
	async updateSettings(draft: EventDraft): Promise<void> {
		const cipher = this.#writer();
		if (cipher) await updateSealedSettings(this.doc, cipher, draft);
		else updateSettings(this.doc, draft);
	}

	/** Organizer: closes or reopens the event to new members. */
	setLocked(locked: boolean): void {
		setLocked(this.doc, locked);
	}

	/**
	 * Applies marks that differ per slot as one stroke. `beforeWrite` runs
	 * just before the stroke's transaction with each slot's mark before and
	 * after it (for undo); in a private event that is after sealing, so
	 * strokes queue in the order they were made. Resolves to how many blocks
	 * changed.
	 */
	async paintMarks(
		memberId: string,
		marks: Iterable<readonly [string, Mark]>,
		beforeWrite?: (changes: SlotChange[]) => void,
		blockMinutes?: number
	): Promise<number> {
		const list = [...marks];
		const cipher = this.#writer();
		if (cipher) {
			const slot = blockMinutes ?? this.#settings?.slot;
			if (!slot) throw new Error('The event is not open yet');
			const before = beforeWrite && (() => beforeWrite(this.#changes(memberId, list, slot)));
			return applySealedMarks(this.doc, cipher, memberId, list, slot, before);
		}
		beforeWrite?.(this.#changes(memberId, list, blockMinutes ?? this.#settings?.slot ?? 15));
		return applyMarks(this.doc, memberId, list, blockMinutes);
	}

	/**
	 * Writes undo's or redo's marks back as one stroke: quarter-hours in a
	 * stroke log (see {@link #changes}), blocks in an older event's map.
	 */
	writeBack(memberId: string, marks: Map<string, Mark>): Promise<number> {
		return this.paintMarks(memberId, marks, undefined, this.#quarterly(memberId) ? 15 : undefined);
	}

	/** The member's marks are a stroke log (v3 and later), read by quarter-hour. */
	#quarterly(memberId: string): boolean {
		return availabilityMap(this.doc).get(memberId) instanceof Y.Text;
	}

	/** Applies one stroke, every slot set to `mark`; see {@link paintMarks}. */
	paint(
		memberId: string,
		slots: Iterable<string>,
		mark: Mark,
		beforeWrite?: (changes: SlotChange[]) => void
	): Promise<number> {
		return this.paintMarks(
			memberId,
			[...slots].map((slot) => [slot, mark] as const),
			beforeWrite
		);
	}

	/**
	 * A member's marks as the document holds them now (a private event's
	 * frames as opened so far; a write waits until all have). What is shown
	 * can lag this while a frame that just opened is read again.
	 */
	marksNow(memberId: string): Map<string, Level> {
		return this.#marksOf(memberId);
	}

	/**
	 * Each slot's mark now and as `marks` (blocks of `blockMinutes`) will set
	 * it: in a stroke log, each of the block's quarter-hours, which can differ
	 * after the block length changed (model/stroke-history.ts, blockQuarters).
	 */
	#changes(memberId: string, marks: readonly (readonly [string, Mark])[], blockMinutes: number): SlotChange[] {
		const now = this.#marksOf(memberId);
		const quarterly = this.#quarterly(memberId);
		const out: SlotChange[] = [];
		for (const [slot, mark] of marks)
			for (const key of quarterly ? blockQuarters(slot, blockMinutes) : [slot])
				out.push([key, now.get(key) ?? 0, mark]);
		return out;
	}
}

/**
 * Undo and redo of one member's own strokes on this device, as marks
 * (model/stroke-history.ts): undoing writes the marks back as a new stroke,
 * so the member's log can be folded during the visit without taking undo
 * away. Steps are cut by hand (`record`'s `continues`), not by time: the two
 * taps of a range are one step however long apart they are.
 */
export class UndoState {
	readonly #history = new StrokeHistory();
	readonly #event: EventState;
	readonly #memberId: string;
	/** Bumped on every change of the stacks, so `canUndo`/`canRedo` are read again. */
	#version = $state(0);

	constructor(event: EventState, memberId: string) {
		this.#event = event;
		this.#memberId = memberId;
	}

	get canUndo(): boolean {
		void this.#version;
		return this.#history.canUndo;
	}

	get canRedo(): boolean {
		void this.#version;
		return this.#history.canRedo;
	}

	/** Records a stroke as it is written; one that `continues` joins the last step. */
	record(changes: readonly SlotChange[], continues: boolean): void {
		this.#history.record(changes, continues);
		this.#version++;
	}

	/** Takes the last step off the undo stack: the marks that take it back, to write as one stroke. */
	takeUndo(): Map<string, Mark> | null {
		const marks = this.#history.undo(this.#current());
		this.#version++;
		return marks;
	}

	/** Takes the last undone step back onto the undo stack: the marks that do it again. */
	takeRedo(): Map<string, Mark> | null {
		const marks = this.#history.redo(this.#current());
		this.#version++;
		return marks;
	}

	/** Forgets every step (the grid's blocks changed). */
	clear(): void {
		this.#history.clear();
		this.#version++;
	}

	#current(): CurrentMark {
		const marks = this.#event.marksNow(this.#memberId);
		return (slot) => marks.get(slot) ?? 0;
	}
}
