import { describe, expect, it } from 'vitest';
import { preferredEncoding } from './static.js';

describe('preferredEncoding', () => {
	it.each([
		[undefined, undefined],
		['', undefined],
		['identity', undefined],
		['deflate', undefined],
		['br, gzip', 'br'],
		['gzip, deflate, br, zstd', 'br'],
		['gzip', 'gzip'],
		['GZIP', 'gzip'],
		['x-gzip', 'gzip'],
		['br;q=0, gzip', 'gzip'],
		['br; q=0, gzip', 'gzip'],
		['br;q=0, gzip;q=0', undefined],
		['br;q=0.5, gzip;q=0.8', 'gzip'],
		['gzip;q=0.5', 'gzip'],
		['*', 'br'],
		['*;q=0', undefined],
		['*, br;q=0', 'gzip'],
		['gzip;q=0.5, identity', undefined],
		['br;q=0.4, identity;q=0.5, gzip', 'gzip'],
		['br;q=abc, gzip', 'gzip'],
		[',', undefined]
	])('%j → %s', (header, expected) => {
		expect(preferredEncoding(header)).toBe(expected);
	});
});
