/**
 * Creating an event on this device: a private one (schema v4), whose key
 * exists only here and in the link this returns.
 */
import { importEventKey, newEventKey } from '../model/event-crypto.js';
import { newEventId } from '../model/ids.js';
import { createSealedEvent, EventCipher } from '../model/sealed-event.js';
import type { EventDraft } from '../model/settings.js';
import { rememberEvent } from '../device/events.js';
import { saveEventKey } from '../device/secrets.js';
import { requestPersistence } from '../device/storage.js';
import { acquireEvent, releaseEvent } from '../sync/session.js';

/**
 * Creates a private event from `draft` as its organizer: a new key, the
 * settings sealed with it, the key kept on this device, and the copy stored
 * here. Resolves to the event's path with the key after `#`.
 */
export async function createPrivateEvent(draft: EventDraft): Promise<string> {
	const id = newEventId();
	const key = newEventKey();
	const cipher = new EventCipher(await importEventKey(key, id));
	const session = acquireEvent(id);
	try {
		// The first writer of the settings becomes the organizer at the relay.
		await session.access.becomeOrganizer();
		await createSealedEvent(session.doc, cipher, draft, Date.now());
		await saveEventKey(id, key);
		rememberEvent({ id, title: draft.title.trim(), organizer: true });
		void requestPersistence();
		await session.localReady;
		return `/e/${id}#${key}`;
	} finally {
		releaseEvent(session);
	}
}
