/** Entry point: `tsx sync-server/main.ts` (or `npm start`, which builds first). */
import { readConfig } from './config.js';
import { log } from './log.js';
import { startRelay } from './relay.js';

const relay = await startRelay(readConfig());

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
	process.once(signal, () => {
		log.info({ signal }, 'shutting down');
		relay.close().then(
			() => process.exit(0),
			(err) => {
				log.error({ err }, 'shutdown failed');
				process.exit(1);
			}
		);
	});
}
