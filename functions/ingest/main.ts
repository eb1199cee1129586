/**
 * Ingest gateway (Cloud Run service `ingest-gateway`). Start: `npx tsx functions/ingest/main.ts`.
 * Reads its configuration from the environment (see config.ts and docs/architecture.md).
 */
import { createPubSub } from '../shared/clients';
import { createLogger } from '../shared/logger';
import { STOP_LIMIT_MS, runMain } from '../shared/run-main';
import { withTimeLimit } from '../shared/time-limits';
import { loadIngestConfig } from './config';
import { OrderedPublisher, type PublishTarget } from './ordered-publisher';
import { buildIngestServer } from './server';
import { createSpillStore } from '../shared/spill/create-spill-store';
import type { SpillStore } from '../shared/spill/spill-store';
import { SpillReplayer } from '../spill-replayer/replayer';

/**
 * The stop budget inside runMain's STOP_LIMIT_MS (Cloud Run: SIGKILL 10 s after SIGTERM):
 * in-flight requests get what is left after flushing and closing the client; any still
 * waiting for Pub/Sub then (PUBLISH_TIMEOUT_MS is 10 s by default) are answered 503.
 */
const STOP_FLUSH_MS = 1500;
const STOP_CLOSE_MS = 1000;
const STOP_MARGIN_MS = 500;
export const STOP_REQUESTS_MS = STOP_LIMIT_MS - STOP_FLUSH_MS - STOP_CLOSE_MS - STOP_MARGIN_MS;

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
      // Stop taking requests and let in-flight ones finish (each waits for its publishes) for
      // STOP_REQUESTS_MS, answering any still waiting then with 503; then flush what is still
      // batched in the client. Each step is bounded and logged, so the next one still runs.
      app.beginShutdown(STOP_REQUESTS_MS);
      const step = (work: Promise<unknown>, limitMs: number, what: string) =>
        withTimeLimit(work, limitMs, what).catch((err: unknown) => logger.error({ err: (err as Error).message }, 'stop step incomplete'));
      await Promise.all([replayer?.stop(STOP_REQUESTS_MS), step(app.close(), STOP_REQUESTS_MS + STOP_MARGIN_MS / 2, 'closing the HTTP server')]);
      await step(publisher.flush(), STOP_FLUSH_MS, 'flushing Pub/Sub');
      await step(pubsub.close(), STOP_CLOSE_MS, 'closing Pub/Sub');
      logger.info('ingest gateway stopped');
    },
  };
}

if (require.main === module) runMain('ingest-gateway', startIngest);
