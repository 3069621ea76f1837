/**
 * Serving the built app: files from the build folder, and the SPA shell for
 * every other page path so any /e/<id> link opens the app.
 */
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
	res.writeHead(200, {
		'content-type': TYPES[path.extname(target)] ?? 'application/octet-stream',
		'content-length': stat.size,
		'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
		'x-content-type-options': 'nosniff'
	});
	if (req.method === 'HEAD') res.end();
	else fs.createReadStream(target).pipe(res);
}

function isFile(p: string): boolean {
	try {
		return fs.statSync(p).isFile();
	} catch {
		return false;
	}
}
