/**
 * Time zones as people look for them: "Seoul · Korean Standard Time (GMT+9)",
 * found by city (in English or the interface's language), by the zone's or
 * country's name in that language, or by offset ("+9", "GMT-5").
 * Intl gives the zone and country names in each language, not city names,
 * so the Korean names of the cities people pick most are kept here.
 */
import { canonicalZone, ZONE_RENAMES, zoneChoices } from '../model/index.js';
import { intlLocale } from './language.js';

/** Korean names of commonly chosen zones' cities (CLDR exemplar cities); the rest show their English name. */
const KOREAN_CITIES: Readonly<Record<string, string>> = {
	'Africa/Cairo': '카이로',
	'Africa/Johannesburg': '요하네스버그',
	'Africa/Lagos': '라고스',
	'Africa/Nairobi': '나이로비',
	'America/Anchorage': '앵커리지',
	'America/Argentina/Buenos_Aires': '부에노스아이레스',
	'America/Bogota': '보고타',
	'America/Chicago': '시카고',
	'America/Denver': '덴버',
	'America/Lima': '리마',
	'America/Los_Angeles': '로스앤젤레스',
	'America/Mexico_City': '멕시코시티',
	'America/New_York': '뉴욕',
	'America/Phoenix': '피닉스',
	'America/Santiago': '산티아고',
	'America/Sao_Paulo': '상파울루',
	'America/Toronto': '토론토',
	'America/Vancouver': '밴쿠버',
	'Asia/Almaty': '알마티',
	'Asia/Bangkok': '방콕',
	'Asia/Dhaka': '다카',
	'Asia/Dubai': '두바이',
	'Asia/Ho_Chi_Minh': '호찌민',
	'Asia/Hong_Kong': '홍콩',
	'Asia/Jakarta': '자카르타',
	'Asia/Jerusalem': '예루살렘',
	'Asia/Karachi': '카라치',
	'Asia/Kathmandu': '카트만두',
	'Asia/Kolkata': '콜카타',
	'Asia/Kuala_Lumpur': '쿠알라룸푸르',
	'Asia/Macau': '마카오',
	'Asia/Manila': '마닐라',
	'Asia/Pyongyang': '평양',
	'Asia/Riyadh': '리야드',
	'Asia/Seoul': '서울',
	'Asia/Shanghai': '상하이',
	'Asia/Singapore': '싱가포르',
	'Asia/Taipei': '타이베이',
	'Asia/Tashkent': '타슈켄트',
	'Asia/Tehran': '테헤란',
	'Asia/Tokyo': '도쿄',
	'Asia/Ulaanbaatar': '울란바토르',
	'Asia/Vladivostok': '블라디보스토크',
	'Asia/Yangon': '양곤',
	'Australia/Adelaide': '애들레이드',
	'Australia/Brisbane': '브리즈번',
	'Australia/Melbourne': '멜버른',
	'Australia/Perth': '퍼스',
	'Australia/Sydney': '시드니',
	'Europe/Amsterdam': '암스테르담',
	'Europe/Athens': '아테네',
	'Europe/Berlin': '베를린',
	'Europe/Brussels': '브뤼셀',
	'Europe/Copenhagen': '코펜하겐',
	'Europe/Dublin': '더블린',
	'Europe/Helsinki': '헬싱키',
	'Europe/Istanbul': '이스탄불',
	'Europe/Kyiv': '키이우',
	'Europe/Lisbon': '리스본',
	'Europe/London': '런던',
	'Europe/Madrid': '마드리드',
	'Europe/Moscow': '모스크바',
	'Europe/Oslo': '오슬로',
	'Europe/Paris': '파리',
	'Europe/Prague': '프라하',
	'Europe/Rome': '로마',
	'Europe/Stockholm': '스톡홀름',
	'Europe/Vienna': '빈',
	'Europe/Warsaw': '바르샤바',
	'Europe/Zurich': '취리히',
	'Pacific/Auckland': '오클랜드',
	'Pacific/Guam': '괌',
	'Pacific/Honolulu': '호놀룰루'
};

/** Old names by current name, so "Calcutta" or "Kiev" still finds the zone. */
const OLD_NAMES = new Map(Object.entries(ZONE_RENAMES).map(([old, current]) => [current, old]));

/** One zone as the picker shows and searches it. */
export interface ZoneChoice {
	/** The IANA name stored in the event. */
	id: string;
	/** "Seoul · Korean Standard Time (GMT+9)". */
	label: string;
	/** Offset from UTC now, in minutes (for sorting west to east). */
	offset: number;
	/** Lower-case text a query is matched against. */
	haystack: string;
}

/** The part of a formatted date that names its zone. */
function zonePart(lang: string, zone: string, style: Intl.DateTimeFormatOptions['timeZoneName'], at: number): string {
	try {
		const parts = new Intl.DateTimeFormat(lang, { timeZone: zone, timeZoneName: style }).formatToParts(at);
		return parts.find((p) => p.type === 'timeZoneName')?.value ?? '';
	} catch {
		// A runtime without the generic styles (before 2022) still has `long`.
		return '';
	}
}

/** `GMT+5:30` → 330; `GMT` → 0. */
function offsetMinutes(gmt: string): number {
	const m = /([+-])(\d{1,2})(?::(\d{2}))?/.exec(gmt);
	if (!m) return 0;
	return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}

/** The city part of a zone name, in English: `America/Argentina/Buenos_Aires` → `Buenos Aires`. */
const englishCity = (zone: string) => (zone.split('/').pop() ?? zone).replaceAll('_', ' ');

/** How `zone` is shown and found in the interface's language, at time `at`. */
export function zoneChoice(zone: string, at = Date.now(), lang = intlLocale()): ZoneChoice {
	const city = englishCity(zone);
	const localCity = lang.startsWith('ko') ? KOREAN_CITIES[canonicalZone(zone)] : undefined;
	const gmt = zonePart('en', zone, 'shortOffset', at) || 'GMT';
	const offset = offsetMinutes(gmt);
	const named = (text: string) => (text && !/^(GMT|UTC)([+-]|$)/.test(text) ? text : '');
	const generic = named(zonePart(lang, zone, 'longGeneric', at)) || named(zonePart(lang, zone, 'long', at));
	const country = named(zonePart(lang, zone, 'shortGeneric', at));
	const shown = zone === 'UTC' ? 'UTC' : (localCity ?? city);
	const label = generic && generic !== shown ? `${shown} · ${generic} (${gmt})` : `${shown} (${gmt})`;
	const hours = `${offset < 0 ? '-' : '+'}${Math.floor(Math.abs(offset) / 60)}`;
	const haystack = [
		zone.replaceAll('_', ' '),
		(OLD_NAMES.get(zone) ?? '').replaceAll('_', ' '),
		city,
		localCity ?? '',
		generic,
		country,
		gmt,
		`utc${hours}`,
		hours,
		// "+09:00" as well as "+9".
		`${hours[0]}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')}`
	]
		.join(' | ')
		.toLowerCase();
	return { id: zone, label, offset, haystack };
}

/**
 * Every zone to choose from, labelled in the interface's language: `first`
 * (the device's zone) at the top, then west to east. `keep` (an existing
 * event's zone, perhaps under an old name) is listed even if the runtime's
 * list does not name it so.
 */
export function zoneChoiceList(first: string, keep: string, at = Date.now()): ZoneChoice[] {
	const ids = zoneChoices(typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []);
	for (const extra of [first, keep]) if (!ids.includes(extra)) ids.push(extra);
	const all = ids.map((id) => zoneChoice(id, at));
	all.sort((a, b) => a.offset - b.offset || a.label.localeCompare(b.label));
	const top = all.findIndex((c) => c.id === first);
	if (top > 0) all.unshift(...all.splice(top, 1));
	return all;
}

/** The choices matching `query`: every word of it appears in a choice's names or offset. */
export function filterZones(choices: readonly ZoneChoice[], query: string): ZoneChoice[] {
	const words = query.toLowerCase().replaceAll('_', ' ').split(/\s+/).filter(Boolean);
	if (!words.length) return [...choices];
	return choices.filter((c) => words.every((w) => c.haystack.includes(w)));
}

/** This device's zone, by its current name. */
export function deviceZone(): string {
	return canonicalZone(Intl.DateTimeFormat().resolvedOptions().timeZone);
}
