/**
 * Telling a failed download of code (a page's, or a part of a page loaded
 * when it is needed) from other errors. src/app.html holds a copy of the
 * pattern for when the app itself cannot start.
 */

/** How browsers (and Vite, for a page's stylesheet) word a failed download of code. */
const MISSING_CODE =
	/Failed to fetch dynamically imported module|error loading dynamically imported module|Importing a module script failed|Unable to preload CSS/i;

/** `null` when `error` is not a failed download of code; else the file that failed, when the browser named it. */
export function missingCode(error: unknown): { file?: string } | null {
	const text = error instanceof Error ? error.message : String(error);
	if (!MISSING_CODE.test(text)) return null;
	const file = /(?:https?:\/\/|\/)\S+\.(?:js|css)\b/.exec(text)?.[0];
	return file ? { file } : {};
}
