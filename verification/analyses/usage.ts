/**
 * Usage overrides: per-resource figures that replace what the analyses derive from the
 * spec's workload. Keyed by Terraform address, read from a YAML or JSON file (`--usage`).
 *
 *   resources:
 *     google_pubsub_topic.dead_letter: { eventsPerSecond: 2 }
 *     google_bigquery_data_transfer_config.batch_view: { bytesScannedPerRunGiB: 20 }
 */
import { readYamlFile } from '../graph/yaml-input';
import { z } from 'zod';
import { InputError } from '../engine/errors';

export const usageEntrySchema = z
  .object({
    /** Events per second flowing through this resource (topic, subscription, table). */
    eventsPerSecond: z.number().nonnegative().optional(),
    /** Requests per second served (Cloud Run). */
    requestsPerSecond: z.number().nonnegative().optional(),
    /** Expected running instances (Cloud Run) or workers (Dataflow). */
    instances: z.number().nonnegative().optional(),
    workers: z.number().nonnegative().optional(),
    /** Rows written per event (Bigtable instance). */
    rowsPerEvent: z.number().nonnegative().optional(),
    /** Stored data, GiB (bucket, table, Bigtable instance per cluster, backups). */
    storageGiB: z.number().nonnegative().optional(),
    backupStorageGiB: z.number().nonnegative().optional(),
    /** Bytes one scheduled query run scans, GiB. */
    bytesScannedPerRunGiB: z.number().nonnegative().optional(),
    /** Dashboard refresh interval, seconds. */
    refreshIntervalSeconds: z.number().positive().optional(),
    /** Chargeable metric volume, MiB a month (custom metric descriptors). */
    monthlyMetricMiB: z.number().nonnegative().optional(),
    /** Secret Manager access operations a month. */
    accessesPerMonth: z.number().nonnegative().optional(),
    /** Serving queries/s this service answers from BigQuery (analytics), instead of the spec's coldQueryShare. */
    bigQueryQueriesPerSecond: z.number().nonnegative().optional(),
    /** Bytes one such query bills, GiB (instead of the per-table minimum the model derives). */
    bigQueryGiBPerQuery: z.number().nonnegative().optional(),
    /** Log volume this service or job writes beyond what the models derive (application logs), GiB a month. */
    logGiBPerMonth: z.number().nonnegative().optional(),
  })
  .strict();

export const usageFileSchema = z
  .object({
    version: z.literal(1).optional(),
    resources: z.record(z.string().min(1), usageEntrySchema),
  })
  .strict();

export type UsageEntry = z.infer<typeof usageEntrySchema>;
export type UsageOverrides = z.infer<typeof usageFileSchema>;

export const NO_USAGE: UsageOverrides = { resources: {} };

/** Validate a parsed usage document; a bad one is one clear line (exit 2 in the CLI). */
export function parseUsage(doc: unknown, path = '<usage>'): UsageOverrides {
  const parsed = usageFileSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw new InputError(`${path}: invalid usage file${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** Read a usage file (YAML or JSON); an empty one (or only comments) overrides nothing. */
export function loadUsageFile(path: string): UsageOverrides {
  const doc = readYamlFile(path, 'usage');
  return parseUsage(doc ?? { resources: {} }, path);
}

/** The entry of an address the usage file does not mention: shared, and frozen since entries are only read. */
export const NO_OVERRIDES: UsageEntry = Object.freeze({});

/**
 * A usage file's entry for an address, asked many times: entries by address in a Map. (An address
 * used as an object key is interned on first use, a string-table lookup per fresh address; a
 * Map only hashes it, and the loader has hashed every address already.)
 */
export function usageLookup(usage: UsageOverrides): (address: string) => UsageEntry {
  const byAddress = new Map(Object.entries(usage.resources));
  if (byAddress.size === 0) return () => NO_OVERRIDES;
  return (address) => byAddress.get(address) ?? NO_OVERRIDES;
}

/** The resource types whose models read each field (the rest of an entry would be silently ignored). */
export const USAGE_FIELD_TYPES: Readonly<Record<keyof UsageEntry, readonly string[]>> = {
  eventsPerSecond: ['google_pubsub_topic', 'google_pubsub_subscription', 'google_bigquery_table'],
  requestsPerSecond: ['google_cloud_run_v2_service'],
  instances: ['google_cloud_run_v2_service'],
  workers: ['google_dataflow_job', 'google_dataflow_flex_template_job'],
  rowsPerEvent: ['google_bigtable_instance'],
  storageGiB: ['google_storage_bucket', 'google_bigquery_table', 'google_bigtable_instance'],
  backupStorageGiB: ['google_bigtable_table'],
  bytesScannedPerRunGiB: ['google_bigquery_data_transfer_config'],
  refreshIntervalSeconds: ['google_cloud_run_v2_service'],
  monthlyMetricMiB: ['google_monitoring_metric_descriptor'],
  accessesPerMonth: ['google_secret_manager_secret_version'],
  bigQueryQueriesPerSecond: ['google_cloud_run_v2_service'],
  bigQueryGiBPerQuery: ['google_cloud_run_v2_service'],
  logGiBPerMonth: ['google_cloud_run_v2_service', 'google_dataflow_job', 'google_dataflow_flex_template_job'],
};

/**
 * Entries that change nothing, said out loud: an address the graph does not hold (a typo, a
 * renamed construct) or a field no model reads for that resource's type.
 */
export function usageWarnings(usage: UsageOverrides, typeOf: (address: string) => string | undefined): string[] {
  const warnings: string[] = [];
  for (const [address, entry] of Object.entries(usage.resources)) {
    const type = typeOf(address);
    if (type === undefined) {
      warnings.push(`usage file: ${address} matches no resource in the graph; its figures are ignored`);
      continue;
    }
    for (const field of Object.keys(entry) as (keyof UsageEntry)[]) {
      if (!USAGE_FIELD_TYPES[field].includes(type)) warnings.push(`usage file: ${field} on ${address} is ignored (no model reads it for ${type}; it applies to ${USAGE_FIELD_TYPES[field].join(', ')})`);
    }
  }
  return warnings;
}
