import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as Y from 'yjs';
import {
	applyStroke,
	availabilityMap,
	slotMap,
	createEvent,
	eventMap,
	joinEvent,
	LOCKED_KEY,
	LOG_SCHEMA_VERSION,
	membersMap
} from './event-doc.js';
import { encodeBase, encodeStroke, readLog } from './stroke-log.js';
import { compactSlotKey } from './slots.js';
import { checkUpdate, type Writer } from './write-check.js';
import type { EventDraft } from './settings.js';

const DRAFT: EventDraft = {
	title: 'T',
	kind: 'weekdays',
	dates: [],
	weekdays: [1, 2],
	start: 540,
	end: 720,
	slot: 30,
	tz: 'UTC'
};
const ORGANIZER: Writer = { memberId: null, organizer: true };
const as = (memberId: string): Writer => ({ memberId, organizer: false });

/** A peer's copy of the relay's document; `edit` returns the update an edit produces. */
function peer(relay: Y.Doc) {
	const doc = new Y.Doc();
	Y.applyUpdate(doc, Y.encodeStateAsUpdate(relay));
	return {
		doc,
		edit(fn: (doc: Y.Doc) => void): Uint8Array {
			Y.applyUpdate(doc, Y.encodeStateAsUpdate(relay, Y.encodeStateVector(doc)));
			const updates: Uint8Array[] = [];
			const record = (u: Uint8Array) => updates.push(u);
			doc.on('update', record);
			fn(doc);
			doc.off('update', record);
			return Y.mergeUpdates(updates);
		}
	};
}

/** Most of these tests overwrite per-slot marks: their event is in schema v2, the last with per-slot maps. */
const MAP_SCHEMA = 2;

/** A relay document with an event, Ana and Ben, each with a mark. */
function setUp() {
	const relay = new Y.Doc();
	const organizer = peer(relay);
	Y.applyUpdate(
		relay,
		organizer.edit((d) => createEvent(d, DRAFT, 1, MAP_SCHEMA))
	);
	const ana = peer(relay);
	let anaId = '';
	Y.applyUpdate(
		relay,
		ana.edit((d) => (anaId = joinEvent(d, 'Ana', 2)))
	);
	const ben = peer(relay);
	let benId = '';
	Y.applyUpdate(
		relay,
		ben.edit((d) => (benId = joinEvent(d, 'Ben', 3)))
	);
	Y.applyUpdate(
		relay,
		ana.edit((d) => applyStroke(d, anaId, ['w1T09:00'], 1))
	);
	Y.applyUpdate(
		relay,
		ben.edit((d) => applyStroke(d, benId, ['w1T09:00', 'w1T09:30'], 1))
	);
	return { relay, organizer, ana, ben, anaId, benId };
}

describe('checkUpdate', () => {
	it('lets only the organizer write settings', () => {
		const relay = new Y.Doc();
		const creator = peer(relay);
		const create = creator.edit((d) => createEvent(d, DRAFT, 1));
		expect(checkUpdate(relay, create, ORGANIZER)).toMatchObject({ ok: true });
		expect(checkUpdate(relay, create, as('m1'))).toMatchObject({ ok: false, reason: 'settings-need-organizer' });

		const { relay: r, ana } = setUp();
		const rename = ana.edit((d) => eventMap(d).set('title', 'Mine now'));
		expect(checkUpdate(r, rename, as('x'))).toMatchObject({ ok: false, reason: 'settings-need-organizer' });
	});

	it('lets a member join and paint as themselves only', () => {
		const { relay, ana, anaId, benId } = setUp();
		let carol = '';
		const joining = peer(relay).edit((d) => (carol = joinEvent(d, 'Carol', 4)));
		expect(checkUpdate(relay, joining, as(carol))).toMatchObject({ ok: true });
		expect(checkUpdate(relay, joining, as(anaId))).toMatchObject({ ok: false, reason: 'not-your-member-entry' });

		const own = ana.edit((d) => applyStroke(d, anaId, ['w1T10:00', 'w2T10:00'], 1));
		expect(checkUpdate(relay, own, as(anaId))).toMatchObject({ ok: true });
		expect(checkUpdate(relay, own, as(benId))).toMatchObject({ ok: false, reason: 'not-your-availability' });
	});

	it('names the client ids an update adds content under, and not those it only re-sends', () => {
		const { relay, ana, anaId } = setUp();
		const stroke = ana.edit((d) => applyStroke(d, anaId, ['w2T11:00'], 1));
		expect(checkUpdate(relay, stroke, as(anaId))).toEqual({ ok: true, written: [ana.doc.clientID] });
		// Ana's whole state: everything but the new stroke is already in the relay's document.
		const whole = Y.encodeStateAsUpdate(ana.doc);
		expect(checkUpdate(relay, whole, as(anaId))).toEqual({ ok: true, written: [ana.doc.clientID] });
		Y.applyUpdate(relay, stroke);
		expect(checkUpdate(relay, whole, as(anaId))).toEqual({ ok: true, written: [] });
	});

	it("refuses overwriting someone else's mark, where the encoding leaves the parent out", () => {
		const { relay, ana, anaId, benId } = setUp();
		// Ben's existing key: the new item's origin is Ben's item, and its parent is not encoded.
		const forged = ana.edit((d) => slotMap(d, benId)!.set(compactSlotKey('w1T09:00'), 0));
		const [item] = Y.decodeUpdate(forged).structs as Y.Item[];
		expect(item.parent).toBeNull();
		expect(checkUpdate(relay, forged, as(anaId))).toMatchObject({ ok: false, reason: 'not-your-availability' });
		expect(checkUpdate(relay, forged, ORGANIZER)).toMatchObject({ ok: true });
	});

	it('refuses deleting or renaming another member unless organizer', () => {
		const { relay, ana, anaId, benId } = setUp();
		const removal = ana.edit((d) => {
			membersMap(d).delete(benId);
			availabilityMap(d).delete(benId);
		});
		expect(Y.decodeUpdate(removal).structs).toHaveLength(0);
		expect(checkUpdate(relay, removal, as(anaId))).toMatchObject({ ok: false, reason: 'not-your-member-entry' });
		expect(checkUpdate(relay, removal, ORGANIZER)).toMatchObject({ ok: true });

		const rename = ana.edit((d) => membersMap(d).set(benId, { name: 'Bob', joinedAt: 3 }));
		expect(checkUpdate(relay, rename, as(anaId))).toMatchObject({ ok: false, reason: 'not-your-member-entry' });
		const own = ana.edit((d) => membersMap(d).set(anaId, { name: 'Ana K', joinedAt: 2 }));
		expect(checkUpdate(relay, own, as(anaId))).toMatchObject({ ok: true });
	});

	it('a locked event takes no new members; existing ones keep painting', () => {
		const { relay, organizer, ana, anaId } = setUp();
		const lock = organizer.edit((d) => eventMap(d).set(LOCKED_KEY, true));
		expect(checkUpdate(relay, lock, as(anaId))).toMatchObject({ ok: false, reason: 'settings-need-organizer' });
		expect(checkUpdate(relay, lock, ORGANIZER)).toMatchObject({ ok: true });
		Y.applyUpdate(relay, lock);

		let late = '';
		const joining = peer(relay).edit((d) => (late = joinEvent(d, 'Late', 9)));
		expect(checkUpdate(relay, joining, as(late))).toMatchObject({ ok: false, reason: 'joining-locked' });
		expect(
			checkUpdate(
				relay,
				ana.edit((d) => applyStroke(d, anaId, ['w2T11:00'], 1)),
				as(anaId)
			)
		).toMatchObject({ ok: true });
	});

	it('refuses deleting content the document does not have, and other top-level types', () => {
		const { relay, anaId } = setUp();
		const elsewhere = new Y.Doc();
		elsewhere.getMap('members').set(anaId, { name: 'x', joinedAt: 0 });
		const deletion: Uint8Array[] = [];
		elsewhere.on('update', (u: Uint8Array) => deletion.push(u));
		elsewhere.getMap('members').delete(anaId);
		expect(checkUpdate(relay, deletion[0], as(anaId))).toMatchObject({ ok: false, reason: 'unknown-deletion' });

		const stray = peer(relay).edit((d) => d.getArray('notes').push(['hi']));
		expect(checkUpdate(relay, stray, ORGANIZER)).toMatchObject({ ok: false, reason: 'unknown-entry' });
	});

	it('lets anyone re-send content the document already has', () => {
		const { relay } = setUp();
		expect(checkUpdate(relay, Y.encodeStateAsUpdate(relay), as('nobody'))).toMatchObject({ ok: true });
	});

	it("lets a member's sync step 2 carry deletions the document already has, anyone's", () => {
		const { relay, ana, ben, anaId, benId } = setUp();
		// Ben overwrites his mark: his old item is deleted, and Ana's copy learns it.
		Y.applyUpdate(
			relay,
			ben.edit((d) => applyStroke(d, benId, ['w1T09:00'], 0))
		);
		Y.applyUpdate(ana.doc, Y.encodeStateAsUpdate(relay, Y.encodeStateVector(ana.doc)));
		applyStroke(ana.doc, anaId, ['w2T10:00'], 1);
		// Reconnecting, Ana answers the relay's step 1 with everything it lacks plus her whole delete set.
		const step2 = Y.encodeStateAsUpdate(ana.doc, Y.encodeStateVector(relay));
		expect(Y.decodeUpdate(step2).ds.clients.size).toBeGreaterThan(0);
		expect(checkUpdate(relay, step2, as(anaId))).toMatchObject({ ok: true });
		// A deletion of Ben's live mark in the same shape is still refused.
		const live = ana.edit((d) => slotMap(d, benId)!.set(compactSlotKey('w1T09:30'), 0));
		expect(checkUpdate(relay, live, as(anaId))).toMatchObject({ ok: false, reason: 'not-your-availability' });
	});

	it('property: own edits always pass, edits under another member always fail', () => {
		const { relay, ana, anaId, benId } = setUp();
		const slot = fc.constantFrom('w1T09:00', 'w1T09:30', 'w1T10:00', 'w2T11:30');
		const op = fc.record({
			target: fc.constantFrom('own', 'other'),
			slots: fc.array(slot, { minLength: 1, maxLength: 3 }),
			mark: fc.constantFrom<0 | 1>(0, 1)
		});
		let device = ana;
		fc.assert(
			fc.property(fc.array(op, { minLength: 1, maxLength: 8 }), (ops) => {
				for (const { target, slots, mark } of ops) {
					const member = target === 'own' ? anaId : benId;
					const update = device.edit((d) => applyStroke(d, member, slots, mark));
					const { structs, ds } = Y.decodeUpdate(update);
					if (structs.length === 0 && ds.clients.size === 0) continue; // the marks were already so
					const verdict = checkUpdate(relay, update, as(anaId));
					if (target === 'own') {
						expect(verdict).toMatchObject({ ok: true });
						Y.applyUpdate(relay, update);
					} else {
						expect(verdict.ok).toBe(false);
						// The refused edit never existed for the relay: Ana continues from its copy.
						device = peer(relay);
					}
				}
			}),
			{ numRuns: 40 }
		);
	});

	it('resolves a long chain of overwrites in one update without running out of stack', () => {
		const { relay, ana, anaId } = setUp();
		const update = ana.edit((d) => {
			for (let i = 0; i < 3000; i++) applyStroke(d, anaId, ['w1T09:30'], (i % 2) as 0 | 1);
		});
		expect(checkUpdate(relay, update, as(anaId))).toMatchObject({ ok: true });
	});

	it('refuses new garbage-collected content from anyone but the organizer', () => {
		const { relay, anaId } = setUp();
		const elsewhere = new Y.Doc();
		Y.applyUpdate(elsewhere, Y.encodeStateAsUpdate(relay));
		const before = Y.encodeStateVector(elsewhere);
		const scratch = new Y.Map<number>();
		elsewhere.transact(() => {
			slotMap(elsewhere, anaId)!.set(compactSlotKey('w2T09:00'), 1);
			elsewhere.getMap('availability').set('scratch', scratch as never);
			scratch.set('x', 1);
		});
		elsewhere.getMap('availability').delete('scratch');
		const update = Y.encodeStateAsUpdate(elsewhere, before);
		expect(Y.decodeUpdate(update).structs.some((s) => s instanceof Y.GC)).toBe(true);
		expect(checkUpdate(relay, update, as(anaId))).toMatchObject({ ok: false, reason: 'collected-content' });
	});

	describe('stroke logs (schema v3: a member’s entry is a Y.Text)', () => {
		/** A v3 relay document where Ana and Ben joined with logs and marked something. */
		function logSetUp() {
			const relay = new Y.Doc();
			Y.applyUpdate(
				relay,
				peer(relay).edit((d) => {
					createEvent(d, DRAFT, 1);
					eventMap(d).set('v', LOG_SCHEMA_VERSION);
				})
			);
			const ana = peer(relay);
			const ben = peer(relay);
			let anaId = '';
			let benId = '';
			Y.applyUpdate(
				relay,
				ana.edit((d) => (anaId = joinEvent(d, 'Ana', 2)))
			);
			Y.applyUpdate(
				relay,
				ben.edit((d) => (benId = joinEvent(d, 'Ben', 3)))
			);
			expect(availabilityMap(relay).get(anaId)).toBeInstanceOf(Y.Text);
			Y.applyUpdate(
				relay,
				ana.edit((d) => applyStroke(d, anaId, ['w1T09:00'], 1))
			);
			return { relay, ana, ben, anaId, benId };
		}
		const log = (doc: Y.Doc, id: string) => availabilityMap(doc).get(id) as Y.Text;

		it('lets a member join with a log and append to it, and nobody else', () => {
			const { relay, ana, anaId, benId } = logSetUp();
			let cara = '';
			const joining = peer(relay).edit((d) => (cara = joinEvent(d, 'Cara', 4)));
			expect(checkUpdate(relay, joining, as(cara))).toMatchObject({ ok: true });
			const own = ana.edit((d) => applyStroke(d, anaId, ['w1T10:00', 'w2T10:00'], 2));
			expect(checkUpdate(relay, own, as(anaId))).toMatchObject({ ok: true });
			expect(checkUpdate(relay, own, as(benId))).toMatchObject({ ok: false, reason: 'not-your-availability' });
			expect(checkUpdate(relay, own, ORGANIZER)).toMatchObject({ ok: true });
		});

		it('refuses records written into someone else’s log, appended or inserted', () => {
			const { relay, ben, anaId, benId } = logSetUp();
			Y.applyUpdate(
				relay,
				ben.edit((d) => applyStroke(d, benId, ['w2T09:00'], 1))
			);
			const record = encodeStroke({ q: 0, n: 4, d: 1, m: 1, weekly: true }, 9);
			for (const at of [(t: Y.Text) => t.length, () => 0, () => 1]) {
				const forged = peer(relay).edit((d) => log(d, benId).insert(at(log(d, benId)), record));
				expect(checkUpdate(relay, forged, as(anaId))).toMatchObject({ ok: false, reason: 'not-your-availability' });
				// The same insert into her own log is hers.
				const own = peer(relay).edit((d) => log(d, anaId).insert(at(log(d, anaId)), record));
				expect(checkUpdate(relay, own, as(anaId))).toMatchObject({ ok: true });
			}
		});

		it('lets a member delete their own records (undo, compaction) and refuses deleting another’s', () => {
			const { relay, ana, ben, anaId, benId } = logSetUp();
			Y.applyUpdate(
				relay,
				ben.edit((d) => applyStroke(d, benId, ['w2T09:00'], 1))
			);
			const compaction = ana.edit((d) => {
				const text = log(d, anaId);
				const base = encodeBase(readLog(text.toString()).weekly, true);
				d.transact(() => {
					const before = text.length;
					text.insert(0, base);
					text.delete(base.length, before);
				});
			});
			expect(checkUpdate(relay, compaction, as(anaId))).toMatchObject({ ok: true });
			expect(checkUpdate(relay, compaction, as(benId))).toMatchObject({ ok: false, reason: 'not-your-availability' });
			const erase = ana.edit((d) => log(d, benId).delete(0, log(d, benId).length));
			expect(checkUpdate(relay, erase, as(anaId))).toMatchObject({ ok: false, reason: 'not-your-availability' });
		});
	});
});
