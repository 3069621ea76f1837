/**
 * Constants of the wire protocol between the app and the relay. The relay
 * speaks the y-websocket protocol; these are the parts both sides must agree
 * on beyond it.
 */

/** Path prefix of the websocket endpoint: a room is `/sync/<event id>`. */
export const SYNC_PATH = '/sync';

/**
 * y-websocket message types (first varuint of every frame) the relay speaks;
 * any other, y-websocket's auth (2) included, is a malformed frame to it.
 */
export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const MESSAGE_QUERY_AWARENESS = 3;

/**
 * Close codes the relay uses. 4000–4999 is the range the websocket spec
 * leaves to applications; the 44xx block mirrors HTTP's 4xx "your request
 * was wrong" so a client can tell its own fault from the relay's.
 */
export const CLOSE_MALFORMED_MESSAGE = 4400;
/** A named limit was exceeded (the reason names it: room-too-large, too-many-early-frames). */
export const CLOSE_LIMIT = 4429;
export const CLOSE_RELAY_ERROR = 4500;
export const CLOSE_RESTARTING = 4503;
/** Standard "try again later": the relay holds as many rooms as it may; clients retry. */
export const CLOSE_TRY_AGAIN_LATER = 1013;
/** The connection's credentials were refused (wrong secret, or a claim it cannot make). */
export const CLOSE_NOT_AUTHENTICATED = 4401;
/** A message tried a write this connection may not make; nothing of it was applied. */
export const CLOSE_WRITE_REFUSED = 4403;
/**
 * The room's event is in a schema newer than the client says it reads
 * (`PARAM_SCHEMA` missing or lower; from schema v3 on, whose stroke logs an
 * older app would fail to paint into): the client must update first. Like
 * HTTP's 426 Upgrade Required.
 */
export const CLOSE_NEEDS_NEWER_APP = 4426;

/**
 * Names of the credentials that say who a connection is. Without them a
 * connection can read but not write.
 */
export const PARAM_MEMBER = 'member';
export const PARAM_MEMBER_SECRET = 'secret';
export const PARAM_ORGANIZER_SECRET = 'organizer';

/**
 * Query parameter of the sync URL: the newest event schema the client reads
 * (`READ_SCHEMA_VERSION`, settings.ts), `?v=3`. Not a secret, so it rides
 * in the URL. The relay counts connections by it
 * (`moim_client_schema_connections_total`), and closes a client that reads
 * less than a v3 (or later) room's schema with {@link CLOSE_NEEDS_NEWER_APP}
 * (docs/design/document-size.md, release B).
 */
export const PARAM_SCHEMA = 'v';

/**
 * The websocket subprotocol the app asks for, and the relay answers with.
 * Credentials travel beside it as subprotocol tokens (`moim.secret.<secret>`,
 * all base64url, which is valid in a token), not in the URL: a URL is printed
 * in the browser console on every failed reconnect and written to proxies'
 * access logs; the `Sec-WebSocket-Protocol` header is neither. The relay
 * still reads credentials from URL parameters when no token carries any
 * (older app versions; stock y-websocket clients with `params`).
 */
export const SUBPROTOCOL = 'moim';

const CREDENTIAL_NAMES = [PARAM_MEMBER, PARAM_MEMBER_SECRET, PARAM_ORGANIZER_SECRET];

/** The subprotocols to open a connection with that presents `credentials` (by the names above). */
export function credentialProtocols(credentials: Record<string, string>): string[] {
	const tokens = [SUBPROTOCOL];
	for (const name of CREDENTIAL_NAMES) {
		const value = credentials[name];
		if (value !== undefined) tokens.push(`${SUBPROTOCOL}.${name}.${value}`);
	}
	return tokens;
}

/**
 * The credentials in the subprotocols a client asked for (the inverse of
 * {@link credentialProtocols}); a name given twice is kept twice, so the
 * check can refuse it as malformed.
 */
export function credentialsFromProtocols(protocols: Iterable<string>): URLSearchParams {
	const found = new URLSearchParams();
	for (const token of protocols) {
		const [prefix, name, ...rest] = token.split('.');
		if (prefix === SUBPROTOCOL && CREDENTIAL_NAMES.includes(name) && rest.length === 1) found.append(name, rest[0]);
	}
	return found;
}

/** A member's PIN: 4 to 8 digits. */
export const PIN_PATTERN = /^\d{4,8}$/;

/**
 * HTTP API beside the websocket (POST, JSON). `:id` is the event id.
 * - `pin`: set or change my PIN — `{ member, secret, pin }`.
 * - `recover`: on another device — `{ member, pin }` → `{ secret }`, a fresh member secret.
 * - `pinReset`: the organizer removes a member's PIN — `{ organizer, member }`.
 */
export const API_PATHS = {
	pin: (id: string) => `/api/events/${id}/pin`,
	recover: (id: string) => `/api/events/${id}/recover`,
	pinReset: (id: string) => `/api/events/${id}/pin-reset`
} as const;
