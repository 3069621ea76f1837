/** Structured (JSON lines) logging for the relay. */
import pino from 'pino';

/** The relay's logger; `LOG_LEVEL` picks the level (default `info`). */
export const log = pino({ level: process.env.LOG_LEVEL || 'info', base: { service: 'moim-relay' } });
