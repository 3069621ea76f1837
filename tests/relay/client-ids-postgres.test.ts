/** Every test of client-ids.test.ts again, with the relay on a PostgreSQL store. */
import { useStore } from '../support/harness.js';

useStore('postgres');
await import('./client-ids.test.js');
