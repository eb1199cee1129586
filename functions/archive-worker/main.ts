/**
 * Local archive worker: the stand-in for the Dataflow streaming job (Google-provided
 * Pub/Sub-to-BigQuery template with the project's UDF), which has no local runtime.
 * Start: `npx tsx functions/archive-worker/main.ts` (after `npm run build:udf`).
 */
import Fastify from 'fastify';
import { Duration, type Message } from '@google-cloud/pubsub';
import { createBigQuery, createPubSub } from '../shared/clients';
import { quietRequestLogs } from '../shared/http';
import { createLogger } from '../shared/logger';
import { runMain } from '../shared/run-main';
import { withTimeLimit } from '../shared/time-limits';
import { Archiver } from './archiver';
import { loadArchiveConfig } from './config';
import { loadUdf } from './udf-runner';

export async function startArchiveWorker(env: NodeJS.ProcessEnv = process.env, options: { host?: string } = {}) {
  const config = loadArchiveConfig(env);
  const logger = createLogger('archive-worker', config.LOG_LEVEL);
  const transform = loadUdf(config.UDF_PATH);
  const pubsub = createPubSub(config.GOOGLE_CLOUD_PROJECT);
  const bigquery = createBigQuery(config.GOOGLE_CLOUD_PROJECT);
  const dataset = bigquery.dataset(config.BIGQUERY_DATASET);
  const archiver = new Archiver({
    transform,
    eventsTable: dataset.table(config.BIGQUERY_EVENTS_TABLE),
    deadLetterTable: dataset.table(config.BIGQUERY_ARCHIVE_ERROR_TABLE),
    logger,
    maxBatchRows: config.INSERT_BATCH_MAX_ROWS,
    maxBatchDelayMs: config.INSERT_BATCH_MAX_DELAY_MS,
    batchDeadlineMs: config.BATCH_DEADLINE_MS,
    splitBatches: config.ARCHIVE_SPLIT_BATCHES,
  });
  if (config.ARCHIVE_SPLIT_BATCHES) {
    logger.warn(
      'ARCHIVE_SPLIT_BATCHES=true: LOCAL DEVIATION - each event of a batched message is archived as its own row; the Dataflow template in production maps one message to one row and dead-letters batches',
    );
  }
  const subscription = pubsub.subscription(config.ARCHIVE_SUBSCRIPTION, {
    flowControl: { maxMessages: config.MAX_OUTSTANDING_MESSAGES, allowExcessMessages: false },
    // Inserts of large batches can take longer than the client's initial 10 s lease; a lease
    // that lapses before the ack makes the emulator redeliver (insert ids dedupe, but the work
    // doubles). The subscription's own deadline (60 s in the stacks) is the floor.
    minAckDeadline: Duration.from({ seconds: 60 }),
    batching: { maxMessages: 1000, maxMilliseconds: 10 },
  });
  const onMessage = (m: Message) =>
    archiver.handle({ id: m.id, data: m.data, attributes: m.attributes ?? {}, ack: () => m.ack(), nack: () => m.nack() });
  subscription.on('message', onMessage);
  subscription.on('error', (err: Error) => logger.error({ err: err.message }, 'subscription error'));

  const http = Fastify({ loggerInstance: logger, logController: quietRequestLogs() });
  http.get('/healthz', async () => ({ status: 'ok', standsInFor: 'Dataflow Pub/Sub-to-BigQuery template', counters: archiver.counters }));
  const address = await http.listen({ port: config.PORT, host: options.host ?? '0.0.0.0' });
  logger.info(
    { address, subscription: config.ARCHIVE_SUBSCRIPTION, udf: config.UDF_PATH, table: `${config.BIGQUERY_DATASET}.${config.BIGQUERY_EVENTS_TABLE}` },
    'archive worker running: stands in locally for the Dataflow Pub/Sub-to-BigQuery template, applying the same built UDF',
  );
  return {
    address,
    archiver,
    async stop() {
      subscription.removeListener('message', onMessage);
      await archiver.drain().catch((err) => logger.warn({ err: (err as Error).message }, 'drain incomplete'));
      await withTimeLimit(subscription.close(), 5000, 'closing the subscription').catch(() => undefined);
      await withTimeLimit(http.close(), 2000, 'closing HTTP').catch(() => undefined);
      await withTimeLimit(pubsub.close(), 2000, 'closing Pub/Sub').catch(() => undefined);
      logger.info(archiver.counters, 'archive worker stopped');
    },
  };
}

if (require.main === module) runMain('archive-worker', () => startArchiveWorker());
