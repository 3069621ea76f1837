// `npm test`: every test — unit and relay (vitest), then end to end
// (Playwright, real Chromium, real relay) — and one closing line
// "N passed, N failed" derived from both runners' JSON reports.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensureBuild, root } from './ensure-build.js';

const out = path.join(root, '.test-output');
fs.mkdirSync(out, { recursive: true });
const vitestJson = path.join(out, 'vitest.json');
const playwrightJson = path.join(out, 'playwright.json');
for (const f of [vitestJson, playwrightJson]) fs.rmSync(f, { force: true });

const bin = (name, file) => path.join(root, 'node_modules', name, file);
const run = (args, env = {}) =>
	spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } }).status;

// Types and lint first: each fails the run (counted as one failure) but
// does not stop the tests from running.
const typesStatus =
	run([path.join(root, 'scripts', 'messages.js')]) ||
	run([bin('@sveltejs/kit', 'svelte-kit.js'), 'sync']) ||
	run([bin('svelte-check', 'bin/svelte-check'), '--tsconfig', './tsconfig.json', '--output', 'human']) ||
	// The relay is not part of the app's tsconfig (it runs under Node, not Vite).
	run([bin('typescript', 'bin/tsc'), '-p', 'tsconfig.relay.json']);
const lintStatus =
	run([bin('prettier', 'bin/prettier.cjs'), '--check', '--log-level', 'warn', '.']) ||
	run([bin('eslint', 'bin/eslint.js'), '.']);
if (lintStatus !== 0) console.error('Lint failed: `npm run format` fixes layout; the rest is eslint above.');

const vitestStatus = run([
	bin('vitest', 'vitest.mjs'),
	'run',
	'--reporter=default',
	'--reporter=json',
	`--outputFile.json=${vitestJson}`
]);
ensureBuild();
const playwrightStatus = run([bin('@playwright/test', 'cli.js'), 'test'], {
	PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightJson
});

function read(file) {
	try {
		return JSON.parse(fs.readFileSync(file, 'utf8'));
	} catch {
		return null;
	}
}

let passed = 0;
let failed = 0;
let skipped = 0;
const v = read(vitestJson);
if (v) {
	passed += v.numPassedTests;
	failed += v.numFailedTests;
	skipped += v.numPendingTests + (v.numTodoTests ?? 0);
} else failed += 1; // the runner crashed before reporting: count it as a failure
const p = read(playwrightJson);
if (p) {
	passed += p.stats.expected + p.stats.flaky;
	failed += p.stats.unexpected;
	skipped += p.stats.skipped;
	// Errors outside tests (global setup, config) fail the run too.
	failed += (p.errors ?? []).length;
} else failed += 1;

if (typesStatus !== 0) failed += 1;
if (lintStatus !== 0) failed += 1;
const ranNothing = passed + failed === 0;
const line = `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
fs.writeFileSync(path.join(out, 'summary.txt'), line + '\n');
console.log(line);
process.exit(
	failed > 0 || ranNothing || vitestStatus !== 0 || playwrightStatus !== 0 || typesStatus !== 0 || lintStatus !== 0
		? 1
		: 0
);
