/** The Moim domain: plain TypeScript over Yjs, no views, no network. */
export * from './ids.js';
export * from './relay-protocol.js';
export * from './settings.js';
export * from './slots.js';
export * from './event-doc.js';
export * from './heatmap.js';
export * from './create-link.js';
export * from './write-check.js';
export * from './best-times.js';
export * from './decision.js';
export * from './routine.js';
export * from './zones.js';
