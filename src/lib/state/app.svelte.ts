/**
 * The app as an installed PWA: the service worker's update prompt, the
 * install offer, and the device's storage health, as runes for the views.
 */
import { createSubscriber } from 'svelte/reactivity';
import { registerSW } from 'virtual:pwa-register';
import { flushLocalCopies } from '../sync/session.js';
import { storageHealth, type Persistence, type StorageProblem } from '../device/storage.js';
import { rememberedEvents, watchRememberedEvents, type RememberedEvent } from '../device/events.js';

/** How often a long-open tab looks for a new version. */
const UPDATE_CHECK_MS = 60 * 60 * 1000;
/** How long to wait for the new service worker before reloading anyway. */
const TAKEOVER_TIMEOUT_MS = 4000;

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
		this.#update = registerSW({
			immediate: true,
			onNeedRefresh: () => (this.ready = true),
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
		const check = () => void this.check();
		const onVisible = () => document.visibilityState === 'visible' && check();
		const timer = setInterval(check, UPDATE_CHECK_MS);
		addEventListener('online', check);
		document.addEventListener('visibilitychange', onVisible);
		return () => {
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
		await flushLocalCopies();
		location.reload();
	}
}

/** The browser's install offer, and the manual hint on iOS Safari. */
export class InstallOffer {
	/** The browser offered installation (Chromium's `beforeinstallprompt`). */
	available = $state(false);
	/** iOS Safari, not yet installed: show "Share → Add to Home Screen". */
	iosHint = $state(false);
	#event: BeforeInstallPromptEvent | null = null;

	start(): () => void {
		const onOffer = (e: BeforeInstallPromptEvent) => {
			e.preventDefault();
			this.#event = e;
			this.available = true;
		};
		const onInstalled = () => {
			this.#event = null;
			this.available = false;
		};
		addEventListener('beforeinstallprompt', onOffer);
		addEventListener('appinstalled', onInstalled);
		this.iosHint = isIosSafari() && !standalone() && !hintDismissed();
		return () => {
			removeEventListener('beforeinstallprompt', onOffer);
			removeEventListener('appinstalled', onInstalled);
		};
	}

	/** Shows the browser's install dialog. */
	async install(): Promise<void> {
		const offer = this.#event;
		if (!offer) return;
		this.#event = null;
		this.available = false;
		// If dismissed, the browser may offer again later (another beforeinstallprompt).
		await offer.prompt();
	}

	dismissIosHint() {
		this.iosHint = false;
		try {
			localStorage.setItem(IOS_HINT_KEY, '1');
		} catch {
			// Without storage the hint simply comes back next time.
		}
	}
}

const IOS_HINT_KEY = 'moim:ios-hint-dismissed';

function isIosSafari(): boolean {
	const ua = navigator.userAgent;
	const ios = /iPad|iPhone|iPod/.test(ua) || (navigator.platform === 'MacIntel' && navigator.maxTouchPoints > 1);
	return ios && /Safari/.test(ua) && !/CriOS|FxiOS|EdgiOS/.test(ua);
}

function standalone(): boolean {
	return navigator.standalone === true || matchMedia('(display-mode: standalone)').matches;
}

function hintDismissed(): boolean {
	try {
		return localStorage.getItem(IOS_HINT_KEY) === '1';
	} catch {
		return false;
	}
}

/** Storage health as runes. */
export class StorageStatus {
	readonly #subscribe = createSubscriber((update) => storageHealth.subscribe(update));

	/** The problem with an event's copy on this device, if any. */
	problem(eventId: string): StorageProblem | null {
		this.#subscribe();
		return storageHealth.problems.get(eventId) ?? null;
	}

	get persistence(): Persistence {
		this.#subscribe();
		return storageHealth.persistence;
	}
}

/** The events remembered on this device, live across tabs. */
export class RememberedEvents {
	readonly #subscribe = createSubscriber((update) => watchRememberedEvents(update));

	get list(): RememberedEvent[] {
		this.#subscribe();
		return rememberedEvents();
	}
}
