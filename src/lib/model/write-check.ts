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
 *
 * The update is decoded (`Y.decodeUpdate`) and each inserted item is
 * resolved to its entry through its parent, or through its neighbours when
 * the encoding leaves the parent out, looking in the update itself and in
 * the document. Deletions are resolved the same way through the document;
 * deleting something the document does not have is refused, so nobody can
 * delete other people's future content in advance.
 */
import * as Y from 'yjs';
import { AVAILABILITY_KEY, EVENT_KEY, isLocked, MEMBERS_KEY } from './event-doc.js';

/** The writer of an update, as the relay authenticated it. */
export interface Writer {
	/** The member this connection proved to be, if any. */
	memberId: string | null;
	/** The connection proved to be the event's organizer. */
	organizer: boolean;
}

/** Why an update is refused (stable codes; the relay logs and sends them). */
export type WriteRefusal =
	| 'settings-need-organizer'
	| 'not-your-member-entry'
	| 'not-your-availability'
	| 'joining-locked'
	| 'unknown-entry'
	| 'unknown-deletion'
	| 'unresolvable-item';

/** The result of {@link checkUpdate}. */
export type WriteVerdict = { ok: true } | { ok: false; reason: WriteRefusal; detail: string };

interface Entry {
	root: string;
	key: string | null;
}

/** Checks whether `writer` may apply `update` to `doc`. Does not change `doc`. */
export function checkUpdate(doc: Y.Doc, update: Uint8Array, writer: Writer): WriteVerdict {
	const { structs, ds } = Y.decodeUpdate(update);
	const byClient = new Map<number, Y.Item[]>();
	for (const struct of structs) {
		if (!(struct instanceof Y.Item)) continue; // GC and Skip carry no content.
		let list = byClient.get(struct.id.client);
		if (!list) byClient.set(struct.id.client, (list = []));
		list.push(struct);
	}
	const resolved = new Map<Y.Item, Entry | null>();

	/** The item (from the update or the document) that contains `id`. */
	const find = (id: Y.ID): Y.Item | null => {
		const fromUpdate = byClient.get(id.client)?.find((s) => s.id.clock <= id.clock && id.clock < s.id.clock + s.length);
		if (fromUpdate) return fromUpdate;
		if (Y.getState(doc.store, id.client) <= id.clock) return null;
		const struct = Y.getItem(doc.store, id);
		return struct instanceof Y.Item ? struct : null;
	};

	/** The entry an item belongs to; `null` if it cannot be told. */
	const entryOf = (item: Y.Item, depth = 0): Entry | null => {
		if (resolved.has(item)) return resolved.get(item)!;
		if (depth > 10_000) return null;
		let entry: Entry | null = null;
		const parent = item.parent as Y.AbstractType<unknown> | Y.ID | string | null;
		if (typeof parent === 'string') {
			entry = { root: parent, key: item.parentSub };
		} else if (parent instanceof Y.AbstractType) {
			// An item integrated in the document.
			if (parent._item === null) entry = { root: Y.findRootTypeKey(parent), key: item.parentSub };
			else entry = entryOf(parent._item, depth + 1);
		} else if (parent instanceof Y.ID) {
			const owner = find(parent);
			entry = owner ? entryOf(owner, depth + 1) : null;
		} else {
			// Parent left out of the encoding: it is the parent of a neighbour.
			const neighbourId = item.origin ?? item.rightOrigin;
			const neighbour = neighbourId ? find(neighbourId) : null;
			entry = neighbour && neighbour !== item ? entryOf(neighbour, depth + 1) : null;
		}
		resolved.set(item, entry);
		return entry;
	};

	const members = doc.getMap(MEMBERS_KEY);
	const locked = isLocked(doc);

	const allowed = (entry: Entry, inserting: boolean): WriteVerdict => {
		const { root, key } = entry;
		const refuse = (reason: WriteRefusal): WriteVerdict => ({ ok: false, reason, detail: `${root}/${key ?? ''}` });
		if (key === null) return refuse('unknown-entry');
		if (root === EVENT_KEY) return writer.organizer ? { ok: true } : refuse('settings-need-organizer');
		if (root === MEMBERS_KEY) {
			if (writer.organizer) return { ok: true };
			if (key !== writer.memberId) return refuse('not-your-member-entry');
			if (inserting && locked && !members.has(key)) return refuse('joining-locked');
			return { ok: true };
		}
		if (root === AVAILABILITY_KEY) {
			return writer.organizer || key === writer.memberId ? { ok: true } : refuse('not-your-availability');
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
			const verdict = allowed(entry, true);
			if (!verdict.ok) return verdict;
		}
	}

	for (const [client, ranges] of ds.clients) {
		for (const { clock, len } of ranges) {
			for (let at = clock; at < clock + len; ) {
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
				const verdict = allowed(entry, false);
				if (!verdict.ok) return verdict;
				at = item.id.clock + item.length;
			}
		}
	}
	return { ok: true };
}

/** If the document holds `client:clock` as garbage-collected content, where that run ends. */
function collectedEnd(doc: Y.Doc, client: number, clock: number): number | null {
	if (Y.getState(doc.store, client) <= clock) return null;
	const structs = doc.store.clients.get(client);
	if (!structs) return null;
	const struct = structs[Y.findIndexSS(structs, clock)];
	return struct instanceof Y.GC ? struct.id.clock + struct.length : null;
}
