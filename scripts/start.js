// `npm start`: builds the app and the relay if needed, then runs the relay, which serves
// the app and the sync rooms on one port (PORT, default 8787).
import { spawn } from 'node:child_process';
import { ensureBuild, root } from './ensure-build.js';
import { ensureRelayBuild, relayEnv, relayNodeFlags, relayOut } from './build-relay.js';

ensureBuild();
ensureRelayBuild();
const relay = spawn(process.execPath, [...relayNodeFlags, relayOut], {
	cwd: root,
	env: relayEnv(),
	stdio: 'inherit'
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => relay.kill(signal));
relay.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
console.log(`Moim: http://localhost:${process.env.PORT ?? 8787}`);
