/**
 * The moment the page being opened has shown what it is for (an event page:
 * its event, or why there is none). Work the page does not need — fetching
 * other pages' code, registering the service worker — waits for it, so the
 * first visit downloads what it shows first.
 */

let shown: () => void = () => {};
const whenShown = new Promise<void>((resolve) => (shown = resolve));

/** Says the page has shown its content; later calls do nothing. */
export function markPageShown(): void {
	shown();
}

/** Resolves once {@link markPageShown} was called, or after `atMostMs` whatever happens (a page stuck opening offline). */
export function afterPageShown(atMostMs = 10_000): Promise<void> {
	return Promise.race([whenShown, new Promise<void>((resolve) => setTimeout(resolve, atMostMs))]);
}

/**
 * Resolves after the page was shown, painted, and the browser then had a
 * moment free: for parts below the first screen and code fetched ahead.
 * After the paint, because an idle moment can come between drawing the page
 * and painting it, and what is requested before the first paint holds it
 * back (Lighthouse counts it against the largest paint).
 */
export function afterPageShownAndIdle(): Promise<void> {
	return afterPageShown()
		.then(afterNextPaint)
		.then(
			() =>
				new Promise<void>((resolve) => {
					if ('requestIdleCallback' in window) requestIdleCallback(() => resolve(), { timeout: 1000 });
					else setTimeout(resolve, 200);
				})
		);
}

/** Resolves once the next frame has been painted (or after 500 ms: a hidden tab paints no frames). */
function afterNextPaint(): Promise<void> {
	return new Promise<void>((resolve) => {
		const timer = setTimeout(resolve, 500);
		requestAnimationFrame(() =>
			setTimeout(() => {
				clearTimeout(timer);
				resolve();
			}, 0)
		);
	});
}
