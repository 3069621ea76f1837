// `npm start`: builds the app if it is missing or older than its sources,
// then runs the relay, which serves the app and the sync rooms on one port.
import { spawnSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shell = path.join(root, 'build', '200.html');

function newest(p) {
	if (!fs.existsSync(p)) return 0;
	const stat = fs.statSync(p);
	if (!stat.isDirectory()) return stat.mtimeMs;
	return Math.max(stat.mtimeMs, ...fs.readdirSync(p).map((f) => newest(path.join(p, f))));
}

const sources = ['src', 'static', 'svelte.config.js', 'vite.config.ts', 'package.json'].map((p) => path.join(root, p));
const stale = !fs.existsSync(shell) || Math.max(...sources.map(newest)) > fs.statSync(shell).mtimeMs;
if (stale) {
	console.log('Building the app…');
	const build = spawnSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build'], {
		cwd: root,
		stdio: 'inherit'
	});
	if (build.status !== 0) process.exit(build.status ?? 1);
}

const relay = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'sync-server/main.ts')], {
	cwd: root,
	stdio: 'inherit'
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => relay.kill(signal));
relay.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
console.log(`Moim: http://localhost:${process.env.PORT ?? 8787}`);
