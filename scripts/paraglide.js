// Paraglide settings, shared by the Vite plugin and `npm run messages`
// (which compiles the messages before type checks that run without Vite).
/** @type {{ project: string; outdir: string; strategy: ('localStorage' | 'preferredLanguage' | 'baseLocale')[] }} */
export const PARAGLIDE = {
	project: './project.inlang',
	outdir: './src/lib/paraglide',
	// A choice made with the switch wins; then the browser's languages; then English.
	strategy: ['localStorage', 'preferredLanguage', 'baseLocale']
};
