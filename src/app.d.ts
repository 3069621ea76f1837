// See https://svelte.dev/docs/kit/types#app.d.ts
/// <reference types="vite-plugin-pwa/vanillajs" />

declare global {
	namespace App {}

	/** Chromium's install prompt event (not in the DOM typings). */
	interface BeforeInstallPromptEvent extends Event {
		prompt(): Promise<void>;
		readonly userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
	}
	interface WindowEventMap {
		beforeinstallprompt: BeforeInstallPromptEvent;
	}
	interface Navigator {
		/** iOS Safari: true when opened from the home screen. */
		readonly standalone?: boolean;
	}
}

export {};
