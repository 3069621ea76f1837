// Renders the app icons (static/icon.svg, static/icon-maskable.svg) to the
// PNG sizes the web app manifest and iOS need, with the project's Chromium.
// The PNGs are committed; run `npm run icons` after changing an SVG.
import { chromium } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { chromiumLaunchOptions } from '../tests/support/browser';

const root = path.resolve(import.meta.dirname, '..');
const outputs = [
	{ svg: 'icon.svg', png: 'pwa-192x192.png', size: 192 },
	{ svg: 'icon.svg', png: 'pwa-512x512.png', size: 512 },
	{ svg: 'icon-maskable.svg', png: 'maskable-512x512.png', size: 512 },
	// iOS draws its own rounded corners: give it the full-bleed square.
	{ svg: 'icon-maskable.svg', png: 'apple-touch-icon-180x180.png', size: 180 }
];

const browser = await chromium.launch(chromiumLaunchOptions);
try {
	const page = await browser.newPage();
	for (const { svg, png, size } of outputs) {
		const markup = fs.readFileSync(path.join(root, 'static', svg), 'utf8');
		await page.setViewportSize({ width: size, height: size });
		await page.setContent(
			`<style>html,body{margin:0;background:transparent}svg{display:block;width:${size}px;height:${size}px}</style>${markup}`
		);
		await page.screenshot({ path: path.join(root, 'static', png), omitBackground: true });
		console.log(`static/${png}`);
	}
} finally {
	await browser.close();
}
