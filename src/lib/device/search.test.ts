import { describe, expect, it } from 'vitest';
import { searchIndex } from './search.js';

const index = searchIndex([
	{ id: 'a', texts: ['영어스터디 모임', '김민지', '박서준'] },
	{ id: 'b', texts: ['Team dinner', 'Ana', 'Ben'] },
	{ id: 'c', texts: ['수학 학원 보강', 'Ana'] },
	{ id: 'd', texts: ['스터디 카페 예약'] }
]);

describe('search on this device', () => {
	it('finds a two-syllable Korean fragment inside a longer word', () => {
		expect(index.find('스터')).toEqual(['a', 'd']);
		expect(index.find('어스')).toEqual(['a']);
		expect(index.find('학원')).toEqual(['c']);
	});

	it('matches while the last syllable is still being typed (a lone jamo)', () => {
		expect(index.find('스ㅌ')).toEqual(['a', 'd']);
		expect(index.find('보ㄱ')).toEqual(['c']);
	});

	it('searches member names too, every word must match, case-insensitive English', () => {
		expect(index.find('민지')).toEqual(['a']);
		expect(index.find('ana')).toEqual(['b', 'c']);
		expect(index.find('ana 수학')).toEqual(['c']);
		expect(index.find('DINNER')).toEqual(['b']);
		expect(index.find('디스')).toEqual([]);
		expect(index.find('  ')).toEqual(['a', 'b', 'c', 'd']);
	});
});
