/**
 * A PIN being typed and sent (setting one, or continuing as someone with
 * theirs): the format check, the request and its outcome as a sentence.
 */
import { PIN_PATTERN } from '../model/index.js';
import type { PinResult } from '../api/pins.js';
import { pinErrorMessage } from '../i18n/codes.js';
import { m } from '../paraglide/messages.js';

export class PinForm {
	pin = $state('');
	busy = $state(false);
	/** Why the last attempt failed, as a sentence; `null` after success or a new keystroke. */
	error = $state<string | null>(null);

	/** Sends the PIN with `request` unless its format is wrong; true when it was accepted. */
	async submit(request: (pin: string) => Promise<PinResult>): Promise<boolean> {
		if (!PIN_PATTERN.test(this.pin)) {
			this.error = m.event_pinErrors_format();
			return false;
		}
		this.busy = true;
		try {
			const result = await request(this.pin);
			this.error = result.ok ? null : pinErrorMessage(result.error, result.retryAfterSeconds);
			if (result.ok) this.pin = '';
			return result.ok;
		} finally {
			this.busy = false;
		}
	}
}
