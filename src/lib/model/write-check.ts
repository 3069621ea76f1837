/**
 * Who may write what in an event document, checked on an encoded update
 * before it is applied (the relay does this for every client message).
 *
 * Every change lands under one *entry*: a key of a top-level map.
 * - `event/<setting>`: the organizer only.
 * - `members/<member id>`: that member (joining creates it), or the organizer.
 *   A new member needs joining to be open (`event/locked` is not `true`).
 * - `availability/<member id>` and everything inside it: that member, or the
 *   organizer (removing a member removes their marks).
 * Anything else (another top-level type, an array, text) is refused.
 * A personal document (my week, synced between one person's devices) takes
 * anything under `routines` from whoever holds its id, and nothing else.
 *
 * The update is decoded (`Y.decodeUpdate`) and each inserted item is
 * resolved to its entry through its parent, or through its neighbours when
 * the encoding leaves the parent out, looking in the update itself and in
 * the document. Deletions are resolved the same way through the document;
 * deleting something the document does not have is refused, so nobody can
 * delete other people's future content in advance, and deleting what it has
 * already deleted is let through (a reconnecting client's sync step 2 carries
 * its whole delete set, everyone's deletions included).
 */
import * as Y from 'yjs';
import { AVAILABILITY_KEY, EVENT_KEY, isLocked, MEMBERS_KEY } from './event-doc.js';
import { ROUTINES_KEY } from './routine.js';

/** The writer of an update, as the relay authenticated it. */
export interface Writer {
	/** The member this connection proved to be, if any. */
	memberId: string | null;
	/** The connection proved to be the event's organizer. */
	organizer: boolean;
	/** The room is a personal document, not an event (see ids.ts, `isPersonalRoomId`). */
	personal?: boolean;
}

/** Why an update is refused (stable codes; the relay logs and sends them). */
export type WriteRefusal =
	| 'settings-need-organizer'
	| 'not-your-member-entry'
	| 'not-your-availability'
	| 'joining-locked'
	| 'unknown-entry'
	| 'unknown-deletion'
	| 'unresolvable-item'
	| 'collected-content';

/**
 * The result of {@link checkUpdate}. `written`: the client ids the update
 * adds content under (items or collected ranges the document lacks), which
 * the relay binds to the writer.
 */
export type WriteVerdict = { ok: true; written: number[] } | { ok: false; reason: WriteRefusal; detail: string };
/** The refusal half of {@link WriteVerdict}. */
type Refusal = Extract<WriteVerdict, { ok: false }>;

interface Entry {
	root: string;
	key: string | null;
}

/** Checks whether `writer` may apply `update` to `doc`. Does not change `doc`. */
export function checkUpdate(doc: Y.Doc, update: Uint8Array, writer: Writer): WriteVerdict {
	const { structs, ds } = Y.decodeUpdate(update);
	const byClient = new Map<number, Y.Item[]>();
	const written = new Set<number>();
	for (const struct of structs) {
		if (struct instanceof Y.GC && struct.id.clock + struct.length > Y.getState(doc.store, struct.id.client)) {
			// Collected content has no parent to check, yet it takes clock ranges; only the organizer may send new ones.
			if (!writer.organizer && !writer.personal)
				return { ok: false, reason: 'collected-content', detail: `${struct.id.client}:${struct.id.clock}` };
			written.add(struct.id.client);
		}
		if (!(struct instanceof Y.Item)) continue; // Skip is a gap marker, not content.
		let list = byClient.get(struct.id.client);
		if (!list) byClient.set(struct.id.client, (list = []));
		list.push(struct);
	}
	const resolved = new Map<Y.Item, Entry | null>();

	/** The item (from the update or the document) that contains `id`. */
	const find = (id: Y.ID): Y.Item | null => {
		const fromUpdate = containing(byClient.get(id.client), id.clock);
		if (fromUpdate) return fromUpdate;
		if (Y.getState(doc.store, id.client) <= id.clock) return null;
		const struct = Y.getItem(doc.store, id);
		return struct instanceof Y.Item ? struct : null;
	};

	/**
	 * The entry an item belongs to; `null` if it cannot be told. Iterative:
	 * an offline session can send long chains of overwrites of one key, each
	 * item pointing at the one before; a forged update can even make a cycle.
	 */
	const entryOf = (start: Y.Item): Entry | null => {
		const chain: Y.Item[] = [];
		const seen = new Set<Y.Item>();
		let entry: Entry | null = null;
		for (let item: Y.Item | null = start; item;) {
			const known = resolved.get(item);
			if (known !== undefined) {
				entry = known;
				break;
			}
			if (seen.has(item)) break; // a cycle: nothing to resolve it by
			seen.add(item);
			chain.push(item);
			const parent = item.parent as Y.AbstractType<unknown> | Y.ID | string | null;
			if (typeof parent === 'string') {
				entry = { root: parent, key: item.parentSub };
				break;
			}
			if (parent instanceof Y.AbstractType) {
				// Integrated in the document: climb to the top-level map.
				if (parent._item === null) {
					entry = { root: Y.findRootTypeKey(parent), key: item.parentSub };
					break;
				}
				item = parent._item;
			} else if (parent instanceof Y.ID) {
				item = find(parent);
			} else {
				// Parent left out of the encoding: it is the parent of a neighbour.
				const neighbour: Y.ID | null = item.origin ?? item.rightOrigin;
				item = neighbour ? find(neighbour) : null;
			}
		}
		for (const item of chain) resolved.set(item, entry);
		return entry;
	};

	const members = doc.getMap(MEMBERS_KEY);
	const locked = isLocked(doc);

	/** Why `writer` may not change `entry`, or `null` when it may. */
	const refusal = (entry: Entry, inserting: boolean): Refusal | null => {
		const { root, key } = entry;
		const refuse = (reason: WriteRefusal): Refusal => ({ ok: false, reason, detail: `${root}/${key ?? ''}` });
		if (key === null) return refuse('unknown-entry');
		if (writer.personal) return root === ROUTINES_KEY ? null : refuse('unknown-entry');
		if (root === EVENT_KEY) return writer.organizer ? null : refuse('settings-need-organizer');
		if (root === MEMBERS_KEY) {
			if (writer.organizer) return null;
			if (key !== writer.memberId) return refuse('not-your-member-entry');
			if (inserting && locked && !members.has(key)) return refuse('joining-locked');
			return null;
		}
		if (root === AVAILABILITY_KEY) {
			return writer.organizer || key === writer.memberId ? null : refuse('not-your-availability');
		}
		return refuse('unknown-entry');
	};

	for (const [client, items] of byClient) {
		const known = Y.getState(doc.store, client);
		for (const item of items) {
			// Content the document already has is a no-op when applied (a re-send).
			if (item.id.clock + item.length <= known) continue;
			const entry = entryOf(item);
			if (!entry) return { ok: false, reason: 'unresolvable-item', detail: `${item.id.client}:${item.id.clock}` };
			const refused = refusal(entry, true);
			if (refused) return refused;
			written.add(client);
		}
	}

	for (const [client, ranges] of ds.clients) {
		for (const { clock, len } of ranges) {
			for (let at = clock; at < clock + len;) {
				// Deleting what the document already deleted is a no-op when applied: every sync
				// step 2 carries the sender's whole delete set, other people's deletions included.
				const done = deletedEnd(doc, client, at);
				if (done !== null) {
					at = done;
					continue;
				}
				const item = find(Y.createID(client, at));
				if (!item) {
					// Deleting garbage-collected content changes nothing; anything else unknown is refused.
					const end = collectedEnd(doc, client, at);
					if (end === null) return { ok: false, reason: 'unknown-deletion', detail: `${client}:${at}` };
					at = end;
					continue;
				}
				const entry = entryOf(item);
				if (!entry) return { ok: false, reason: 'unresolvable-item', detail: `${client}:${at}` };
				const refused = refusal(entry, false);
				if (refused) return refused;
				at = item.id.clock + item.length;
			}
		}
	}
	return { ok: true, written: [...written] };
}

/** The item of `items` (sorted by clock, as an update lists them) that contains `clock`. */
function containing(items: Y.Item[] | undefined, clock: number): Y.Item | null {
	if (!items) return null;
	let low = 0;
	let high = items.length - 1;
	while (low <= high) {
		const mid = (low + high) >> 1;
		const item = items[mid];
		if (clock < item.id.clock) high = mid - 1;
		else if (clock >= item.id.clock + item.length) low = mid + 1;
		else return item;
	}
	return null;
}

/** If the document holds `client:clock` in an item it has already deleted, where that item ends. */
function deletedEnd(doc: Y.Doc, client: number, clock: number): number | null {
	if (Y.getState(doc.store, client) <= clock) return null;
	const struct = Y.getItem(doc.store, Y.createID(client, clock));
	return struct instanceof Y.Item && struct.deleted ? struct.id.clock + struct.length : null;
}

/** If the document holds `client:clock` as garbage-collected content, where that run ends. */
function collectedEnd(doc: Y.Doc, client: number, clock: number): number | null {
	if (Y.getState(doc.store, client) <= clock) return null;
	const structs = doc.store.clients.get(client);
	if (!structs) return null;
	const struct = structs[Y.findIndexSS(structs, clock)];
	return struct instanceof Y.GC ? struct.id.clock + struct.length : null;
}
