import { describe, expect, it } from 'vitest';
import { newEventKey } from './event-crypto.js';
import { newPersonalRoomId } from './ids.js';
import { parsePersonalSyncCode, personalSyncCode } from './sealed-routine.js';

describe('a personal sync link', () => {
	it('carries the room and its key, and reads back both', () => {
		const room = newPersonalRoomId();
		const key = newEventKey();
		expect(parsePersonalSyncCode(personalSyncCode(room, key))).toEqual({ room, key });
	});

	it('from before keys is a room alone; anything else is not a link', () => {
		const room = newPersonalRoomId();
		expect(parsePersonalSyncCode(room)).toEqual({ room, key: null });
		for (const bad of [
			'',
			'not-a-room',
			`${room}.`,
			`${room}.short`,
			`${room}.${newEventKey()}.x`,
			`x.${newEventKey()}`
		])
			expect(parsePersonalSyncCode(bad), bad).toBeNull();
	});
});
