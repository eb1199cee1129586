/**
 * Spill replayer as its own process. Start: `npx tsx functions/spill-replayer/main.ts`.
 * The ingest gateway also runs the same loop in-process by default (SPILL_REPLAY_IN_PROCESS);
 * this entry point is for replaying without a gateway (after an outage, or as a job).
 */
import Fastify from 'fastify';
import { createPubSub } from '../shared/clients';
import { quietRequestLogs } from '../shared/http';
import { createLogger } from '../shared/logger';
import { runMain } from '../shared/run-main';
import { createSpillStore } from '../shared/spill/create-spill-store';
import { withTimeLimit } from '../shared/time-limits';
import { OrderedPublisher } from '../ingest/ordered-publisher';
import { loadReplayerConfig } from './config';
import { SpillReplayer } from './replayer';

export async function startSpillReplayer(env: NodeJS.ProcessEnv = process.env, options: { host?: string } = {}) {
  const config = loadReplayerConfig(env);
  const logger = createLogger('spill-replayer', config.LOG_LEVEL);
  const store = createSpillStore(config)!;
  const pubsub = createPubSub(config.GOOGLE_CLOUD_PROJECT, config.PUBSUB_EMULATOR_HOST);
  const topic = pubsub.topic(config.TELEMETRY_TOPIC, { messageOrdering: true, batching: { maxMessages: 100, maxMilliseconds: 5 } });
  const publisher = new OrderedPublisher(topic);
  const replayer = new SpillReplayer({ store, publisher, logger, publishTimeoutMs: config.PUBLISH_TIMEOUT_MS, concurrency: config.SPILL_REPLAY_CONCURRENCY });
  replayer.start(config.SPILL_REPLAY_INTERVAL_MS);
  const http = Fastify({ loggerInstance: logger, logController: quietRequestLogs() });
  http.get('/healthz', async () => ({ status: 'ok', store: store.kind, ...replayer.totals }));
  const address = await http.listen({ port: config.PORT, host: options.host ?? '0.0.0.0' });
  logger.info({ address, store: store.kind, topic: config.TELEMETRY_TOPIC }, 'spill replayer running');
  return {
    address,
    replayer,
    async stop() {
      // Within runMain's 9 s: a pass cut short leaves its objects in the store (replayed later).
      await replayer.stop(4000);
      await withTimeLimit(http.close(), 1500, 'closing HTTP').catch(() => undefined);
      await withTimeLimit(publisher.flush(), 1500, 'flushing Pub/Sub').catch(() => undefined);
      await withTimeLimit(pubsub.close(), 1000, 'closing Pub/Sub').catch(() => undefined);
      logger.info(replayer.totals, 'spill replayer stopped');
    },
  };
}

if (require.main === module) runMain('spill-replayer', () => startSpillReplayer());
