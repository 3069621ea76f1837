/**
 * `use:plainText` on a text input: control characters (NUL, other C0/C1
 * controls, bidi overrides; see the model's `stripControlChars`) never get
 * in, whether typed, pasted or dropped. Other people would see them as boxes
 * or as text running backwards; the model refuses them anyway.
 */
import { stripControlChars } from '$lib/model';

/** Svelte action for `<input>`: strips control characters on paste and on every input. */
export function plainText(input: HTMLInputElement) {
	function onpaste(e: ClipboardEvent) {
		const text = e.clipboardData?.getData('text/plain');
		if (text === undefined || stripControlChars(text) === text) return;
		// Inserting the cleaned text (rather than cleaning after) lets `maxlength` count only what stays.
		// execCommand is deprecated but is the one way to insert that keeps the field's undo history.
		e.preventDefault();
		document.execCommand('insertText', false, stripControlChars(text));
	}
	function oninput() {
		const clean = stripControlChars(input.value);
		if (clean === input.value) return;
		const caret = stripControlChars(input.value.slice(0, input.selectionStart ?? input.value.length)).length;
		input.value = clean;
		input.setSelectionRange(caret, caret);
		// Tell the value's binding, which may have read the text before it was cleaned.
		input.dispatchEvent(new Event('input', { bubbles: true }));
	}
	input.addEventListener('paste', onpaste);
	input.addEventListener('input', oninput);
	return {
		destroy() {
			input.removeEventListener('paste', onpaste);
			input.removeEventListener('input', oninput);
		}
	};
}
