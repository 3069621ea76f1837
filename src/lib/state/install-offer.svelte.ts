import { readLocal, writeLocal } from '../device/local-store.js';

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
		// Without storage the hint simply comes back next time.
		writeLocal(IOS_HINT_KEY, '1');
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
	return readLocal(IOS_HINT_KEY) === '1';
}
