/** Every test of permissions.test.ts again, with the relay on a PostgreSQL store (issue 17). */
import { useStore } from '../support/harness.js';

useStore('postgres');
await import('./permissions.test.js');
