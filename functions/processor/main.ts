/**
 * Speed-layer processor (Cloud Run service `speed-processor`): streaming pull from the
 * speed-layer subscription into Bigtable. Start: `npx tsx functions/processor/main.ts`.
 * Serves GET /healthz and GET /metrics (JSON) on PORT, and writes its fleet snapshot to the
 * fleet table every FLEET_METRICS_SECONDS. With STANDBY_BACKLOG_AGE_SECONDS it is a warm
 * standby: it pulls only while the subscription's backlog is older than that (standby-gate.ts).
 */
import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import { Duration, type Message } from '@google-cloud/pubsub';
import { createBigtable, createPubSub } from '../shared/clients';
import { quietRequestLogs } from '../shared/http';
import { createLogger } from '../shared/logger';
import { runMain } from '../shared/run-main';
import { withTimeLimit } from '../shared/time-limits';
import { fleetRowKey, FLEET_SNAPSHOT_VERSION, type FleetSnapshot } from '../shared/fleet-snapshot';
import { readFleetSnapshots } from '../shared/fleet-read';
import { monitoringBacklogProbe } from './backlog-probe';
import { loadProcessorConfig } from './config';
import { FleetSnapshotWriter } from './fleet-writer';
import { StandbyGate, pollEvery } from './standby-gate';
import type { RowMutator } from './durable-writes';
import { ProcessorMetrics } from './metrics';
import { SpeedLayerProcessor, type IncomingMessage } from './speed-layer';
import { WindowFinalizer } from './window-finalizer';

export interface ProcessorTestHooks {
  /** Wraps a table's mutate (tests inject partial failures). */
  wrapEventsTable?: (table: RowMutator) => RowMutator;
  wrapAggregatesTable?: (table: RowMutator) => RowMutator;
  /** Wraps the fleet table's mutate (tests inject snapshot write failures). */
  wrapFleetTable?: (table: RowMutator) => RowMutator;
  beforeAck?: (messages: IncomingMessage[]) => void | Promise<void>;
  /** Listen address; tests use 127.0.0.1 and port 0. */
  host?: string;
  /** Replaces a standby's Cloud Monitoring backlog-age probe (tests; seconds, throws when unknown). */
  backlogProbe?: () => Promise<number>;
  /** This instance's id in the fleet table (default: the Cloud Run revision + a random suffix). */
  instanceId?: string;
}

/**
 * A primary counts as pulling again when its snapshot is at most this many of its intervals
 * old, and at least PRIMARY_FRESH_MIN_MS: a standby reads its nearest Bigtable cluster, which
 * gets the primary's writes by asynchronous replication (seconds behind, more under load).
 * Too strict only keeps the standby pulling longer; it never stands it down wrongly.
 */
const PRIMARY_FRESH_INTERVALS = 3;
const PRIMARY_FRESH_MIN_MS = 15_000;

export async function startProcessor(env: NodeJS.ProcessEnv = process.env, hooks: ProcessorTestHooks = {}) {
  const config = loadProcessorConfig(env);
  const logger = createLogger('speed-processor', config.LOG_LEVEL);
  const pubsub = createPubSub(config.GOOGLE_CLOUD_PROJECT);
  const bigtable = createBigtable(config.GOOGLE_CLOUD_PROJECT, config.BIGTABLE_APP_PROFILE);
  const instance = bigtable.instance(config.BIGTABLE_INSTANCE);
  const eventsTable = instance.table(config.BIGTABLE_EVENTS_TABLE);
  const aggregatesTable = instance.table(config.BIGTABLE_AGGREGATES_TABLE);
  const fleetTable = instance.table(config.BIGTABLE_FLEET_TABLE);
  const asMutator = (t: typeof eventsTable): RowMutator => ({ mutate: (entries) => t.mutate(entries) });
  const eventsWriter = (hooks.wrapEventsTable ?? ((t) => t))(asMutator(eventsTable));
  const aggregatesWriter = (hooks.wrapAggregatesTable ?? ((t) => t))(asMutator(aggregatesTable));

  const spec = { windowMs: config.AGGREGATE_WINDOW_SECONDS * 1000, slideMs: config.AGGREGATE_SLIDE_SECONDS * 1000 };
  const metrics = new ProcessorMetrics();
  // The finalizer's input clock is the processor's (declared below; read only after start).
  let inputClock: () => number = Date.now;
  const finalizer = new WindowFinalizer(aggregatesTable, aggregatesWriter, {
    inputClock: () => inputClock(),
    spec,
    watermarkDelayMs: config.WATERMARK_DELAY_SECONDS * 1000,
    allowedLatenessMs: config.ALLOWED_LATENESS_SECONDS * 1000,
    logger,
    onFinalized: (_device, windows) => (metrics.counters.windowsFinalized += windows.length),
    onPassTimed: (micros) => metrics.recordStage('windowPass', micros),
    onPassFailed: () => void metrics.counters.finalizeErrors++,
    maxConcurrentPasses: config.WINDOW_MAX_CONCURRENT_PASSES,
  });
  const deadLetterTopic = pubsub.topic(config.DEAD_LETTER_TOPIC, { batching: { maxMessages: 100, maxMilliseconds: 10 } });
  const processor = new SpeedLayerProcessor({
    eventsTable: eventsWriter,
    aggregatesTable: aggregatesWriter,
    deadLetter: { publish: (data, attributes) => deadLetterTopic.publishMessage({ data, attributes }) },
    finalizer,
    metrics,
    logger,
    slideMs: spec.slideMs,
    maxBatchEvents: config.WRITE_BATCH_MAX_EVENTS,
    maxBatchDelayMs: config.WRITE_BATCH_MAX_DELAY_MS,
    maxConcurrentBatches: config.WRITE_MAX_CONCURRENT_BATCHES,
    batchDeadlineMs: config.BATCH_DEADLINE_MS,
    rememberAckedIds: config.ACKED_IDS_REMEMBERED,
    beforeAck: hooks.beforeAck,
  });
  inputClock = () => processor.inputClockMs();

  const pullOptions = {
    flowControl: { maxMessages: config.MAX_OUTSTANDING_MESSAGES, maxBytes: config.MAX_OUTSTANDING_BYTES, allowExcessMessages: false },
    // Acks free the ordering key's next messages on the server: send them promptly.
    batching: { maxMessages: 1000, maxMilliseconds: config.ACK_MAX_DELAY_MS },
    minAckDeadline: Duration.from({ seconds: config.ACK_DEADLINE_SECONDS }),
    maxAckDeadline: Duration.from({ seconds: Math.max(600, config.ACK_DEADLINE_SECONDS) }),
  };
  const subscription = pubsub.subscription(config.SPEED_SUBSCRIPTION, pullOptions);
  let lastError: string | undefined;
  const onMessage = (m: Message) =>
    processor.handle({
      id: m.id,
      data: m.data,
      attributes: m.attributes ?? {},
      orderingKey: m.orderingKey || undefined,
      publishTimeMs: m.publishTime.getTime(),
      receivedAtNs: process.hrtime.bigint(),
      ack: () => m.ack(),
      nack: () => m.nack(),
    });
  subscription.on('error', (err: Error) => {
    lastError = err.message;
    logger.error({ err: err.message }, 'subscription error');
  });
  let pulling = false;
  let listening = false;
  const startPulling = () => {
    if (pulling) return;
    pulling = true;
    // The client opens the stream when the first 'message' listener is added; after a gated stop it is re-opened.
    if (!listening) {
      subscription.on('message', onMessage);
      listening = true;
    } else subscription.open();
  };
  /** A standby standing down: no new deliveries; what it holds is made durable and acked, then the stream closes. */
  const stopPulling = async () => {
    if (!pulling) return;
    pulling = false;
    const limitMs = config.BATCH_DEADLINE_MS + 2000;
    subscription.setOptions({ ...pullOptions, closeOptions: { behavior: 'WAIT', timeout: Duration.from({ milliseconds: limitMs }) } });
    try {
      await Promise.all([withTimeLimit(subscription.close(), limitMs + 1000, 'closing the subscription (standing by)'), processor.drain(limitMs)]);
    } finally {
      subscription.setOptions(pullOptions);
    }
  };

  const region = config.SERVICE_REGION;
  const instanceId = hooks.instanceId ?? `${(env.K_REVISION ?? 'processor').replace(/[^A-Za-z0-9._:-]/g, '-').slice(0, 100)}-${randomBytes(4).toString('hex')}`;
  const standbyGated = config.STANDBY_BACKLOG_AGE_SECONDS !== undefined;
  const intervalMs = config.FLEET_METRICS_SECONDS * 1000;
  const fleetSnapshot = (): FleetSnapshot => ({
    version: FLEET_SNAPSHOT_VERSION,
    instanceId,
    region,
    takenAtMs: Date.now(),
    startedAtMs: metrics.startedAt,
    intervalSeconds: config.FLEET_METRICS_SECONDS,
    pulling,
    standby: standbyGated,
    ...metrics.fleetFigures(),
  });
  const fleetWriter = new FleetSnapshotWriter({
    table: (hooks.wrapFleetTable ?? ((t) => t))(asMutator(fleetTable)),
    deleteRow: (key) => fleetTable.row(key).delete(),
    rowKey: fleetRowKey(region, instanceId),
    intervalMs,
    snapshot: fleetSnapshot,
    logger,
    onWritten: () => void metrics.counters.fleetSnapshotsWritten++,
    onFailed: () => void metrics.counters.fleetSnapshotErrors++,
  });

  let gate: StandbyGate | undefined;
  let gatePolling: { stop(): Promise<void> } | undefined;
  if (config.STANDBY_BACKLOG_AGE_SECONDS !== undefined) {
    const probe =
      hooks.backlogProbe ??
      monitoringBacklogProbe({ project: config.GOOGLE_CLOUD_PROJECT, subscription: config.SPEED_SUBSCRIPTION, timeoutMs: Math.min(10_000, config.STANDBY_POLL_SECONDS * 1000) });
    gate = new StandbyGate({
      thresholdSeconds: config.STANDBY_BACKLOG_AGE_SECONDS,
      cooldownSeconds: config.STANDBY_COOLDOWN_SECONDS,
      probe,
      // Stand down only once a processor without a gate is pulling again (its fresh fleet snapshot says so).
      primaryPulling: async () => {
        const { snapshots } = await readFleetSnapshots(fleetTable, Math.min(5000, config.STANDBY_POLL_SECONDS * 1000));
        const now = Date.now();
        return snapshots.some((x) => !x.standby && x.pulling && x.instanceId !== instanceId && now - x.takenAtMs <= Math.max(PRIMARY_FRESH_INTERVALS * x.intervalSeconds * 1000, PRIMARY_FRESH_MIN_MS));
      },
      now: Date.now,
      startPulling,
      stopPulling,
      logger,
      onProbeFailed: () => void metrics.counters.standbyProbeFailures++,
      onStarted: () => void metrics.counters.standbyStarts++,
      onStopped: () => void metrics.counters.standbyStops++,
    });
    gatePolling = pollEvery(gate, config.STANDBY_POLL_SECONDS * 1000);
  } else startPulling();
  // After the pull decision, so the first snapshot already says whether this instance pulls.
  fleetWriter.start();

  // Windows also close on the clock, so quiet devices get their last windows finalized.
  // Each device's pass failures are logged and counted by the finalizer; this catches the rest.
  const ticker = setInterval(
    () => void finalizer.finalizeAll().catch((err) => logger.error({ err: (err as Error).message }, 'periodic window pass failed')),
    Math.max(1000, spec.slideMs / 2),
  );
  ticker.unref();

  const http = Fastify({ loggerInstance: logger, logController: quietRequestLogs() });
  http.get('/healthz', async () => ({
    status: 'ok',
    subscription: config.SPEED_SUBSCRIPTION,
    pulling,
    standby: gate?.describe() ?? null,
    lastError: lastError ?? null,
  }));
  http.get('/metrics', async () =>
    metrics.snapshot({ subscription: config.SPEED_SUBSCRIPTION, trackedDevices: finalizer.trackedDevices, instanceId, region, pulling, standby: gate?.describe() ?? null }),
  );
  const address = await http.listen({ port: config.PORT, host: hooks.host ?? '0.0.0.0' });
  logger.info({ address, subscription: config.SPEED_SUBSCRIPTION, window: spec, instanceId, region, standby: gate?.describe() ?? null }, 'speed processor running');

  let stopped = false;
  return {
    address,
    metrics,
    finalizer,
    processor,
    instanceId,
    /** Pulling the subscription now (false for a standby that stands by). */
    isPulling: () => pulling,
    gate,
    async stop() {
      if (stopped) return;
      stopped = true;
      await withTimeLimit(gatePolling?.stop() ?? Promise.resolve(), 1000, 'stopping the standby gate').catch(() => undefined);
      subscription.removeListener('message', onMessage);
      clearInterval(ticker);
      // Ack what is in flight, then let the client flush the acks before closing.
      await processor.drain().catch((err) => logger.warn({ err: (err as Error).message }, 'drain incomplete'));
      await withTimeLimit(subscription.close(), 5000, 'closing the subscription').catch(() => undefined);
      await withTimeLimit(finalizer.finalizeAll(), 3000, 'final window pass').catch(() => undefined);
      // Leave the fleet figures now rather than when the last snapshot turns stale.
      await fleetWriter.stop(true, 1000);
      await withTimeLimit(http.close(), 2000, 'closing HTTP').catch(() => undefined);
      await withTimeLimit(Promise.all([pubsub.close(), bigtable.close()]), 3000, 'closing clients').catch(() => undefined);
      logger.info(metrics.counters, 'speed processor stopped');
    },
    /** A crash: stop pulling and drop everything unacked (Pub/Sub redelivers it). */
    async kill() {
      stopped = true;
      void gatePolling?.stop();
      // A crashed instance's row stays and turns stale (readers drop it by age).
      void fleetWriter.stop(false);
      subscription.removeListener('message', onMessage);
      clearInterval(ticker);
      await withTimeLimit(subscription.close(), 5000, 'closing the subscription').catch(() => undefined);
      await http.close().catch(() => undefined);
      await Promise.all([pubsub.close(), bigtable.close()]).catch(() => undefined);
    },
  };
}

if (require.main === module) runMain('speed-processor', () => startProcessor());
