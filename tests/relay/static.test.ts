/**
 * The app's files as the relay sends them, over raw HTTP (fetch would undo
 * the compression out of sight): the brotli or gzip copy the build wrote
 * beside a file, chosen by Accept-Encoding, with the file's own headers.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { newEventId } from '../../src/lib/model/ids.js';
import { relayHarness } from '../support/harness.js';
import { tempDir } from '../support/relay-process.js';

const { relay } = relayHarness();

const INLINE = 'console.log("boot")';
const SHELL = `<!doctype html><title>shell</title><script>${INLINE}</script><script src="/_app/immutable/entry/app.js"></script>`;
const APP_JS = `export const words = ${JSON.stringify(Array.from({ length: 200 }, (_, i) => `word ${i % 7}`))};\n`;
const IMMUTABLE_JS = '/_app/immutable/entry/app.js';
/** A file the build left without copies (too small to matter, say). */
const PLAIN_JS = '/_app/version.js';

/** A build like adapter-static's with `precompress`: each text file with its .br and .gz beside it. */
function compressedBuild(): string {
	const build = tempDir('moim-build-');
	const write = (name: string, body: string, copies: boolean) => {
		const file = path.join(build, name);
		fs.mkdirSync(path.dirname(file), { recursive: true });
		fs.writeFileSync(file, body);
		if (!copies) return;
		fs.writeFileSync(`${file}.br`, zlib.brotliCompressSync(body));
		fs.writeFileSync(`${file}.gz`, zlib.gzipSync(body));
	};
	write('200.html', SHELL, true);
	write(IMMUTABLE_JS, APP_JS, true);
	write(PLAIN_JS, 'export const v = 1;', false);
	return build;
}

interface Answer {
	status: number;
	headers: http.IncomingHttpHeaders;
	body: Buffer;
}

/** One request with exactly these headers; the body as it came over the wire. */
function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
	return new Promise((resolve, reject) => {
		const req = http.request(url, { method, headers }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
			res.on('error', reject);
		});
		req.on('error', reject);
		req.end();
	});
}

const varies = (a: Answer) =>
	(a.headers.vary ?? '')
		.toLowerCase()
		.split(/\s*,\s*/)
		.includes('accept-encoding');

describe('static files, compressed', () => {
	it('sends the brotli copy to a client taking br, the gzip copy to one taking only gzip, the file to others', async () => {
		const r = await relay({ buildDir: compressedBuild() });
		const js = `${r.httpUrl}${IMMUTABLE_JS}`;

		const br = await get(js, { 'accept-encoding': 'br, gzip' });
		expect(br.status).toBe(200);
		expect(br.headers['content-encoding']).toBe('br');
		expect(varies(br)).toBe(true);
		expect(zlib.brotliDecompressSync(br.body).toString()).toBe(APP_JS);
		expect(Number(br.headers['content-length'])).toBe(br.body.byteLength);
		expect(br.body.byteLength).toBeLessThan(Buffer.byteLength(APP_JS));
		// The copy is the file: its type and its caching, not the copy's.
		expect(br.headers['content-type']).toBe('text/javascript; charset=utf-8');
		expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
		expect(br.headers['x-content-type-options']).toBe('nosniff');

		const gzip = await get(js, { 'accept-encoding': 'gzip' });
		expect(gzip.headers['content-encoding']).toBe('gzip');
		expect(varies(gzip)).toBe(true);
		expect(zlib.gunzipSync(gzip.body).toString()).toBe(APP_JS);
		expect(gzip.headers['cache-control']).toBe('public, max-age=31536000, immutable');

		// A refused coding is never sent, however the header lists it.
		const notBr = await get(js, { 'accept-encoding': 'br;q=0, gzip' });
		expect(notBr.headers['content-encoding']).toBe('gzip');
		expect(zlib.gunzipSync(notBr.body).toString()).toBe(APP_JS);

		const declined: Record<string, string>[] = [
			{},
			{ 'accept-encoding': 'identity' },
			{ 'accept-encoding': 'br;q=0, gzip;q=0' }
		];
		for (const headers of declined) {
			const plain = await get(js, headers);
			expect(plain.headers['content-encoding']).toBeUndefined();
			expect(plain.body.toString()).toBe(APP_JS);
			// Caches must keep this apart from the compressed answers to the same URL.
			expect(varies(plain)).toBe(true);
			expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
		}

		// A file without copies goes as it is to everyone.
		const lone = await get(`${r.httpUrl}${PLAIN_JS}`, { 'accept-encoding': 'br, gzip' });
		expect(lone.status).toBe(200);
		expect(lone.headers['content-encoding']).toBeUndefined();
		expect(lone.body.toString()).toBe('export const v = 1;');
		expect(lone.headers['cache-control']).toBe('no-cache');
	});

	it('sends the shell compressed for any page path, with its policy hashing the plain page', async () => {
		const r = await relay({ buildDir: compressedBuild() });
		const hash = createHash('sha256').update(INLINE).digest('base64');
		for (const pagePath of ['/', `/e/${newEventId()}`, '/200.html']) {
			const page = await get(`${r.httpUrl}${pagePath}`, { 'accept-encoding': 'gzip, deflate, br, zstd' });
			expect(page.status).toBe(200);
			expect(page.headers['content-encoding']).toBe('br');
			expect(varies(page)).toBe(true);
			expect(zlib.brotliDecompressSync(page.body).toString()).toBe(SHELL);
			expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
			expect(page.headers['cache-control']).toBe('no-cache');
			expect(page.headers['content-security-policy']).toContain(`script-src 'self' 'sha256-${hash}'`);
			expect(page.headers['referrer-policy']).toBe('no-referrer');
		}
		const gzip = await get(`${r.httpUrl}/e/${newEventId()}`, { 'accept-encoding': 'gzip' });
		expect(zlib.gunzipSync(gzip.body).toString()).toBe(SHELL);
		expect(gzip.headers['content-security-policy']).toContain(`'sha256-${hash}'`);
	});

	it('answers HEAD with the headers of the copy it would send, 404 for missing assets and for the copies themselves', async () => {
		const r = await relay({ buildDir: compressedBuild() });
		const head = await get(`${r.httpUrl}${IMMUTABLE_JS}`, { 'accept-encoding': 'br' }, 'HEAD');
		expect(head.status).toBe(200);
		expect(head.headers['content-encoding']).toBe('br');
		expect(Number(head.headers['content-length'])).toBe(zlib.brotliCompressSync(APP_JS).byteLength);
		expect(head.body.byteLength).toBe(0);

		const missing = await get(`${r.httpUrl}/_app/immutable/missing.js`, { 'accept-encoding': 'br, gzip' });
		expect(missing.status).toBe(404);
		expect(missing.headers['content-encoding']).toBeUndefined();

		// A copy is only ever sent in place of its file, never as a file of its own.
		for (const copy of [`${IMMUTABLE_JS}.br`, `${IMMUTABLE_JS}.gz`, '/200.html.br'])
			expect((await get(`${r.httpUrl}${copy}`, { 'accept-encoding': 'br, gzip' })).status).toBe(404);
	});
});
