/**
 * Reading y-websocket frames from a client. Every frame is decoded and
 * checked whole before anything is applied, so a malformed frame changes
 * nothing and is reported as a {@link MalformedMessage}.
 */
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';
import * as awarenessProtocol from 'y-protocols/awareness';
import { MESSAGE_AWARENESS, MESSAGE_QUERY_AWARENESS, MESSAGE_SYNC } from '../src/lib/model/relay-protocol.js';
import { encodeAwareness } from './frames.js';
import type { Room } from './room.js';

/** A frame that is not a valid y-websocket message. */
export class MalformedMessage extends Error {}

/** A decoded, checked client message. */
type ClientMessage =
	| { type: 'sync-step-1'; stateVector: Uint8Array }
	| { type: 'update'; update: Uint8Array }
	| { type: 'awareness'; update: Uint8Array; announced: number[] }
	| { type: 'query-awareness' };

/** Decodes one frame; throws {@link MalformedMessage} unless all of it is valid. */
export function decodeClientMessage(data: Uint8Array): ClientMessage {
	try {
		const decoder = decoding.createDecoder(data);
		const type = decoding.readVarUint(decoder);
		let message: ClientMessage;
		if (type === MESSAGE_SYNC) {
			const step = decoding.readVarUint(decoder);
			const payload = decoding.readVarUint8Array(decoder);
			if (step === syncProtocol.messageYjsSyncStep1) {
				Y.decodeStateVector(payload);
				message = { type: 'sync-step-1', stateVector: payload };
			} else if (step === syncProtocol.messageYjsSyncStep2 || step === syncProtocol.messageYjsUpdate) {
				// Parses every struct and the delete set; throws on garbage.
				Y.decodeUpdate(payload);
				message = { type: 'update', update: payload };
			} else {
				throw new MalformedMessage(`unknown sync step ${step}`);
			}
		} else if (type === MESSAGE_AWARENESS) {
			const update = decoding.readVarUint8Array(decoder);
			message = { type: 'awareness', update, announced: announcedClients(update) };
		} else if (type === MESSAGE_QUERY_AWARENESS) {
			message = { type: 'query-awareness' };
		} else {
			throw new MalformedMessage(`unknown message type ${type}`);
		}
		if (decoding.hasContent(decoder)) throw new MalformedMessage('trailing bytes after message');
		return message;
	} catch (err) {
		if (err instanceof MalformedMessage) throw err;
		throw new MalformedMessage(err instanceof Error ? err.message : String(err));
	}
}

/**
 * The client ids an awareness update gives a state for (not those it
 * removes); checks every entry first, as it is applied entry by entry.
 */
function announcedClients(update: Uint8Array): number[] {
	const decoder = decoding.createDecoder(update);
	const count = decoding.readVarUint(decoder);
	const clients: number[] = [];
	for (let i = 0; i < count; i++) {
		const client = decoding.readVarUint(decoder);
		decoding.readVarUint(decoder);
		if (JSON.parse(decoding.readVarString(decoder)) !== null) clients.push(client);
	}
	if (decoding.hasContent(decoder)) throw new MalformedMessage('trailing bytes in awareness update');
	return clients;
}

/**
 * Applies a checked message to a room and returns the reply for the sender,
 * if any.
 */
export function applyClientMessage(room: Room, origin: object, message: ClientMessage): Uint8Array | null {
	switch (message.type) {
		case 'sync-step-1':
			return room.syncStep2(message.stateVector);
		case 'update':
			room.applyClientUpdate(message.update, origin);
			return null;
		case 'awareness':
			awarenessProtocol.applyAwarenessUpdate(room.awareness, message.update, origin);
			return null;
		case 'query-awareness':
			return encodeAwareness(room.awareness, [...room.awareness.getStates().keys()]);
	}
}
