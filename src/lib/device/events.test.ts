import { beforeEach, describe, expect, it } from 'vitest';
import { describeEvent, rememberEvent, rememberedEvents, trashEvent, forgetEvent } from './events.js';

/** A Storage over a Map: Node has no localStorage, and this module only reads and writes strings. */
class MemoryStorage {
	#items = new Map<string, string>();
	getItem(key: string) {
		return this.#items.get(key) ?? null;
	}
	setItem(key: string, value: string) {
		this.#items.set(key, String(value));
	}
	removeItem(key: string) {
		this.#items.delete(key);
	}
}

beforeEach(() => {
	(globalThis as { localStorage?: unknown }).localStorage = new MemoryStorage();
});

describe('events on this device', () => {
	it('lists by last opened, keeps the listing, trashes, restores and forgets', () => {
		rememberEvent({ id: 'a', title: 'A' }, 1);
		rememberEvent({ id: 'b', title: 'B' }, 2);
		describeEvent('a', {
			title: 'A',
			kind: 'weekdays',
			weekdays: [1],
			start: 540,
			end: 600,
			myName: 'Min',
			marked: true,
			members: ['Min']
		});
		expect(rememberedEvents().map((e) => e.id)).toEqual(['b', 'a']);
		expect(rememberedEvents()[1]).toMatchObject({ kind: 'weekdays', myName: 'Min', marked: true, lastOpened: 1 });
		trashEvent('a', true, 5);
		expect(rememberedEvents()[1].trashedAt).toBe(5);
		trashEvent('a', false);
		expect(rememberedEvents()[1].trashedAt).toBeUndefined();
		forgetEvent('a');
		expect(rememberedEvents().map((e) => e.id)).toEqual(['b']);
	});

	it('drops damaged listing fields instead of breaking the home page', () => {
		localStorage.setItem(
			'moim:events',
			JSON.stringify([
				{
					id: 'x',
					title: 'X',
					lastOpened: 3,
					kind: 'monthly',
					dates: { first: 'soon' },
					weekdays: [9],
					start: 'nine',
					members: [1],
					trashedAt: 'yes'
				},
				{ id: 7, title: 'not an entry' },
				null
			])
		);
		expect(rememberedEvents()).toEqual([{ id: 'x', title: 'X', lastOpened: 3 }]);
	});
});
