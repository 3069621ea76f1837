/** Every test of private.test.ts again, with the relay on a PostgreSQL store (issue 20: "LevelDB and, if present, PostgreSQL"). */
import { useStore } from '../support/harness.js';

useStore('postgres');
await import('./private.test.js');
