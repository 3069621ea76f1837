/**
 * Relay settings, each read from one environment variable with a documented
 * default (see README "Relay settings").
 */
import path from 'node:path';

function intFrom(name: string, fallback: number): number {
	const raw = process.env[name];
	if (raw === undefined || raw === '') return fallback;
	const n = Number(raw);
	if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
	return n;
}

/** Everything the relay can be told from outside. */
export interface RelayConfig {
	/** TCP port for HTTP and websockets. */
	port: number;
	/** Address to listen on. */
	host: string;
	/** Where rooms are kept: embedded LevelDB in `dataDir` (one process), or PostgreSQL at `databaseUrl` (several). */
	store: 'leveldb' | 'postgres';
	/** Folder of the LevelDB store. */
	dataDir: string;
	/** LevelDB writes wait for the disk (fsync); `false` (`STORE_SYNC=0`) is unsafe, for benchmarks only. */
	storeSync: boolean;
	/** PostgreSQL connection string, for `store: 'postgres'`. */
	databaseUrl: string | null;
	/** How often (ms) rooms in memory check the shared store for appends the feed may have missed. */
	feedPollMs: number;
	/** Most PostgreSQL connections one relay opens at once. */
	databasePoolSize: number;
	/** Folder of the built app to serve; `null` serves no files. */
	buildDir: string | null;
	/** How long a room stays in memory after its last client leaves. */
	roomIdleMs: number;
	/** Updates in a room's log before it is compacted into one snapshot. */
	compactAfter: number;
	/** Largest websocket frame accepted, in bytes. */
	maxFrameBytes: number;
	/** Interval of websocket pings; a client that misses one is dropped. */
	pingIntervalMs: number;
	/** Origins (besides the relay's own) whose pages may open websockets and call the API. */
	allowedOrigins: string[];
	/** Largest a room may grow on disk (snapshot + log), in bytes. */
	maxRoomBytes: number;
	/** Rooms held in memory at once. */
	maxRooms: number;
	/** Open websockets from one client address. */
	maxConnectionsPerAddress: number;
	/** Frames a client may send before its room has loaded. */
	maxEarlyFrames: number;
	/** Rooms one client address may create (first write to an empty room) per hour, per relay. */
	maxNewRoomsPerHour: number;
	/** Members an event may register (each joining device's member id counts once). */
	maxMembersPerEvent: number;
	/** Wrong PINs for one member before a lockout (per 15 minutes). */
	pinMaxFailures: number;
	/** Wrong PINs from one client address before a lockout (per hour, any member). */
	pinMaxFailuresPerAddress: number;
	/** First lockout after too many wrong PINs; doubles each time, up to a day. */
	pinLockoutMs: number;
	/** Proxies in front of the relay that append to X-Forwarded-For (0: trust none, use the socket's address). */
	trustProxy: number;
	/** Bearer token `GET /metrics` requires; without one (and no metrics port) only loopback may read it. */
	metricsToken: string | null;
	/** A separate port for `/metrics` (then the main port has none), bound to `metricsHost`. */
	metricsPort: number | null;
	metricsHost: string;
}

/** Reads the configuration from `process.env`. */
export function readConfig(root = process.cwd()): RelayConfig {
	const store = process.env.STORE || 'leveldb';
	if (store !== 'leveldb' && store !== 'postgres')
		throw new Error(`STORE must be "leveldb" or "postgres", got "${store}"`);
	const databaseUrl = process.env.DATABASE_URL || null;
	const storeSync = process.env.STORE_SYNC || '1';
	if (storeSync !== '0' && storeSync !== '1') throw new Error(`STORE_SYNC must be "1" or "0", got "${storeSync}"`);
	if (store === 'postgres' && !databaseUrl) throw new Error('STORE=postgres needs DATABASE_URL');
	return {
		store,
		databaseUrl,
		feedPollMs: Math.max(50, intFrom('FEED_POLL_MS', 1000)),
		databasePoolSize: Math.max(2, intFrom('DATABASE_POOL_SIZE', 10)),
		port: intFrom('PORT', 8787),
		host: process.env.HOST || '0.0.0.0',
		dataDir: path.resolve(root, process.env.DATA_DIR || 'data'),
		storeSync: storeSync === '1',
		buildDir: process.env.BUILD_DIR === '' ? null : path.resolve(root, process.env.BUILD_DIR || 'build'),
		roomIdleMs: intFrom('ROOM_IDLE_MS', 30_000),
		compactAfter: Math.max(1, intFrom('COMPACT_AFTER', 500)),
		maxFrameBytes: intFrom('MAX_FRAME_BYTES', 8 * 1024 * 1024),
		pingIntervalMs: intFrom('PING_INTERVAL_MS', 30_000),
		allowedOrigins: (process.env.ALLOWED_ORIGINS ?? '')
			.split(',')
			.map((o) => o.trim().replace(/\/$/, ''))
			.filter(Boolean),
		maxRoomBytes: intFrom('MAX_ROOM_BYTES', 32 * 1024 * 1024),
		maxRooms: Math.max(1, intFrom('MAX_ROOMS', 10_000)),
		maxConnectionsPerAddress: Math.max(1, intFrom('MAX_CONNECTIONS_PER_ADDRESS', 64)),
		maxEarlyFrames: intFrom('MAX_EARLY_FRAMES', 64),
		maxNewRoomsPerHour: Math.max(1, intFrom('MAX_NEW_ROOMS_PER_HOUR', 30)),
		maxMembersPerEvent: Math.max(1, intFrom('MAX_MEMBERS_PER_EVENT', 200)),
		pinMaxFailures: Math.max(1, intFrom('PIN_MAX_FAILURES', 5)),
		pinMaxFailuresPerAddress: Math.max(1, intFrom('PIN_MAX_FAILURES_PER_ADDRESS', 20)),
		pinLockoutMs: intFrom('PIN_LOCKOUT_MS', 15 * 60 * 1000),
		trustProxy: intFrom('TRUST_PROXY', 0),
		metricsToken: process.env.METRICS_TOKEN || null,
		metricsPort: process.env.METRICS_PORT ? intFrom('METRICS_PORT', 0) : null,
		metricsHost: process.env.METRICS_HOST || '127.0.0.1'
	};
}
