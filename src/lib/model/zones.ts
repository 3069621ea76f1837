/**
 * Current names for time zones. Browsers list zones by ICU's canonical ids,
 * which keep names the IANA database has since renamed (Chromium and Node
 * still say `Asia/Calcutta`, `Europe/Kiev`). New events get the current
 * name; an event already stored with an old one keeps it, and both name the
 * same zone.
 */
import { isTimeZone } from './settings.js';

/**
 * Old spelling → current IANA name, for renames only (from the IANA
 * `backward` file). Links that merely point one country's zone at another
 * country's identical one (Europe/Oslo → Europe/Berlin) are not renames and
 * are not listed: people look for their own city.
 */
export const ZONE_RENAMES: Readonly<Record<string, string>> = {
	'Africa/Asmera': 'Africa/Asmara',
	'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
	'America/Catamarca': 'America/Argentina/Catamarca',
	'America/Coral_Harbour': 'America/Atikokan',
	'America/Cordoba': 'America/Argentina/Cordoba',
	'America/Godthab': 'America/Nuuk',
	'America/Indianapolis': 'America/Indiana/Indianapolis',
	'America/Jujuy': 'America/Argentina/Jujuy',
	'America/Louisville': 'America/Kentucky/Louisville',
	'America/Mendoza': 'America/Argentina/Mendoza',
	'Asia/Calcutta': 'Asia/Kolkata',
	'Asia/Katmandu': 'Asia/Kathmandu',
	'Asia/Rangoon': 'Asia/Yangon',
	'Asia/Saigon': 'Asia/Ho_Chi_Minh',
	'Atlantic/Faeroe': 'Atlantic/Faroe',
	'Europe/Kiev': 'Europe/Kyiv',
	'Pacific/Enderbury': 'Pacific/Kanton',
	'Pacific/Ponape': 'Pacific/Pohnpei',
	'Pacific/Truk': 'Pacific/Chuuk'
};

/** The current name of `tz`, when this runtime knows it by that name; otherwise `tz` unchanged. */
export function canonicalZone(tz: string): string {
	const renamed = ZONE_RENAMES[tz];
	return renamed && isTimeZone(renamed) ? renamed : tz;
}

/** Whether two zone names are the same zone under an old and a current spelling (or simply equal). */
export function sameZone(a: string, b: string): boolean {
	return canonicalZone(a) === canonicalZone(b);
}

/**
 * Every zone to offer when choosing one, by current name, sorted and without
 * duplicates: the runtime's list (`Intl.supportedValuesOf`), renamed, plus
 * UTC, which the runtimes leave out.
 */
export function zoneChoices(runtimeList: readonly string[]): string[] {
	return [...new Set([...runtimeList.map(canonicalZone), 'UTC'])].sort();
}
