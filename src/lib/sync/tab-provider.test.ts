import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as bc from 'lib0/broadcastchannel';
import { TabSyncProvider } from './tab-provider.js';

const SERVER = 'ws://127.0.0.1:9/sync';
/** Never used: the providers are not connected to a relay, only to the tabs' channel. */
class NoSocket {}

const providers: TabSyncProvider[] = [];
const listeners: [string, (data: ArrayBuffer) => void][] = [];
afterEach(() => {
	providers.splice(0).forEach((p) => p.destroy());
	// The last subscriber leaving closes the channel, which would keep the process alive.
	listeners.splice(0).forEach(([channel, f]) => bc.unsubscribe(channel, f));
});

/** A tab with the event open: a document holding `key`, on the tabs' channel of `room`. */
function tab(room: string, key: string): { doc: Y.Doc; provider: TabSyncProvider } {
	const doc = new Y.Doc();
	doc.getMap('event').set(key, true);
	const provider = new TabSyncProvider(SERVER, room, doc, {
		connect: false,
		WebSocketPolyfill: NoSocket as unknown as typeof WebSocket
	});
	providers.push(provider);
	provider.connectBc();
	return { doc, provider };
}

/** Sync messages on the channel of `room`: their step (0 = state vector, 1 = document or part of it). */
function listen(room: string): number[] {
	const steps: number[] = [];
	const listener = (data: ArrayBuffer) => {
		const bytes = new Uint8Array(data);
		if (bytes[0] === 0) steps.push(bytes[1]);
	};
	bc.subscribe(`${SERVER}/${room}`, listener);
	listeners.push([`${SERVER}/${room}`, listener]);
	return steps;
}

describe('TabSyncProvider', () => {
	it('alone, announces its state vector without sending the document', () => {
		const steps = listen('alone');
		tab('alone', 'a');
		expect(steps).toEqual([0]);
	});

	it('two tabs each with something the other lacks end up with both', () => {
		const a = tab('pair', 'a');
		const b = tab('pair', 'b');
		expect([...a.doc.getMap('event').keys()].sort()).toEqual(['a', 'b']);
		expect([...b.doc.getMap('event').keys()].sort()).toEqual(['a', 'b']);
		// Later changes keep flowing both ways.
		a.doc.getMap('event').set('later', 1);
		expect(b.doc.getMap('event').get('later')).toBe(1);
	});

	it('a third tab gets both and brings its own', () => {
		const a = tab('three', 'a');
		const b = tab('three', 'b');
		const c = tab('three', 'c');
		for (const { doc } of [a, b, c]) expect([...doc.getMap('event').keys()].sort()).toEqual(['a', 'b', 'c']);
	});
});
