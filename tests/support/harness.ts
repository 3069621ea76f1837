/**
 * The shared frame of relay tests: everything a test starts (relay
 * processes, clients, sockets) is registered and torn down after it.
 */
import { afterEach } from 'vitest';
import { stockClient } from './clients.js';
import type { Person } from './identity.js';
import { startRelay, type RelayOptions, type RelayProcess } from './relay-process.js';

/** Call once per test file, at the top level. */
export function relayHarness() {
	const cleanups: (() => unknown)[] = [];
	afterEach(async () => {
		for (const fn of cleanups.splice(0).reverse()) await fn();
	});
	return {
		/** Registers a teardown step for the current test. */
		cleanups,
		/** A real relay process, killed after the test. */
		async relay(options: RelayOptions = {}): Promise<RelayProcess> {
			const r = await startRelay(options);
			cleanups.push(() => r.kill());
			return r;
		},
		/** A stock y-websocket client of `room`, writing as `who` (a reader without). */
		client(r: RelayProcess, room: string, who?: Person) {
			const c = stockClient(r.wsUrl, room, who);
			cleanups.push(c.destroy);
			return c;
		}
	};
}
