import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './tests/support/browser';

export default defineConfig({
	testDir: 'tests/e2e',
	globalSetup: './tests/e2e/global-setup.ts',
	fullyParallel: false,
	workers: 1,
	retries: 0,
	timeout: 60_000,
	expect: { timeout: 15_000 },
	reporter: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME
		? [['list'], ['json', { outputFile: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME }]]
		: [['list']],
	use: {
		browserName: 'chromium',
		launchOptions: chromiumLaunchOptions,
		// Fixed so text and times read the same on any machine; tests that need others set their own.
		locale: 'en-US',
		timezoneId: 'UTC',
		trace: 'retain-on-failure'
	}
});
