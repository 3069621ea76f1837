/**
 * The y-websocket frames the relay sends. Reading what clients send is
 * messages.ts; these are the other direction, built whole so one frame can
 * go to many clients.
 */
import type * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as encoding from 'lib0/encoding';
import { MESSAGE_AWARENESS, MESSAGE_SYNC } from '../src/lib/model/relay-protocol.js';

/** The relay's greeting: its state vector, so the client answers with what the relay lacks. */
export function encodeSyncStep1(doc: Y.Doc): Uint8Array {
	return syncFrame((encoder) => syncProtocol.writeSyncStep1(encoder, doc));
}

/** The answer to a client's step 1: what it lacks of `doc`, given its `stateVector`. */
export function encodeSyncStep2(doc: Y.Doc, stateVector: Uint8Array): Uint8Array {
	return syncFrame((encoder) => syncProtocol.writeSyncStep2(encoder, doc, stateVector));
}

/** A document update, forwarded to the clients that did not send it. */
export function encodeSyncUpdate(update: Uint8Array): Uint8Array {
	return syncFrame((encoder) => syncProtocol.writeUpdate(encoder, update));
}

/** The presence of `clients` (those removed included, so others drop them). */
export function encodeAwareness(awareness: awarenessProtocol.Awareness, clients: number[]): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
	encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, clients));
	return encoding.toUint8Array(encoder);
}

function syncFrame(write: (encoder: encoding.Encoder) => void): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, MESSAGE_SYNC);
	write(encoder);
	return encoding.toUint8Array(encoder);
}
