/** Appearance: the theme follows the system, a switch overrides it, and the choice survives reloads. */
import { expect, test } from './fixtures.js';

const DARK_BG = 'rgb(16, 19, 28)';
const LIGHT_BG = 'rgb(246, 247, 251)';

test('dark mode follows the system, and the theme switch overrides it across reloads', async ({ page, app }) => {
	const background = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
	await page.emulateMedia({ colorScheme: 'dark' });
	await page.goto(app);
	await expect(page.getByRole('heading', { name: 'New event' })).toBeVisible();
	expect(await background()).toBe(DARK_BG);

	await page.getByLabel('Theme').selectOption('light');
	await expect.poll(background).toBe(LIGHT_BG);
	await page.reload();
	// Applied before the app starts: the first paint is already light.
	expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
	expect(await background()).toBe(LIGHT_BG);
	await expect(page.getByLabel('Theme')).toHaveValue('light');

	await page.getByLabel('Theme').selectOption('system');
	await expect.poll(background).toBe(DARK_BG);
	await page.emulateMedia({ colorScheme: 'light' });
	await expect.poll(background).toBe(LIGHT_BG);
	await page.getByLabel('Theme').selectOption('dark');
	await expect.poll(background).toBe(DARK_BG);
});
