import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

// This file is loaded more than once per build (also by SvelteKit's child
// processes): fix the build's name once, in the environment they inherit.
process.env.MOIM_BUILD_ID ||= new Date().toISOString().replace(/[-:.]/g, '');

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		// A single-page app: nothing is prerendered, every path is served the
		// fallback shell, so any /e/<id> link opens the same app.
		// MOIM_BUILD_DIR lets the update test build a second version beside the first.
		adapter: adapter({ pages: process.env.MOIM_BUILD_DIR || 'build', fallback: '200.html', strict: false }),
		// Every build gets its own name (shown in the footer, and the revision of
		// the precached shell, so a new build is always a service-worker update).
		version: { name: process.env.MOIM_BUILD_ID },
		// The service worker comes from @vite-pwa/sveltekit, not SvelteKit's own.
		serviceWorker: { register: false }
	}
};

export default config;
