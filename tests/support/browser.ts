/**
 * How this project launches Chromium: the system build (Playwright cannot
 * download browsers here) with flags that keep it quiet on a shared machine.
 * Used by playwright.config.ts, by tests that need their own persistent
 * browser profile, and by scripts/icons.ts.
 */
import type { LaunchOptions } from '@playwright/test';

/** Launch options for every Chromium this project starts. */
export const chromiumLaunchOptions: LaunchOptions = {
	executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
	args: [
		'--no-sandbox',
		'--disable-gpu',
		'--disable-dev-shm-usage',
		'--disable-background-networking',
		'--disable-component-update',
		'--disable-sync'
	]
};
