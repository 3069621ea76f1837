/**
 * Where the sync status keeps what the relay last acknowledged (status.ts,
 * `AckStore`): beside the event's document, in its IndexedDB database, so
 * "not on the relay yet" survives reloads and restarts.
 */
import type { IndexeddbPersistence } from 'y-indexeddb';
import type { AckRecord, AckStore } from './status.js';

const ACK_KEY = 'relay-ack';

/** Keeps what the relay acknowledged beside the document, in its own database. */
export function ackStore(local: IndexeddbPersistence): AckStore {
	return {
		async load() {
			const raw = await local.get(ACK_KEY);
			return typeof raw === 'string' ? parseAckRecord(raw) : null;
		},
		save(record) {
			void local.set(ACK_KEY, JSON.stringify(record)).catch(() => {});
		}
	};
}

function parseAckRecord(raw: string): AckRecord | null {
	try {
		const value = JSON.parse(raw);
		const pairs = Array.isArray(value?.sv) ? value.sv : [];
		return {
			sv: pairs.filter((p: unknown) => Array.isArray(p) && p.length === 2 && p.every(Number.isSafeInteger)),
			deletes: value?.deletes === true,
			at: typeof value?.at === 'number' ? value.at : null
		};
	} catch {
		return null;
	}
}
