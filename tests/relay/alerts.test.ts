/**
 * The Prometheus alerting rules in deploy/: valid for Prometheus
 * (`promtool check rules`), right on their unit tests (`promtool test rules`),
 * and about metrics the relay really exports, so a typo or a renamed metric
 * fails here rather than staying silent in production. promtool comes with
 * Debian's `prometheus` package (.ci/run installs it).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { RelayMetrics } from '../../sync-server/metrics.js';
import { ROOT, tempDir } from '../support/relay-process.js';

const DEPLOY = path.join(ROOT, 'deploy');
const RULES = path.join(DEPLOY, 'alerts.yml');
const RULE_TESTS = path.join(DEPLOY, 'alerts.test.yml');

/** Runs promtool; its exit status and everything it printed. */
function promtool(...args: string[]) {
	const r = spawnSync('promtool', args, { encoding: 'utf8' });
	if (r.error) throw new Error(`promtool: ${r.error.message} (install the Debian package prometheus)`);
	return { status: r.status, output: r.stdout + r.stderr };
}

/** deploy/ copied to a temporary folder with `edit` applied to the rules. */
function editedCopy(edit: (rules: string) => string): string {
	const dir = tempDir('moim-alerts-');
	const rules = fs.readFileSync(RULES, 'utf8');
	const edited = edit(rules);
	expect(edited).not.toBe(rules);
	fs.writeFileSync(path.join(dir, 'alerts.yml'), edited);
	fs.copyFileSync(RULE_TESTS, path.join(dir, 'alerts.test.yml'));
	return dir;
}

/** Names of the alerts the rules file defines. */
const alertNames = () => [...fs.readFileSync(RULES, 'utf8').matchAll(/^\s*- alert: (\w+)$/gm)].map((m) => m[1]);

describe('alerting rules', () => {
	it('pass promtool check rules', () => {
		const r = promtool('check', 'rules', RULES);
		expect(r.output).toContain(`SUCCESS: ${alertNames().length} rules found`);
		expect(r.status).toBe(0);
	});

	it('pass their unit tests, and each alert has one', () => {
		const r = promtool('test', 'rules', RULE_TESTS);
		expect(r.output).toContain('SUCCESS');
		expect(r.status).toBe(0);
		const tests = fs.readFileSync(RULE_TESTS, 'utf8');
		const names = alertNames();
		expect(names).toEqual(
			expect.arrayContaining([
				'MoimRelayDown',
				'MoimDatabaseUnreachable',
				'MoimWriteLatencyHigh',
				'MoimRefusalsSpiking',
				'MoimFeedLagging'
			])
		);
		for (const name of names) expect(tests, name).toContain(`alertname: ${name}\n`);
	});

	it('fail the check on a PromQL typo, and the unit tests on a wrong threshold', () => {
		const typo = editedCopy((s) =>
			s.replace('rate(moim_persist_seconds_bucket[5m])))', 'rate(moim_persist_seconds_bucket[5m]))')
		);
		const check = promtool('check', 'rules', path.join(typo, 'alerts.yml'));
		expect(check.status).not.toBe(0);
		expect(check.output).toMatch(/parse error/i);

		const lax = editedCopy((s) => s.replace('moim_feed_lag_seconds > 5', 'moim_feed_lag_seconds > 50'));
		const test = promtool('test', 'rules', path.join(lax, 'alerts.test.yml'));
		expect(test.status).not.toBe(0);
		expect(test.output).toContain('MoimFeedLagging');
		for (const dir of [typo, lax]) fs.rmSync(dir, { recursive: true, force: true });
	});

	it('use only metrics the relay exports', async () => {
		const exported = new Set<string>();
		for (const m of await new RelayMetrics().registry.getMetricsAsJSON()) {
			// prom-client types `type` as an enum of these same strings.
			const type = String(m.type);
			const suffixes =
				type === 'histogram' ? ['_bucket', '_sum', '_count'] : type === 'summary' ? ['_sum', '_count', ''] : [''];
			for (const s of suffixes) exported.add(m.name + s);
		}
		const used = new Set(fs.readFileSync(RULES, 'utf8').match(/\bmoim_\w+/g));
		expect(used.size).toBeGreaterThan(0);
		expect([...used].filter((name) => !exported.has(name))).toEqual([]);
	});
});
