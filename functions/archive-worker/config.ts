import { resolve } from 'node:path';
import { z } from 'zod';
import { googleProjectSchema, loadConfig, port, positiveInt, requiredName } from '../shared/config';

export const archiveConfigSchema = googleProjectSchema.extend({
  ARCHIVE_SUBSCRIPTION: requiredName.default('telemetry-archive'),
  BIGQUERY_DATASET: requiredName.default('iot_analytics'),
  BIGQUERY_EVENTS_TABLE: requiredName.default('events_raw'),
  /**
   * Where failed rows go: the template's own error-record table (`outputDeadletterTable` in the
   * stacks), NOT events_dead_letter, which has the Pub/Sub BigQuery subscription's columns.
   */
  BIGQUERY_ARCHIVE_ERROR_TABLE: requiredName.default('events_raw_error_records'),
  /** The BUILT UDF (`npm run build:udf`), exactly the file the Dataflow template would load. */
  UDF_PATH: requiredName.default(resolve(__dirname, '../dist/udf/transform.js')),
  MAX_OUTSTANDING_MESSAGES: positiveInt(1000),
  INSERT_BATCH_MAX_ROWS: positiveInt(500),
  INSERT_BATCH_MAX_DELAY_MS: positiveInt(50),
  /** A batch not inserted within this is nacked for redelivery. */
  BATCH_DEADLINE_MS: positiveInt(30000),
  PORT: port(8080),
  /** Local deviation: archive each event of a batched message (see Archiver.splitBatches). */
  ARCHIVE_SPLIT_BATCHES: z.enum(['true', 'false'], { error: 'must be true or false' }).default('false').transform((v) => v === 'true'),
});

export type ArchiveConfig = z.infer<typeof archiveConfigSchema>;

export function loadArchiveConfig(env: NodeJS.ProcessEnv = process.env): ArchiveConfig {
  return loadConfig(archiveConfigSchema, env);
}
