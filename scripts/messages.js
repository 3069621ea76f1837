// `npm run messages`: compiles messages/*.json into src/lib/paraglide, for
// the type check and unit tests, which run without the Vite plugin.
import { compile } from '@inlang/paraglide-js';
import { PARAGLIDE } from './paraglide.js';

await compile(PARAGLIDE);
process.exit(0);
