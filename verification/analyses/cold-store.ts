/**
 * BigQuery sizing shared by cost, latency (batch job duration) and retention: what flows
 * into each table, its partition expiry, the schedule of scheduled queries and the bytes
 * one run scans.
 */
import type { AttrValue, Edge, Resource } from '../graph/types';
import { isPending } from '../graph/types';
import { readAttr } from '../graph/values';
import { HOURS_PER_DAY, MINUTES_PER_HOUR, SECONDS_PER_DAY, SECONDS_PER_HOUR, MS_PER_SECOND } from '../data';
import { blocks, fieldStr, num, str, unsetOr, type Maybe } from './attributes';
import type { AnalysisContext } from './context';
import { oncePerResource } from './context';

export type TableRole = 'archive' | 'dead-letter' | 'batch-view' | 'unknown';

export interface TableLoad {
  table: Resource;
  role: TableRole;
  /** Rows a day at the average and the burst-weighted rate. */
  averageRowsPerDay: number | null;
  expectedRowsPerDay: number | null;
  rowBytes: number;
  /**
   * How long rows are held, days, for sizing stored volume: the partition expiry, else the
   * whole table's; undefined when data never expires; null pending.
   */
  expiryDays: Maybe<number>;
  /**
   * Set when the whole table is deleted, every row with it: the dataset's default table
   * expiration (applied when a table is created) or the table's own expiration_time. Not a
   * rolling window: the newest rows go with the oldest.
   */
  tableExpiry?: TableExpiry;
  location?: string;
  writer?: Resource;
  basis: string;
}

export interface TableExpiry {
  /** What deletes the table: `google_bigquery_dataset.x default_table_expiration_ms` or `expiration_time`. */
  setting: string;
  /** Days from the table's creation (dataset default); null when pending; undefined for an absolute expiration_time. */
  daysAfterCreation?: number | null;
  /** The table's absolute expiration_time, epoch ms. */
  expiresAtMs?: number;
}

const DAYS_PER_WEEK = 7;

/**
 * Whole-table expiry. BigQuery gives a table created in a dataset with
 * default_table_expiration_ms an expiration time of creation + that default, unless the table
 * sets its own expiration_time. A pending expiration_time (Terraform computes it when unset)
 * is read as not set by the configuration, so the dataset default decides.
 */
function tableExpiryOf(table: Resource, dataset: Resource | undefined): TableExpiry | undefined {
  const own = num(table, 'expiration_time');
  if (typeof own === 'number' && own > 0) return { setting: `${table.address} expiration_time`, expiresAtMs: own };
  const fromDataset = dataset ? num(dataset, 'default_table_expiration_ms') : undefined;
  if (fromDataset === undefined || dataset === undefined) return undefined;
  if (fromDataset !== null && fromDataset <= 0) return undefined;
  return { setting: `${dataset.address} default_table_expiration_ms`, daysAfterCreation: fromDataset === null ? null : fromDataset / MS_PER_SECOND / SECONDS_PER_DAY };
}

function tableId(t: Resource): string | undefined {
  const v = t.values.table_id;
  return typeof v === 'string' ? v : undefined;
}

/** A Dataflow job's template parameters as [name, value] pairs, read once per job (every table asks every job). */
const templateParameters = oncePerResource(function templateParameters(_ctx: AnalysisContext, job: Resource): [string, AttrValue][] | undefined {
  const params = readAttr(job, 'parameters');
  if (!params || typeof params !== 'object' || isPending(params) || Array.isArray(params)) return undefined;
  return Object.entries(params);
});

/** The template parameter of a Dataflow job that names this table, if any. */
function dataflowParameterFor(ctx: AnalysisContext, job: Resource, table: Resource): string | undefined {
  const params = templateParameters(ctx, job);
  if (!params) return undefined;
  const id = tableId(table);
  for (const [key, value] of params) {
    if (typeof value === 'string' && id && (value.endsWith(`.${id}`) || value.endsWith(`:${id}`))) return key;
    if (isPending(value) && value.references.includes(table.address)) return key;
  }
  // A reference edge under parameters.* to the table: named after the first edge to it.
  let first: Edge | undefined;
  for (const e of ctx.topology.edgesFrom(job)) {
    if (e.to !== table.address) continue;
    first ??= e;
    if (e.attribute.startsWith('parameters.')) return first.attribute.slice('parameters.'.length);
  }
  return undefined;
}

export function runsPerDay(schedule: Maybe<string>): Maybe<number> {
  if (schedule === undefined || schedule === null) return schedule;
  const s = schedule.trim().toLowerCase();
  let m = /^every\s+(\d+)\s+(minute|minutes|min|mins)\b/.exec(s);
  if (m) return (HOURS_PER_DAY * MINUTES_PER_HOUR) / Number(m[1]);
  m = /^every\s+(\d+)\s+(hour|hours)\b/.exec(s);
  if (m) return HOURS_PER_DAY / Number(m[1]);
  if (/^every\s+(day|24 hours)\b/.test(s)) return 1;
  if (/^every\s+(mon|tue|wed|thu|fri|sat|sun)/.test(s)) return 1 / DAYS_PER_WEEK;
  return null;
}

export const tableLoad = oncePerResource(function tableLoad(ctx: AnalysisContext, table: Resource): TableLoad {
  const dataset = ctx.topology.datasetOf(table);
  const location = (typeof dataset?.values.location === 'string' ? dataset.values.location : undefined) ?? table.region;
  const partitionMs = num(table, 'time_partitioning.expiration_ms');
  const datasetPartitionMs = dataset ? num(dataset, 'default_partition_expiration_ms') : undefined;
  const datasetTableMs = dataset ? num(dataset, 'default_table_expiration_ms') : undefined;
  const partitioned = blocks(table, 'time_partitioning').length > 0;
  let expiryMs: Maybe<number> = partitioned ? (partitionMs !== undefined ? partitionMs : datasetPartitionMs) : undefined;
  if (expiryMs === undefined) expiryMs = datasetTableMs;
  const expiryDays = expiryMs === undefined || expiryMs === null ? expiryMs : expiryMs / MS_PER_SECOND / SECONDS_PER_DAY;
  const w = tableWriter(ctx, table);
  return {
    table,
    role: w.role,
    averageRowsPerDay: w.averageRowsPerDay,
    expectedRowsPerDay: w.expectedRowsPerDay,
    rowBytes: ctx.traffic.eventBytes,
    expiryDays,
    tableExpiry: tableExpiryOf(table, dataset),
    location,
    writer: w.writer,
    basis: w.basis,
  };
});

/** What writes into a table, and the rows a day that makes. */
type TableWriter = Pick<TableLoad, 'role' | 'averageRowsPerDay' | 'expectedRowsPerDay' | 'writer' | 'basis'>;

const DEAD_LETTER_PARAMETER = /dead|error/i;

function tableWriter(ctx: AnalysisContext, table: Resource): TableWriter {
  const t = ctx.traffic;
  const w = ctx.spec.workload;
  const override = ctx.usageOf(table.address).eventsPerSecond;
  if (override !== undefined) {
    return { role: 'unknown', averageRowsPerDay: override * SECONDS_PER_DAY, expectedRowsPerDay: override * SECONDS_PER_DAY, basis: `usage file: ${override} rows/s` };
  }
  for (const job of ctx.topology.dataflowJobs) {
    const key = dataflowParameterFor(ctx, job, table);
    if (!key) continue;
    if (DEAD_LETTER_PARAMETER.test(key)) {
      return { role: 'dead-letter', averageRowsPerDay: 0, expectedRowsPerDay: 0, writer: job, basis: `${job.address} ${key}: failed rows only, 0 assumed` };
    }
    return { role: 'archive', averageRowsPerDay: t.averageEps * SECONDS_PER_DAY, expectedRowsPerDay: t.expectedEps * SECONDS_PER_DAY, writer: job, basis: `${job.address} ${key}: one row per event` };
  }
  // The first subscription (in graph order) writing into the table decides.
  const sub = ctx.topology.referrersAmong(table, ctx.topology.subscriptions, 'bigquery_config')[0];
  if (sub) {
    const topic = ctx.topology.topicOf(sub);
    if (topic && ctx.topology.isDeadLetterTopic(topic)) {
      // Dead letters only: 0 unless the usage file gives the subscription's or its topic's rate.
      const given = ctx.usageOf(sub.address).eventsPerSecond ?? ctx.usageOf(topic.address).eventsPerSecond;
      if (given !== undefined) {
        const source = ctx.usageOf(sub.address).eventsPerSecond !== undefined ? sub.address : topic.address;
        return { role: 'dead-letter', averageRowsPerDay: given * SECONDS_PER_DAY, expectedRowsPerDay: given * SECONDS_PER_DAY, writer: sub, basis: `${sub.address}: dead letters at ${given} events/s (usage file, ${source})` };
      }
      return { role: 'dead-letter', averageRowsPerDay: 0, expectedRowsPerDay: 0, writer: sub, basis: `${sub.address}: dead letters only, 0 assumed` };
    }
    return { role: 'archive', averageRowsPerDay: t.averageEps * SECONDS_PER_DAY, expectedRowsPerDay: t.expectedEps * SECONDS_PER_DAY, writer: sub, basis: `${sub.address}: BigQuery subscription, one row per message` };
  }
  const id = tableId(table);
  for (const q of ctx.topology.scheduledQueries) {
    const dest = fieldStr(blocks(q, 'params')[0] ?? {}, 'destination_table_name_template') ?? str(q, 'params.destination_table_name_template');
    const query = str(q, 'params.query');
    const writesIt = (dest && id && dest.startsWith(id)) || (typeof query === 'string' && id && new RegExp(`(insert\\s+into|merge(\\s+into)?|create\\s+or\\s+replace\\s+table)\\s+[\`\\w.-]*${id}\\b`, 'i').test(query));
    if (!writesIt) continue;
    const perDay = runsPerDay(str(q, 'schedule'));
    const rows = typeof perDay === 'number' ? w.deviceCount * perDay : null;
    return { role: 'batch-view', averageRowsPerDay: rows, expectedRowsPerDay: rows, writer: q, basis: `${q.address}: one row per device per run (${w.deviceCount} devices x ${perDay ?? '?'} runs/day)` };
  }
  return { role: 'unknown', averageRowsPerDay: null, expectedRowsPerDay: null, basis: 'no writer found in the graph' };
}

const PARTITION_SECONDS: Record<string, number> = { HOUR: SECONDS_PER_HOUR, DAY: SECONDS_PER_DAY, MONTH: 31 * SECONDS_PER_DAY, YEAR: 366 * SECONDS_PER_DAY };
const UNIT_SECONDS: Record<string, number> = { SECOND: 1, MINUTE: 60, HOUR: SECONDS_PER_HOUR, DAY: SECONDS_PER_DAY };

/** Seconds one time partition spans (MONTH and YEAR at their longest); undefined for an unknown type. */
export function partitionSeconds(type: string): number | undefined {
  return PARTITION_SECONDS[type.toUpperCase()];
}

/** Partition type names by span, lower case ("hour"), the first type of each span. */
const PARTITION_NAMES = new Map<number, string>();
for (const [type, seconds] of Object.entries(PARTITION_SECONDS)) if (!PARTITION_NAMES.has(seconds)) PARTITION_NAMES.set(seconds, type.toLowerCase());

function granularityName(seconds: number): string {
  return PARTITION_NAMES.get(seconds) ?? `${seconds} s`;
}

function fmtWindow(seconds: number): string {
  return seconds % SECONDS_PER_HOUR === 0 ? `${seconds / SECONDS_PER_HOUR} h` : `${seconds / 60} min`;
}

export interface QueryWindow {
  /** Length of the time range the query filters on, seconds. */
  seconds: number;
  /** How long before the run the range ends, seconds. */
  upperOffsetSeconds: number;
  /** The bounds are truncated to this unit (TIMESTAMP_TRUNC(..., HOUR)), seconds. */
  truncSeconds?: number;
}

/**
 * The time range a scheduled query reads from a column, from bounds of the form
 * `col >= <anchor> - INTERVAL n UNIT` and `col < <anchor> [- INTERVAL m UNIT]`, where the
 * anchor is the run time (@run_time, CURRENT_TIMESTAMP()). Undefined without a lower bound.
 */
export function queryWindow(query: string, column: string): QueryWindow | undefined {
  const lower = boundOn(column, '>=|>').exec(query);
  if (!lower) return undefined;
  const lowerOffset = runTimeOffset(lower[2]);
  if (lowerOffset === undefined) return undefined;
  const upper = boundOn(column, '<=|<').exec(query);
  const upperOffset = upper ? runTimeOffset(upper[2]) ?? 0 : 0;
  if (lowerOffset <= upperOffset) return undefined;
  const trunc = /TIMESTAMP_TRUNC\([^,]+,\s*(MINUTE|HOUR|DAY)\s*\)/i.exec(lower[2]);
  return { seconds: lowerOffset - upperOffset, upperOffsetSeconds: upperOffset, ...(trunc ? { truncSeconds: UNIT_SECONDS[trunc[1].toUpperCase()] } : {}) };
}

/** A comparison of `column` with one of `ops`, capturing the bound expression (up to AND, QUALIFY, GROUP or the end). */
function boundOn(column: string, ops: string): RegExp {
  return new RegExp(`\\b${column}\\s*(${ops})\\s*([^\\n]*?)(?:\\bAND\\b|\\bQUALIFY\\b|\\bGROUP\\b|\\)\\s*$|$)`, 'im');
}

/** Seconds before the run a bound expression stands for: `@run_time - INTERVAL 2 HOUR` is 7200; undefined when not relative to the run. */
function runTimeOffset(expr: string): number | undefined {
  const m = /INTERVAL\s+(\d+)\s+(SECOND|MINUTE|HOUR|DAY)/i.exec(expr);
  if (m) return Number(m[1]) * UNIT_SECONDS[m[2].toUpperCase()];
  return /@run_time|@run_date|CURRENT_TIMESTAMP|CURRENT_DATE/i.test(expr) ? 0 : undefined;
}

/** Table ids of ASCII word characters and dashes: the case-insensitive regex can match one only where a lower-case search finds it. */
const PLAIN_ID = /^[\w-]+$/;

export interface ScanEstimate {
  perRunGiB: { expected: number; max: number } | null;
  runsPerDay: Maybe<number>;
  tables: Resource[];
  basis: string;
}

/** Bytes one run of a scheduled query scans, from the tables its SQL names (read by cost and latency: computed once). */
export const scanEstimate = oncePerResource(function scanEstimate(ctx: AnalysisContext, q: Resource): ScanEstimate {
  const perDay = runsPerDay(str(q, 'schedule'));
  const override = ctx.usageOf(q.address).bytesScannedPerRunGiB;
  if (override !== undefined) return { perRunGiB: { expected: override, max: override }, runsPerDay: perDay, tables: [], basis: `usage file: ${override} GiB per run` };
  const query = str(q, 'params.query') ?? fieldStr(blocks(q, 'params')[0], 'query');
  if (typeof query !== 'string') return { perRunGiB: null, runsPerDay: perDay, tables: [], basis: 'query text pending or missing' };
  const queryLowerCase = query.toLowerCase();
  const read = ctx.topology.bigQueryTables.filter((t) => {
    const id = tableId(t);
    if (id === undefined) return false;
    // An id of plain characters the query does not contain (in any case) is not read: no regex to build.
    if (PLAIN_ID.test(id) && !queryLowerCase.includes(id.toLowerCase())) return false;
    return new RegExp(`(from|join)\\s+[\`\\w.:-]*\\b${id}\\b`, 'i').test(query);
  });
  if (read.length === 0) return { perRunGiB: null, runsPerDay: perDay, tables: [], basis: 'no table of the graph named in the query' };
  let expected = 0;
  let max = 0;
  const parts: string[] = [];
  for (const t of read) {
    const load = tableLoad(ctx, t);
    if (load.expectedRowsPerDay === null) return { perRunGiB: null, runsPerDay: perDay, tables: read, basis: `${t.address}: volume unknown` };
    const dailyGiB = (load.expectedRowsPerDay * load.rowBytes) / ctx.data.bytesPerGiB;
    const partition = blocks(t, 'time_partitioning')[0];
    const field_ = partition ? fieldStr(partition, 'field') : undefined;
    const filtersPartition =
      partition !== undefined && (/_PARTITION(TIME|DATE)/i.test(query) || (typeof field_ === 'string' && new RegExp(`where[\\s\\S]*\\b${field_}\\b`, 'i').test(query)));
    // Unset is daily partitioning; a pending type leaves the scan unknown (neither pruned nor a full scan).
    const partitionType = unsetOr(fieldStr(partition, 'type'), 'DAY');
    if (partitionType === null) return { perRunGiB: null, runsPerDay: perDay, tables: read, basis: `${t.address}: time_partitioning.type known only after apply` };
    const granularity = partitionSeconds(partitionType);
    const window = typeof field_ === 'string' ? queryWindow(query, field_) : undefined;
    const partitionGiB = granularity === undefined ? undefined : (dailyGiB * granularity) / SECONDS_PER_DAY;
    if (filtersPartition && granularity !== undefined && partitionGiB !== undefined && window && window.seconds >= granularity) {
      // A window of whole partitions: each run reads ceil(window / partition) partitions, one
      // more when the bounds are not aligned to the partition boundaries.
      const aligned = window.truncSeconds !== undefined && window.truncSeconds % granularity === 0;
      const n = Math.ceil(window.seconds / granularity) + (aligned ? 0 : 1);
      // When the window reaches into the partition still filling, that one holds on average
      // half a partition at run time (the run's minute within it is unknown).
      const newestFilling = window.upperOffsetSeconds < granularity;
      expected += (newestFilling ? n - 0.5 : n) * partitionGiB;
      max += n * partitionGiB;
      parts.push(
        `${t.address}: ${n} ${granularityName(granularity)} partition(s) x ${partitionGiB.toFixed(1)} GiB for a ${fmtWindow(window.seconds)} window${aligned ? ' aligned to the partitions' : ' not aligned to the partitions (+1)'}${newestFilling ? ', the newest half full on average' : ''}`,
      );
    } else if (filtersPartition && granularity !== undefined && partitionGiB !== undefined && window && window.upperOffsetSeconds >= granularity) {
      // A window inside one partition that is complete when the run reads it (the window
      // ends a partition or more before the run): one full partition.
      expected += partitionGiB;
      max += partitionGiB;
      parts.push(`${t.address}: one ${granularityName(granularity)} partition ${partitionGiB.toFixed(1)} GiB (the ${fmtWindow(window.seconds)} window ends ${fmtWindow(window.upperOffsetSeconds)} before the run; clustering does not prune on the time filter)`);
    } else if (filtersPartition && granularity !== undefined && partitionGiB !== undefined && typeof perDay === 'number') {
      // The run reads the partition still filling: at run k of the n runs per partition it
      // holds k/n of it, a mean of (n+1)/2n.
      const n = Math.max(1, (perDay * granularity) / SECONDS_PER_DAY);
      const meanFill = (n + 1) / (2 * n);
      expected += partitionGiB * meanFill;
      max += partitionGiB;
      parts.push(`${t.address}: one ${granularityName(granularity)} partition ${partitionGiB.toFixed(1)} GiB, mean fill ${meanFill.toFixed(2)} (clustering does not prune on the time filter)`);
    } else {
      const days = typeof load.expiryDays === 'number' ? load.expiryDays : ctx.spec.constraints.retentionDays;
      expected += dailyGiB * days;
      max += dailyGiB * days;
      parts.push(`${t.address}: full scan of ${days} days x ${dailyGiB.toFixed(1)} GiB (no partition filter)`);
    }
  }
  return { perRunGiB: { expected, max }, runsPerDay: perDay, tables: read, basis: parts.join('; ') };
});
