/**
 * One websocket client of a room: authenticates it, then reads its frames
 * in order — decode whole, check the write, apply, answer — and closes it
 * with a clear code on anything it may not do.
 */
import * as Y from 'yjs';
import type { RawData, WebSocket } from 'ws';
import {
	CLOSE_LIMIT,
	CLOSE_MALFORMED_MESSAGE,
	CLOSE_NEEDS_NEWER_APP,
	CLOSE_NOT_AUTHENTICATED,
	CLOSE_RELAY_ERROR,
	CLOSE_RESTARTING,
	CLOSE_TRY_AGAIN_LATER,
	CLOSE_WRITE_REFUSED
} from '../src/lib/model/relay-protocol.js';
import { EVENT_KEY, LOG_SCHEMA_VERSION, MEMBERS_KEY } from '../src/lib/model/event-doc.js';
import { checkUpdate, type Writer, type WriteRefusal } from '../src/lib/model/write-check.js';
import { isPersonalRoomId } from '../src/lib/model/ids.js';
import { authenticate, isEmpty, type Credentials } from './auth.js';
import { mayWriteAs, MAX_BINDINGS_PER_CONNECTION, ownerOf } from './client-ids.js';
import type { RelayConfig } from './config.js';
import { log } from './log.js';
import type { RelayMetrics } from './metrics.js';
import { applyClientMessage, decodeClientMessage, MalformedMessage } from './messages.js';
import type { NewRoomLimit } from './new-rooms.js';
import type { Room } from './room.js';
import { RelayClosing, TooManyRooms, type Rooms } from './rooms.js';

/**
 * Refusals of an update that refers to content the relay lacks, rather than
 * to someone else's: its writer is out of step, not at fault, and is sent
 * back to sync (1013) instead of being refused for good.
 */
const AHEAD_OF_RELAY: ReadonlySet<WriteRefusal> = new Set(['unresolvable-item', 'unknown-deletion']);

/** What a connection needs from the relay. */
interface ConnectionContext {
	config: RelayConfig;
	rooms: Rooms;
	metrics: RelayMetrics;
	newRooms: NewRoomLimit;
}

let nextConnection = 1;

/**
 * Serves one accepted websocket for `roomId`. `reads`: the event schema the
 * client says it reads (`?v=`), `null` when it says none (apps before the
 * stroke log).
 */
export function serveConnection(
	ws: WebSocket,
	request: { roomId: string; params: URLSearchParams; address: string; reads?: number | null },
	{ config, rooms, metrics, newRooms }: ConnectionContext
) {
	const { roomId, params, address, reads = null } = request;
	/** Other relay instances write to the same rooms. */
	const shared = rooms.shared;
	const connection = nextConnection++;
	const early: RawData[] = [];
	let room: Room | null = null;
	let writer: Writer = { memberId: null, organizer: false };
	let closed = false;
	let alive = true;
	let handshaken = false;
	/** The connection's member is new, and is registered with its first write. */
	let unregistered = false;

	/** Closes with `code`; `reason` is sent to the client and counted, `detail` only logged. */
	const fail = (code: number, reason: string, detail?: unknown) => {
		if (closed) return;
		closed = true;
		metrics.rejected.inc({ reason });
		log.warn({ room: roomId, connection, address, member: writer.memberId, code, reason, detail }, 'closing websocket');
		ws.close(code, reason);
	};

	/**
	 * Handles one frame. Frames are handled one after another (see `queue`):
	 * with several relay instances, answering a sync step 1 or refusing a
	 * write first waits for the room to catch up with what they committed.
	 */
	const handle = async (data: RawData) => {
		// After a refusal nothing more from this client is applied; nor to a dropped room, whose
		// clients were told to come back to a fresh load.
		if (!room || closed || room.gone) return;
		const bytes = toBytes(data);
		metrics.bytesIn.inc(bytes.byteLength);
		let message;
		try {
			message = decodeClientMessage(bytes);
		} catch (err) {
			fail(CLOSE_MALFORMED_MESSAGE, 'malformed message', (err as MalformedMessage).message);
			return;
		}
		// The first step 1 is the client's handshake: it must get everything any relay has committed.
		// Later ones are the app's probes for what the relay has stored (src/lib/sync/status.ts), whose
		// answer needs nothing from other relays; what they wrote comes by the feed.
		if (message.type === 'sync-step-1' && !handshaken) {
			handshaken = true;
			await room.catchUp();
		}
		if (message.type === 'update') {
			const check = () => checkUpdate(room!.doc, (message as { update: Uint8Array }).update, writer);
			let verdict;
			try {
				verdict = check();
				// Another instance may have written what this one has not seen yet (a member's first marks).
				if (!verdict.ok && shared) {
					await room.catchUp();
					verdict = check();
				}
			} catch (err) {
				// Decodable but nonsensical (a fuzzer's favourite): this connection's fault, not the relay's.
				return fail(CLOSE_MALFORMED_MESSAGE, 'malformed message', String(err));
			}
			if (closed || room.gone) return;
			// Built on content this relay does not have: an honest client's update can overtake
			// its own sync step 2 right after a restart (what it sent before the restart was
			// never stored; found by the soak). Nothing is applied; the client reconnects, and
			// its next handshake sends everything this relay lacks, in order.
			if (!verdict.ok && AHEAD_OF_RELAY.has(verdict.reason))
				return fail(CLOSE_TRY_AGAIN_LATER, 'out-of-order', { refusal: verdict.reason, detail: verdict.detail });
			if (!verdict.ok) return fail(CLOSE_WRITE_REFUSED, verdict.reason, verdict.detail);
			// Only what adds content counts: a reader's empty step 2, or a reconnecting member's with
			// nothing new, must still get through to a room at its limit.
			if (room.bytes + message.update.byteLength > config.maxRoomBytes && addsContent(room.doc, message.update)) {
				return fail(CLOSE_LIMIT, 'room-too-large', { bytes: room.bytes, limit: config.maxRoomBytes });
			}
			// A personal room is created by its first write.
			if (writer.personal && verdict.written.length && room.doc.store.clients.size === 0 && !room.bytes) {
				if (!newRooms.take(address))
					return fail(CLOSE_LIMIT, 'too-many-new-rooms', { limit: config.maxNewRoomsPerHour });
			}
			if (unregistered && verdict.written.length) {
				const refused = await register(room);
				if (refused) return fail(...refused);
				unregistered = false;
				if (closed || room.gone) return;
			}
			if (verdict.written.length && !writer.personal) {
				const refused = await bindClientIds(room, verdict.written, true);
				if (refused) return fail(...refused);
				if (closed || room.gone) return;
				// The document may have changed while the store answered (joining locked, say).
				const again = check();
				if (!again.ok) return fail(CLOSE_WRITE_REFUSED, again.reason, again.detail);
			}
			metrics.updatesIn.inc();
		}
		// Presence shows a device's client id to everyone: bind it before they see it, so nobody can
		// write under it first. Only ids this room has never had presence for: y-websocket clients
		// send back every presence change they receive, other people's included, and those are not
		// the sender's. Only for writers; a presence id bound to someone else is just shown.
		if (message.type === 'awareness' && !writer.personal && ownerOf(writer) !== null) {
			const unbound = message.announced.filter(
				(client) => !room!.awareness.meta.has(client) && room!.ownerOfClient(client) === undefined
			);
			if (unbound.length) {
				const refused = await bindClientIds(room, unbound, false);
				if (refused) return fail(...refused);
				if (closed || room.gone) return;
			}
		}
		if (closed || room.gone) return;
		try {
			const reply = applyClientMessage(room, ws, message);
			// Answered once everything before it is stored, in order with the forwards.
			if (reply) room.whenWritten(() => ws.readyState === ws.OPEN && (countSent(reply.byteLength), ws.send(reply)));
		} catch (err) {
			fail(CLOSE_MALFORMED_MESSAGE, 'message could not be applied', String(err));
		}
	};
	/** Client ids this connection bound so far. */
	let bindings = 0;
	/**
	 * Binds `clients` to this writer where they are unbound (client-ids.ts)
	 * and says why the connection must close: the arguments to `fail`, or
	 * `null`. `writing`: content goes under them, so each must be this
	 * writer's (for presence, only the limit and the store can refuse).
	 */
	const bindClientIds = async (
		loaded: Room,
		clients: number[],
		writing: boolean
	): Promise<Parameters<typeof fail> | null> => {
		const owner = ownerOf(writer);
		if (owner === null) return [CLOSE_WRITE_REFUSED, 'client-id-taken', 'a reader wrote content'];
		const fresh = clients.filter((client) => loaded.ownerOfClient(client) === undefined).length;
		if (bindings + fresh > MAX_BINDINGS_PER_CONNECTION)
			return [CLOSE_LIMIT, 'too-many-client-ids', { limit: MAX_BINDINGS_PER_CONNECTION }];
		bindings += fresh;
		let owners;
		try {
			owners = await loaded.bindClients(clients, owner);
		} catch (err) {
			log.error({ room: roomId, err }, 'failed to bind client ids');
			return [CLOSE_TRY_AGAIN_LATER, 'storage-unavailable'];
		}
		if (!writing) return null;
		for (const client of clients) {
			const bound = owners.get(client);
			if (bound === undefined || !mayWriteAs(writer, bound))
				return [CLOSE_WRITE_REFUSED, 'client-id-taken', `client ${client} belongs to ${bound}`];
		}
		return null;
	};
	let queue: Promise<void> = Promise.resolve();
	const enqueue = (data: RawData) => {
		queue = queue.then(() => handle(data)).catch((err) => fail(CLOSE_RELAY_ERROR, 'relay error', String(err)));
	};
	const countSent = (bytes: number) => {
		metrics.messagesOut.inc();
		metrics.bytesOut.inc(bytes);
	};

	ws.on('message', (data) => {
		if (room) enqueue(data);
		else if (early.push(data) > config.maxEarlyFrames) fail(CLOSE_LIMIT, 'too-many-early-frames');
	});
	ws.on('pong', () => (alive = true));
	ws.on('error', (err) => log.warn({ room: roomId, connection, err: err.message }, 'websocket error'));
	const ping = setInterval(() => {
		if (!alive) {
			log.info({ room: roomId, connection }, 'dropping a connection that missed a ping');
			return ws.terminate();
		}
		alive = false;
		ws.ping();
	}, config.pingIntervalMs);
	ws.on('close', () => {
		clearInterval(ping);
		if (room) {
			room.remove(ws);
			rooms.release(room);
		}
	});

	/** Decides who the connection is against `draft` (registering new credentials in it where allowed). */
	const decide = (loaded: Room, draft: Credentials) =>
		authenticate(
			roomId,
			draft,
			params,
			loaded.doc.getMap(EVENT_KEY).size > 0,
			loaded.doc.getMap(MEMBERS_KEY).size >= config.maxMembersPerEvent
		);

	/**
	 * Who the connection is, saving nothing. With several instances, reads
	 * the credentials again before refusing (another instance may have
	 * registered the member).
	 */
	const identify = async (loaded: Room) => {
		if (shared) await loaded.catchUp();
		let auth = decide(loaded, structuredClone(loaded.credentials));
		if (!auth.ok && shared) {
			await loaded.reloadCredentials();
			auth = decide(loaded, structuredClone(loaded.credentials));
		}
		return auth;
	};

	/**
	 * Saves the connection's new credentials, if no one else saved in
	 * between (two organizers claiming a new event through different
	 * relays: exactly one wins); says why not (the arguments to `fail`).
	 * Registering someone in a room with nothing stored creates the room.
	 */
	const register = async (loaded: Room): Promise<Parameters<typeof fail> | null> => {
		if (loaded.doc.store.clients.size === 0 && isEmpty(loaded.credentials) && !newRooms.take(address))
			return [CLOSE_LIMIT, 'too-many-new-rooms', { limit: config.maxNewRoomsPerHour }];
		const attempt = () =>
			loaded.updateCredentials(
				(draft) => decide(loaded, draft),
				(auth) => auth.ok && auth.registered
			);
		let auth;
		try {
			auth = await attempt();
			if (!auth.ok && shared) {
				await loaded.reloadCredentials();
				auth = await attempt();
			}
		} catch (err) {
			log.error({ room: roomId, err }, 'failed to save credentials');
			return [CLOSE_TRY_AGAIN_LATER, 'storage-unavailable'];
		}
		return auth.ok ? null : refusalOf(auth.reason);
	};

	/** How a refused identity closes the connection. */
	const refusalOf = (reason: string): Parameters<typeof fail> =>
		reason === 'event-full'
			? [CLOSE_LIMIT, reason, { limit: config.maxMembersPerEvent }]
			: [CLOSE_NOT_AUTHENTICATED, reason];

	rooms.get(roomId).then(
		async (loaded) => {
			if (ws.readyState !== ws.OPEN) return rooms.release(loaded);
			if (isPersonalRoomId(roomId)) {
				// The room id is the secret: holding it is the right to write.
				writer = { memberId: null, organizer: false, personal: true };
			} else {
				let auth;
				try {
					auth = await identify(loaded);
				} catch (err) {
					rooms.release(loaded);
					log.error({ room: roomId, err }, 'failed to check credentials');
					return fail(CLOSE_TRY_AGAIN_LATER, 'storage-unavailable');
				}
				if (!auth.ok) {
					rooms.release(loaded);
					return fail(...refusalOf(auth.reason));
				}
				// An app that cannot read the event's layout would show it empty and break it by painting.
				const v = loaded.doc.getMap(EVENT_KEY).get('v');
				if (typeof v === 'number' && v >= LOG_SCHEMA_VERSION && (reads ?? 0) < v) {
					rooms.release(loaded);
					return fail(CLOSE_NEEDS_NEWER_APP, 'needs-newer-app', { reads, v });
				}
				writer = auth.writer;
				if (auth.registered) {
					// The organizer claims a new event now (of two claims, one wins). A new member is
					// registered with its first write: opening connections stores nothing, so a flood of
					// them fills neither the disk nor the event.
					if (loaded.credentials.organizer === null && writer.organizer) {
						const refused = await register(loaded);
						if (refused) {
							rooms.release(loaded);
							return fail(...refused);
						}
					} else unregistered = true;
				}
			}
			if (ws.readyState !== ws.OPEN) return rooms.release(loaded);
			// Dropped while this client was being checked: it comes back to a fresh load.
			if (loaded.gone) return fail(CLOSE_TRY_AGAIN_LATER, 'storage-unavailable');
			room = loaded;
			rooms.retain(room);
			room.add(ws, countSent);
			for (const data of early.splice(0)) enqueue(data);
		},
		(err) => {
			if (err instanceof TooManyRooms) return fail(CLOSE_TRY_AGAIN_LATER, 'too-many-rooms', { limit: config.maxRooms });
			if (err instanceof RelayClosing) return fail(CLOSE_RESTARTING, 'relay restarting');
			log.error({ room: roomId, err }, 'failed to load room');
			fail(CLOSE_RELAY_ERROR, 'room could not be loaded');
		}
	);
}

function toBytes(data: RawData): Uint8Array {
	if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
	if (data instanceof ArrayBuffer) return new Uint8Array(data);
	return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Whether applying `update` would add content `doc` does not have yet (deletions aside). */
function addsContent(doc: Y.Doc, update: Uint8Array): boolean {
	try {
		const { to } = Y.parseUpdateMeta(update);
		for (const [client, clock] of to) if (clock > Y.getState(doc.store, client)) return true;
		return false;
	} catch {
		return true; // unreadable here: count it, as before
	}
}
