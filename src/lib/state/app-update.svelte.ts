/**
 * A new version of the app (from the service worker), offered as a prompt
 * and taken only when the person asks, after everything is saved.
 */
import { createContext } from 'svelte';

/** How often a long-open tab looks for a new version. */
const UPDATE_CHECK_MS = 60 * 60 * 1000;
/** How long to wait for the new service worker before reloading anyway. */
const TAKEOVER_TIMEOUT_MS = 4000;
/** How long a new version found on request may take to install before the page gives up waiting. */
const INSTALL_TIMEOUT_MS = 30_000;

/**
 * A new version never reloads the page by itself: it waits for the person to
 * press Reload (which never happens mid-stroke: the stroke has the pointer).
 * Another tab accepting the update makes this one show the prompt too.
 */
export class AppUpdate {
	/** A new version is ready; show the prompt. */
	ready = $state(false);
	/** The app is cached and opens without a connection. */
	offlineReady = $state(false);
	#accepted = false;
	#takenOverElsewhere = false;
	#update: ((reload?: boolean) => Promise<void>) | null = null;
	#registration: ServiceWorkerRegistration | null = null;

	/** Registers the service worker; returns the stop function. */
	start(): () => void {
		if (!('serviceWorker' in navigator)) return () => {};
		let stopped = false;
		// workbox-window is downloaded apart, so that it does not hold up the page being opened.
		void import('virtual:pwa-register').then(({ registerSW }) => {
			if (stopped) return;
			this.#update = registerSW({
				immediate: true,
				onNeedRefresh: () => {
					this.ready = true;
					for (const wake of this.#waitingForReady.splice(0)) wake();
				},
				onOfflineReady: () => (this.offlineReady = true),
				onNeedReload: () => {
					if (this.#accepted) void this.#reloadNow();
					else {
						this.#takenOverElsewhere = true;
						this.ready = true;
					}
				},
				onRegisteredSW: (_url, registration) => {
					this.#registration = registration ?? null;
					if (registration?.active && !registration.waiting) this.offlineReady = true;
				}
			});
		});
		const check = () => void this.check();
		const onVisible = () => document.visibilityState === 'visible' && check();
		const timer = setInterval(check, UPDATE_CHECK_MS);
		addEventListener('online', check);
		document.addEventListener('visibilitychange', onVisible);
		return () => {
			stopped = true;
			clearInterval(timer);
			removeEventListener('online', check);
			document.removeEventListener('visibilitychange', onVisible);
		};
	}

	/** Looks for a new version now. */
	async check(): Promise<void> {
		if (!navigator.onLine) return;
		await this.#registration?.update().catch(() => {});
	}

	#waitingForReady: (() => void)[] = [];

	/**
	 * Looks for a new version and moves to it (the person asked: an event
	 * needs it). Resolves `false` when there is none to move to.
	 */
	async updateNow(): Promise<boolean> {
		await this.check();
		const registration = this.#registration;
		if (!this.ready && !registration?.installing && !registration?.waiting) return false;
		if (!this.ready) {
			const installed = await new Promise<boolean>((resolve) => {
				const timer = setTimeout(() => resolve(false), INSTALL_TIMEOUT_MS);
				this.#waitingForReady.push(() => {
					clearTimeout(timer);
					resolve(true);
				});
			});
			if (!installed) return false;
		}
		await this.accept();
		return true;
	}

	/** Moves to the new version, after everything is saved on the device. */
	async accept(): Promise<void> {
		this.#accepted = true;
		if (this.#takenOverElsewhere || !this.#registration?.waiting) return this.#reloadNow();
		setTimeout(() => void this.#reloadNow(), TAKEOVER_TIMEOUT_MS);
		// The waiting worker takes over; `onNeedReload` then reloads.
		await this.#update?.(true);
	}

	/** Hides the prompt until the next update (or next page load). */
	dismiss() {
		this.ready = false;
	}

	#reloading = false;
	async #reloadNow() {
		if (this.#reloading) return;
		this.#reloading = true;
		// Imported here, not above: the sync code (Yjs) is not part of the home and create pages' first
		// download. A page that opened an event has it loaded already; one that did not has nothing to save.
		// Not waiting long for the download on a bad connection: the person asked to reload.
		const session = await Promise.race([
			import('../sync/session.js').catch(() => null),
			new Promise<null>((resolve) => setTimeout(() => resolve(null), 2000))
		]);
		await session?.flushLocalCopies();
		location.reload();
	}
}

/**
 * The app's one {@link AppUpdate}, set by the root layout, for pages that
 * need a newer version than the one running (an event made by it).
 */
export const [getAppUpdate, setAppUpdate] = createContext<AppUpdate>();
