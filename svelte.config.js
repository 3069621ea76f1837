import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		// A single-page app: nothing is prerendered, every path is served the
		// fallback shell, so any /e/<id> link opens the same app.
		adapter: adapter({ fallback: '200.html', strict: false })
	}
};

export default config;
