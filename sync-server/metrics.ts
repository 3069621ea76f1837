/**
 * Prometheus metrics (`GET /metrics`), one registry per relay so tests can
 * run several relays in one process.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Every metric the relay reports. */
export class RelayMetrics {
	readonly registry = new Registry();
	readonly connections = new Gauge({
		name: 'moim_connections',
		help: 'Open websocket connections',
		registers: [this.registry]
	});
	readonly rooms = new Gauge({ name: 'moim_rooms_loaded', help: 'Rooms in memory', registers: [this.registry] });
	readonly updatesIn = new Counter({
		name: 'moim_updates_received_total',
		help: 'Document updates applied',
		registers: [this.registry]
	});
	readonly bytesIn = new Counter({
		name: 'moim_bytes_received_total',
		help: 'Websocket bytes received',
		registers: [this.registry]
	});
	readonly updatesOut = new Counter({
		name: 'moim_updates_forwarded_total',
		help: 'Document updates forwarded to clients',
		registers: [this.registry]
	});
	readonly messagesOut = new Counter({
		name: 'moim_messages_sent_total',
		help: 'Websocket messages sent',
		registers: [this.registry]
	});
	readonly bytesOut = new Counter({
		name: 'moim_bytes_sent_total',
		help: 'Websocket bytes sent',
		registers: [this.registry]
	});
	readonly rejected = new Counter({
		name: 'moim_rejected_total',
		help: 'Connections closed or refused by the relay, by reason',
		labelNames: ['reason'] as const,
		registers: [this.registry]
	});
	readonly clientSchemas = new Counter({
		name: 'moim_client_schema_connections_total',
		help: 'Websocket connections accepted, by the event schema the client reads (v= in the URL; none: an app older than the stroke log)',
		labelNames: ['v'] as const,
		registers: [this.registry]
	});
	readonly persistSeconds = new Histogram({
		name: 'moim_persist_seconds',
		help: 'Time to write one batch of updates to storage',
		buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
		registers: [this.registry]
	});
	readonly unwritten = new Gauge({
		name: 'moim_flush_queue_updates',
		help: 'Updates received and not yet on disk, over all rooms',
		registers: [this.registry]
	});

	readonly storeUp = new Gauge({
		name: 'moim_store_up',
		help: 'Whether the store answers (1) or not (0)',
		registers: [this.registry]
	});
	readonly dbSeconds = new Histogram({
		name: 'moim_db_latency_seconds',
		help: 'Time of one database statement or transaction (STORE=postgres)',
		buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
		registers: [this.registry]
	});
	readonly feedLagSeconds = new Gauge({
		name: 'moim_feed_lag_seconds',
		help: 'Delay of the last announcement heard from another relay instance (STORE=postgres)',
		registers: [this.registry]
	});

	constructor() {
		collectDefaultMetrics({ register: this.registry, prefix: 'moim_process_' });
	}
}
