/**
 * Stock y-websocket clients for relay tests (with `ws` as their WebSocket,
 * BroadcastChannel off so only the relay can carry updates), and polling.
 */
import * as Y from 'yjs';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import { credentialProtocols, PARAM_SCHEMA } from '../../src/lib/model/relay-protocol.js';
import { READ_SCHEMA_VERSION } from '../../src/lib/model/settings.js';
import type { Person } from './identity.js';

/** Resolves once `check()` holds; rejects after `ms`. */
export function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
	const started = Date.now();
	return new Promise((resolve, reject) => {
		const tick = () => {
			if (check()) resolve();
			else if (Date.now() - started > ms) reject(new Error(`timed out waiting for ${what}`));
			else setTimeout(tick, 20);
		};
		tick();
	});
}

/** A stock client of a room: its document, its provider, and the close codes it got. */
export type StockClient = ReturnType<typeof stockClient>;

/** The schema level the app reads, as its sync URL says it (`?v=`); what stock clients of relay tests send. */
export const APP_SCHEMA: Record<string, string> = { [PARAM_SCHEMA]: String(READ_SCHEMA_VERSION) };

/**
 * A stock client of `room` writing as `who` (a reader without); `closes`
 * records close codes. `params`: its URL's query, by default the app's
 * schema level ({} for a client from before the stroke log).
 */
export function stockClient(wsUrl: string, room: string, who?: Person, doc = new Y.Doc(), params = APP_SCHEMA) {
	const provider = new WebsocketProvider(wsUrl, room, doc, {
		WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
		params,
		// Credentials as the app sends them: subprotocol tokens, not URL parameters.
		protocols: credentialProtocols(who?.params ?? {}),
		disableBc: true,
		maxBackoffTime: 200
	});
	const closes: { code: number; reason: string }[] = [];
	provider.on('connection-close', (event: CloseEvent | null) => {
		if (event) closes.push({ code: event.code, reason: event.reason });
	});
	const destroy = () => {
		provider.destroy();
		doc.destroy();
	};
	return { doc, provider, closes, destroy };
}
