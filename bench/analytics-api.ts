/**
 * p50/p99 of the analytics API under a fixed request rate (open loop: each request has a
 * scheduled start, and latency counts from it, so a slow answer cannot hide the queue behind
 * it). The API runs as its own process, as on Cloud Run, over the Bigtable emulator holding
 * 100 devices x 10 minutes of events (1 event/s each) and their finalized windows.
 *
 *   mix: 40% GET /v1/devices/:id/events (last minute, pageSize 100)
 *        40% GET /v1/devices/:id/aggregates (last 10 minutes)
 *        20% GET /v1/fleet/live (the processor's figures; a fixed stub stands in for the processor)
 *   rates: the prod spec's 50 requests/s, then 4x that.
 *
 * Run: `npx tsx bench/analytics-api.ts` -> bench/results/analytics-api.json
 */
import { createServer } from 'node:http';
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

function metricsStub(): Promise<{ url: string; close: () => void }> {
  const body = JSON.stringify({
    eventsPerSecond: 10_000,
    inFlightMessages: 12,
    counters: { eventsProcessed: 1_000_000, eventsDeadLettered: 3, eventsLate: 0 },
    latencyMs: { lastMinute: { count: 600_000, p50: 12, p90: 30, p99: 60, max: 120 } },
    topDevices: Array.from({ length: 10 }, (_, i) => ({ deviceId: `bench-d${i}`, events: 600 - i })),
  });
  return new Promise((resolve) => {
    const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      resolve({ url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/metrics`, close: () => server.close() });
    });
  });
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
  const stub = await metricsStub();
  try {
    const emulator = await startBigtableEmulator(logDir);
    started.push(emulator);
    process.env.BIGTABLE_EMULATOR_HOST = emulator.endpoint;
    const bigtable = new Bigtable({ projectId: PROJECT, metricsEnabled: false } as ConstructorParameters<typeof Bigtable>[0]);
    const nowMs = Date.now();
    await seed(bigtable, nowMs);
    await bigtable.close();
    const api = await startService(
      {
        name: 'analytics-api',
        entry: 'functions/analytics/main.ts',
        healthPath: '/healthz',
        env: { GOOGLE_CLOUD_PROJECT: PROJECT, BIGTABLE_EMULATOR_HOST: emulator.endpoint, PROCESSOR_METRICS_URL: stub.url, LOG_LEVEL: 'warn' },
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
      what: 'analytics API latency (scheduled start -> full response, open loop) over the Bigtable emulator; mix 40% events, 40% aggregates, 20% fleet live (processor stubbed)',
      data: { devices: DEVICES, minutesOfEvents: MINUTES, eventsPerDevice: MINUTES * 60 },
      results,
    });
    process.stdout.write(`wrote ${file}\n`);
  } finally {
    stub.close();
    for (const s of started.reverse()) await s.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`analytics-api bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
