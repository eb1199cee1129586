/**
 * p50/p99 of the analytics API under a fixed request rate (open loop: each request has a
 * scheduled start, and latency counts from it, so a slow answer cannot hide the queue behind
 * it). The API runs as its own process, as on Cloud Run, over the Bigtable emulator holding
 * 100 devices x 10 minutes of events (1 event/s each) and their finalized windows.
 *
 *   mix: 40% GET /v1/devices/:id/events (last minute, pageSize 100)
 *        40% GET /v1/devices/:id/aggregates (last 10 minutes)
 *        20% GET /v1/fleet/live (four processor instances' snapshots in the fleet table, merged;
 *            rewritten every 2 s as the processors would, so they stay fresh)
 *   rates: the prod spec's 50 requests/s, then 4x that.
 *
 * Run: `npx tsx bench/analytics-api.ts` -> bench/results/analytics-api.json
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bigtable } from '@google-cloud/bigtable';
import * as hdr from 'hdr-histogram-js';
import { startBigtableEmulator } from '../local/emulators/gcloud-emulators';
import type { RunningService } from '../local/emulators/processes';
import { startService, type StartedService } from '../local/run/services';
import { writeRecord } from '../local/run/machine';
import { windowEntry } from '../functions/processor/window-finalizer';
import { summarizeWindows } from '../functions/shared/aggregates';
import { eventRowKey, EVENTS_FAMILY, EVENT_COLUMN, cellTimestampMicros } from '../functions/shared/row-keys';
import { FLEET_FAMILY, FLEET_SNAPSHOT_VERSION, SNAPSHOT_COLUMN, fleetRowKey, type FleetSnapshot } from '../functions/shared/fleet-snapshot';
import { encodeLatencyHistogram, newLatencyHistogram } from '../functions/shared/latency-histogram';

process.env.METADATA_SERVER_DETECTION = 'none';

const PROJECT = 'bench-analytics';
const DEVICES = 100;
const MINUTES = 10;
const RATES = [50, 100, 200];
const SECONDS_PER_RATE = 30;
const WINDOW = { windowMs: 60_000, slideMs: 10_000 };

async function seed(bigtable: Bigtable, nowMs: number): Promise<void> {
  const instance = bigtable.instance('iot-hot');
  const [events] = await instance.createTable('events', { families: ['e'] });
  const [aggregates] = await instance.createTable('aggregates', { families: ['a'] });
  for (let d = 0; d < DEVICES; d++) {
    const deviceId = `bench-d${d}`;
    const rows = [];
    const contributions = [];
    for (let s = 0; s < MINUTES * 60; s++) {
      const t = nowMs - (MINUTES * 60 - s) * 1000;
      const eventId = `${deviceId}.${s}`;
      const metrics = { temperature: 20 + (s % 50) / 10 };
      contributions.push({ eventId, eventTimeMs: t, metrics });
      const wire = { eventId, deviceId, type: 'telemetry', eventTime: new Date(t).toISOString(), metrics, attributes: { site: 'bench' } };
      rows.push({ key: eventRowKey(deviceId, t, eventId), data: { [EVENTS_FAMILY]: { [EVENT_COLUMN]: { value: JSON.stringify(wire), timestamp: cellTimestampMicros(t) } } } });
    }
    await events.insert(rows);
    const first = Math.ceil((nowMs - MINUTES * 60_000) / WINDOW.slideMs) * WINDOW.slideMs;
    const ends = [];
    for (let end = first; end <= nowMs; end += WINDOW.slideMs) ends.push(end);
    await aggregates.insert(summarizeWindows(contributions, ends, WINDOW).map((w) => windowEntry(deviceId, w)));
  }
}

/** Four processor instances writing their snapshots every 2 s (the figures are fixed). */
async function fleetSnapshots(bigtable: Bigtable): Promise<{ close: () => void }> {
  const [table] = await bigtable.instance('iot-hot').createTable('fleet', { families: [FLEET_FAMILY] });
  const h = newLatencyHistogram();
  for (let i = 0; i < 150_000; i++) h.recordValue(5_000 + (i % 100) * 500); // 5..55 ms, in µs
  const latencyLastMinute = encodeLatencyHistogram(h);
  h.destroy();
  const startedAtMs = Date.now();
  const write = async () => {
    const takenAtMs = Date.now();
    const rows = Array.from({ length: 4 }, (_, i) => {
      const snapshot: FleetSnapshot = {
        version: FLEET_SNAPSHOT_VERSION,
        instanceId: `bench-${i}`,
        region: 'us-central1',
        takenAtMs,
        startedAtMs,
        intervalSeconds: 2,
        pulling: true,
        standby: false,
        counters: { eventsProcessed: 250_000, eventsDeadLettered: 1, eventsLate: 0 },
        eventsPerSecond: 2_500,
        inFlightMessages: 3,
        latencyLastMinute,
        topDevices: Array.from({ length: 20 }, (_, d) => ({ deviceId: `bench-d${d}`, events: 150 - d })),
      };
      return { key: fleetRowKey(snapshot.region, snapshot.instanceId), data: { [FLEET_FAMILY]: { [SNAPSHOT_COLUMN]: { value: JSON.stringify(snapshot), timestamp: cellTimestampMicros(takenAtMs) } } } };
    });
    await table.insert(rows);
  };
  await write();
  const timer = setInterval(() => void write().catch((err) => process.stderr.write(`fleet snapshot write failed: ${(err as Error).message}\n`)), 2000);
  return { close: () => clearInterval(timer) };
}

interface Outcome {
  ok: number;
  errors: number;
}

async function drive(baseUrl: string, rate: number, seconds: number, nowMs: number) {
  const all = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  const byKind = new Map<string, ReturnType<typeof hdr.build>>();
  const outcome: Outcome = { ok: 0, errors: 0 };
  const total = rate * seconds;
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const scheduled = started + (i * 1000) / rate;
    const wait = scheduled - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const device = `bench-d${(i * 37) % DEVICES}`;
    const r = i % 5;
    const kind = r < 2 ? 'events' : r < 4 ? 'aggregates' : 'fleet-live';
    const path =
      kind === 'events'
        ? `/v1/devices/${device}/events?from=${nowMs - 60_000}&to=${nowMs}&pageSize=100`
        : kind === 'aggregates'
          ? `/v1/devices/${device}/aggregates?from=${nowMs - MINUTES * 60_000}&to=${nowMs}`
          : '/v1/fleet/live';
    pending.push(
      fetch(`${baseUrl}${path}`, { signal: AbortSignal.timeout(10_000) })
        .then(async (res) => {
          await res.arrayBuffer();
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
          const us = Math.max(1, Math.round((performance.now() - scheduled) * 1000));
          all.recordValue(us);
          let h = byKind.get(kind);
          if (!h) byKind.set(kind, (h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 })));
          h.recordValue(us);
          outcome.ok++;
        })
        .catch(() => {
          outcome.errors++;
        }),
    );
  }
  await Promise.all(pending);
  const seconds_ = (performance.now() - started) / 1000;
  const ms = (h: ReturnType<typeof hdr.build>) => ({
    count: h.totalCount,
    p50Ms: Math.round(h.getValueAtPercentile(50) / 100) / 10,
    p99Ms: Math.round(h.getValueAtPercentile(99) / 100) / 10,
    maxMs: Math.round(h.maxValue / 100) / 10,
  });
  return {
    targetRequestsPerSecond: rate,
    achievedRequestsPerSecond: Math.round(outcome.ok / seconds_),
    errors: outcome.errors,
    ...ms(all),
    byEndpoint: Object.fromEntries([...byKind.entries()].map(([k, h]) => [k, ms(h)])),
  };
}

async function main(): Promise<void> {
  const logDir = mkdtempSync(join(tmpdir(), 'bench-analytics-'));
  const started: (RunningService | StartedService)[] = [];
  let fleet: { close: () => void } | undefined;
  let bigtable: Bigtable | undefined;
  try {
    const emulator = await startBigtableEmulator(logDir);
    started.push(emulator);
    process.env.BIGTABLE_EMULATOR_HOST = emulator.endpoint;
    bigtable = new Bigtable({ projectId: PROJECT, metricsEnabled: false } as ConstructorParameters<typeof Bigtable>[0]);
    const nowMs = Date.now();
    await seed(bigtable, nowMs);
    fleet = await fleetSnapshots(bigtable);
    const api = await startService(
      {
        name: 'analytics-api',
        entry: 'functions/analytics/main.ts',
        healthPath: '/healthz',
        env: { GOOGLE_CLOUD_PROJECT: PROJECT, BIGTABLE_EMULATOR_HOST: emulator.endpoint, LOG_LEVEL: 'warn' },
      },
      logDir,
    );
    started.push(api);
    await drive(api.url, 20, 3, nowMs); // warm-up (JIT, connections), not recorded
    const results = [];
    for (const rate of RATES) {
      const r = await drive(api.url, rate, SECONDS_PER_RATE, nowMs);
      process.stdout.write(`${rate} req/s: p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, max ${r.maxMs} ms, errors ${r.errors}\n`);
      results.push(r);
    }
    const file = join(__dirname, 'results', 'analytics-api.json');
    writeRecord(file, 'analytics-api', {
      what: 'analytics API latency (scheduled start -> full response, open loop) over the Bigtable emulator; mix 40% events, 40% aggregates, 20% fleet live (4 processor snapshots in the fleet table)',
      data: { devices: DEVICES, minutesOfEvents: MINUTES, eventsPerDevice: MINUTES * 60 },
      results,
    });
    process.stdout.write(`wrote ${file}\n`);
  } finally {
    fleet?.close();
    await bigtable?.close();
    for (const s of started.reverse()) await s.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`analytics-api bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
