/**
 * Speed-layer processor (Cloud Run service `speed-processor`): streaming pull from the
 * speed-layer subscription into Bigtable. Start: `npx tsx functions/processor/main.ts`.
 * Serves GET /healthz and GET /metrics (JSON) on PORT.
 */
import Fastify from 'fastify';
import { Duration, type Message } from '@google-cloud/pubsub';
import { createBigtable, createPubSub } from '../shared/clients';
import { quietRequestLogs } from '../shared/http';
import { createLogger } from '../shared/logger';
import { runMain } from '../shared/run-main';
import { withTimeLimit } from '../shared/time-limits';
import { loadProcessorConfig } from './config';
import type { RowMutator } from './durable-writes';
import { ProcessorMetrics } from './metrics';
import { SpeedLayerProcessor, type IncomingMessage } from './speed-layer';
import { WindowFinalizer } from './window-finalizer';

export interface ProcessorTestHooks {
  /** Wraps a table's mutate (tests inject partial failures). */
  wrapEventsTable?: (table: RowMutator) => RowMutator;
  wrapAggregatesTable?: (table: RowMutator) => RowMutator;
  beforeAck?: (messages: IncomingMessage[]) => void | Promise<void>;
  /** Listen address; tests use 127.0.0.1 and port 0. */
  host?: string;
}

export async function startProcessor(env: NodeJS.ProcessEnv = process.env, hooks: ProcessorTestHooks = {}) {
  const config = loadProcessorConfig(env);
  const logger = createLogger('speed-processor', config.LOG_LEVEL);
  const pubsub = createPubSub(config.GOOGLE_CLOUD_PROJECT);
  const bigtable = createBigtable(config.GOOGLE_CLOUD_PROJECT, config.BIGTABLE_APP_PROFILE);
  const instance = bigtable.instance(config.BIGTABLE_INSTANCE);
  const eventsTable = instance.table(config.BIGTABLE_EVENTS_TABLE);
  const aggregatesTable = instance.table(config.BIGTABLE_AGGREGATES_TABLE);
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

  const subscription = pubsub.subscription(config.SPEED_SUBSCRIPTION, {
    flowControl: { maxMessages: config.MAX_OUTSTANDING_MESSAGES, maxBytes: config.MAX_OUTSTANDING_BYTES, allowExcessMessages: false },
    // Acks free the ordering key's next messages on the server: send them promptly.
    batching: { maxMessages: 1000, maxMilliseconds: config.ACK_MAX_DELAY_MS },
    minAckDeadline: Duration.from({ seconds: config.ACK_DEADLINE_SECONDS }),
    maxAckDeadline: Duration.from({ seconds: Math.max(600, config.ACK_DEADLINE_SECONDS) }),
  });
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
  subscription.on('message', onMessage);
  subscription.on('error', (err: Error) => {
    lastError = err.message;
    logger.error({ err: err.message }, 'subscription error');
  });

  // Windows also close on the clock, so quiet devices get their last windows finalized.
  // Each device's pass failures are logged and counted by the finalizer; this catches the rest.
  const ticker = setInterval(
    () => void finalizer.finalizeAll().catch((err) => logger.error({ err: (err as Error).message }, 'periodic window pass failed')),
    Math.max(1000, spec.slideMs / 2),
  );
  ticker.unref();

  const http = Fastify({ loggerInstance: logger, logController: quietRequestLogs() });
  http.get('/healthz', async () => ({ status: 'ok', subscription: config.SPEED_SUBSCRIPTION, lastError: lastError ?? null }));
  http.get('/metrics', async () =>
    metrics.snapshot({ subscription: config.SPEED_SUBSCRIPTION, trackedDevices: finalizer.trackedDevices }),
  );
  const address = await http.listen({ port: config.PORT, host: hooks.host ?? '0.0.0.0' });
  logger.info({ address, subscription: config.SPEED_SUBSCRIPTION, window: spec }, 'speed processor running');

  let stopped = false;
  return {
    address,
    metrics,
    finalizer,
    processor,
    async stop() {
      if (stopped) return;
      stopped = true;
      subscription.removeListener('message', onMessage);
      clearInterval(ticker);
      // Ack what is in flight, then let the client flush the acks before closing.
      await processor.drain().catch((err) => logger.warn({ err: (err as Error).message }, 'drain incomplete'));
      await withTimeLimit(subscription.close(), 5000, 'closing the subscription').catch(() => undefined);
      await withTimeLimit(finalizer.finalizeAll(), 3000, 'final window pass').catch(() => undefined);
      await withTimeLimit(http.close(), 2000, 'closing HTTP').catch(() => undefined);
      await withTimeLimit(Promise.all([pubsub.close(), bigtable.close()]), 3000, 'closing clients').catch(() => undefined);
      logger.info(metrics.counters, 'speed processor stopped');
    },
    /** A crash: stop pulling and drop everything unacked (Pub/Sub redelivers it). */
    async kill() {
      stopped = true;
      subscription.removeListener('message', onMessage);
      clearInterval(ticker);
      await withTimeLimit(subscription.close(), 5000, 'closing the subscription').catch(() => undefined);
      await http.close().catch(() => undefined);
      await Promise.all([pubsub.close(), bigtable.close()]).catch(() => undefined);
    },
  };
}

if (require.main === module) runMain('speed-processor', () => startProcessor());
