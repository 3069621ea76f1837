/**
 * A real PostgreSQL server for tests: a fresh cluster in a temporary folder,
 * on a free port of 127.0.0.1, torn down by `stop()`. PostgreSQL refuses to
 * run as root, so under root the server's own programs (`initdb`, `pg_ctl`)
 * run as the `postgres` system user, which owns the folder. Durability
 * settings stay as in production (`fsync`, `synchronous_commit` on): tests
 * that crash the server must see what a real crash keeps.
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The PostgreSQL major version the project targets (Debian bookworm's `postgresql`). */
const MAJOR = 15;

/** A running test server. */
export interface PgServer {
	/** Connection string of the `moim` database as the `postgres` superuser (trust auth, no password). */
	url: string;
	/** Connection string of the built-in `postgres` database, for admin statements that must not run in `moim`. */
	adminUrl: string;
	port: number;
	/** The temporary folder: `data/` (the cluster), the unix socket and `postgres.log`. */
	dir: string;
	/** The server's log so far, for failure messages. */
	log(): string;
	/** Shuts the server down and keeps its data (`fast` checkpoints; `immediate` is a crash: recovery on the next start). */
	shutdown(mode: 'fast' | 'immediate'): Promise<void>;
	/** Starts it again on the same port and data; resolves once it accepts connections. */
	start(): Promise<void>;
	/** `shutdown(mode)` then `start()`. */
	restart(mode: 'fast' | 'immediate'): Promise<void>;
	/** Stops the server and removes its folder (idempotent). */
	stop(): Promise<void>;
}

/** Where `initdb` and `pg_ctl` are: `PG_BIN`, Debian's layout, then `pg_config`. */
function binDir(): string {
	const candidates = [process.env.PG_BIN, `/usr/lib/postgresql/${MAJOR}/bin`];
	const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
	if (pgConfig.status === 0) candidates.push(pgConfig.stdout.trim());
	const found = candidates.find((d) => d && fs.existsSync(path.join(d, 'initdb')));
	if (!found)
		throw new Error(
			`PostgreSQL ${MAJOR} not found (no initdb in ${candidates.filter(Boolean).join(', ')}): ` +
				'install the Debian package `postgresql` (.ci/run does) or set PG_BIN'
		);
	return found;
}

/** uid and gid of the `postgres` system user, which the Debian package creates. */
function postgresUser(): { uid: number; gid: number } {
	const line = fs
		.readFileSync('/etc/passwd', 'utf8')
		.split('\n')
		.find((l) => l.startsWith('postgres:'));
	if (!line) throw new Error('running as root and there is no `postgres` user to run PostgreSQL as');
	const [, , uid, gid] = line.split(':');
	return { uid: Number(uid), gid: Number(gid) };
}

/** A port nobody listens on right now (another process may still take it: `startPostgres` retries). */
function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.once('error', reject);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address() as net.AddressInfo;
			s.close(() => resolve(port));
		});
	});
}

/** Servers not stopped yet, shut down if the test process exits without `stop()` so none outlives it. */
const live = new Set<() => void>();
process.once('exit', () => {
	for (const kill of live) kill();
});

/**
 * Creates and starts a cluster with database `moim`. Resolves once the
 * database accepts connections (`pg_ctl -w`, then `pg_isready`).
 */
export async function startPostgres(): Promise<PgServer> {
	for (let attempt = 1; ; attempt++) {
		try {
			return await tryStart(await freePort());
		} catch (e) {
			// Only a port taken between freePort() and the bind is worth a retry.
			if (attempt >= 3 || !/could not bind|already in use/i.test(String(e))) throw e;
		}
	}
}

async function tryStart(port: number): Promise<PgServer> {
	const bin = binDir();
	const asRoot = process.getuid?.() === 0;
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'moim-pg-'));
	const data = path.join(dir, 'data');
	const logFile = path.join(dir, 'postgres.log');
	if (asRoot) {
		const { uid, gid } = postgresUser();
		fs.chownSync(dir, uid, gid);
	}
	/** Runs one of the server's programs as its owner; cwd inside the folder, which that user can read. */
	const pg = (program: string, args: string[]) => {
		const file = path.join(bin, program);
		const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
		return run(cmd, argv, { cwd: dir, env: { ...process.env, LC_ALL: 'C' } });
	};
	const log = () => {
		try {
			return fs.readFileSync(logFile, 'utf8');
		} catch {
			return '';
		}
	};
	const fail = (what: string, e: unknown) =>
		new Error(`${what} failed: ${(e as { stderr?: string }).stderr || String(e)}\n--- postgres.log ---\n${log()}`);

	let running = false;
	const killNow = () => {
		if (running)
			spawnSync(asRoot ? 'runuser' : path.join(bin, 'pg_ctl'), pgCtlArgs(['stop', '-m', 'immediate']), { cwd: dir });
		fs.rmSync(dir, { recursive: true, force: true });
	};
	const pgCtlArgs = (args: string[]) => {
		const a = ['-D', data, '-w', '-t', '60', ...args];
		return asRoot ? ['-u', 'postgres', '--', path.join(bin, 'pg_ctl'), ...a] : a;
	};

	const start = async () => {
		try {
			await pg('pg_ctl', ['-D', data, '-l', logFile, '-w', '-t', '60', 'start']);
		} catch (e) {
			throw fail('pg_ctl start', e);
		}
		running = true;
		await ready(port, dir);
	};
	const shutdown = async (mode: 'fast' | 'immediate') => {
		if (!running) return;
		try {
			await pg('pg_ctl', ['-D', data, '-w', '-t', '60', '-m', mode, 'stop']);
		} catch (e) {
			throw fail(`pg_ctl stop -m ${mode}`, e);
		}
		running = false;
	};

	live.add(killNow);
	try {
		try {
			// --no-sync: only initdb's own files skip fsync; the server keeps it on.
			await pg('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
		} catch (e) {
			throw fail('initdb', e);
		}
		fs.appendFileSync(
			path.join(data, 'postgresql.conf'),
			[
				'',
				'# tests/support/postgres.ts',
				`port = ${port}`,
				"listen_addresses = '127.0.0.1'",
				`unix_socket_directories = '${dir}'`,
				'fsync = on',
				'synchronous_commit = on',
				// Containers often give /dev/shm only 64 MB; tests need little.
				'shared_buffers = 32MB',
				"dynamic_shared_memory_type = 'mmap'",
				// Several relays each with a pool, plus the test's own connections.
				'max_connections = 200',
				''
			].join('\n')
		);
		await start();
		try {
			await run(path.join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'moim']);
		} catch (e) {
			throw fail('createdb moim', e);
		}
	} catch (e) {
		live.delete(killNow);
		killNow();
		throw e;
	}

	const base = `postgres://postgres@127.0.0.1:${port}`;
	return {
		url: `${base}/moim`,
		adminUrl: `${base}/postgres`,
		port,
		dir,
		log,
		shutdown,
		start,
		async restart(mode) {
			await shutdown(mode);
			await start();
		},
		async stop() {
			if (!live.has(killNow)) return;
			try {
				await shutdown('fast');
			} finally {
				// Also after a failed fast shutdown: the immediate one, then the folder.
				live.delete(killNow);
				killNow();
				running = false;
			}
		}
	};
}

/** Polls `pg_isready` until the server accepts connections (after crash recovery too). */
async function ready(port: number, dir: string, timeoutMs = 60_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	const bin = binDir();
	for (;;) {
		const r = spawnSync(path.join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres'], {
			encoding: 'utf8'
		});
		if (r.status === 0) return;
		if (Date.now() > deadline)
			throw new Error(`PostgreSQL on ${port} (${dir}) not ready after ${timeoutMs} ms: ${r.stdout}${r.stderr}`);
		await new Promise((res) => setTimeout(res, 50));
	}
}
