import { z } from 'zod';
import { DEFAULT_FLEET_SNAPSHOT_MAX_AGE_SECONDS } from './fleet-live';
import { bigtableSchema, googleProjectSchema, loadConfig, port, positiveInt, requiredName, windowSchema } from '../shared/config';

export const analyticsConfigSchema = googleProjectSchema
  .extend(bigtableSchema.shape)
  .extend(windowSchema.shape)
  .extend({
    BIGQUERY_DATASET: requiredName.default('iot_analytics'),
    BIGQUERY_BATCH_VIEW_TABLE: requiredName.default('device_hourly'),
    /**
     * /v1/fleet/live leaves out processor snapshots older than this (instances that stopped or
     * cannot write); keep it a few times the processors' FLEET_METRICS_SECONDS.
     */
    FLEET_SNAPSHOT_MAX_AGE_SECONDS: positiveInt(DEFAULT_FLEET_SNAPSHOT_MAX_AGE_SECONDS),
    PORT: port(8080),
    QUERY_TIMEOUT_MS: positiveInt(10000),
    /** `bigquery`: answer from the other store when one fails (degraded / partial answers); `none`: 502/504. */
    QUERY_FALLBACK: z.enum(['none', 'bigquery'], { error: 'must be none or bigquery' }).default('none'),
    /** The archive table the Bigtable fallback reads. */
    BIGQUERY_EVENTS_TABLE: requiredName.default('events_raw'),
    /** Bigtable read limit before falling back (defaults to QUERY_TIMEOUT_MS). */
    BIGTABLE_TIMEOUT_MS: z.coerce.number().int().positive().optional(),
    /** Most archived events one fallback aggregate reads. */
    FALLBACK_MAX_ROWS: positiveInt(200000),
    /**
     * Page-token HMAC secrets, comma-separated (the first signs, all verify: rotation). Unset: a
     * random secret per process, so a token works only on the instance that issued it; every
     * instance behind one URL needs the same value (Secret Manager in the stacks).
     */
    PAGE_TOKEN_SECRET: z
      .string()
      .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
      .refine((list) => list.length > 0 && list.every((s) => s.length >= 32), 'each comma-separated secret must be at least 32 characters')
      .optional(),
  });

export type AnalyticsConfig = z.infer<typeof analyticsConfigSchema>;

export function loadAnalyticsConfig(env: NodeJS.ProcessEnv = process.env): AnalyticsConfig {
  return loadConfig(analyticsConfigSchema, env);
}
