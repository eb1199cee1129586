/**
 * Usage overrides: per-resource figures that replace what the analyses derive from the
 * spec's workload. Keyed by Terraform address, read from a YAML or JSON file (`--usage`).
 *
 *   resources:
 *     google_pubsub_topic.dead_letter: { eventsPerSecond: 2 }
 *     google_bigquery_data_transfer_config.batch_view: { bytesScannedPerRunGiB: 20 }
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { InputError } from '../engine/errors';

export const usageEntrySchema = z
  .object({
    /** Events per second flowing through this resource (topic, subscription, table, service). */
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

/** Read a usage file (YAML or JSON). */
export function loadUsageFile(path: string): UsageOverrides {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`${path}: cannot read usage file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new InputError(`${path}: usage file is not YAML or JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  return parseUsage(doc, path);
}

export function usageFor(usage: UsageOverrides | undefined, address: string): UsageEntry {
  return usage?.resources[address] ?? {};
}
