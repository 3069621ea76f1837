/** Whether this browser can seal an event's values: WebCrypto exists only on https and localhost. */
export function canSeal(): boolean {
	return !!globalThis.crypto?.subtle;
}
