/**
 * Reactive view of an event document for components: runes kept current by
 * the document's observers; methods write through the model in one
 * transaction each.
 */
import { createSubscriber, SvelteMap } from 'svelte/reactivity';
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
	applyStroke,
	applyMarks,
	availabilityMap,
	buildGrid,
	joinEvent,
	readMarks,
	readMembers,
	eventMap,
	membersMap,
	readSettings,
	STROKE_ORIGIN,
	type EventDraft,
	type EventSettings,
	type Grid,
	type Level,
	type Mark,
	type Member
} from '../model/index.js';

/**
 * The event document as runes, kept current by the document's own observers:
 * each part (settings, members, marks) is written only when that part
 * changes, and a remote stroke re-reads only the member whose marks changed,
 * so views that read settings, the grid or other members are not woken
 * (re-reading them cost milliseconds per stroke; docs/BENCHMARKS.md).
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
	readonly #stop: () => void;

	constructor(doc: Y.Doc) {
		this.doc = doc;
		const event = eventMap(doc);
		const members = membersMap(doc);
		const availability = availabilityMap(doc);
		this.#readEvent();
		this.#readMembers();
		const onEvent = () => this.#readEvent();
		// A member and their marks usually arrive in one transaction (joining, or
		// loading the stored copy): the members observer runs first and reads the
		// new members' marks, so the marks observer need not read them again.
		let readWith: { transaction: Y.Transaction; ids: Set<string> } | null = null;
		const onMembers = (e: Y.YMapEvent<Member>) => {
			readWith = { transaction: e.transaction, ids: this.#readMembers() };
		};
		const onMarks = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
			const alreadyRead = readWith?.transaction === events[0]?.transaction ? readWith.ids : null;
			const changed = new Set<string>();
			for (const e of events) {
				if (e.target === availability) for (const id of (e as Y.YMapEvent<unknown>).keysChanged) changed.add(id);
				else if (e.path.length) changed.add(String(e.path[0]));
			}
			for (const id of changed)
				if (this.#members.has(id) && !alreadyRead?.has(id)) this.#availability.set(id, readMarks(doc, id));
		};
		event.observe(onEvent);
		members.observe(onMembers);
		availability.observeDeep(onMarks);
		this.#stop = () => {
			event.unobserve(onEvent);
			members.unobserve(onMembers);
			availability.unobserveDeep(onMarks);
		};
	}

	/** Stops following the document (the page is gone; the document may live on a moment for the next one). */
	destroy(): void {
		this.#stop();
	}

	#readEvent(): void {
		this.#settings = readSettings(this.doc);
		// Stroke logs place their marks from the creation day: should it arrive after some marks, they move.
		const createdAt = eventMap(this.doc).get('createdAt');
		if (createdAt !== this.#createdAt) {
			this.#createdAt = createdAt;
			for (const id of this.#availability.keys())
				if (availabilityMap(this.doc).get(id) instanceof Y.Text) this.#availability.set(id, readMarks(this.doc, id));
		}
		this.#locked = isLocked(this.doc);
		this.#deleted = isDeleted(this.doc);
		this.#decision = readDecision(this.doc);
	}

	/** Reads the members, and the marks of members new here; returns the ids whose marks it read. */
	#readMembers(): Set<string> {
		const members = readMembers(this.doc);
		this.#members = members;
		const read = new Set<string>();
		for (const id of this.#availability.keys()) if (!members.has(id)) this.#availability.delete(id);
		for (const id of members.keys()) {
			if (this.#availability.has(id)) continue;
			this.#availability.set(id, readMarks(this.doc, id));
			read.add(id);
		}
		return read;
	}

	/** The settings, or `null` while no event is in the document. */
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

	/** Organizer: decides a time, or takes the decision back with `null`. */
	decide(decision: Decision | null): void {
		setDecision(this.doc, decision);
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
	join(name: string, memberId: string): string {
		return joinEvent(this.doc, name, Date.now(), memberId);
	}

	/** Organizer: removes a member and their marks. */
	removeMember(memberId: string): void {
		removeMember(this.doc, memberId);
	}

	/** Renames a member. */
	renameMember(memberId: string, name: string): void {
		renameMember(this.doc, memberId, name);
	}

	/** Organizer: changes title, days, window, block length or zone; marks are kept. */
	updateSettings(draft: EventDraft): void {
		updateSettings(this.doc, draft);
	}

	/** Organizer: closes or reopens the event to new members. */
	setLocked(locked: boolean): void {
		setLocked(this.doc, locked);
	}

	/** Applies marks that differ per slot as one stroke (one undo step). */
	paintMarks(memberId: string, marks: Iterable<readonly [string, Mark]>): number {
		return applyMarks(this.doc, memberId, marks);
	}

	/** Applies one stroke (one transaction, one undo step). */
	paint(memberId: string, slots: Iterable<string>, mark: Mark): number {
		return applyStroke(this.doc, memberId, slots, mark);
	}
}

/** Undo and redo of one member's own strokes on this device. */
export class UndoState {
	readonly #manager: Y.UndoManager;
	readonly #subscribe: () => void;

	constructor(doc: Y.Doc, memberId: string) {
		const marks = availabilityMap(doc).get(memberId);
		if (!marks) throw new Error(`Member ${memberId} has not joined this event`);
		// Only this device's strokes are tracked; a peer's edits are never undone here.
		// Steps are cut by hand (`separate`), not by time: the two taps of a
		// range are one step however long apart they are.
		this.#manager = new Y.UndoManager(marks, {
			trackedOrigins: new Set([STROKE_ORIGIN]),
			captureTimeout: Number.MAX_SAFE_INTEGER
		});
		const manager = this.#manager;
		this.#subscribe = createSubscriber((update) => {
			const events = ['stack-item-added', 'stack-item-popped', 'stack-cleared'] as const;
			for (const e of events) manager.on(e, update);
			return () => events.forEach((e) => manager.off(e, update));
		});
	}

	get canUndo(): boolean {
		this.#subscribe();
		return this.#manager.canUndo();
	}

	get canRedo(): boolean {
		this.#subscribe();
		return this.#manager.canRedo();
	}

	/** Makes the next stroke a step of its own (otherwise it joins the last one). */
	separate() {
		this.#manager.stopCapturing();
	}

	undo() {
		this.#manager.undo();
	}

	redo() {
		this.#manager.redo();
	}

	destroy() {
		this.#manager.destroy();
	}
}
