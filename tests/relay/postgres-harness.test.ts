/**
 * The PostgreSQL test harness (tests/support/postgres.ts) itself: a real
 * server that keeps committed rows through a crash restart, runs with
 * production durability settings, and leaves nothing behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import pg from 'pg';
import { startPostgres, type PgServer } from '../support/postgres.js';

let server: PgServer;
beforeAll(async () => {
	server = await startPostgres();
});
afterAll(() => server?.stop());

/** A connected client of the `moim` database; the caller ends it. */
async function connect(): Promise<pg.Client> {
	const c = new pg.Client({ connectionString: server.url });
	// An immediate shutdown kills backends: without a listener that error would crash the test process.
	c.on('error', () => {});
	await c.connect();
	return c;
}

describe('PostgreSQL harness', () => {
	it('serves database moim on 127.0.0.1 with fsync and synchronous_commit on', async () => {
		expect(server.url).toBe(`postgres://postgres@127.0.0.1:${server.port}/moim`);
		const c = await connect();
		try {
			const { rows } = await c.query(
				`SELECT current_database() AS db, current_setting('fsync') AS fsync,
					current_setting('synchronous_commit') AS sync, current_setting('listen_addresses') AS listen,
					current_setting('data_directory') AS data`
			);
			expect(rows[0]).toEqual({
				db: 'moim',
				fsync: 'on',
				sync: 'on',
				listen: '127.0.0.1',
				data: `${server.dir}/data`
			});
			// Under root the cluster must belong to the postgres user, or the server would not have started.
			const owner = fs.statSync(`${server.dir}/data`).uid;
			expect(owner).toBe(process.getuid?.() === 0 ? uidOf('postgres') : process.getuid?.());
		} finally {
			await c.end();
		}
	});

	it('keeps committed rows through restart -m immediate, and kills the connections open at the time', async () => {
		const c = await connect();
		await c.query('CREATE TABLE strokes (id int PRIMARY KEY, slot text NOT NULL)');
		for (let i = 0; i < 50; i++) await c.query('INSERT INTO strokes VALUES ($1, $2)', [i, `w1T${i}`]);
		await server.restart('immediate');
		// The old backend is gone: its next query fails rather than hanging.
		await expect(c.query('SELECT 1')).rejects.toThrow();
		await c.end().catch(() => {});

		const after = await connect();
		try {
			const { rows } = await after.query('SELECT count(*)::int AS n, max(slot) AS last FROM strokes');
			expect(rows[0]).toEqual({ n: 50, last: 'w1T9' });
			expect(server.log()).toMatch(/database system was interrupted|not properly shut down/);
		} finally {
			await after.end();
		}
	});

	it('refuses connections while shut down and serves the same data after start', async () => {
		await server.shutdown('fast');
		await expect(connect()).rejects.toThrow(/ECONNREFUSED/);
		await server.start();
		const c = await connect();
		try {
			const { rows } = await c.query('SELECT count(*)::int AS n FROM strokes');
			expect(rows[0].n).toBe(50);
		} finally {
			await c.end();
		}
	});

	it('stop() shuts the server down and removes its folder', async () => {
		const other = await startPostgres();
		expect(other.port).not.toBe(server.port);
		await other.stop();
		expect(fs.existsSync(other.dir)).toBe(false);
		const c = new pg.Client({ connectionString: other.url });
		await expect(c.connect()).rejects.toThrow(/ECONNREFUSED/);
		await other.stop(); // idempotent
	});
});

/** uid of a system user, from /etc/passwd. */
function uidOf(name: string): number {
	const line = fs
		.readFileSync('/etc/passwd', 'utf8')
		.split('\n')
		.find((l) => l.startsWith(`${name}:`));
	return Number(line!.split(':')[2]);
}
