/**
 * Raw capacity of the local emulators on this machine, with no processing, so the local
 * pipeline's figures (bench/pipeline.ts, `npm run local`) can be read against a ceiling.
 *
 *   Pub/Sub: publish N messages (ordering keys over 1,000 devices, as the gateway does),
 *     then pull and ack them all with a streaming-pull subscriber; msgs/s for each phase,
 *     and events/s when each message carries 1, 10 or 20 events of 1,000 bytes.
 *   Bigtable: MutateRows of 1 KB rows in batches of 500, 4 calls in flight; rows/s.
 *
 * Run: `npx tsx bench/emulator-capacity.ts` -> bench/results/emulator-capacity.json
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PubSub, type Message } from '@google-cloud/pubsub';
import { Bigtable } from '@google-cloud/bigtable';
import { startBigtableEmulator, startPubSubEmulator } from '../local/emulators/gcloud-emulators';
import type { RunningService } from '../local/emulators/processes';
import { writeRecord } from '../local/run/machine';

process.env.METADATA_SERVER_DETECTION = 'none';

const EVENT_BYTES = 1000;
const DEVICES = 1000;
/**
 * orderingKeys 0 publishes without ordering (the emulator's raw rate); with ordering the
 * client batches per key, so 1,000 keys mean many small Publish calls (the gateway's case).
 */
const PUBSUB_CASES = [
  { eventsPerMessage: 1, messages: 20_000, orderingKeys: 0, messagesPerKeyRun: 1 },
  { eventsPerMessage: 1, messages: 5_000, orderingKeys: DEVICES, messagesPerKeyRun: 1 },
  // The local fleet's shape: a device posts 100 events, the gateway cuts 5 messages of 20
  // for its key back to back, which the client sends as one Publish call.
  { eventsPerMessage: 20, messages: 10_000, orderingKeys: DEVICES, messagesPerKeyRun: 5 },
];
const BIGTABLE_ROWS = 100_000;
const BIGTABLE_BATCH = 500;
const BIGTABLE_CONCURRENCY = 4;
const PHASE_LIMIT_MS = 180_000;

function eventJson(device: number, seq: number): string {
  const head = `{"eventId":"bench.d${device}.${seq}","deviceId":"dev-${device}","type":"telemetry","eventTime":"${new Date().toISOString()}","metrics":{"temperature":21.5,"humidity":40.25},"attributes":{"pad":"`;
  const tail = '"}}';
  return head + 'x'.repeat(Math.max(0, EVENT_BYTES - head.length - tail.length)) + tail;
}

function payload(device: number, seq: number, eventsPerMessage: number): Buffer {
  if (eventsPerMessage === 1) return Buffer.from(eventJson(device, seq));
  const events: string[] = [];
  for (let i = 0; i < eventsPerMessage; i++) events.push(eventJson(device, seq * eventsPerMessage + i));
  return Buffer.from(`{"events":[${events.join(',')}]}`);
}

async function benchPubSub(projectId: string, eventsPerMessage: number, messages: number, orderingKeys: number, messagesPerKeyRun: number) {
  const pubsub = new PubSub({ projectId });
  const ordered = orderingKeys > 0;
  const name = `capacity-${eventsPerMessage}-${orderingKeys}-${Date.now()}`;
  const [topic] = await pubsub.createTopic(name);
  topic.setPublishOptions({ messageOrdering: ordered, batching: { maxMessages: 100, maxMilliseconds: 5 } });
  const [subscription] = await topic.createSubscription(`${name}-sub`, { enableMessageOrdering: ordered, ackDeadlineSeconds: 60 });

  // Publish phase: a bounded window of unconfirmed publishes, like a busy gateway.
  const publishStarted = process.hrtime.bigint();
  const window = new Set<Promise<unknown>>();
  for (let i = 0; i < messages; i++) {
    const device = i % DEVICES;
    const data = payload(device, i, eventsPerMessage);
    const p: Promise<unknown> = topic.publishMessage(ordered ? { data, orderingKey: `dev-${Math.floor(i / messagesPerKeyRun) % orderingKeys}` } : { data }).finally(() => window.delete(p));
    window.add(p);
    if (window.size >= 500) await Promise.race(window);
  }
  await Promise.all(window);
  const publishSeconds = Number(process.hrtime.bigint() - publishStarted) / 1e9;

  // Pull phase: the whole backlog, acked on receipt (no processing).
  const pullStarted = process.hrtime.bigint();
  let received = 0;
  const seen = new Set<string>();
  subscription.setOptions({ flowControl: { maxMessages: 2000, allowExcessMessages: false } });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pull phase did not finish within ${PHASE_LIMIT_MS} ms (${seen.size}/${messages})`)), PHASE_LIMIT_MS);
    subscription.on('message', (m: Message) => {
      received++;
      seen.add(m.id);
      m.ack();
      if (seen.size >= messages) {
        clearTimeout(timer);
        resolve();
      }
    });
    subscription.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
  const pullSeconds = Number(process.hrtime.bigint() - pullStarted) / 1e9;
  await subscription.close();
  await subscription.delete();
  await topic.delete();
  await pubsub.close();
  const round = (n: number) => Math.round(n);
  return {
    eventsPerMessage,
    orderingKeys,
    messagesPerKeyRun,
    eventBytes: EVENT_BYTES,
    messages,
    publish: { seconds: +publishSeconds.toFixed(2), msgsPerSecond: round(messages / publishSeconds), eventsPerSecond: round((messages * eventsPerMessage) / publishSeconds) },
    pull: {
      seconds: +pullSeconds.toFixed(2),
      msgsPerSecond: round(messages / pullSeconds),
      eventsPerSecond: round((messages * eventsPerMessage) / pullSeconds),
      redeliveries: received - seen.size,
    },
  };
}

async function benchBigtable(projectId: string) {
  const bigtable = new Bigtable({ projectId, metricsEnabled: false } as ConstructorParameters<typeof Bigtable>[0]);
  const instance = bigtable.instance('capacity');
  const [table] = await instance.createTable(`rows${Date.now()}`, { families: ['e'] });
  const value = 'x'.repeat(1000);
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    while (next < BIGTABLE_ROWS) {
      const from = next;
      next = Math.min(BIGTABLE_ROWS, next + BIGTABLE_BATCH);
      const entries = [];
      for (let i = from; i < next; i++) {
        entries.push({ key: `dev-${i % DEVICES}#${String(9999999999999 - i).padStart(13, '0')}#e${i}`, data: { e: { event: { value, timestamp: i * 1000 } } } });
      }
      await table.insert(entries, { timeout: 60_000 });
    }
  };
  await Promise.all(Array.from({ length: BIGTABLE_CONCURRENCY }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await table.delete();
  await bigtable.close();
  return { rows: BIGTABLE_ROWS, rowBytes: 1000, batchRows: BIGTABLE_BATCH, concurrentCalls: BIGTABLE_CONCURRENCY, seconds: +seconds.toFixed(2), rowsPerSecond: Math.round(BIGTABLE_ROWS / seconds) };
}

async function main(): Promise<void> {
  const logDir = mkdtempSync(join(tmpdir(), 'bench-emulators-'));
  const started: RunningService[] = [];
  try {
    const [pubsubEmu, bigtableEmu] = await Promise.all([startPubSubEmulator(logDir), startBigtableEmulator(logDir)]);
    started.push(pubsubEmu, bigtableEmu);
    process.env.PUBSUB_EMULATOR_HOST = pubsubEmu.endpoint;
    process.env.BIGTABLE_EMULATOR_HOST = bigtableEmu.endpoint;
    const pubsub = [];
    for (const c of PUBSUB_CASES) {
      const r = await benchPubSub('bench', c.eventsPerMessage, c.messages, c.orderingKeys, c.messagesPerKeyRun);
      process.stdout.write(`pubsub ${c.eventsPerMessage} ev/msg, ${c.orderingKeys || 'no'} ordering keys: publish ${r.publish.msgsPerSecond} msgs/s, pull ${r.pull.msgsPerSecond} msgs/s = ${r.pull.eventsPerSecond} events/s\n`);
      pubsub.push(r);
    }
    const bigtable = await benchBigtable('bench');
    process.stdout.write(`bigtable: ${bigtable.rowsPerSecond} rows/s (1 KB rows, batches of ${BIGTABLE_BATCH})\n`);
    const file = join(__dirname, 'results', 'emulator-capacity.json');
    writeRecord(file, 'emulator-capacity', {
      what: 'raw capacity of the gcloud Pub/Sub emulator (publish, then streaming pull with immediate ack) and cbtemulator (MutateRows), no processing',
      pubsub,
      bigtable,
    });
    process.stdout.write(`wrote ${file}\n`);
  } finally {
    await Promise.all(started.map((s) => s.stop()));
  }
}

main().catch((err) => {
  process.stderr.write(`emulator-capacity: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
