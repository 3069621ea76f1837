/**
 * The event page's logic, so its views only show and forward: the open
 * session, who I am here (join, continue as, PIN recovery, "not me"), what
 * the home list remembers of the event, undo and its keys, the zone the grid
 * is shown in, sharing, the decision and a reset after a refusal.
 *
 * Made once per page (the view is keyed on the event id) during component
 * initialisation: its effects live and end with that component.
 */
import { untrack } from 'svelte';
import { SvelteSet } from 'svelte/reactivity';
import {
	sameZone,
	CLOSE_NEEDS_NEWER_APP,
	CLOSE_NOT_AUTHENTICATED,
	decisionFromSlots,
	decisionSlots,
	gridInZone,
	needsNewerApp,
	newMemberId,
	type EventDraft,
	type Grid,
	type Level,
	type Mark,
	type MemberMarks
} from '../model/index.js';
import { recoverWithPin, type PinResult } from '../api/pins.js';
import { describeEvent, myMemberId, rememberEvent, setMyMemberId, type EventListing } from '../device/events.js';
import { eventKey, membersWithSecrets, organizerSecret, saveEventKey } from '../device/secrets.js';
import { importEventKey, isEventKey } from '../model/event-crypto.js';
import { EventCipher } from '../model/sealed-event.js';
import { requestPersistence } from '../device/storage.js';
import { m } from '../paraglide/messages.js';
import { acquireEvent, foldLog, releaseEvent, resetLocalCopy, type EventSession } from '../sync/session.js';
import { Clipboard } from './clipboard.svelte.js';
import { EventState, UndoState } from './event.svelte.js';
import { StorageStatus } from './storage-status.svelte.js';
import { Presence, SyncStatus } from './sync.svelte.js';

/** Whose clock the grid is shown in: the viewer's, or the event's zone. */
export type TimeMode = 'mine' | 'event';

/** The event page of one event on this device. */
export class EventPageController {
	readonly id: string;
	readonly session: EventSession;
	readonly event: EventState;
	readonly sync: SyncStatus;
	readonly presence: Presence;
	readonly storage = new StorageStatus();
	readonly clipboard = new Clipboard();
	/** The key this page reads a private event with: from the link, or kept on this device. */
	#key = $state<string | null>(null);
	/** The key in the address this page was opened with, if it holds a well-formed one. */
	readonly #keyInLink: string | null;
	/**
	 * Looking for a key (in the link, then on this device) has finished; until
	 * then a private event without one shows "Opening…", not "missing its key".
	 */
	keyChecked = $state(false);
	/** This browser cannot open sealed values: WebCrypto exists only on https (and localhost). */
	readonly cryptoUnavailable = !globalThis.crypto?.subtle;
	/** The viewer's own zone; the grid is shown in it unless they switch to the event's. */
	readonly myZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
	readonly canShare = typeof navigator.share === 'function';
	/** A touch screen: painting is tap–tap, and the hint says so. */
	readonly touch = typeof matchMedia === 'function' && matchMedia('(pointer: coarse)').matches;

	/** The copy stored on this device has been read (or found empty). */
	localLoaded = $state(false);
	/** Something was changed here this visit: now there is something to lose. */
	edited = $state(false);
	/** This device holds the organizer secret. */
	organizer = $state(false);
	timeMode = $state<TimeMode>('mine');
	/** The level painting applies. */
	brush = $state<Level>(1);
	/** Marks a fill from my week or a calendar would write, previewed on my grid. */
	proposal = $state.raw<Map<string, Mark> | null>(null);
	/** Undo of my own strokes, once I am a member here. */
	undo = $state.raw<UndoState | null>(null);
	/** "Reset to the relay's copy" is under way (the page reloads after). */
	resetting = $state(false);

	/** Compaction of my log was considered this visit, on open (foldLog). */
	#compactTried = false;
	/** Folds my log a moment after my last stroke (#write). */
	#foldTimer: ReturnType<typeof setTimeout> | undefined;
	#folding = false;
	#destroyed = false;
	/** The last stroke asked for: a private event's is sealed before it is written, and undo waits for it. */
	#lastWrite: Promise<unknown> = Promise.resolve();
	/** After the link's key did not open the event, the kept one has been tried too. */
	#keptTried = $state(false);
	/** Who this device last acted as here (may not be a member any more). */
	#myId = $state<string | null>(null);
	/** Members this device holds a write secret for: it can act as them. `null` until read. */
	#actable = $state.raw<SvelteSet<string> | null>(null);

	readonly settings = $derived.by(() => this.event.settings);
	/** Whether this device can read the event (see `KeyState`). */
	readonly keyState = $derived.by(() => this.event.keyState);
	/**
	 * A private event that is still being opened: the key is being looked for,
	 * or its values are being opened. The page says "Opening…", not "not found".
	 */
	readonly opening = $derived.by(
		() =>
			this.event.private &&
			!this.settings &&
			(!this.keyChecked || this.keyState === 'ok' || (this.keyState === 'bad' && !this.#keptTried))
	);
	/** No key this device has opens the event: the link's (and the kept one, if any) did not. */
	readonly badKey = $derived.by(() => this.keyState === 'bad' && this.#keptTried);
	/** The link without its key: for places that send it to someone else's server (Google Calendar). */
	readonly keylessLink: string;
	/**
	 * The link people share (the page's own address, without any query): with
	 * the key after `#` for a private event, which browsers never send to a server.
	 */
	readonly link = $derived.by(() =>
		this.event.private && this.#key ? `${this.keylessLink}#${this.#key}` : this.keylessLink
	);
	readonly grid = $derived.by(() => this.event.grid);
	readonly members = $derived.by(() => this.event.members);
	readonly decision = $derived.by(() => this.event.decision);
	readonly status = $derived.by(() => this.sync.current);
	/** The event is in another zone than the viewer's. */
	readonly otherZone = $derived.by(() => !!this.settings && !sameZone(this.settings.tz, this.myZone));
	/** Dated events can be shown in the viewer's zone; weekly ones stay in theirs. */
	readonly convertible = $derived.by(() => this.otherZone && this.settings?.kind === 'dates');
	readonly shownZone = $derived.by(() =>
		this.convertible && this.timeMode === 'mine' ? this.myZone : (this.settings?.tz ?? this.myZone)
	);
	/** The decided time's blocks, for the heatmap to outline. */
	readonly decidedSlots: ReadonlySet<string> | null = $derived.by(() =>
		this.decision && this.settings ? new Set(decisionSlots(this.decision, this.settings.slot)) : null
	);
	readonly shownGrid: Grid | null = $derived.by(() => this.grid && gridInZone(this.grid, this.shownZone));
	/** Me, if I am a member this device can write as. */
	readonly me = $derived.by(() => {
		const id = this.#myId;
		return id && this.members.has(id) && (this.#actable === null || this.#actable.has(id)) ? id : null;
	});
	/**
	 * This device had joined as someone the event no longer has: the
	 * organizer removed them (a member's entry is gone from the document
	 * only then). The page says so instead of silently asking who this is.
	 */
	readonly removed = $derived.by(() => !!this.#myId && !!this.settings && !this.members.has(this.#myId));
	/**
	 * The event was made by a newer Moim (its `v`, or the relay closed us for it
	 * before we had the event): the page offers the update and shows nothing it cannot read.
	 */
	readonly needsNewerApp = $derived.by(
		() => (!!this.settings && needsNewerApp(this.settings)) || this.status.refusal?.code === CLOSE_NEEDS_NEWER_APP
	);
	/** Members "Continue as" offers: those this device holds a secret for. */
	readonly pickable = $derived.by(() => new Map([...this.members].filter(([id]) => this.#actable?.has(id))));
	/** Members known only elsewhere (recoverable with a PIN). */
	readonly elsewhere = $derived.by(
		() => new Map([...this.members].filter(([id]) => this.#actable && !this.#actable.has(id)))
	);
	readonly myName = $derived.by(() => (this.me ? (this.members.get(this.me)?.name ?? '') : ''));
	readonly mine: MemberMarks = $derived.by(() => (this.me && this.event.availability.get(this.me)) || new Map());
	/**
	 * Other people here now, named from the members: a private event's
	 * devices announce only their member id, so names never cross the relay.
	 */
	readonly others = $derived.by(() =>
		this.presence.others
			.map((user) => ({ ...user, name: (user.memberId && this.members.get(user.memberId)?.name) || user.name }))
			.filter((user) => user.name !== '')
	);

	constructor(id: string) {
		this.id = id;
		this.keylessLink = `${location.origin}/e/${id}`;
		this.session = acquireEvent(id);
		this.event = new EventState(this.session.doc);
		this.sync = new SyncStatus(this.session.sync);
		this.presence = new Presence(this.session.relay.awareness);
		this.#keyInLink = keyInLink(location.hash);
		void this.#openWithKey().catch(writeFailed);
		this.#myId = myMemberId(id);
		this.session.localReady.then(() => (this.localLoaded = true));
		organizerSecret(id).then((secret) => (this.organizer = secret !== null));
		membersWithSecrets(id).then((ids) => (this.#actable = new SvelteSet(ids)));

		$effect(() => () => {
			this.#destroyed = true;
			clearTimeout(this.#foldTimer);
			this.event.destroy();
			releaseEvent(this.session);
		});
		$effect(() => {
			const me = this.me;
			if (!me) return;
			this.undo = new UndoState(this.event, me);
			return () => (this.undo = null);
		});
		// Once on open (and again after strokes, #write): a long log of mine is folded into one record.
		$effect(() => {
			const me = this.me;
			const cipher = this.event.cipher;
			if (!me || this.#compactTried || (this.event.private && !cipher)) return;
			this.#compactTried = true;
			untrack(() => this.#fold());
		});
		// An older event's undo steps name blocks: once their length changes, they no longer mean the same
		// times (a stroke log's name quarter-hours, which always do; the rare change clears both alike).
		let blockMinutes = this.event.settings?.slot;
		$effect(() => {
			const now = this.event.settings?.slot;
			if (now === blockMinutes || now === undefined) return;
			const changed = blockMinutes !== undefined;
			blockMinutes = now;
			if (changed) untrack(() => this.undo?.clear());
		});
		$effect(() => {
			this.presence.announce(this.me ? { memberId: this.me, name: this.event.private ? '' : this.myName } : null);
		});
		let triedKept = false;
		$effect(() => {
			if (this.keyState !== 'bad' || triedKept) return;
			triedKept = true;
			if (!this.#keyInLink) this.#keptTried = true;
			else
				void this.#tryKeptKey()
					.catch(writeFailed)
					.finally(() => (this.#keptTried = true));
		});
		// A key from the link is kept once it has opened the event, so the home list's link opens it too.
		$effect(() => {
			const key = this.#keyInLink;
			// Only the link's own key, once it is the one that opened the event (not a kept one standing in).
			if (key && this.#key === key && this.keyState === 'ok' && this.settings) void saveEventKey(id, key);
		});
		// Another key pasted into the address bar: read the event with it from the start.
		$effect(() => {
			const changed = () => {
				const key = keyInLink(location.hash);
				if (key && key !== this.#key) location.reload();
			};
			addEventListener('hashchange', changed);
			return () => removeEventListener('hashchange', changed);
		});
		// The home list: the title as soon as it is known, and what it lists and
		// searches whenever that changes (a string, so a stroke that changes
		// nothing listed writes nothing).
		$effect(() => {
			const title = this.settings?.title;
			if (title !== undefined) rememberEvent({ id, title });
		});
		const listing = $derived.by(() => this.#listing());
		$effect(() => {
			if (listing) describeEvent(id, JSON.parse(listing));
		});
	}

	#listing(): string | null {
		const settings = this.settings;
		if (!settings) return null;
		const { dates } = settings;
		const value: EventListing = {
			title: settings.title,
			kind: settings.kind,
			dates: dates.length ? { first: dates[0], last: dates[dates.length - 1], count: dates.length } : undefined,
			weekdays: settings.weekdays,
			start: settings.start,
			end: settings.end,
			myName: this.me ? this.myName : undefined,
			marked: this.me ? this.mine.size > 0 : undefined,
			members: [...this.members.values()].map((member) => member.name),
			deleted: this.event.deleted
		};
		return JSON.stringify(value);
	}

	/** Reads a private event with the link's key, or with the one kept on this device. */
	async #openWithKey(): Promise<void> {
		try {
			const key = this.#keyInLink ?? (await eventKey(this.id));
			if (key) await this.#attachKey(key);
		} finally {
			this.keyChecked = true;
		}
	}

	async #attachKey(key: string): Promise<void> {
		if (this.cryptoUnavailable) return;
		const cipher = new EventCipher(await importEventKey(key, this.id));
		this.#key = key;
		this.event.attach(cipher);
	}

	/** The link's key does not open the event: the one kept on this device may (a link cut or mistyped). */
	async #tryKeptKey(): Promise<void> {
		const kept = await eventKey(this.id);
		if (kept && kept !== this.#key) await this.#attachKey(kept);
	}

	#changed(): void {
		this.edited = true;
		void requestPersistence();
	}

	#canAct(memberId: string): void {
		if (this.#actable) this.#actable.add(memberId);
		else this.#actable = new SvelteSet([memberId]);
	}

	/** Joins as a new member named `name`. */
	async join(name: string): Promise<void> {
		const memberId = newMemberId();
		// The connection must present the new member before its first write.
		await this.session.access.actAs(memberId, true);
		await this.event.join(name, memberId);
		setMyMemberId(this.id, memberId);
		this.#canAct(memberId);
		this.#myId = memberId;
		this.#changed();
	}

	/** Continues as a member this device holds a secret for. */
	async pick(memberId: string): Promise<void> {
		if (!(await this.session.access.actAs(memberId, false))) return;
		setMyMemberId(this.id, memberId);
		this.#myId = memberId;
	}

	/** Continues as a member known on another device, with their PIN. */
	async recover(memberId: string, pin: string): Promise<PinResult> {
		const result = await recoverWithPin(this.id, memberId, pin);
		if (!result.ok) return result;
		this.#canAct(memberId);
		await this.pick(memberId);
		return result;
	}

	/** "Not you?": this device stops acting as me, and reads only. */
	notMe(): void {
		setMyMemberId(this.id, null);
		this.session.access.readOnly();
		this.#myId = null;
	}

	/**
	 * Marks `slots` as `mark` in one stroke: one undo step, or part of the
	 * last one when it `continues` it (a range finished by a second tap).
	 */
	paint(slots: string[], mark: Mark, continues = false): void {
		const me = this.me;
		if (!me) return;
		const undo = this.undo;
		// The step is recorded as the stroke is written: a private event's is sealed first.
		this.#write(() => this.event.paint(me, slots, mark, (changes) => undo?.record(changes, continues)));
		this.#changed();
	}

	/** Applies a previewed fill (from my week or a calendar) as one stroke. */
	applyFill(marks: Map<string, Mark>): void {
		const me = this.me;
		if (!me) return;
		const undo = this.undo;
		this.#write(() => this.event.paintMarks(me, marks, (changes) => undo?.record(changes, false)));
		this.#changed();
	}

	/**
	 * Runs a write of my marks after every one asked for before it (undo must
	 * see the strokes before it written), then folds my log once I stop.
	 */
	#write(write: () => Promise<unknown>): void {
		this.#lastWrite = this.#lastWrite.then(write).catch(writeFailed);
		clearTimeout(this.#foldTimer);
		this.#foldTimer = setTimeout(() => this.#fold(), FOLD_AFTER_MS);
	}

	/** Folds my log if it has grown long (foldLog), never two folds at once. */
	#fold(): void {
		const me = this.me;
		if (!me || this.#destroyed) return;
		if (this.#folding) {
			this.#foldTimer = setTimeout(() => this.#fold(), FOLD_AFTER_MS);
			return;
		}
		this.#folding = true;
		void foldLog(this.session, me, this.event.cipher)
			.catch(writeFailed)
			.finally(() => (this.#folding = false));
	}

	/** Ctrl/Cmd+Z undoes, Ctrl/Cmd+Shift+Z or Ctrl+Y redoes, except while typing. */
	shortcut(e: KeyboardEvent): void {
		const undo = this.undo;
		if (!undo || !(e.ctrlKey || e.metaKey)) return;
		const target = e.target as HTMLElement | null;
		if (target?.closest('input, textarea, select, [contenteditable]')) return;
		const key = e.key.toLowerCase();
		if (key === 'z' && !e.shiftKey) {
			e.preventDefault();
			this.undoStroke();
		} else if ((key === 'z' && e.shiftKey) || key === 'y') {
			e.preventDefault();
			this.redoStroke();
		}
	}

	/** Undoes my last stroke, once every stroke asked for is written (a private event's is sealed first). */
	undoStroke(): void {
		const me = this.me;
		const undo = this.undo;
		if (me && undo) this.#write(async () => this.#writeBack(me, undo.takeUndo()));
	}

	/** Redoes my last undone stroke, after the strokes asked for before it. */
	redoStroke(): void {
		const me = this.me;
		const undo = this.undo;
		if (me && undo) this.#write(async () => this.#writeBack(me, undo.takeRedo()));
	}

	/** Writes undo's or redo's marks as one stroke (not an undo step of its own). */
	#writeBack(me: string, marks: Map<string, Mark> | null): Promise<number> | number {
		return marks?.size ? this.event.writeBack(me, marks) : 0;
	}

	/** Opens the system share sheet with the link. */
	async share(): Promise<void> {
		const title = this.settings?.title ?? '';
		try {
			await navigator.share({ title, text: m.event_shareText({ title }), url: this.link });
		} catch {
			// Dismissed by the person, or refused: nothing to report.
		}
	}

	/** Organizer: takes the decision back. */
	undecide(): void {
		void this.event.decide(null).catch(writeFailed);
	}

	/** Organizer: changes the settings; resolves once they are written (a private event's sealed first). */
	async editSettings(draft: EventDraft): Promise<void> {
		await this.event.updateSettings(draft).catch(writeFailed);
	}

	/** Renames a member (themselves, or anyone for the organizer). */
	rename(memberId: string, name: string): void {
		void this.event.renameMember(memberId, name).catch(writeFailed);
	}

	/** Organizer: decides on a run of slots (from best times or the grid). */
	decide(slots: string[]): void {
		if (!this.settings || !slots.length) return;
		void this.event.decide(decisionFromSlots(slots, this.settings.slot)).catch(writeFailed);
		scrollTo({ top: 0, behavior: 'smooth' });
	}

	/**
	 * After a refusal: drops this device's copy (and a refused identity, or a
	 * join into a full event) and starts over from the relay's.
	 */
	async reset(): Promise<void> {
		this.resetting = true;
		const refusal = this.status.refusal;
		const forget = refusal?.code === CLOSE_NOT_AUTHENTICATED || refusal?.reason === 'event-full';
		await resetLocalCopy(this.session, forget ? (this.session.access.memberId ?? this.#myId) : null);
		location.reload();
	}

	/** After a limit that passes with time (too many new events): connects again; a new refusal shows again. */
	retry(): void {
		this.session.relay.connect();
	}
}

/** The event key in a link's fragment (`#<key>`), or `null`. */
export function keyInLink(hash: string): string | null {
	const key = hash.startsWith('#') ? hash.slice(1) : hash;
	return isEventKey(key) ? key : null;
}

/**
 * A write that could not be made (a private event's value could not be
 * sealed). Nothing was written, so nothing is lost but the stroke; the
 * console keeps the reason for a bug report.
 */
/**
 * How long after my last stroke my log is folded, when it has grown long:
 * long enough not to fold in the middle of painting, short enough that a
 * visit of many strokes leaves a short log behind (docs/BENCHMARKS.md).
 */
const FOLD_AFTER_MS = 2_000;

function writeFailed(error: unknown): void {
	console.error('Moim: a change could not be written', error);
}
