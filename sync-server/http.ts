/**
 * The relay's plain HTTP side: health, readiness, metrics, the built app,
 * and the origin check shared with websocket upgrades.
 */
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
	if (pathname === '/metrics') {
		ctx.metrics.connections.set(ctx.connections());
		ctx.metrics.rooms.set(ctx.rooms.size);
		ctx.metrics.unwritten.set(await ctx.rooms.unwritten());
		const body = await ctx.metrics.registry.metrics();
		res.writeHead(200, { 'content-type': ctx.metrics.registry.contentType, 'cache-control': 'no-store' }).end(body);
		return;
	}
	if (!ctx.app) {
		res.writeHead(404, { 'content-type': 'text/plain' }).end('This relay serves no app');
		return;
	}
	ctx.app(req, res);
}

function json(res: ServerResponse, status: number, body: unknown) {
	res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}
