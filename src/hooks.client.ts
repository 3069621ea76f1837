/**
 * Client hooks. `handleError` tells src/routes/+error.svelte when a page
 * failed because its code could not be downloaded (offline or the relay
 * down before the service worker had cached it, or a deploy removed the
 * old files), so Moim can say so and retry instead of showing a bare
 * "500 Internal Error".
 *
 * SvelteKit loads a page's code with a dynamic import the first time the
 * page is opened. If that fails during a navigation, it first asks the
 * server whether a new version is out (and if so, reloads into it);
 * otherwise it calls this hook and shows the nearest +error.svelte — here
 * the root one, whose code it fetched when the app started.
 */
import type { HandleClientError } from '@sveltejs/kit';
import { missingCode } from '$lib/components/app/missing-code';

// The fields this hook adds to App.Error (read by src/routes/+error.svelte).
declare global {
	// eslint-disable-next-line @typescript-eslint/no-namespace -- SvelteKit types App.Error through this namespace
	namespace App {
		interface Error {
			/** The page's code (JS or CSS) could not be downloaded. */
			codeMissing?: true;
			/** The file that failed, when the browser named it. */
			missingFile?: string;
		}
	}
}

export const handleError: HandleClientError = ({ error, message }) => {
	const missing = missingCode(error);
	if (!missing) return { message };
	return { message, codeMissing: true, ...(missing.file ? { missingFile: missing.file } : {}) };
};

/**
 * Vite's preload helper asks for each stylesheet once in a page's life: one
 * that failed (say while SvelteKit fetched a page's code ahead of time, with
 * the connection down) would never be asked for again, and that page would
 * later open unstyled. So a stylesheet that failed is fetched again, when the
 * browser is back online and every few seconds, until it arrives.
 */
addEventListener('vite:preloadError', (event) => {
	const href = /Unable to preload CSS for (\S+)/.exec(String(event.payload?.message))?.[1];
	if (href) fetchStylesheetAgain(href);
});

/** Stylesheets being fetched again. */
const refetching = new Set<string>();

function fetchStylesheetAgain(href: string) {
	if (refetching.has(href)) return;
	refetching.add(href);
	let wait = 2000;
	let timer: ReturnType<typeof setTimeout>;
	const later = () => {
		addEventListener('online', attempt);
		timer = setTimeout(attempt, wait);
		wait = Math.min(wait * 2, 10_000);
	};
	function attempt() {
		clearTimeout(timer);
		removeEventListener('online', attempt);
		for (const link of document.querySelectorAll<HTMLLinkElement>('link[rel="stylesheet"]'))
			if (link.href === href) link.remove();
		const link = Object.assign(document.createElement('link'), { rel: 'stylesheet', href });
		link.addEventListener('load', () => refetching.delete(href));
		link.addEventListener('error', later);
		document.head.append(link);
	}
	later();
}
