import { z } from 'zod';
import { bigtableSchema, googleProjectSchema, loadConfig, port, positiveInt, requiredName, windowSchema } from '../shared/config';

export const analyticsConfigSchema = googleProjectSchema
  .extend(bigtableSchema.shape)
  .extend(windowSchema.shape)
  .extend({
    BIGQUERY_DATASET: requiredName.default('iot_analytics'),
    BIGQUERY_BATCH_VIEW_TABLE: requiredName.default('device_hourly'),
    /** The speed processor's metrics endpoint (http://host:port/metrics) for fleet-wide live figures. */
    PROCESSOR_METRICS_URL: z.url({ error: 'must be a URL, e.g. http://127.0.0.1:8082/metrics' }).optional(),
    PORT: port(8080),
    QUERY_TIMEOUT_MS: positiveInt(10000),
  });

export type AnalyticsConfig = z.infer<typeof analyticsConfigSchema>;

export function loadAnalyticsConfig(env: NodeJS.ProcessEnv = process.env): AnalyticsConfig {
  return loadConfig(analyticsConfigSchema, env);
}
