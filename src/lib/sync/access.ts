/**
 * Who this device writes as in one event: the credentials its relay
 * connection presents (see sync-server/auth.ts). Without any it can read.
 * Changing who we are reconnects, so the relay checks the next writes
 * against the right member.
 */
import type { WebsocketProvider } from 'y-websocket';
import {
	credentialProtocols,
	PARAM_MEMBER,
	PARAM_MEMBER_SECRET,
	PARAM_ORGANIZER_SECRET
} from '../model/relay-protocol.js';
import { createMemberSecret, createOrganizerSecret, memberSecret, organizerSecret } from '../device/secrets.js';

export class EventAccess {
	readonly #provider: WebsocketProvider;
	readonly #eventId: string;
	#organizer: string | null = null;
	#member: { id: string; secret: string } | null = null;
	#started = false;
	#destroyed = false;
	/** Who the document's client id was bound to (see `renewClientId`). */
	#writer = '/';

	constructor(provider: WebsocketProvider, eventId: string) {
		this.#provider = provider;
		this.#eventId = eventId;
	}

	/** Loads this device's secrets for the event (as `memberId`, if known) and connects. */
	async start(memberId: string | null): Promise<void> {
		const [organizer, member] = await Promise.all([
			organizerSecret(this.#eventId),
			memberId ? memberSecret(this.#eventId, memberId) : Promise.resolve(null)
		]);
		// Anything set meanwhile (creating, joining) wins over what was stored.
		this.#organizer ??= organizer;
		if (!this.#member && memberId && member) this.#member = { id: memberId, secret: member };
		this.#started = true;
		this.#apply();
	}

	/** The member this connection writes as, if any. */
	get memberId(): string | null {
		return this.#member?.id ?? null;
	}

	/** Makes this device the organizer of the event it is creating. */
	async becomeOrganizer(): Promise<void> {
		this.#organizer = await createOrganizerSecret(this.#eventId);
		this.#apply();
	}

	/**
	 * Writes as `memberId` from now on. `join`: a new member, so make its
	 * secret; otherwise use the one held here. Returns false if this device
	 * holds no secret for that member.
	 */
	async actAs(memberId: string, join: boolean): Promise<boolean> {
		const secret = join
			? await createMemberSecret(this.#eventId, memberId)
			: await memberSecret(this.#eventId, memberId);
		if (!secret) return false;
		this.#member = { id: memberId, secret };
		this.#apply();
		return true;
	}

	/** Writes as nobody (after "Not you?"). */
	readOnly(): void {
		this.#member = null;
		this.#apply();
	}

	destroy(): void {
		this.#destroyed = true;
	}

	#apply() {
		if (this.#destroyed) return;
		const credentials: Record<string, string> = {};
		if (this.#member) {
			credentials[PARAM_MEMBER] = this.#member.id;
			credentials[PARAM_MEMBER_SECRET] = this.#member.secret;
		}
		if (this.#organizer) credentials[PARAM_ORGANIZER_SECRET] = this.#organizer;
		// In the subprotocol header, never the URL (see relay-protocol.ts).
		const protocols = credentialProtocols(credentials);
		const changed = protocols.join() !== this.#provider.protocols.join();
		this.#provider.protocols = protocols;
		const writer = `${this.#member?.id ?? ''}/${this.#organizer ? 'organizer' : ''}`;
		if (!this.#started) {
			// Nothing has gone out yet: the first connection binds our client id to whoever we are by then.
			this.#writer = writer;
			return;
		}
		// The relay bound our client id to who we were (sync-server/client-ids.ts), and others have
		// seen it in our presence: writing as someone else takes a fresh one, while disconnected.
		const renew = writer !== this.#writer;
		this.#writer = writer;
		if (this.#provider.ws === null && !this.#provider.shouldConnect) {
			// Not connected (not yet, or closed after a refusal).
			if (renew) renewClientId(this.#provider);
			this.#provider.connect();
		} else if (changed) {
			this.#provider.disconnect();
			if (renew) renewClientId(this.#provider);
			this.#outbidPresenceRemoval();
			this.#provider.connect();
		}
	}

	/**
	 * Presence across a deliberate reconnect. When the old connection closes,
	 * the relay removes our presence and, as y-protocols does, marks it one
	 * clock tick newer than ours, so our re-announce would be ignored: two
	 * ticks ahead wins. And the provider has just dropped everyone else's
	 * presence while keeping their clocks, so the relay's resend of the same
	 * states would be ignored too: forget those clocks.
	 */
	#outbidPresenceRemoval() {
		const awareness = this.#provider.awareness;
		for (const client of [...awareness.meta.keys()]) {
			if (client !== awareness.clientID && !awareness.states.has(client)) awareness.meta.delete(client);
		}
		const state = awareness.getLocalState();
		if (state === null) return;
		awareness.setLocalState(state);
		awareness.setLocalState(state);
	}
}

/**
 * Gives the document and its presence a fresh random client id for what
 * this device writes from now on (Yjs itself does the same to the document
 * when another client turns out to use its id). y-websocket expects both to
 * be the same id, so they change together, while disconnected: our presence
 * leaves under the old id and comes back under the new one.
 */
function renewClientId({ doc, awareness }: WebsocketProvider): void {
	const state = awareness.getLocalState();
	awareness.setLocalState(null);
	const id = globalThis.crypto.getRandomValues(new Uint32Array(1))[0];
	doc.clientID = id;
	awareness.clientID = id;
	if (state !== null) awareness.setLocalState(state);
}
