import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { clientAddress, metricsAllowed } from './http.js';

/** A request as the handlers read it: its socket's address and its headers. */
const request = (remoteAddress: string, headers: Record<string, string> = {}) =>
	({ socket: { remoteAddress }, headers }) as unknown as IncomingMessage;

describe('client address', () => {
	it('is the socket address unless proxies are trusted, then read from the right of X-Forwarded-For', () => {
		const req = request('10.0.0.2', { 'x-forwarded-for': '198.51.100.7, 203.0.113.9, 10.0.0.1' });
		expect(clientAddress(req, 0)).toBe('10.0.0.2');
		expect(clientAddress(req, 1)).toBe('10.0.0.1');
		expect(clientAddress(req, 2)).toBe('203.0.113.9');
		// More hops trusted than the header has: the furthest address there is.
		expect(clientAddress(req, 9)).toBe('198.51.100.7');
		expect(clientAddress(request('10.0.0.2'), 1)).toBe('10.0.0.2');
	});
});

describe('metrics access', () => {
	it('without a token: this machine only; with one: its bearer, from anywhere', () => {
		expect(metricsAllowed(request('127.0.0.1'), null)).toBe(true);
		expect(metricsAllowed(request('::1'), null)).toBe(true);
		expect(metricsAllowed(request('10.0.0.5'), null)).toBe(false);
		expect(metricsAllowed(request('10.0.0.5', { authorization: 'Bearer s3cret' }), 's3cret')).toBe(true);
		expect(metricsAllowed(request('127.0.0.1'), 's3cret')).toBe(false);
		expect(metricsAllowed(request('127.0.0.1', { authorization: 'Bearer s3cre' }), 's3cret')).toBe(false);
		expect(metricsAllowed(request('127.0.0.1', { authorization: 's3cret' }), 's3cret')).toBe(false);
	});
});
