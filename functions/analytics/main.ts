/**
 * Analytics API (Cloud Run service `analytics-api`). Start: `npx tsx functions/analytics/main.ts`.
 */
import { createBigQuery, createBigtable } from '../shared/clients';
import { createLogger } from '../shared/logger';
import { runMain } from '../shared/run-main';
import { withTimeLimit } from '../shared/time-limits';
import { loadAnalyticsConfig } from './config';
import { buildAnalyticsServer } from './server';

export async function startAnalytics(env: NodeJS.ProcessEnv = process.env, options: { host?: string; now?: () => number } = {}) {
  const config = loadAnalyticsConfig(env);
  const logger = createLogger('analytics-api', config.LOG_LEVEL);
  const bigtable = createBigtable(config.GOOGLE_CLOUD_PROJECT, config.BIGTABLE_APP_PROFILE);
  const instance = bigtable.instance(config.BIGTABLE_INSTANCE);
  const bigquery = createBigQuery(config.GOOGLE_CLOUD_PROJECT);
  const app = buildAnalyticsServer({
    eventsTable: instance.table(config.BIGTABLE_EVENTS_TABLE),
    aggregatesTable: instance.table(config.BIGTABLE_AGGREGATES_TABLE),
    bigquery,
    dataset: config.BIGQUERY_DATASET,
    batchViewTable: config.BIGQUERY_BATCH_VIEW_TABLE,
    windowMs: config.AGGREGATE_WINDOW_SECONDS * 1000,
    watermarkDelayMs: config.WATERMARK_DELAY_SECONDS * 1000,
    hotWindowHours: config.HOT_WINDOW_HOURS,
    fleetTable: instance.table(config.BIGTABLE_FLEET_TABLE),
    fleetMaxAgeSeconds: config.FLEET_SNAPSHOT_MAX_AGE_SECONDS,
    queryTimeoutMs: config.QUERY_TIMEOUT_MS,
    bigtableTimeoutMs: config.BIGTABLE_TIMEOUT_MS,
    slideMs: config.AGGREGATE_SLIDE_SECONDS * 1000,
    fallback:
      config.QUERY_FALLBACK === 'bigquery' ? { eventsTable: config.BIGQUERY_EVENTS_TABLE, maxRows: config.FALLBACK_MAX_ROWS } : undefined,
    pageTokenSecrets: config.PAGE_TOKEN_SECRET?.map((secret) => Buffer.from(secret, 'utf8')),
    logger,
    now: options.now,
  });
  if (!config.PAGE_TOKEN_SECRET) {
    logger.warn('PAGE_TOKEN_SECRET not set: page tokens are signed with a random per-process secret and work only on the instance that issued them');
  }
  const address = await app.listen({ port: config.PORT, host: options.host ?? '0.0.0.0' });
  logger.info({ address, hotWindowHours: config.HOT_WINDOW_HOURS, queryFallback: config.QUERY_FALLBACK }, 'analytics API listening');
  return {
    address,
    async stop() {
      await withTimeLimit(app.close(), 5000, 'closing HTTP');
      await withTimeLimit(bigtable.close(), 2000, 'closing Bigtable');
      logger.info('analytics API stopped');
    },
  };
}

if (require.main === module) runMain('analytics-api', () => startAnalytics());
