/**
 * Ingest gateway (Cloud Run service `ingest-gateway`). Start: `npx tsx functions/ingest/main.ts`.
 * Reads its configuration from the environment (see config.ts and docs/architecture.md).
 */
import { createPubSub } from '../shared/clients';
import { createLogger } from '../shared/logger';
import { runMain } from '../shared/run-main';
import { withTimeLimit } from '../shared/time-limits';
import { loadIngestConfig } from './config';
import { OrderedPublisher, type PublishTarget } from './ordered-publisher';
import { buildIngestServer } from './server';
import { createSpillStore } from '../shared/spill/create-spill-store';
import type { SpillStore } from '../shared/spill/spill-store';
import { SpillReplayer } from '../spill-replayer/replayer';

export interface IngestTestHooks {
  /** Wraps the topic (tests inject publish failures). */
  wrapTopic?: (topic: PublishTarget) => PublishTarget;
  /** Listen address; tests use 127.0.0.1. */
  host?: string;
  /** Wraps the spill store (tests inject write failures). */
  wrapSpillStore?: (store: SpillStore) => SpillStore;
}

export async function startIngest(env: NodeJS.ProcessEnv = process.env, hooks: IngestTestHooks = {}) {
  const config = loadIngestConfig(env);
  const logger = createLogger('ingest-gateway', config.LOG_LEVEL);
  const pubsub = createPubSub(config.GOOGLE_CLOUD_PROJECT, config.PUBSUB_EMULATOR_HOST);
  const topic = pubsub.topic(config.TELEMETRY_TOPIC, {
    messageOrdering: true,
    batching: { maxMessages: 100, maxMilliseconds: 5 },
  });
  if (config.EVENTS_PER_MESSAGE > 1) {
    logger.warn(
      { eventsPerMessage: config.EVENTS_PER_MESSAGE },
      'EVENTS_PER_MESSAGE > 1: the archive template writes one row per message and will dead-letter batched messages',
    );
  }
  const target: PublishTarget = hooks.wrapTopic ? hooks.wrapTopic(topic) : topic;
  const publisher = new OrderedPublisher(target, (key, error, retrying) =>
    logger.warn({ orderingKey: key, retrying, err: error instanceof Error ? error.message : String(error) }, 'publish failed; key resumed, re-publishing in order'),
  );
  const created = createSpillStore(config);
  const spillStore = created && hooks.wrapSpillStore ? hooks.wrapSpillStore(created) : created;
  const app = buildIngestServer({
    publisher,
    apiKeyDigests: config.INGEST_API_KEY_SHA256,
    eventsPerMessage: config.EVENTS_PER_MESSAGE,
    maxBodyBytes: config.MAX_BODY_BYTES,
    maxEventsPerRequest: config.MAX_EVENTS_PER_REQUEST,
    maxInFlightEvents: config.MAX_IN_FLIGHT_EVENTS,
    publishTimeoutMs: config.PUBLISH_TIMEOUT_MS,
    spillStore,
    spillTimeoutMs: config.SPILL_TIMEOUT_MS,
    logger,
  });
  // Which devices await replay: refreshed with every replay pass (in-process replayer) or on
  // its own timer (replayer elsewhere); see SpillingPublisher for the order rule.
  let replayer: SpillReplayer | undefined;
  let refreshTimer: NodeJS.Timeout | undefined;
  let stopping = false;
  if (spillStore) {
    const refresh = () => app.spilling.refreshPending().catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'spill store listing failed'));
    // Devices another instance (or an earlier run) spilled; a store outage here is logged, not fatal.
    await refresh();
    if (config.SPILL_REPLAY_IN_PROCESS) {
      replayer = new SpillReplayer({
        store: spillStore,
        // Its own ordered publisher on the same topic: a device is replayed only while the gateway spills (never publishes) it.
        publisher: new OrderedPublisher(target),
        logger,
        publishTimeoutMs: config.PUBLISH_TIMEOUT_MS,
        afterPass: refresh,
      });
      replayer.start(config.SPILL_REPLAY_INTERVAL_MS);
    } else {
      const tick = () =>
        void refresh().then(() => {
          if (!stopping) refreshTimer = setTimeout(tick, config.SPILL_REPLAY_INTERVAL_MS);
        });
      refreshTimer = setTimeout(tick, config.SPILL_REPLAY_INTERVAL_MS);
    }
    logger.info({ store: spillStore.kind, replayInProcess: config.SPILL_REPLAY_IN_PROCESS, devicesAwaitingReplay: app.spilling.pendingDevices }, 'spill path on');
  }
  const address = await app.listen({ port: config.PORT, host: hooks.host ?? '0.0.0.0' });
  logger.info({ address, topic: config.TELEMETRY_TOPIC, eventsPerMessage: config.EVENTS_PER_MESSAGE }, 'ingest gateway listening');
  return {
    address,
    app,
    replayer,
    async stop() {
      stopping = true;
      if (refreshTimer) clearTimeout(refreshTimer);
      await replayer?.stop();
      // Stop taking requests and let in-flight ones finish (each waits for its publishes),
      // then flush anything still batched in the client.
      await withTimeLimit(app.close(), 8000, 'closing the HTTP server');
      await withTimeLimit(publisher.flush(), 2000, 'flushing Pub/Sub');
      await withTimeLimit(pubsub.close(), 2000, 'closing Pub/Sub');
      logger.info('ingest gateway stopped');
    },
  };
}

if (require.main === module) runMain('ingest-gateway', startIngest);
