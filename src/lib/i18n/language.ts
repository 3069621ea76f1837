/**
 * The language of the interface: Korean or English, from the person's
 * choice (remembered on this device) or else the browser's languages.
 * Messages live in messages/{en,ko}.json and are compiled by Paraglide
 * (project.inlang) into src/lib/paraglide; dates and times are formatted
 * with Intl in the same language (src/lib/format.ts).
 */
import { getLocale, locales, setLocale, type Locale } from '../paraglide/runtime.js';

export { getLocale, locales, type Locale };

/** Each language's name in itself, for the switch. */
export const LANGUAGE_NAMES: Record<Locale, string> = { en: 'English', ko: '한국어' };

/**
 * Switches the language. The page reloads so every string and date is
 * redrawn in it; nothing is lost (everything is already in IndexedDB).
 */
export function switchLanguage(locale: Locale): void {
	if (locale !== getLocale()) setLocale(locale);
}

/** The language Intl should format in. */
export function intlLocale(): string {
	return getLocale();
}
