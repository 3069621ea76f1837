/**
 * The relay process: one HTTP server that serves the app, health and
 * metrics, and websocket rooms at `/sync/<event id>`. This file wires the
 * parts; each has its own: http.ts, connection.ts, rooms.ts, room.ts,
 * room-log.ts, storage.ts, auth.ts, messages.ts, frames.ts.
 */
import http from 'node:http';
import { WebSocketServer } from 'ws';
import { isEventId, isPersonalRoomId } from '../src/lib/model/ids.js';
import {
	CLOSE_RESTARTING,
	credentialsFromProtocols,
	PARAM_SCHEMA,
	SUBPROTOCOL,
	SYNC_PATH
} from '../src/lib/model/relay-protocol.js';
import type { RelayConfig } from './config.js';
import { serveConnection } from './connection.js';
import { clientAddress, handleHttp, originAllowed, serveMetrics } from './http.js';
import { Api } from './api.js';
import { log } from './log.js';
import { RelayMetrics } from './metrics.js';
import { NewRoomLimit } from './new-rooms.js';
import { Rooms } from './rooms.js';
import { hasBuild, staticFiles } from './static.js';
import { LevelStore } from './store-level.js';
import type { RoomStore } from './store.js';
import { canTrimMalloc } from './malloc-trim.js';

/** A running relay. */
export interface Relay {
	server: http.Server;
	/** Stops accepting, tells clients to reconnect later, flushes storage. */
	close(): Promise<void>;
}

/**
 * The metric label for a client's `v=` (the event schema it reads): the
 * number, `none` when absent (apps older than the stroke log), `other` for
 * anything else, so a client cannot make up label values without bound.
 */
function schemaLabel(v: string | null): string {
	if (v === null) return 'none';
	return /^[1-9]\d?$/.test(v) ? v : 'other';
}

/** Room id in a websocket path, or `null` when the path is not a room. */
function roomFromPath(url: string | undefined): string | null {
	const pathname = new URL(url ?? '/', 'http://x').pathname;
	if (!pathname.startsWith(SYNC_PATH + '/')) return null;
	const id = pathname.slice(SYNC_PATH.length + 1);
	return isEventId(id) || isPersonalRoomId(id) ? id : null;
}

/** Opens storage and starts listening. */
export async function startRelay(config: RelayConfig): Promise<Relay> {
	const metrics = new RelayMetrics();
	const storage: RoomStore =
		config.store === 'postgres'
			? // Loaded only in this mode: the one-machine relay never needs the pg package.
				new (await import('./store-postgres.js')).PostgresStore(config.databaseUrl!, {
					pollMs: config.feedPollMs,
					poolSize: config.databasePoolSize,
					metrics
				})
			: new LevelStore(config.dataDir, { sync: config.storeSync });
	await storage.open();
	if (config.store === 'leveldb' && !config.storeSync)
		log.warn('STORE_SYNC=0: writes are acknowledged before they are on disk; a power loss loses them');
	const rooms = new Rooms(storage, {
		idleMs: config.roomIdleMs,
		compactAfter: config.compactAfter,
		maxRooms: config.maxRooms,
		metrics
	});
	const buildDir = config.buildDir && hasBuild(config.buildDir) ? config.buildDir : null;
	if (config.buildDir && !buildDir)
		log.warn({ buildDir: config.buildDir }, 'no built app found; serving the relay only');

	const wss = new WebSocketServer({
		noServer: true,
		maxPayload: config.maxFrameBytes,
		// Answer with our protocol only: echoing a credential token would send a secret back for nothing.
		handleProtocols: (offered) => (offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false)
	});
	const api = new Api(config, rooms, metrics, storage);
	const newRooms = new NewRoomLimit(config.maxNewRoomsPerHour);
	const context = {
		app: buildDir ? staticFiles(buildDir) : null,
		storage,
		rooms,
		metrics,
		api,
		allowedOrigins: config.allowedOrigins,
		connections: () => wss.clients.size,
		metricsToken: config.metricsToken,
		metricsElsewhere: config.metricsPort !== null
	};
	const server = http.createServer((req, res) => {
		handleHttp(req, res, context).catch((err) => {
			log.error({ err }, 'http handler failed');
			if (!res.headersSent) res.writeHead(500).end();
		});
	});

	/** Open websockets per client address (MAX_CONNECTIONS_PER_ADDRESS). */
	const perAddress = new Map<string, number>();
	server.on('upgrade', (req, socket, head) => {
		const refuse = (status: string, reason: string, detail: object = {}) => {
			metrics.rejected.inc({ reason });
			// The path only: the query may carry secrets.
			log.info({ path: new URL(req.url ?? '/', 'http://x').pathname, reason, ...detail }, 'refused websocket');
			socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${reason}\n`);
		};
		const room = roomFromPath(req.url);
		if (!room) return refuse('400 Bad Request', 'not-a-valid-event-room');
		if (!originAllowed(req, config.allowedOrigins))
			return refuse('403 Forbidden', 'origin-not-allowed', { origin: req.headers.origin });
		const address = clientAddress(req, config.trustProxy);
		const open = perAddress.get(address) ?? 0;
		if (open >= config.maxConnectionsPerAddress)
			return refuse('429 Too Many Requests', 'too-many-connections', { address });
		perAddress.set(address, open + 1);
		// Credentials come as subprotocol tokens; from the URL only when no token carries any (older clients).
		const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((token) => token.trim());
		const tokens = credentialsFromProtocols(offered);
		const query = new URL(req.url ?? '/', 'http://x').searchParams;
		const params = tokens.size > 0 ? tokens : query;
		const schema = schemaLabel(query.get(PARAM_SCHEMA));
		const reads = /^[1-9]\d?$/.test(query.get(PARAM_SCHEMA) ?? '') ? Number(query.get(PARAM_SCHEMA)) : null;
		wss.handleUpgrade(req, socket, head, (ws) => {
			metrics.clientSchemas.inc({ v: schema });
			ws.once('close', () => {
				const left = (perAddress.get(address) ?? 1) - 1;
				if (left > 0) perAddress.set(address, left);
				else perAddress.delete(address);
			});
			serveConnection(ws, { roomId: room, params, address, reads }, { config, rooms, metrics, newRooms });
		});
	});

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(config.port, config.host, () => resolve());
	});
	// Metrics on their own port (METRICS_PORT), by default reachable from this machine only.
	const metricsServer =
		config.metricsPort === null
			? null
			: http.createServer((req, res) => {
					if ((req.url ?? '/').split('?')[0] !== '/metrics') return void res.writeHead(404).end();
					serveMetrics(req, res, context).catch((err) => {
						log.error({ err }, 'metrics failed');
						if (!res.headersSent) res.writeHead(500).end();
					});
				});
	if (metricsServer) {
		await new Promise<void>((resolve, reject) => {
			metricsServer.once('error', reject);
			metricsServer.listen(config.metricsPort!, config.metricsHost, () => resolve());
		});
	}
	log.info(
		{
			address: server.address(),
			store: storage.kind,
			dataDir: config.store === 'leveldb' ? config.dataDir : undefined,
			buildDir,
			mallocTrim: canTrimMalloc
		},
		'relay listening'
	);
	if (metricsServer) log.info({ address: metricsServer.address() }, 'metrics listening');

	let closing: Promise<void> | null = null;
	return {
		server,
		close() {
			closing ??= (async () => {
				server.close();
				metricsServer?.close();
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
