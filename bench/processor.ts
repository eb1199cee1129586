/**
 * Speed-layer processor under load on the emulators: offers 10,000 events/s for 20 s
 * (1,000 devices, 25 events of one device per Pub/Sub message = 400 messages/s, since the
 * emulator delivers a few thousand messages/s) to the processor running as its own process
 * (`functions/processor/main.ts`), and records events/s and receive -> durable-write latency
 * (p50/p90/p99 from the processor's HDR histogram) with the machine's details.
 *
 * Run: `npx tsx bench/processor.ts` -> bench/results/processor.json
 * Env: BENCH_EVENTS_PER_SECOND (10000), BENCH_SECONDS (20), BENCH_EVENTS_PER_MESSAGE (25), BENCH_DEVICES (1000).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { spawn, type ChildProcess } from 'node:child_process';
import { PubSub } from '@google-cloud/pubsub';
import { Bigtable } from '@google-cloud/bigtable';
import { startBigtableEmulator, startPubSubEmulator } from '../local/emulators/gcloud-emulators';
import { freePort, type RunningService } from '../local/emulators/processes';
import { writeRecord } from '../local/run/machine';

process.env.METADATA_SERVER_DETECTION = 'none';

const OFFERED = Number(process.env.BENCH_EVENTS_PER_SECOND ?? 10_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const PER_MESSAGE = Number(process.env.BENCH_EVENTS_PER_MESSAGE ?? 25);
const DEVICES = Number(process.env.BENCH_DEVICES ?? 1000);
const TICK_MS = 100;
/** Consecutive messages of one device (a device posting RUN x EVENTS_PER_MESSAGE events at once). */
const RUN = Number(process.env.BENCH_MESSAGES_PER_DEVICE_RUN ?? 5);
const PROJECT = 'bench-processor';
/**
 * Flow control sized to the latency target, not to memory: 10,000 events/s x 0.1 s = 1,000
 * events = 40 messages of 25; 3x headroom. Beyond it the backlog waits in Pub/Sub (where it
 * is visible and alerted on), not in the processor's memory inflating receive->durable latency.
 */
const MAX_OUTSTANDING = process.env.MAX_OUTSTANDING_MESSAGES ?? '120';

interface Snapshot {
  counters: Record<string, number>;
  latencyMs: { sinceStart: { count: number; p50: number; p90: number; p99: number; max: number } };
  stagesMs?: Record<string, { count: number; p50: number; p90: number; p99: number; max: number }>;
}

async function metrics(port: number): Promise<Snapshot> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(2000) });
  return (await res.json()) as Snapshot;
}

function message(device: number, seq: number, now: number): Buffer {
  const events = [];
  for (let i = 0; i < PER_MESSAGE; i++) {
    events.push({
      eventId: `d${device}.${seq}.${i}`,
      deviceId: `dev-${device}`,
      type: 'telemetry',
      // Spread over the last tick so events of a message fall in one or two panes, as a device's would.
      eventTime: now - TICK_MS + Math.floor((i * TICK_MS) / PER_MESSAGE),
      metrics: { temperature: 20 + (seq % 10), humidity: 40 + i / 10 },
    });
  }
  return Buffer.from(JSON.stringify({ events }));
}

async function main() {
  const logDir = mkdtempSync(join(tmpdir(), 'bench-processor-'));
  const started: RunningService[] = [];
  let child: ChildProcess | undefined;
  try {
    if (!process.env.PUBSUB_EMULATOR_HOST) {
      const s = await startPubSubEmulator(logDir);
      started.push(s);
      process.env.PUBSUB_EMULATOR_HOST = s.endpoint;
    }
    if (!process.env.BIGTABLE_EMULATOR_HOST) {
      const s = await startBigtableEmulator(logDir);
      started.push(s);
      process.env.BIGTABLE_EMULATOR_HOST = s.endpoint;
    }
    const pubsub = new PubSub({ projectId: PROJECT });
    const bigtable = new Bigtable({ projectId: PROJECT, metricsEnabled: false } as ConstructorParameters<typeof Bigtable>[0]);
    const suffix = Date.now().toString(36);
    const [topic] = await pubsub.createTopic(`telemetry-${suffix}`);
    const [dl] = await pubsub.createTopic(`telemetry-dead-letter-${suffix}`);
    // As the stacks declare the speed-layer subscription (BENCH_EXACTLY_ONCE=0 to leave exactly-once delivery off).
    await topic.createSubscription(`telemetry-speed-layer-${suffix}`, { enableMessageOrdering: true, ackDeadlineSeconds: 60, enableExactlyOnceDelivery: process.env.BENCH_EXACTLY_ONCE !== '0' });
    void dl;
    const instance = bigtable.instance('iot-hot');
    await instance.createTable(`events-${suffix}`, { families: ['e'] });
    await instance.createTable(`aggregates-${suffix}`, { families: ['a'] });

    const port = await freePort();
    child = spawn(process.execPath, [require.resolve('tsx/cli'), join(__dirname, '../functions/processor/main.ts')], {
      env: {
        ...process.env,
        GOOGLE_CLOUD_PROJECT: PROJECT,
        SPEED_SUBSCRIPTION: `telemetry-speed-layer-${suffix}`,
        DEAD_LETTER_TOPIC: `telemetry-dead-letter-${suffix}`,
        BIGTABLE_INSTANCE: 'iot-hot',
        BIGTABLE_EVENTS_TABLE: `events-${suffix}`,
        BIGTABLE_AGGREGATES_TABLE: `aggregates-${suffix}`,
        PORT: String(port),
        LOG_LEVEL: 'warn',
        MAX_OUTSTANDING_MESSAGES: MAX_OUTSTANDING,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const until = Date.now() + 30_000;
    for (;;) {
      try {
        await metrics(port);
        break;
      } catch {
        if (Date.now() > until) throw new Error('processor did not start within 30 s');
        await new Promise((r) => setTimeout(r, 200));
      }
    }

    topic.setPublishOptions({ messageOrdering: true, batching: { maxMessages: 100, maxMilliseconds: 5 } });
    const messagesPerTick = Math.round((OFFERED * TICK_MS) / 1000 / PER_MESSAGE);
    const ticks = Math.round((SECONDS * 1000) / TICK_MS);
    const inFlight = new Set<Promise<unknown>>();
    const samples: { t: number; processed: number }[] = [];
    const loadBefore = loadavg()[0];
    const t0 = Date.now();
    let seq = 0;
    let lateTicks = 0;
    for (let tick = 0; tick < ticks; tick++) {
      const due = t0 + tick * TICK_MS;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      else lateTicks++;
      const now = Date.now();
      for (let m = 0; m < messagesPerTick; m++) {
        // Runs of RUN messages per device, as the gateway cuts one device's request into several.
        const device = Math.floor(seq / RUN) % DEVICES;
        const p: Promise<unknown> = topic
          .publishMessage({ data: message(device, seq, now), orderingKey: `dev-${device}`, attributes: { eventCount: String(PER_MESSAGE) } })
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
        seq++;
      }
      if (tick % 10 === 0) {
        const t = Date.now() - t0;
        void metrics(port).then((m) => samples.push({ t, processed: m.counters.eventsProcessed }), () => undefined);
      }
    }
    await Promise.all(inFlight);
    const offeredSeconds = (Date.now() - t0) / 1000;
    const offeredEvents = seq * PER_MESSAGE;
    let last = await metrics(port);
    const drainUntil = Date.now() + 120_000;
    while (last.counters.eventsProcessed < offeredEvents && Date.now() < drainUntil) {
      await new Promise((r) => setTimeout(r, 250));
      last = await metrics(port);
      samples.push({ t: Date.now() - t0, processed: last.counters.eventsProcessed });
    }
    const doneSeconds = (Date.now() - t0) / 1000;
    // Steady rate: processed over the offered window (after the first second of warm-up).
    samples.sort((a, b) => a.t - b.t);
    const inWindow = samples.filter((s) => s.t >= 1000 && s.t <= offeredSeconds * 1000);
    const steady = inWindow.length >= 2 ? ((inWindow[inWindow.length - 1].processed - inWindow[0].processed) * 1000) / (inWindow[inWindow.length - 1].t - inWindow[0].t) : 0;
    const result = {
      what: 'speed-layer processor (separate process) on the Pub/Sub and Bigtable emulators: offered load, achieved events/s, receive -> durable-write latency',
      offered: { eventsPerSecond: OFFERED, seconds: SECONDS, eventsPerMessage: PER_MESSAGE, devices: DEVICES, messagesPerDeviceRun: RUN, processorMaxOutstandingMessages: Number(MAX_OUTSTANDING), messages: seq, events: offeredEvents, publisherLateTicks: lateTicks, actualSeconds: Math.round(offeredSeconds * 100) / 100 },
      achieved: {
        eventsProcessed: last.counters.eventsProcessed,
        allProcessed: last.counters.eventsProcessed >= offeredEvents,
        steadyEventsPerSecond: Math.round(steady),
        overallEventsPerSecond: Math.round(last.counters.eventsProcessed / doneSeconds),
        secondsToDrain: Math.round((doneSeconds - offeredSeconds) * 100) / 100,
      },
      latencyMs: last.latencyMs.sinceStart,
      stagesMs: last.stagesMs,
      counters: last.counters,
      rowsPerEvent: Math.round((last.counters.rowsWritten / Math.max(1, last.counters.eventsProcessed)) * 1000) / 1000,
      loadAverage1m: { before: Math.round(loadBefore * 100) / 100, after: Math.round(loadavg()[0] * 100) / 100 },
      note: 'the machine is shared (other benchmarks and tests may run); latency is per message, from the processor receiving it to both Bigtable writes being durable (ack follows immediately)',
    };
    writeRecord(join(__dirname, 'results/processor.json'), 'processor', result);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    await pubsub.close();
    await bigtable.close();
  } finally {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
    }
    await Promise.all(started.map((s) => s.stop()));
  }
}

main().catch((err) => {
  process.stderr.write(`bench/processor: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
