/**
 * The HTTP API beside the websocket (paths in src/lib/model/relay-protocol.ts):
 * setting a PIN, recovering on another device with it, and the organizer's
 * PIN reset. Every failure is a JSON `{ error }` with a fitting status, a
 * log line and a metric; PINs and secrets are never logged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isEventId, isMemberId, isSecret, newSecret } from '../src/lib/model/ids.js';
import { PIN_PATTERN } from '../src/lib/model/relay-protocol.js';
import { addMemberSecret, memberSecretMatches, organizerSecretMatches } from './auth.js';
import type { RelayConfig } from './config.js';
import { log } from './log.js';
import type { RelayMetrics } from './metrics.js';
import { AttemptLimiter, hashPin, verifyPin, type AttemptStore } from './pins.js';
import type { Room } from './room.js';
import { TooManyRooms, type Rooms } from './rooms.js';
import { clientAddress } from './http.js';

const MAX_BODY_BYTES = 4096;
const ROUTE = /^\/api\/events\/([A-Za-z0-9_-]+)\/(pin|recover|pin-reset)$/;

class ApiError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		readonly extra: Record<string, unknown> = {}
	) {
		super(code);
	}
}

/** The API's state: attempt limits live in the relay's store, shared by every instance and kept across restarts. */
export class Api {
	readonly #rooms: Rooms;
	readonly #metrics: RelayMetrics;
	readonly #perMember: AttemptLimiter;
	readonly #perAddress: AttemptLimiter;
	readonly #trustProxy: number;

	constructor(config: RelayConfig, rooms: Rooms, metrics: RelayMetrics, attempts: AttemptStore) {
		this.#rooms = rooms;
		this.#metrics = metrics;
		this.#trustProxy = config.trustProxy;
		this.#perMember = new AttemptLimiter(attempts, 'member:', {
			maxFailures: config.pinMaxFailures,
			windowMs: 15 * 60_000,
			lockoutMs: config.pinLockoutMs
		});
		this.#perAddress = new AttemptLimiter(attempts, 'address:', {
			maxFailures: config.pinMaxFailuresPerAddress,
			windowMs: 60 * 60_000,
			lockoutMs: config.pinLockoutMs
		});
		setInterval(() => {
			attempts.pruneAttempts(Date.now()).catch((err) => log.warn({ err }, 'pruning attempt counters failed'));
		}, 10 * 60_000).unref();
	}

	/** Whether `pathname` is an API path. */
	static handles(pathname: string): boolean {
		return pathname.startsWith('/api/');
	}

	/** Answers one API request. */
	async handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
		const address = clientAddress(req, this.#trustProxy);
		const match = ROUTE.exec(pathname);
		try {
			if (!match || !isEventId(match[1])) throw new ApiError(404, 'not-found');
			if (req.method !== 'POST') throw new ApiError(405, 'method-not-allowed');
			const body = await readJson(req);
			const room = await this.#rooms.get(match[1]).catch((err) => {
				throw err instanceof TooManyRooms ? new ApiError(503, 'too-many-rooms') : err;
			});
			try {
				const result = await this.#route(match[2], room, body, address);
				res.writeHead(result ? 200 : 204, { 'content-type': 'application/json', 'cache-control': 'no-store' });
				res.end(result ? JSON.stringify(result) : undefined);
			} finally {
				this.#rooms.release(room);
			}
		} catch (err) {
			const error = err instanceof ApiError ? err : new ApiError(500, 'relay-error');
			if (!(err instanceof ApiError)) log.error({ err }, 'api request failed');
			this.#metrics.rejected.inc({ reason: `api-${error.code}` });
			log.info({ path: pathname, address, status: error.status, reason: error.code }, 'api request refused');
			const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-store' };
			if (typeof error.extra.retryAfterSeconds === 'number')
				headers['retry-after'] = String(error.extra.retryAfterSeconds);
			res.writeHead(error.status, headers).end(JSON.stringify({ error: error.code, ...error.extra }));
		}
	}

	async #route(action: string, room: Room, body: Record<string, unknown>, address: string): Promise<object | null> {
		const { member } = body;
		if (!isMemberId(member)) throw new ApiError(400, 'bad-member');
		// Another relay instance may have changed them (a new device, a PIN set there).
		if (this.#rooms.shared) await room.reloadCredentials();
		const creds = room.credentials;

		if (action === 'pin') {
			const { secret, pin } = body;
			if (!isSecret(secret) || !memberSecretMatches(room.id, creds, member, secret))
				throw new ApiError(403, 'wrong-member-secret');
			if (typeof pin !== 'string' || !PIN_PATTERN.test(pin)) throw new ApiError(400, 'bad-pin');
			const hashed = await hashPin(pin);
			await room.updateCredentials((draft) => {
				draft.pins[member] = hashed;
			});
			log.info({ room: room.id, member }, 'pin set');
			return null;
		}

		if (action === 'pin-reset') {
			const { organizer } = body;
			if (!isSecret(organizer) || !organizerSecretMatches(room.id, creds, organizer))
				throw new ApiError(403, 'not-organizer');
			await room.updateCredentials((draft) => {
				delete draft.pins[member];
			});
			log.info({ room: room.id, member }, 'pin reset by the organizer');
			return null;
		}

		// recover
		const memberKey = `${room.id}:${member}`;
		const wait = Math.max(await this.#perMember.retryAfter(memberKey), await this.#perAddress.retryAfter(address));
		if (wait > 0) throw new ApiError(429, 'locked', { retryAfterSeconds: Math.ceil(wait / 1000) });
		const { pin } = body;
		if (typeof pin !== 'string' || !PIN_PATTERN.test(pin)) throw new ApiError(400, 'bad-pin');
		const stored = creds.pins[member];
		if (!stored) throw new ApiError(404, 'no-pin');
		if (!(await verifyPin(pin, stored))) {
			const lockedMember = await this.#perMember.fail(memberKey);
			const lockedAddress = await this.#perAddress.fail(address);
			if (lockedMember || lockedAddress) log.warn({ room: room.id, member, address }, 'pin attempts locked out');
			throw new ApiError(403, 'wrong-pin');
		}
		await this.#perMember.succeed(memberKey);
		const secret = newSecret();
		await room.updateCredentials((draft) => addMemberSecret(room.id, draft, member, secret));
		log.info({ room: room.id, member }, 'member recovered with pin');
		return { secret };
	}
}

function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
	return new Promise((resolve, reject) => {
		let size = 0;
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > MAX_BODY_BYTES) {
				reject(new ApiError(413, 'body-too-large'));
				req.destroy();
			} else chunks.push(chunk);
		});
		req.on('end', () => {
			try {
				const value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
				if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
				resolve(value);
			} catch {
				reject(new ApiError(400, 'bad-json'));
			}
		});
		req.on('error', reject);
	});
}
