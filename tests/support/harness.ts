/**
 * The shared fixture of relay tests: real relay processes, stock y-websocket
 * clients, an organized event with members, and the default event. All a
 * test starts is torn down after it; what a `beforeAll` starts, after the
 * file.
 */
import { afterAll, afterEach, beforeEach } from 'vitest';
import type * as Y from 'yjs';
import { createEvent, joinEvent, readSettings } from '../../src/lib/model/event-doc.js';
import { newEventId } from '../../src/lib/model/ids.js';
import type { EventDraft } from '../../src/lib/model/settings.js';
import { SyncTracker, type SyncTrackerOptions } from '../../src/lib/sync/status.js';
import { stockClient, until, type StockClient } from './clients.js';
import { person, type Person } from './identity.js';
import { startRelay, type RelayOptions, type RelayProcess } from './relay-process.js';
import { startPostgres, type PgServer } from './postgres.js';

/**
 * The store every relay of this test file uses. A `*-postgres.test.ts` file
 * sets `postgres` and then imports a test file, which runs all its tests
 * again on a PostgreSQL store (module state is per test file in vitest).
 */
let store: 'leveldb' | 'postgres' = 'leveldb';
/** Runs the relays of this test file on `which` store. */
export function useStore(which: 'leveldb' | 'postgres') {
	store = which;
}
let postgres: Promise<PgServer> | null = null;

/** The event relay tests create: every slot of the week can be marked. */
export const DRAFT: EventDraft = {
	title: 'Relay test',
	kind: 'weekdays',
	dates: [],
	weekdays: [1, 2, 3, 4, 5, 6, 7],
	start: 0,
	end: 1440,
	slot: 30,
	tz: 'UTC'
};

/** Names of an organized room's members, in the order they join (the organizer is Olga). */
const NAMES = ['Ben', 'Cara', 'Dan', 'Eun', 'Fay', 'Gil', 'Hana'];

/** Someone in an organized room: who they are and their connected client. */
export interface Joined {
	person: Person;
	client: StockClient;
}

/** The schema of rooms `organizedRoom` makes unless told: the last with per-slot maps. */
export const MAP_SCHEMA = 2;

/** Call once per test file, at the top level. */
export function relayHarness() {
	const perTest: (() => unknown)[] = [];
	const perFile: (() => unknown)[] = [];
	let current = perFile;
	const run = async (list: (() => unknown)[]) => {
		for (const fn of list.splice(0).reverse()) await fn();
	};
	beforeEach(() => {
		current = perTest;
	});
	afterEach(async () => {
		current = perFile;
		await run(perTest);
	});
	afterAll(() => run(perFile));

	/** Registers a teardown step (for the current test, or for the file from a `beforeAll`). */
	const onCleanup = (fn: () => unknown) => void current.push(fn);

	/** A stock y-websocket client of `room`, writing as `who` (a reader without), on `doc`, with the app's `?v=` unless `params` says otherwise. */
	const client = (
		r: RelayProcess,
		room: string,
		who?: Person,
		doc?: Y.Doc,
		params?: Record<string, string>
	): StockClient => {
		const c = stockClient(r.wsUrl, room, who, doc, params);
		onCleanup(c.destroy);
		return c;
	};

	return {
		onCleanup,
		client,

		/** A real relay process (on this file's store, see {@link useStore}), killed after the test. */
		async relay(options: RelayOptions = {}): Promise<RelayProcess> {
			if (store === 'postgres') {
				if (!postgres) {
					postgres = startPostgres();
					// The server outlives single tests: stopped with the file.
					perFile.push(async () => (await postgres)?.stop());
				}
				const server = await postgres;
				options = { ...options, env: { STORE: 'postgres', DATABASE_URL: server.url, ...options.env } };
			}
			const r = await startRelay(options);
			onCleanup(() => r.kill());
			const expected = options.env?.STORE ?? 'leveldb';
			if (!r.output().includes(`"store":"${expected}"`))
				throw new Error(`the relay is not on ${expected}:\n${r.output()}`);
			return r;
		},

		/** `r` started again on its port and data (after a stop or a kill), killed after the test. */
		async restart(r: RelayProcess): Promise<RelayProcess> {
			const back = await r.restart();
			onCleanup(() => back.kill());
			return back;
		},

		/**
		 * A new room on `r` with `draft`, created and joined by an organizer
		 * (resolves once the relay has confirmed that), then joined by
		 * `members` more people, each once the organizer sees the one before.
		 * `v`: the schema the event is made in; by default 2, per-slot maps,
		 * which most relay tests write into slot by slot (v3 rooms: schema-level
		 * and compaction tests).
		 */
		async organizedRoom(r: RelayProcess, { members = 0, draft = DRAFT, v = MAP_SCHEMA } = {}) {
			const room = newEventId();
			const organizerPerson = person({ organizer: true });
			const organizer = { person: organizerPerson, client: client(r, room, organizerPerson) };
			const { provider, doc } = organizer.client;
			// Watching only while the event is made: it would add a probe to every later update.
			const tracker = new SyncTracker(provider, doc);
			try {
				await until(() => provider.synced, 'organizer synced');
				createEvent(doc, draft, 1, v);
				joinEvent(doc, 'Olga', 1, organizerPerson.memberId);
				await until(() => tracker.snapshot.state === 'synced', 'the event confirmed by the relay');
			} finally {
				tracker.destroy();
			}
			const joined: Joined[] = [];
			for (let i = 0; i < members; i++) {
				const p = person();
				const c = client(r, room, p);
				await until(() => readSettings(c.doc) !== null, `member ${i} has the event`);
				joinEvent(c.doc, NAMES[i] ?? `Member ${i}`, i + 2, p.memberId);
				await until(() => doc.getMap('members').has(p.memberId), `member ${i} at the organizer`);
				joined.push({ person: p, client: c });
			}
			return { room, organizer, members: joined };
		},

		/** What a fresh reader of `room` gets from `r`: the relay's copy, as on its disk. */
		async readBack(r: RelayProcess, room: string): Promise<Y.Doc> {
			const reader = client(r, room);
			await until(() => reader.provider.synced, 'reader synced', 15_000);
			return reader.doc;
		},

		/** The app's sync tracker on `c`: `synced` once the relay has confirmed all `c` holds. */
		tracker(c: StockClient, options?: SyncTrackerOptions): SyncTracker {
			const tracker = new SyncTracker(c.provider, c.doc, options);
			onCleanup(() => tracker.destroy());
			return tracker;
		}
	};
}
