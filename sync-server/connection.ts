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
	CLOSE_NOT_AUTHENTICATED,
	CLOSE_RELAY_ERROR,
	CLOSE_TRY_AGAIN_LATER,
	CLOSE_WRITE_REFUSED
} from '../src/lib/model/relay-protocol.js';
import { EVENT_KEY } from '../src/lib/model/event-doc.js';
import { checkUpdate, type Writer } from '../src/lib/model/write-check.js';
import { isPersonalRoomId } from '../src/lib/model/ids.js';
import { authenticate } from './auth.js';
import type { RelayConfig } from './config.js';
import { log } from './log.js';
import type { RelayMetrics } from './metrics.js';
import { applyClientMessage, decodeClientMessage, MalformedMessage } from './messages.js';
import type { Room } from './room.js';
import { TooManyRooms, type Rooms } from './rooms.js';

/** What a connection needs from the relay. */
interface ConnectionContext {
	config: RelayConfig;
	rooms: Rooms;
	metrics: RelayMetrics;
}

let nextConnection = 1;

/** Serves one accepted websocket for `roomId`. */
export function serveConnection(
	ws: WebSocket,
	request: { roomId: string; params: URLSearchParams; address: string },
	{ config, rooms, metrics }: ConnectionContext
) {
	const { roomId, params, address } = request;
	/** Other relay instances write to the same rooms. */
	const shared = rooms.shared;
	const connection = nextConnection++;
	const early: RawData[] = [];
	let room: Room | null = null;
	let writer: Writer = { memberId: null, organizer: false };
	let closed = false;
	let alive = true;
	let handshaken = false;

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
		// After a refusal nothing more from this client is applied.
		if (!room || closed) return;
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
			if (closed) return;
			if (!verdict.ok) return fail(CLOSE_WRITE_REFUSED, verdict.reason, verdict.detail);
			// Only what adds content counts: a reader's empty step 2, or a reconnecting member's with
			// nothing new, must still get through to a room at its limit.
			if (room.bytes + message.update.byteLength > config.maxRoomBytes && addsContent(room.doc, message.update)) {
				return fail(CLOSE_LIMIT, 'room-too-large', { bytes: room.bytes, limit: config.maxRoomBytes });
			}
			metrics.updatesIn.inc();
		}
		if (closed) return;
		try {
			const reply = applyClientMessage(room, ws, message);
			// Answered once everything before it is stored, in order with the forwards.
			if (reply) room.whenWritten(() => ws.readyState === ws.OPEN && (countSent(reply.byteLength), ws.send(reply)));
		} catch (err) {
			fail(CLOSE_MALFORMED_MESSAGE, 'message could not be applied', String(err));
		}
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

	/**
	 * Checks the client's secrets, registering new ones; with several
	 * instances, reads the credentials again before refusing (another
	 * instance may have registered the member) and saves a registration
	 * only if no one else saved in between (two organizers claiming a new
	 * event through different relays: exactly one wins).
	 */
	const authorize = async (loaded: Room) => {
		if (shared) await loaded.catchUp();
		const attempt = () =>
			loaded.updateCredentials(
				(draft) => authenticate(roomId, draft, params, loaded.doc.getMap(EVENT_KEY).size > 0),
				(auth) => auth.ok && auth.registered
			);
		let auth = await attempt();
		if (!auth.ok && shared) {
			await loaded.reloadCredentials();
			auth = await attempt();
		}
		return auth;
	};

	rooms.get(roomId).then(
		async (loaded) => {
			if (ws.readyState !== ws.OPEN) return rooms.release(loaded);
			if (isPersonalRoomId(roomId)) {
				// The room id is the secret: holding it is the right to write.
				writer = { memberId: null, organizer: false, personal: true };
			} else {
				let auth;
				try {
					auth = await authorize(loaded);
				} catch (err) {
					rooms.release(loaded);
					log.error({ room: roomId, err }, 'failed to check or save credentials');
					return fail(CLOSE_TRY_AGAIN_LATER, 'storage-unavailable');
				}
				if (!auth.ok) {
					rooms.release(loaded);
					return fail(CLOSE_NOT_AUTHENTICATED, auth.reason);
				}
				writer = auth.writer;
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
