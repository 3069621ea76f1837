/**
 * Serving the built app: its files (sirv), and the SPA shell for every other
 * page path so any /e/<id> link opens the app. On top of sirv: the security
 * headers and the pages' content security policy, long caching for hashed
 * assets only, a 404 (not the shell) for a missing asset, and the choice
 * between the brotli and gzip copies the build writes beside each text file.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import sirv from 'sirv';

/** The SPA shell written by adapter-static (`fallback` in svelte.config.js). */
const FALLBACK_PAGE = '200.html';

/**
 * The types the relay has always sent, over sirv's: those name no charset
 * for text, and know no .ico.
 */
const TYPES: Record<string, string> = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.mjs': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.json': 'application/json; charset=utf-8',
	'.webmanifest': 'application/manifest+json',
	'.svg': 'image/svg+xml',
	'.png': 'image/png',
	'.ico': 'image/x-icon',
	'.txt': 'text/plain; charset=utf-8',
	'.woff2': 'font/woff2'
};

/**
 * Sent with every file. `referrer-policy: no-referrer` matters most: an
 * event link is the key to the event and must not leak to other sites.
 */
const SECURITY_HEADERS = {
	'x-content-type-options': 'nosniff',
	'referrer-policy': 'no-referrer',
	'x-frame-options': 'DENY',
	'cross-origin-opener-policy': 'same-origin',
	'permissions-policy': 'camera=(), microphone=(), geolocation=()'
} as const;

/** Whether a build exists in `dir`. */
export function hasBuild(dir: string): boolean {
	return fs.existsSync(path.join(dir, FALLBACK_PAGE));
}

/**
 * A request handler serving the build in `root`: GET and HEAD only, a
 * file where there is one, else the shell for a page path or a 404.
 */
export function staticFiles(root: string): (req: IncomingMessage, res: ServerResponse) => void {
	const files = sirv(root, {
		// Files are looked up per request, not listed once at start: a deploy
		// replaces the folder under the running relay (tests/e2e/pwa.spec.ts).
		dev: true,
		// Sends `<file>.br` or `<file>.gz` when there is one (with `Vary: Accept-Encoding` on
		// every file); which one the client takes is decided below, not by sirv.
		brotli: true,
		gzip: true,
		// A page path is never served another file: `/about` gets the shell, not about.html.
		extensions: [],
		setHeaders(res, pathname) {
			const ext = path.extname(pathname);
			res.setHeader('content-type', TYPES[ext] ?? 'application/octet-stream');
			// Only hashed file names may be cached for good; any other file may change with a deploy.
			const immutable = pathname.startsWith('/_app/immutable/');
			res.setHeader('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
			for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
			// `pathname` is the file asked for, never its .br/.gz copy: the policy hashes the plain page.
			if (ext === '.html') res.setHeader('content-security-policy', contentSecurityPolicy(path.join(root, pathname)));
		}
	});
	return (req, res) => {
		if (req.method !== 'GET' && req.method !== 'HEAD') {
			res.writeHead(405, { allow: 'GET, HEAD' }).end();
			return;
		}
		let pathname: string;
		try {
			pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
		} catch {
			res.writeHead(400, { 'content-type': 'text/plain' }).end('Bad request path');
			return;
		}
		// sirv takes br or gzip whenever the header names them, even refused (`br;q=0`): it is handed
		// only the coding chosen here, by weight.
		const encoding = preferredEncoding(req.headers['accept-encoding']);
		if (encoding) req.headers['accept-encoding'] = encoding;
		else delete req.headers['accept-encoding'];
		const noFile = () => {
			// A missing asset is an error; a missing page is a client-side route.
			const looksLikeAsset = pathname.startsWith('/_app/') || path.extname(pathname) !== '';
			if (looksLikeAsset) {
				res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
				return;
			}
			req.url = '/' + FALLBACK_PAGE;
			files(req, res);
		};
		// sirv drops a trailing slash, serving `/a.js/` as `/a.js`: a path ending in one names no file here.
		// Nor does a compressed copy, which is only ever sent in place of its file.
		if ((pathname.length > 1 && pathname.endsWith('/')) || COMPRESSED.test(pathname)) noFile();
		else files(req, res, noFile);
	};
}

/** The build's compressed copies of a file (adapter-static's `precompress`, svelte.config.js). */
const COMPRESSED = /\.(br|gz)$/;

/** The content codings the build writes copies in. */
export type Encoding = 'br' | 'gzip';

/**
 * Which compressed copy to send for an Accept-Encoding header, or undefined
 * for the file as it is. Weights count (`q=0` refuses a coding, `*` covers
 * codings not named); at equal weight brotli beats gzip, and both beat an
 * identity the header does not name (it ranks with the lowest weight given).
 */
export function preferredEncoding(header: string | undefined): Encoding | undefined {
	if (!header) return undefined;
	const weights = new Map<string, number>();
	for (const part of header.split(',')) {
		const [coding, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
		if (!coding) continue;
		const q = params.find((p) => p.startsWith('q='));
		const weight = q === undefined ? 1 : Number(q.slice(2));
		// A weight that is no number says nothing usable: the entry is dropped.
		if (Number.isNaN(weight)) continue;
		weights.set(coding === 'x-gzip' ? 'gzip' : coding, Math.min(Math.max(weight, 0), 1));
	}
	const weightOf = (coding: string) => weights.get(coding) ?? weights.get('*') ?? 0;
	const identity = weights.get('identity') ?? Math.min(...weights.values());
	let best: Encoding | undefined;
	for (const coding of ['br', 'gzip'] as const)
		if (weightOf(coding) > 0 && weightOf(coding) >= identity && weightOf(coding) > (best ? weightOf(best) : 0))
			best = coding;
	return best;
}

const policies = new Map<string, { mtimeMs: number; policy: string }>();

/**
 * The page's content security policy: only the app's own scripts (plus the
 * exact inline bootstrap script SvelteKit writes into the page, by hash),
 * and connections only to this origin (its websocket included).
 */
function contentSecurityPolicy(file: string): string {
	// The page's own time: the one sirv has is of the copy it sends, which may be the .br.
	const { mtimeMs } = fs.statSync(file);
	const cached = policies.get(file);
	if (cached?.mtimeMs === mtimeMs) return cached.policy;
	const html = fs.readFileSync(file, 'utf8');
	const hashes = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
		([, body]) => `'sha256-${createHash('sha256').update(body).digest('base64')}'`
	);
	const policy = [
		"default-src 'self'",
		`script-src 'self' ${hashes.join(' ')}`.trim(),
		// Svelte sets style attributes (cell colours); no scripts can come from that.
		"style-src 'self' 'unsafe-inline'",
		"img-src 'self' data:",
		"connect-src 'self'",
		"worker-src 'self'",
		"manifest-src 'self'",
		"object-src 'none'",
		"base-uri 'self'",
		"form-action 'self'",
		"frame-ancestors 'none'"
	].join('; ');
	policies.set(file, { mtimeMs, policy });
	return policy;
}
