/**
 * Who this device writes as in one event: the credentials its relay
 * connection presents (see sync-server/auth.ts). Without any it can read.
 * Changing who we are reconnects, so the relay checks the next writes
 * against the right member.
 */
import type { WebsocketProvider } from 'y-websocket';
import { PARAM_MEMBER, PARAM_MEMBER_SECRET, PARAM_ORGANIZER_SECRET } from '../model/relay-protocol.js';
import { createMemberSecret, createOrganizerSecret, memberSecret, organizerSecret } from '../device/secrets.js';

export class EventAccess {
	readonly #provider: WebsocketProvider;
	readonly #eventId: string;
	#organizer: string | null = null;
	#member: { id: string; secret: string } | null = null;
	#started = false;
	#destroyed = false;

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
		const params: Record<string, string> = {};
		if (this.#member) {
			params[PARAM_MEMBER] = this.#member.id;
			params[PARAM_MEMBER_SECRET] = this.#member.secret;
		}
		if (this.#organizer) params[PARAM_ORGANIZER_SECRET] = this.#organizer;
		const changed = JSON.stringify(params) !== JSON.stringify(this.#provider.params);
		this.#provider.params = params;
		if (!this.#started) return;
		if (this.#provider.ws === null && !this.#provider.shouldConnect) this.#provider.connect();
		else if (changed) {
			this.#provider.disconnect();
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
