// Builds the app into build/ when it is missing or older than its sources.
// Used by `npm start` and by the end-to-end tests' global setup.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Newest modification time (ms) of a file, or of a folder and anything below
 * it (a folder's own time changes when a file in it is removed or renamed).
 * @param {string} p
 * @returns {number}
 */
export function newest(p) {
	if (!fs.existsSync(p)) return 0;
	const stat = fs.statSync(p);
	if (!stat.isDirectory()) return stat.mtimeMs;
	return Math.max(stat.mtimeMs, ...fs.readdirSync(p).map((f) => newest(path.join(p, f))));
}

/**
 * Runs `vite build` if needed; exits the process if the build fails.
 * `outDir` (relative to the project) and `buildId` make a second, differently
 * named build, as the service-worker update test needs.
 * @param {{ outDir?: string, buildId?: string }} [options]
 */
export function ensureBuild({ outDir = 'build', buildId } = {}) {
	const shell = path.join(root, outDir, '200.html');
	const sources = ['src', 'static', 'svelte.config.js', 'vite.config.ts', 'package.json'].map((p) =>
		path.join(root, p)
	);
	const stale = !fs.existsSync(shell) || Math.max(...sources.map(newest)) > fs.statSync(shell).mtimeMs;
	if (!stale) return;
	console.log(`Building the app into ${outDir}…`);
	const env = { ...process.env, MOIM_BUILD_DIR: outDir, ...(buildId ? { MOIM_BUILD_ID: buildId } : {}) };
	const build = spawnSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build'], {
		cwd: root,
		env,
		stdio: 'inherit'
	});
	if (build.status !== 0) process.exit(build.status ?? 1);
}
