// A single-page app: rendered in the browser only, never prerendered, so
// the one fallback shell serves every path (and works offline later).
export const ssr = false;
export const prerender = false;
