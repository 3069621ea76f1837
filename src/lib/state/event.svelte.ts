/**
 * Reactive view of an event document for components. Getters read the Y
 * types (cached per document version); methods write through the model in
 * one transaction each.
 */
import { createSubscriber } from 'svelte/reactivity';
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

/** A subscription (for getters) to changes anywhere inside `type`. */
function subscribeTo(type: Y.AbstractType<any>): () => void {
	return createSubscriber((update) => {
		const observer = () => update();
		type.observeDeep(observer);
		return () => type.unobserveDeep(observer);
	});
}

export class EventState {
	readonly doc: Y.Doc;
	// One subscription per part of the document: a remote stroke wakes only
	// what reads marks, not every view that reads the settings or the grid
	// (invalidating those alone cost milliseconds per stroke).
	readonly #subscribeSettings: () => void;
	readonly #subscribeMembers: () => void;
	readonly #subscribeMarks: () => void;
	// What changed is known from each part's own observer, so a remote stroke
	// re-reads one member's marks and hands every other value on unchanged
	// (the same object), and views that depend on them are left alone.
	#settingsVersion = 0;
	#membersVersion = 0;
	#marksVersion = 0;
	/** Members whose marks changed since `availability` was last read. */
	readonly #changedMarks = new Set<string>();
	/** Each member's marks as last read. */
	readonly #marks = new Map<string, Map<string, Level>>();
	#settings: { version: number; value: EventSettings | null } = { version: -1, value: null };
	#grid: { key: string; value: Grid | null } = { key: '', value: null };
	#members: { version: number; value: Map<string, Member> } = { version: -1, value: new Map() };
	#availability: { version: number; members: Map<string, Member> | null; value: Map<string, Map<string, Level>> } = {
		version: -1,
		members: null,
		value: new Map()
	};

	constructor(doc: Y.Doc) {
		this.doc = doc;
		// Versioning runs always (observers run before the update event), so a read outside any effect is never stale.
		eventMap(doc).observe(() => this.#settingsVersion++);
		membersMap(doc).observe(() => this.#membersVersion++);
		const availability = availabilityMap(doc);
		availability.observeDeep((events) => {
			this.#marksVersion++;
			for (const e of events) {
				if (e.target === availability) {
					for (const id of (e as Y.YMapEvent<unknown>).keysChanged) this.#changedMarks.add(id);
				} else if (e.path.length) {
					this.#changedMarks.add(String(e.path[0]));
				}
			}
		});
		this.#subscribeSettings = subscribeTo(eventMap(doc));
		this.#subscribeMembers = subscribeTo(membersMap(doc));
		this.#subscribeMarks = subscribeTo(availability);
	}

	/** The settings, or `null` while no event is in the document. */
	get settings(): EventSettings | null {
		this.#subscribeSettings();
		if (this.#settings.version !== this.#settingsVersion)
			this.#settings = { version: this.#settingsVersion, value: readSettings(this.doc) };
		return this.#settings.value;
	}

	/** The organizer closed the event to new members. */
	get locked(): boolean {
		this.#subscribeSettings();
		return isLocked(this.doc);
	}

	/** The organizer deleted the event for everyone. */
	get deleted(): boolean {
		this.#subscribeSettings();
		return isDeleted(this.doc);
	}

	/** Organizer: deletes the event for everyone, or restores it. */
	setDeleted(deleted: boolean): void {
		setDeleted(this.doc, deleted);
	}

	/** The organizer's decided time, or `null`. */
	get decision(): Decision | null {
		this.#subscribeSettings();
		return readDecision(this.doc);
	}

	/** Organizer: decides a time, or takes the decision back with `null`. */
	decide(decision: Decision | null): void {
		setDecision(this.doc, decision);
	}

	/** The grid derived from the settings; recomputed only when they change. */
	get grid(): Grid | null {
		const s = this.settings;
		const key = s ? JSON.stringify([s.kind, s.dates, s.weekdays, s.start, s.end, s.slot, s.tz]) : '';
		if (this.#grid.key !== key) this.#grid = { key, value: s ? buildGrid(s) : null };
		return this.#grid.value;
	}

	/** Members by id (the same map until members change). */
	get members(): Map<string, Member> {
		this.#subscribeMembers();
		if (this.#members.version !== this.#membersVersion)
			this.#members = { version: this.#membersVersion, value: readMembers(this.doc) };
		return this.#members.value;
	}

	/**
	 * Every current member's marks, by member id. A new map whenever anything
	 * changed, but each member's own map stays the same object until their
	 * marks change.
	 */
	get availability(): Map<string, Map<string, Level>> {
		this.#subscribeMarks();
		const members = this.members;
		const current = this.#availability;
		if (current.version === this.#marksVersion && current.members === members) return current.value;
		const value = new Map<string, Map<string, Level>>();
		for (const id of members.keys()) {
			let marks = this.#marks.get(id);
			if (!marks || this.#changedMarks.has(id)) this.#marks.set(id, (marks = readMarks(this.doc, id)));
			value.set(id, marks);
		}
		for (const id of this.#marks.keys()) if (!members.has(id)) this.#marks.delete(id);
		this.#changedMarks.clear();
		this.#availability = { version: this.#marksVersion, members, value };
		return value;
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
		this.#manager = new Y.UndoManager(marks, { trackedOrigins: new Set([STROKE_ORIGIN]), captureTimeout: 0 });
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
