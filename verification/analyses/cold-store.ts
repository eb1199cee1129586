/**
 * BigQuery sizing shared by cost, latency (batch job duration) and retention: what flows
 * into each table, its partition expiry, the schedule of scheduled queries and the bytes
 * one run scans.
 */
import type { Resource } from '../graph/types';
import { isPending } from '../graph/types';
import { readAttr } from '../graph/values';
import { HOURS_PER_DAY, MINUTES_PER_HOUR, SECONDS_PER_DAY, MS_PER_SECOND } from '../data';
import { blocks, fieldStr, num, str, type Maybe } from './attributes';
import type { AnalysisContext } from './context';

export type TableRole = 'archive' | 'dead-letter' | 'batch-view' | 'unknown';

export interface TableLoad {
  table: Resource;
  role: TableRole;
  /** Rows a day at the average and the burst-weighted rate. */
  averageRowsPerDay: number | null;
  expectedRowsPerDay: number | null;
  rowBytes: number;
  /** Partition (or default table) expiry, days; undefined when data never expires; null pending. */
  expiryDays: Maybe<number>;
  location?: string;
  writer?: Resource;
  basis: string;
}

const DAYS_PER_WEEK = 7;

function tableId(t: Resource): string | undefined {
  const v = t.values.table_id;
  return typeof v === 'string' ? v : undefined;
}

/** The template parameter of a Dataflow job that names this table, if any. */
function dataflowParameterFor(ctx: AnalysisContext, job: Resource, table: Resource): string | undefined {
  const params = readAttr(job, 'parameters');
  if (!params || typeof params !== 'object' || isPending(params) || Array.isArray(params)) return undefined;
  const id = tableId(table);
  for (const [key, value] of Object.entries(params)) {
    if (typeof value === 'string' && id && (value.endsWith(`.${id}`) || value.endsWith(`:${id}`))) return key;
    if (isPending(value) && value.references.includes(table.address)) return key;
  }
  if (ctx.graph.edges.some((e) => e.from === job.address && e.to === table.address && e.attribute.startsWith('parameters.'))) {
    return ctx.graph.edges.find((e) => e.from === job.address && e.to === table.address)!.attribute.slice('parameters.'.length);
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

export function tableLoad(ctx: AnalysisContext, table: Resource): TableLoad {
  const t = ctx.traffic;
  const w = ctx.spec.workload;
  const dataset = ctx.topology.datasetOf(table);
  const location = (typeof dataset?.values.location === 'string' ? dataset.values.location : undefined) ?? table.region;
  const partitionMs = num(table, 'time_partitioning.expiration_ms');
  const datasetPartitionMs = dataset ? num(dataset, 'default_partition_expiration_ms') : undefined;
  const datasetTableMs = dataset ? num(dataset, 'default_table_expiration_ms') : undefined;
  const partitioned = blocks(table, 'time_partitioning').length > 0;
  let expiryMs: Maybe<number> = partitioned ? (partitionMs !== undefined ? partitionMs : datasetPartitionMs) : undefined;
  if (expiryMs === undefined) expiryMs = datasetTableMs;
  const expiryDays = expiryMs === undefined || expiryMs === null ? expiryMs : expiryMs / MS_PER_SECOND / SECONDS_PER_DAY;
  const base = { table, rowBytes: t.eventBytes, expiryDays, location };
  const override = ctx.usageOf(table.address).eventsPerSecond;
  if (override !== undefined) {
    return { ...base, role: 'unknown', averageRowsPerDay: override * SECONDS_PER_DAY, expectedRowsPerDay: override * SECONDS_PER_DAY, basis: `usage file: ${override} rows/s` };
  }
  for (const job of ctx.topology.dataflowJobs) {
    const key = dataflowParameterFor(ctx, job, table);
    if (!key) continue;
    if (/dead|error/i.test(key)) {
      return { ...base, role: 'dead-letter', averageRowsPerDay: 0, expectedRowsPerDay: 0, writer: job, basis: `${job.address} ${key}: failed rows only, 0 assumed` };
    }
    return {
      ...base,
      role: 'archive',
      averageRowsPerDay: t.averageEps * SECONDS_PER_DAY,
      expectedRowsPerDay: t.expectedEps * SECONDS_PER_DAY,
      writer: job,
      basis: `${job.address} ${key}: one row per event`,
    };
  }
  for (const sub of ctx.topology.subscriptions) {
    if (!ctx.topology.refersTo(sub, table, 'bigquery_config')) continue;
    const topic = ctx.topology.topicOf(sub);
    if (topic && ctx.topology.isDeadLetterTopic(topic)) {
      return { ...base, role: 'dead-letter', averageRowsPerDay: 0, expectedRowsPerDay: 0, writer: sub, basis: `${sub.address}: dead letters only, 0 assumed` };
    }
    return {
      ...base,
      role: 'archive',
      averageRowsPerDay: t.averageEps * SECONDS_PER_DAY,
      expectedRowsPerDay: t.expectedEps * SECONDS_PER_DAY,
      writer: sub,
      basis: `${sub.address}: BigQuery subscription, one row per message`,
    };
  }
  const id = tableId(table);
  for (const q of ctx.topology.scheduledQueries) {
    const dest = fieldStr(blocks(q, 'params')[0] ?? {}, 'destination_table_name_template') ?? str(q, 'params.destination_table_name_template');
    const query = str(q, 'params.query');
    const writesIt = (dest && id && dest.startsWith(id)) || (typeof query === 'string' && id && new RegExp(`(insert\\s+into|merge(\\s+into)?|create\\s+or\\s+replace\\s+table)\\s+[\`\\w.-]*${id}\\b`, 'i').test(query));
    if (!writesIt) continue;
    const perDay = runsPerDay(str(q, 'schedule'));
    const rows = typeof perDay === 'number' ? w.deviceCount * perDay : null;
    return {
      ...base,
      role: 'batch-view',
      averageRowsPerDay: rows,
      expectedRowsPerDay: rows,
      writer: q,
      basis: `${q.address}: one row per device per run (${w.deviceCount} devices x ${perDay ?? '?'} runs/day)`,
    };
  }
  return { ...base, role: 'unknown', averageRowsPerDay: null, expectedRowsPerDay: null, basis: 'no writer found in the graph' };
}

export interface ScanEstimate {
  perRunGiB: { expected: number; max: number } | null;
  runsPerDay: Maybe<number>;
  tables: Resource[];
  basis: string;
}

/** Bytes one run of a scheduled query scans, from the tables its SQL names. */
export function scanEstimate(ctx: AnalysisContext, q: Resource): ScanEstimate {
  const perDay = runsPerDay(str(q, 'schedule'));
  const override = ctx.usageOf(q.address).bytesScannedPerRunGiB;
  if (override !== undefined) return { perRunGiB: { expected: override, max: override }, runsPerDay: perDay, tables: [], basis: `usage file: ${override} GiB per run` };
  const query = str(q, 'params.query') ?? fieldStr(blocks(q, 'params')[0], 'query');
  if (typeof query !== 'string') return { perRunGiB: null, runsPerDay: perDay, tables: [], basis: 'query text pending or missing' };
  const read = ctx.topology.bigQueryTables.filter((t) => {
    const id = tableId(t);
    return id !== undefined && new RegExp(`(from|join)\\s+[\`\\w.:-]*\\b${id}\\b`, 'i').test(query);
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
    const hourly = fieldStr(partition, 'type') === 'HOUR';
    if (filtersPartition && hourly) {
      // Hour partitions: a run over a recent hour reads one hour of data.
      const hourGiB = dailyGiB / HOURS_PER_DAY;
      expected += hourGiB;
      max += hourGiB;
      parts.push(`${t.address}: one hour partition ${hourGiB.toFixed(1)} GiB`);
    } else if (filtersPartition && typeof perDay === 'number') {
      // A run reads the current day partition; at run k of n it holds k/n of a day: mean (n+1)/2n.
      const n = Math.max(1, perDay);
      const meanFill = (n + 1) / (2 * n);
      expected += dailyGiB * meanFill;
      max += dailyGiB;
      parts.push(`${t.address}: one day partition ${dailyGiB.toFixed(1)} GiB, mean fill ${meanFill.toFixed(2)} (clustering does not prune on the time filter)`);
    } else {
      const days = typeof load.expiryDays === 'number' ? load.expiryDays : ctx.spec.constraints.retentionDays;
      expected += dailyGiB * days;
      max += dailyGiB * days;
      parts.push(`${t.address}: full scan of ${days} days x ${dailyGiB.toFixed(1)} GiB (no partition filter)`);
    }
  }
  return { perRunGiB: { expected, max }, runsPerDay: perDay, tables: read, basis: parts.join('; ') };
}

