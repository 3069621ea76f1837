/**
 * Serving the built app: files from the build folder, and the SPA shell for
 * every other page path so any /e/<id> link opens the app.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

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

/** The SPA shell written by adapter-static (`fallback` in svelte.config.js). */
export const FALLBACK_PAGE = '200.html';

/** Whether a build exists in `dir`. */
export function hasBuild(dir: string): boolean {
	return fs.existsSync(path.join(dir, FALLBACK_PAGE));
}

/** Serves `req` from `root`; answers 404 for missing assets. */
export function serveStatic(root: string, req: IncomingMessage, res: ServerResponse) {
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
	const file = path.join(root, path.normalize(pathname));
	const inside = file.startsWith(root + path.sep);
	let target = inside && isFile(file) ? file : null;
	if (!target) {
		// A missing asset is an error; a missing page is a client-side route.
		const looksLikeAsset = pathname.startsWith('/_app/') || path.extname(pathname) !== '';
		if (looksLikeAsset) {
			res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
			return;
		}
		target = path.join(root, FALLBACK_PAGE);
	}
	const immutable = pathname.startsWith('/_app/immutable/');
	const stat = fs.statSync(target);
	const html = path.extname(target) === '.html';
	res.writeHead(200, {
		'content-type': TYPES[path.extname(target)] ?? 'application/octet-stream',
		'content-length': stat.size,
		'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
		...SECURITY_HEADERS,
		...(html ? { 'content-security-policy': contentSecurityPolicy(target, stat.mtimeMs) } : {})
	});
	if (req.method === 'HEAD') res.end();
	else fs.createReadStream(target).pipe(res);
}

/**
 * Sent with every file. `referrer-policy: no-referrer` matters most: an
 * event link is the key to the event and must not leak to other sites.
 */
export const SECURITY_HEADERS = {
	'x-content-type-options': 'nosniff',
	'referrer-policy': 'no-referrer',
	'x-frame-options': 'DENY',
	'cross-origin-opener-policy': 'same-origin',
	'permissions-policy': 'camera=(), microphone=(), geolocation=()'
} as const;

const policies = new Map<string, { mtimeMs: number; policy: string }>();

/**
 * The page's content security policy: only the app's own scripts (plus the
 * exact inline bootstrap script SvelteKit writes into the page, by hash),
 * and connections only to this origin (its websocket included).
 */
function contentSecurityPolicy(file: string, mtimeMs: number): string {
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

function isFile(p: string): boolean {
	try {
		return fs.statSync(p).isFile();
	} catch {
		return false;
	}
}
