/**
 * The relay's plain HTTP side: health, readiness, metrics, the built app,
 * and the origin check shared with websocket upgrades.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Api } from './api.js';
import type { RelayMetrics } from './metrics.js';
import type { Rooms } from './rooms.js';
import type { RoomStore } from './store.js';

/**
 * Whether a request may act for its page's origin: same origin as the relay,
 * one of `ALLOWED_ORIGINS`, or no Origin header at all (not a web page:
 * command-line clients, the stock y-websocket client in Node).
 */
export function originAllowed(req: IncomingMessage, allowed: readonly string[]): boolean {
	const origin = req.headers.origin;
	if (origin === undefined) return true;
	if (allowed.includes(origin)) return true;
	try {
		return new URL(origin).host === req.headers.host;
	} catch {
		return false;
	}
}

/**
 * The client's address: the socket's, or behind `trustProxy` proxies the
 * address the outermost trusted proxy saw, read from the right of
 * X-Forwarded-For (each proxy appends the address it was reached from;
 * anything further left was written by the client and proves nothing).
 */
export function clientAddress(req: IncomingMessage, trustProxy: number): string {
	const socket = req.socket.remoteAddress ?? '';
	if (trustProxy <= 0) return socket;
	const header = req.headers['x-forwarded-for'];
	const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
		.split(',')
		.map((part) => part.trim())
		.filter(Boolean);
	const chain = [...forwarded, socket];
	return chain[Math.max(0, chain.length - 1 - trustProxy)];
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * Whether `req` may read `/metrics` (room and connection counts, refusals:
 * not for the public): with a token, the request must carry it as a bearer
 * token; without one, it must come from this machine.
 */
export function metricsAllowed(req: IncomingMessage, token: string | null): boolean {
	if (token === null) return LOOPBACK.has(req.socket.remoteAddress ?? '');
	const given = Buffer.from(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
	const expected = Buffer.from(token);
	return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Answers `GET /metrics` (the main port's, or the metrics port's). */
export async function serveMetrics(
	req: IncomingMessage,
	res: ServerResponse,
	ctx: Pick<HttpContext, 'metrics' | 'rooms' | 'connections' | 'metricsToken'>
): Promise<void> {
	if (!metricsAllowed(req, ctx.metricsToken)) {
		ctx.metrics.rejected.inc({ reason: 'metrics-forbidden' });
		const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-store' };
		if (ctx.metricsToken !== null) headers['www-authenticate'] = 'Bearer';
		res.writeHead(ctx.metricsToken !== null ? 401 : 403, headers).end(JSON.stringify({ error: 'metrics-forbidden' }));
		return;
	}
	ctx.metrics.connections.set(ctx.connections());
	ctx.metrics.rooms.set(ctx.rooms.size);
	ctx.metrics.unwritten.set(await ctx.rooms.unwritten());
	const body = await ctx.metrics.registry.metrics();
	res.writeHead(200, { 'content-type': ctx.metrics.registry.contentType, 'cache-control': 'no-store' }).end(body);
}

/** What the HTTP handler needs. */
interface HttpContext {
	/** Serves the built app, or `null` when this relay serves none. */
	app: ((req: IncomingMessage, res: ServerResponse) => void) | null;
	storage: RoomStore;
	rooms: Rooms;
	metrics: RelayMetrics;
	api: Api;
	allowedOrigins: readonly string[];
	connections: () => number;
	metricsToken: string | null;
	/** `/metrics` is on its own port: the main port answers 404 for it. */
	metricsElsewhere: boolean;
}

/** Answers one HTTP request. */
export async function handleHttp(req: IncomingMessage, res: ServerResponse, ctx: HttpContext): Promise<void> {
	const pathname = (req.url ?? '/').split('?')[0];
	if (pathname === '/healthz') {
		return json(res, 200, { ok: true, rooms: ctx.rooms.size, connections: ctx.connections() });
	}
	if (pathname === '/readyz') {
		const ready = ctx.storage.isOpen;
		return json(res, ready ? 200 : 503, { ready });
	}
	if (Api.handles(pathname)) {
		if (!originAllowed(req, ctx.allowedOrigins)) {
			ctx.metrics.rejected.inc({ reason: 'origin-not-allowed' });
			return json(res, 403, { error: 'origin-not-allowed' });
		}
		return ctx.api.handle(req, res, pathname);
	}
	if (pathname === '/metrics' && !ctx.metricsElsewhere) return serveMetrics(req, res, ctx);
	if (!ctx.app) {
		res.writeHead(404, { 'content-type': 'text/plain' }).end('This relay serves no app');
		return;
	}
	ctx.app(req, res);
}

function json(res: ServerResponse, status: number, body: unknown) {
	res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}
