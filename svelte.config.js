import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

// This file is loaded more than once per build (also by SvelteKit's child
// processes): fix the build's name once, in the environment they inherit.
process.env.MOIM_BUILD_ID ||= new Date().toISOString().replace(/[-:.]/g, '');

// MOIM_BUILD_DIR lets the update test build a second version beside the first.
const pages = process.env.MOIM_BUILD_DIR || 'build';

// precompress: a .br and a .gz beside each text file (sw.js and workbox-*.js included: the PWA
// plugin writes them before the adapter runs), sent by Accept-Encoding (sync-server/static.ts).
const staticAdapter = adapter({ pages, fallback: '200.html', strict: false, precompress: true });

/** adapter-static, plus the copies of the web manifest its precompress skips (it knows no .webmanifest). */
const adapterAndManifest = {
	...staticAdapter,
	/** @param {import('@sveltejs/kit').Builder} builder */
	async adapt(builder) {
		await staticAdapter.adapt(builder);
		const manifest = path.join(pages, 'manifest.webmanifest');
		if (!fs.existsSync(manifest)) return;
		const body = fs.readFileSync(manifest);
		fs.writeFileSync(`${manifest}.br`, zlib.brotliCompressSync(body));
		fs.writeFileSync(`${manifest}.gz`, zlib.gzipSync(body, { level: 9 }));
	}
};

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		// A single-page app: nothing is prerendered, every path is served the
		// fallback shell, so any /e/<id> link opens the same app.
		adapter: adapterAndManifest,
		// Every build gets its own name (shown in the footer, and the revision of
		// the precached shell, so a new build is always a service-worker update).
		version: { name: process.env.MOIM_BUILD_ID },
		// The service worker comes from @vite-pwa/sveltekit, not SvelteKit's own.
		serviceWorker: { register: false }
	}
};

export default config;
