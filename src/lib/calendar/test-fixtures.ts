/** Shared by the calendar import tests: the fixture files and a readable form of busy spans. */
import { readFileSync } from 'node:fs';
import type { BusySpan } from '../model/index.js';

/** The folder of the calendar fixtures. */
export const FIXTURES = new URL('../../../tests/fixtures/ics/', import.meta.url);

/** The text of the fixture `name` in tests/fixtures/ics/. */
export const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8');

/** Spans as sorted "2026-04-08T12:00–2026-04-08T13:00" labels (UTC), for comparing by eye. */
export const spanLabels = (spans: BusySpan[]) =>
	spans
		.map((s) => `${new Date(s.start).toISOString().slice(0, 16)}–${new Date(s.end).toISOString().slice(0, 16)}`)
		.sort();
