/**
 * Binding Yjs client ids to the writers that use them.
 *
 * Yjs names every item by (client id, clock), and every replica ignores an
 * item whose id it already has. A member who wrote items into their own
 * entry under another member's client id, at clocks that member has not
 * reached yet, would make every replica ignore that member's next writes.
 * So the relay binds each client id in a room to whoever first wrote with
 * it — stored with the room; with several relays the first write anywhere
 * wins — and refuses new content under an id bound to someone else.
 *
 * An id is bound to everyone its first writer proved to be: a member, the
 * organizer, or both (the organizer's device writes settings and its own
 * marks under one id). Later, a connection may write under it if it proves
 * any of them: every device of a member proves that member, and the
 * organizer's device still may after "Not you?" drops its member.
 * Presence announces a device's id before it writes: the relay binds the
 * ids a writer's presence announces first, before forwarding it, and the app
 * takes a fresh id (document and presence together) whenever it starts
 * writing as someone else (src/lib/sync/access.ts), so nobody learns a
 * writer's id before it is bound. Ids written before binding
 * existed are bound by the next writer that uses them.
 */
import type { Writer } from '../src/lib/model/write-check.js';

/** Most client ids one connection may bind: a device's offline sessions each wrote under their own. */
export const MAX_BINDINGS_PER_CONNECTION = 64;

/**
 * The owner new client ids of `writer` are bound to: everyone it proves to
 * be (`member:<id>`, `organizer`, or both, space-separated); `null` for a
 * reader, who writes nothing.
 */
export function ownerOf(writer: Writer): string | null {
	const parts = [];
	if (writer.organizer) parts.push('organizer');
	if (writer.memberId !== null) parts.push(`member:${writer.memberId}`);
	return parts.length ? parts.join(' ') : null;
}

/** Whether `writer` may write under a client id bound to `owner`: it proves to be one of its parts. */
export function mayWriteAs(writer: Writer, owner: string): boolean {
	return owner
		.split(' ')
		.some((part) => (part === 'organizer' ? writer.organizer : part === `member:${writer.memberId}`));
}
