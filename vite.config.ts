import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

const relayPort = process.env.PORT ?? '8787';

export default defineConfig({
	plugins: [sveltekit()],
	server: {
		// `npm run dev` serves the app from Vite; the relay runs beside it (`npm run relay`).
		proxy: { '/sync': { target: `ws://localhost:${relayPort}`, ws: true } }
	},
	test: {
		include: ['src/**/*.test.ts', 'tests/relay/**/*.test.ts', 'sync-server/**/*.test.ts'],
		environment: 'node',
		testTimeout: 30_000,
		hookTimeout: 60_000
	}
});
