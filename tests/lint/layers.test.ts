/**
 * The layer rules in eslint.config.js catch a forbidden import: each case is
 * a deliberate violation linted as if it were a file in that layer.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function restricted(filePath: string, code: string): Promise<string[]> {
	const [result] = await eslint.lintText(code, { filePath });
	return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer rules', () => {
	it('the model imports only yjs, lib0, @internationalized/date and itself', async () => {
		const file = 'src/lib/model/probe.ts';
		expect(await restricted(file, "import { createSubscriber } from 'svelte/reactivity';\n")).toHaveLength(1);
		expect(await restricted(file, "import { relayUrl } from '../sync/session.js';\n")).toHaveLength(1);
		expect(await restricted(file, "import http from 'node:http';\n")).toHaveLength(1);
		expect(
			await restricted(
				file,
				"import * as Y from 'yjs';\nimport { toBase64 } from 'lib0/buffer';\nimport { today } from '@internationalized/date';\nimport { buildGrid } from './slots.js';\n"
			)
		).toEqual([]);
	});

	it('sync wiring never imports svelte or the rune adapters', async () => {
		const file = 'src/lib/sync/probe.ts';
		expect(await restricted(file, "import { untrack } from 'svelte';\n")).toHaveLength(1);
		expect(await restricted(file, "import { EventState } from '../state/event.svelte.js';\n")).toHaveLength(1);
		expect(await restricted(file, "import { readLocal } from '../device/local-store.js';\n")).toEqual([]);
	});

	it('the relay imports from src only the model', async () => {
		const file = 'sync-server/probe.ts';
		expect(await restricted(file, "import { relayUrl } from '../src/lib/sync/session.js';\n")).toHaveLength(1);
		expect(await restricted(file, "import { isEventId } from '../src/lib/model/ids.js';\n")).toEqual([]);
	});
});
