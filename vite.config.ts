import { sveltekit } from '@sveltejs/kit/vite';
import { SvelteKitPWA } from '@vite-pwa/sveltekit';
import { defineConfig } from 'vitest/config';
import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { PARAGLIDE } from './scripts/paraglide.js';

const relayPort = process.env.PORT ?? '8787';

/** Colours shared by the manifest and src/app.html (light theme of src/app.css). */
const THEME_COLOR = '#3b5bdb';
const BACKGROUND_COLOR = '#f6f7fb';

export default defineConfig({
	plugins: [
		paraglideVitePlugin(PARAGLIDE),
		sveltekit(),
		SvelteKitPWA({
			// A new version waits until the person chooses to reload (UpdatePrompt).
			registerType: 'prompt',
			injectRegister: false,
			// Absolute: pages live at /e/<id>, and a relative ./sw.js would miss.
			base: '/',
			scope: '/',
			// The shell is served for every page path, so the service worker must
			// answer any navigation (/e/<id> never seen before included) with it.
			kit: { adapterFallback: '200.html', spa: true },
			workbox: {
				navigateFallback: '/200.html',
				navigateFallbackDenylist: [/^\/sync\//, /^\/healthz$/, /^\/api\//],
				globPatterns: ['client/**/*.{js,css,ico,png,svg,webp,webmanifest}'],
				cleanupOutdatedCaches: true
			},
			manifest: {
				id: '/',
				start_url: '/',
				scope: '/',
				display: 'standalone',
				name: 'Moim — group scheduler',
				short_name: 'Moim',
				description: 'Find a time that works for everyone — even offline.',
				lang: 'en',
				theme_color: THEME_COLOR,
				background_color: BACKGROUND_COLOR,
				icons: [
					{ src: '/pwa-192x192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
					{ src: '/pwa-512x512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
					{ src: '/maskable-512x512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' }
				]
			}
		})
	],
	// Readable names in CPU profiles (bench/browser.ts with BENCH_PROFILE builds apart with this off).
	build: { minify: process.env.MOIM_MINIFY !== 'false' },
	server: {
		// `npm run dev` serves the app from Vite; the relay runs beside it (`npm run relay`).
		proxy: { '/sync': { target: `ws://localhost:${relayPort}`, ws: true } }
	},
	test: {
		include: [
			'src/**/*.test.ts',
			'tests/unit/**/*.test.ts',
			'tests/relay/**/*.test.ts',
			'tests/lint/**/*.test.ts',
			'sync-server/**/*.test.ts'
		],
		environment: 'node',
		testTimeout: 30_000,
		hookTimeout: 60_000
	}
});
