/**
 * This device's small memories in localStorage (who I am per event, the
 * event list, the theme, my week's sync room, dismissed hints), behind one
 * pair of functions: localStorage may be missing (Node, tests), refused
 * (privacy settings) or full, and the app keeps working without a memory
 * rather than failing.
 */

function storage(): Storage | null {
	try {
		return globalThis.localStorage ?? null;
	} catch {
		return null;
	}
}

/** The stored value, or `null` when nothing is stored or storage is refused. */
export function readLocal(key: string): string | null {
	try {
		return storage()?.getItem(key) ?? null;
	} catch {
		return null;
	}
}

/** Stores `value` (or, with `null`, removes it); returns whether it was kept. */
export function writeLocal(key: string, value: string | null): boolean {
	try {
		const store = storage();
		if (!store) return false;
		if (value === null) store.removeItem(key);
		else store.setItem(key, value);
		return true;
	} catch {
		// Quota or privacy mode: not remembered, the app goes on.
		return false;
	}
}
