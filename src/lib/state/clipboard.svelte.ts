/** Copying text for the person, with a short-lived outcome the view can show next to the button. */
export class Clipboard {
	/** `copied` or `failed` for a moment after a copy, else `idle`. */
	state = $state<'idle' | 'copied' | 'failed'>('idle');
	#timer: ReturnType<typeof setTimeout> | undefined;

	/** Copies `text`; a refusal (no permission, insecure page) is reported, never thrown. */
	async copy(text: string): Promise<void> {
		try {
			await navigator.clipboard.writeText(text);
			this.state = 'copied';
		} catch {
			this.state = 'failed';
		}
		clearTimeout(this.#timer);
		this.#timer = setTimeout(() => (this.state = 'idle'), 2500);
	}
}
