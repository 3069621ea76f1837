/**
 * The relay process: one HTTP server that serves the app, `GET /healthz`,
 * and websocket rooms at `/sync/<event id>`.
 */
import http from 'node:http';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { isEventId } from '../src/lib/model/ids.js';
import {
	CLOSE_MALFORMED_MESSAGE,
	CLOSE_MESSAGE_TOO_LARGE,
	CLOSE_NOT_AUTHENTICATED,
	CLOSE_RELAY_ERROR,
	CLOSE_RESTARTING,
	CLOSE_WRITE_REFUSED,
	SYNC_PATH
} from '../src/lib/model/protocol.js';
import { checkUpdate, type Writer } from '../src/lib/model/write-check.js';
import { EVENT_KEY } from '../src/lib/model/event-doc.js';
import { authenticate } from './auth.js';
import type { RelayConfig } from './config.js';
import { log } from './log.js';
import { applyClientMessage, decodeClientMessage, MalformedMessage } from './protocol.js';
import type { Room } from './room.js';
import { Rooms } from './rooms.js';
import { serveStatic, hasBuild } from './static.js';
import { RoomStorage } from './storage.js';

/** Frames a client may send before its room has loaded; more is a misbehaving client. */
const MAX_FRAMES_BEFORE_LOAD = 64;

/** A running relay. */
export interface Relay {
	server: http.Server;
	/** Stops accepting, tells clients to reconnect later, flushes storage. */
	close(): Promise<void>;
}

/** Room id in a websocket path, or `null` when the path is not a room. */
export function roomFromPath(url: string | undefined): string | null {
	const pathname = new URL(url ?? '/', 'http://x').pathname;
	if (!pathname.startsWith(SYNC_PATH + '/')) return null;
	const id = pathname.slice(SYNC_PATH.length + 1);
	return isEventId(id) ? id : null;
}

/** Opens storage and starts listening. */
export async function startRelay(config: RelayConfig): Promise<Relay> {
	const storage = new RoomStorage(config.dataDir);
	await storage.open();
	const rooms = new Rooms(storage, { idleMs: config.roomIdleMs, compactAfter: config.compactAfter });
	const buildDir = config.buildDir && hasBuild(config.buildDir) ? config.buildDir : null;
	if (config.buildDir && !buildDir) log.warn({ buildDir: config.buildDir }, 'no built app found; serving the relay only');

	const server = http.createServer((req, res) => {
		if (req.url === '/healthz') {
			res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
			res.end(JSON.stringify({ ok: true, rooms: rooms.size, connections: wss.clients.size }));
			return;
		}
		if (!buildDir) {
			res.writeHead(404, { 'content-type': 'text/plain' }).end('This relay serves no app');
			return;
		}
		serveStatic(buildDir, req, res);
	});

	const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxFrameBytes });

	server.on('upgrade', (req, socket, head) => {
		const room = roomFromPath(req.url);
		if (!room) {
			// The path only: the query may carry secrets.
			log.info({ path: new URL(req.url ?? '/', 'http://x').pathname }, 'refused websocket: not a valid event room');
			socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nNot a valid event room\n');
			return;
		}
		const params = new URL(req.url ?? '/', 'http://x').searchParams;
		wss.handleUpgrade(req, socket, head, (ws) => connect(ws, room, params, req.socket.remoteAddress ?? ''));
	});

	let nextConnection = 1;
	function connect(ws: WebSocket, roomId: string, params: URLSearchParams, address: string) {
		const connection = nextConnection++;
		const early: RawData[] = [];
		let room: Room | null = null;
		let writer: Writer = { memberId: null, organizer: false };
		let closed = false;
		let alive = true;
		const fail = (code: number, reason: string, detail?: unknown) => {
			if (closed) return;
			closed = true;
			log.warn({ room: roomId, connection, address, member: writer.memberId, code, reason, detail }, 'closing websocket');
			ws.close(code, reason);
		};
		const handle = (data: RawData) => {
			// After a refusal nothing more from this client is applied.
			if (!room || closed) return;
			const bytes = toBytes(data);
			let message;
			try {
				message = decodeClientMessage(bytes);
			} catch (err) {
				fail(CLOSE_MALFORMED_MESSAGE, 'malformed message', (err as MalformedMessage).message);
				return;
			}
			if (message.type === 'update') {
				const verdict = checkUpdate(room.doc, message.update, writer);
				if (!verdict.ok) {
					fail(CLOSE_WRITE_REFUSED, verdict.reason, verdict.detail);
					return;
				}
			}
			try {
				const reply = applyClientMessage(room, ws, message);
				// Answered once everything before it is on disk, in order with the forwards.
				if (reply) room.whenWritten(() => ws.readyState === ws.OPEN && ws.send(reply));
			} catch (err) {
				fail(CLOSE_MALFORMED_MESSAGE, 'message could not be applied', String(err));
			}
		};
		ws.on('message', (data) => {
			if (room) handle(data);
			else if (early.push(data) > MAX_FRAMES_BEFORE_LOAD) fail(CLOSE_MESSAGE_TOO_LARGE, 'too many messages before sync');
		});
		ws.on('pong', () => (alive = true));
		ws.on('error', (err) => log.warn({ room: roomId, err: err.message }, 'websocket error'));
		const ping = setInterval(() => {
			if (!alive) return ws.terminate();
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
		rooms.get(roomId).then(
			(loaded) => {
				if (ws.readyState !== ws.OPEN) {
					rooms.release(loaded);
					return;
				}
				const auth = authenticate(roomId, loaded.credentials, params, loaded.doc.getMap(EVENT_KEY).size > 0);
				if (!auth.ok) {
					rooms.release(loaded);
					fail(CLOSE_NOT_AUTHENTICATED, auth.reason);
					return;
				}
				if (auth.registered) loaded.saveCredentials();
				writer = auth.writer;
				room = loaded;
				rooms.retain(room);
				room.add(ws);
				for (const data of early.splice(0)) handle(data);
			},
			(err) => {
				log.error({ room: roomId, err }, 'failed to load room');
				fail(CLOSE_RELAY_ERROR, 'room could not be loaded');
			}
		);
	}

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(config.port, config.host, () => resolve());
	});
	const address = server.address();
	log.info({ address, dataDir: config.dataDir, buildDir }, 'relay listening');

	let closing: Promise<void> | null = null;
	return {
		server,
		close() {
			closing ??= (async () => {
				server.close();
				for (const ws of wss.clients) ws.close(CLOSE_RESTARTING, 'relay restarting');
				await rooms.closeAll();
				await storage.close();
				server.closeAllConnections();
				log.info('relay stopped');
			})();
			return closing;
		}
	};
}

function toBytes(data: RawData): Uint8Array {
	if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
	if (data instanceof ArrayBuffer) return new Uint8Array(data);
	return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
