/**
 * Search over the events on this device, for Korean as well as English.
 * Korean words are not separated by spaces and are typed syllable by
 * syllable, so matching is by character n-grams over text decomposed to
 * jamo (NFKD): "스터" finds "영어스터디", and so does "스ㅌ" while the
 * second syllable is still being typed. Each word of the query must occur
 * somewhere in the title or a member's name.
 */

/** Text folded for matching: compatibility-decomposed (Hangul → jamo), lower case, spaces collapsed. */
function fold(text: string): string {
	return text.normalize('NFKD').toLowerCase().replace(/\s+/g, ' ').trim();
}

function bigrams(text: string): Set<string> {
	const out = new Set<string>();
	for (let i = 0; i + 1 < text.length; i++) out.add(text.slice(i, i + 2));
	return out;
}

/** One searchable item: its id and the texts it can be found by. */
export interface Searchable {
	id: string;
	texts: string[];
}

/**
 * An index of items; `find(query)` returns the ids that match, in the
 * order given. Bigram sets rule most items out before the exact check.
 */
export function searchIndex(items: readonly Searchable[]): { find: (query: string) => string[] } {
	const folded = items.map((item) => {
		const text = item.texts.map(fold).join('\n');
		return { id: item.id, text, grams: bigrams(text) };
	});
	return {
		find(query: string): string[] {
			const words = fold(query).split(' ').filter(Boolean);
			if (words.length === 0) return folded.map((f) => f.id);
			return folded
				.filter((f) => words.every((w) => [...bigrams(w)].every((g) => f.grams.has(g)) && f.text.includes(w)))
				.map((f) => f.id);
		}
	};
}
