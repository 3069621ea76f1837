// Probes for bench/browser.ts, installed in the page before the app's scripts.
// Timings use performance.now(), the same clock as input events' timeStamp.
// Paint is timed from the pointer event's dispatch (what the app controls)
// and, for reference, from its timeStamp (including the browser's wait for a frame).
(() => {
	const w = window;
	const paints = [];
	const paintInputs = [];
	const remotes = [];
	let ready = null;
	let interactive = null;
	let moved = null;
	let movedStamp = null;
	let arrived = null;
	let expect = null;
	w.__moim = {
		paints,
		paintInputs,
		remotes,
		get ready() {
			return ready;
		},
		get interactive() {
			return interactive;
		},
		expect: (e) => (expect = e)
	};

	// Remote updates: note when a sync update message (0, 2) arrives, before y-websocket handles it.
	const Native = window.WebSocket;
	window.WebSocket = class extends Native {
		constructor(url, protocols) {
			super(url, protocols);
			this.addEventListener('message', (e) => {
				if (!(e.data instanceof ArrayBuffer)) return;
				const b = new Uint8Array(e.data);
				if (b[0] === 0 && b[1] === 2) arrived = performance.now();
			});
		}
	};

	// Paint: a pointer entering a cell of my grid.
	window.addEventListener(
		'pointerover',
		(e) => {
			// Handling starts when the event is dispatched (this capture listener on window runs first);
			// the event's timeStamp is earlier: Chromium holds pointer input until the next frame.
			if (e.target.closest?.('[aria-multiselectable="true"]')) {
				moved = performance.now();
				movedStamp = e.timeStamp;
			}
		},
		true
	);

	const observer = new MutationObserver((records) => {
		let mine = false;
		let heat = false;
		for (const r of records) {
			const el = r.target instanceof Element ? r.target : r.target.parentElement;
			if (el?.closest('[aria-multiselectable="true"]')) mine = true;
			if (el?.closest('[data-testid="heatmap"]')) heat = true;
		}
		if ((mine && moved !== null) || (heat && arrived !== null)) {
			void document.body.offsetHeight; // style and layout, as the next frame needs them
			const now = performance.now();
			if (mine && moved !== null) {
				paints.push(now - moved);
				paintInputs.push(now - movedStamp);
				moved = null;
			}
			if (heat && arrived !== null) {
				remotes.push(now - arrived);
				arrived = null;
			}
		}
		if (ready === null && expect) {
			const cell = document.querySelector(`[data-testid="heatmap"] [data-slot="${expect.slot}"]`);
			if (
				cell?.getAttribute('data-count') === expect.count &&
				document.querySelector('[aria-multiselectable="true"] [data-mark]')
			) {
				ready = performance.now();
				performance.mark('moim:ready'); // for bench/browser.ts's trace
				setTimeout(() => {
					interactive = performance.now();
					performance.mark('moim:interactive');
				});
			}
		}
	});
	document.addEventListener('DOMContentLoaded', () =>
		observer.observe(document.documentElement, {
			subtree: true,
			childList: true,
			attributes: true,
			characterData: true
		})
	);
	// localStorage survives reloads: the expected cell is known before the app starts.
	const stored = localStorage.getItem('bench:expect');
	if (stored) expect = JSON.parse(stored);
})();
