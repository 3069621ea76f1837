/**
 * Runs the real relay as a child process for tests: its own data folder,
 * a free port, stopped with SIGTERM or killed with SIGKILL like in life.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureRelayBuild, relayEnv, relayNodeFlags, relayOut } from '../../scripts/build-relay.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface RelayOptions {
	/** Data folder; a fresh temporary one when omitted. */
	dataDir?: string;
	/** Built app to serve; none when omitted. */
	buildDir?: string;
	/** Port; a free one when omitted (reuse a port to restart "the same" relay). */
	port?: number;
	env?: Record<string, string>;
	/** Run the compiled relay (`npm start`'s form, scripts/build-relay.js) instead of the sources through tsx. */
	compiled?: boolean;
	/** Options for node itself (`--cpu-prof`, which NODE_OPTIONS does not take). */
	nodeArgs?: string[];
}

export interface RelayProcess {
	port: number;
	/** Process id (for CPU and memory readings in benchmarks). */
	pid: number;
	dataDir: string;
	/** The environment the test gave it (`STORE`, `DATABASE_URL`, …). */
	env: Record<string, string>;
	httpUrl: string;
	wsUrl: string;
	/** Everything the relay logged, for assertions. */
	output(): string;
	/** Graceful stop (SIGTERM); resolves with the exit code. */
	stop(): Promise<number | null>;
	/** Crash (SIGKILL). */
	kill(): Promise<void>;
	/** Starts a new process with the same port and data. */
	restart(): Promise<RelayProcess>;
}

export function tempDir(prefix = 'moim-test-'): string {
	return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function startRelay(options: RelayOptions = {}): Promise<RelayProcess> {
	const dataDir = options.dataDir ?? tempDir('moim-data-');
	if (options.compiled) ensureRelayBuild();
	const args = [
		...(options.nodeArgs ?? []),
		...(options.compiled ? [...relayNodeFlags, relayOut] : ['--import', 'tsx', 'sync-server/main.ts'])
	];
	const child = spawn(process.execPath, args, {
		cwd: ROOT,
		env: {
			...relayEnv(),
			PORT: String(options.port ?? 0),
			HOST: '127.0.0.1',
			DATA_DIR: dataDir,
			BUILD_DIR: options.buildDir ?? '',
			LOG_LEVEL: 'info',
			...options.env
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let output = '';
	child.stdout!.on('data', (d) => (output += d));
	child.stderr!.on('data', (d) => (output += d));
	const port = await new Promise<number>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`relay did not start:\n${output}`)), 30_000);
		const onData = () => {
			const line = output.split('\n').find((l) => l.includes('"relay listening"'));
			if (!line) return;
			clearTimeout(timer);
			child.stdout!.off('data', onData);
			resolve(JSON.parse(line).address.port);
		};
		child.stdout!.on('data', onData);
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`relay exited with ${code}:\n${output}`));
		});
	});
	const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
	const handle: RelayProcess = {
		port,
		pid: child.pid!,
		dataDir,
		env: { ...options.env },
		httpUrl: `http://127.0.0.1:${port}`,
		wsUrl: `ws://127.0.0.1:${port}/sync`,
		output: () => output,
		async stop() {
			signal(child, 'SIGTERM');
			return exited;
		},
		async kill() {
			signal(child, 'SIGKILL');
			await exited;
		},
		restart: () => startRelay({ ...options, dataDir, port })
	};
	return handle;
}

function signal(child: ChildProcess, sig: NodeJS.Signals) {
	if (child.exitCode === null && child.signalCode === null) child.kill(sig);
}
