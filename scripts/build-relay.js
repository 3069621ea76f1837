// Compiles the relay (sync-server/, with the model code it shares with the
// app) into one JavaScript file, so production runs plain Node: no
// TypeScript loader thread, and a third less memory at start
// (docs/BENCHMARKS.md). Dependencies stay in node_modules (classic-level
// is native). Tests run the sources through tsx; `npm start` and the
// benchmarks run this.
import { buildSync } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { newest, root } from './ensure-build.js';

/** Where the compiled relay goes (git-ignored). */
export const relayOut = path.join(root, 'relay-build', 'main.js');

/**
 * Node flags the relay runs with. Young-generation semispaces capped at 4 MB: V8 grows them up to
 * 16 MB under a crowd and keeps them afterwards, so an idle relay stayed at its peak memory
 * (docs/RELIABILITY.md); the cap costs more, cheaper scavenges under load.
 */
export const relayNodeFlags = ['--enable-source-maps', '--max-semi-space-size=4'];

/**
 * glibc's malloc settings for the relay (docs/RELIABILITY.md, finding 3). By default every
 * thread that allocates gets its own arena: V8's compiler threads (temporary zones of up to
 * megabytes) and the threads LevelDB's work runs on left pages in eight arenas that only
 * shrink from their top, so RSS grew with every crowd (+2.5 MB) long after everyone left.
 * One arena, without fastbins or the per-thread cache, coalesces what is freed and gives it
 * back: +0.9 MB per crowd, which is LevelDB's write buffer filling up (bounded, 4 MB). No
 * effect on other C libraries (musl), and a GLIBC_TUNABLES already set wins.
 */
export const relayMalloc =
	'glibc.malloc.arena_max=1:glibc.malloc.mxfast=0:glibc.malloc.tcache_count=0:glibc.malloc.trim_threshold=65536';

/** The relay's environment: `env` with {@link relayMalloc} unless it sets GLIBC_TUNABLES itself. */
export function relayEnv(env = process.env) {
	return { GLIBC_TUNABLES: relayMalloc, ...env };
}

/** Compiles the relay if the output is missing or older than its sources. */
export function ensureRelayBuild() {
	const sources = Math.max(newest(path.join(root, 'sync-server')), newest(path.join(root, 'src/lib/model')));
	if (fs.existsSync(relayOut) && fs.statSync(relayOut).mtimeMs >= sources) return;
	buildSync({
		entryPoints: [path.join(root, 'sync-server/main.ts')],
		outfile: relayOut,
		bundle: true,
		platform: 'node',
		format: 'esm',
		target: 'node20',
		packages: 'external',
		sourcemap: true,
		logLevel: 'warning'
	});
}

if (process.argv[1] === new URL(import.meta.url).pathname) ensureRelayBuild();
