/**
 * Bigtable instance sizing shared by cost, capacity, latency and DR: clusters with their
 * node bounds, the write rows every cluster takes (replication applies every write to every
 * cluster), stored bytes from each table's GC max-age, and nodes needed at a CPU target.
 */
import type { AttrValue, Resource } from '../graph/types';
import { isPending } from '../graph/types';
import { asList, asRecord, asString, readAttr } from '../graph/values';
import { SECONDS_PER_DAY } from '../data';
import { blocks, containerEnv, durationSeconds, fieldNum, fieldStr, type Maybe } from './attributes';
import { expectedInstances, serviceSizing } from './cloud-run';
import { fleetSnapshotSeconds, fleetTableOf } from './fleet-table';
import type { AnalysisContext } from './context';
import { oncePerContext, oncePerResource } from './context';
import { zoneRegion } from './context';
import { monthMean } from './traffic';

export type StorageType = 'SSD' | 'HDD';

// Figure ids per storage type, spelled out: an id built per call is a new string to hash on every lookup.
export const WRITE_ROWS_PER_NODE_ID = { SSD: 'bigtable.write-rows-per-node.SSD', HDD: 'bigtable.write-rows-per-node.HDD' } as const;
const STORAGE_TARGET_ID = { SSD: 'bigtable.storage-per-node-target.SSD', HDD: 'bigtable.storage-per-node-target.HDD' } as const;

export interface ClusterInfo {
  id: string;
  zone?: string;
  region?: string;
  storageType: StorageType;
  /** Fixed node count, or autoscaling bounds; null when pending. */
  minNodes: number | null;
  maxNodes: number | null;
  autoscaling: boolean;
  /** num_nodes unset without autoscaling: Bigtable allocates nodes by data footprint (minNodes is the floor). */
  sizedByStorage: boolean;
  /** CPU target, percent (autoscaling cpu_target, else the latency target from data). */
  cpuTargetPercent: number;
  storageTargetGiB: number;
}

export interface TableLoad {
  table: Resource;
  /** raw: a row per event; aggregate: a row per device and window; metrics: a row per processor instance and snapshot interval. */
  role: 'raw' | 'aggregate' | 'metrics';
  /** Rows/s at the average and burst event rates. */
  averageRowsPerSecond: number;
  burstRowsPerSecond: number;
  /** GC max-age, seconds; undefined when the table has no max-age rule (keeps data forever). */
  maxAgeSeconds?: number;
  /** Rows the table holds whatever its age (metrics: each instance overwrites its one row). */
  storedRows?: number;
}

export interface HotStoreLoad {
  instance: Resource;
  clusters: ClusterInfo[];
  tables: TableLoad[];
  averageRowsPerSecond: number;
  burstRowsPerSecond: number;
  rowBytes: number;
}

export const clustersOf = oncePerResource(function clustersOf(ctx: AnalysisContext, instance: Resource): ClusterInfo[] {
  const latencyTarget = ctx.data.perf('bigtable.latency-cpu-target').value;
  return blocks(instance, 'cluster').map((c, i) => {
    const zone = fieldStr(c, 'zone') ?? undefined;
    const storageType: StorageType = fieldStr(c, 'storage_type') === 'HDD' ? 'HDD' : 'SSD';
    const auto = asRecord(c.autoscaling_config);
    const fixed = fieldNum(c, 'num_nodes');
    let minNodes: number | null;
    let maxNodes: number | null;
    if (auto) {
      minNodes = fieldNum(auto, 'min_nodes') ?? null;
      maxNodes = fieldNum(auto, 'max_nodes') ?? null;
    } else {
      // An unset num_nodes: Bigtable allocates nodes by data footprint, at least the minimum
      // (limits.json); consumers that need the storage-sized count read `sizedByStorage`.
      minNodes = maxNodes = fixed === undefined ? ctx.data.limit('bigtable.min-nodes-per-cluster').value : fixed;
    }
    const cpuTarget = auto ? fieldNum(auto, 'cpu_target') : undefined;
    const storageTarget = auto ? fieldNum(auto, 'storage_target') : undefined;
    return {
      id: fieldStr(c, 'cluster_id') ?? `cluster-${i}`,
      zone: zone ?? undefined,
      region: zone ? zoneRegion(zone) : undefined,
      storageType,
      minNodes,
      maxNodes,
      autoscaling: !!auto,
      sizedByStorage: !auto && fixed === undefined,
      cpuTargetPercent: typeof cpuTarget === 'number' ? cpuTarget : latencyTarget,
      storageTargetGiB:
        typeof storageTarget === 'number' ? storageTarget : ctx.data.perf(STORAGE_TARGET_ID[storageType]).value,
    };
  });
});

/** Shortest max-age among a table's GC policies (rules of a union delete at the earliest); read by the hot-store load and retention. */
export const maxAgeOf = oncePerResource(function maxAgeOf(ctx: AnalysisContext, table: Resource): Maybe<number> {
  let best: number | undefined;
  for (const policy of ctx.topology.gcPoliciesOf(table)) {
    for (const age of policyMaxAges(policy)) {
      if (age === null) return null;
      if (best === undefined || age < best) best = age;
    }
  }
  return best;
});

function policyMaxAges(policy: Resource): (number | null)[] {
  const ages: (number | null)[] = [];
  for (const block of asList(readAttr(policy, 'max_age'))) {
    const rec = asRecord(block);
    if (!rec) {
      if (isPending(block)) ages.push(null);
      continue;
    }
    const duration = durationSeconds(rec.duration);
    const days = fieldNum(rec, 'days');
    if (duration === null || days === null) ages.push(null);
    else if (duration !== undefined) ages.push(duration);
    else if (days !== undefined) ages.push(days * SECONDS_PER_DAY);
  }
  const rules = readAttr(policy, 'gc_rules');
  if (isPending(rules)) ages.push(null);
  else if (typeof asString(rules) === 'string') {
    for (const m of (rules as string).matchAll(/"max_age"\s*:\s*"([^"]+)"/g)) ages.push(durationSeconds(m[1]) ?? null);
  }
  return ages;
}

const AGGREGATE_NAME = /agg/i;

export const hotStoreLoad = oncePerResource(function hotStoreLoad(ctx: AnalysisContext, instance: Resource): HotStoreLoad {
  const t = ctx.traffic;
  const override = ctx.usageOf(instance.address).rowsPerEvent;
  const snapshots = fleetSnapshotWriters(ctx);
  const loads: TableLoad[] = [];
  for (const table of ctx.topology.tablesOf(instance)) {
    const age = maxAgeOf(ctx, table) ?? undefined;
    // Each processor instance writing snapshots here rewrites one row per interval, whatever the event rate.
    let rows = 0;
    let peak = 0;
    let storedRows = 0;
    let writers = 0;
    for (const x of snapshots) {
      if (x.table !== table) continue;
      writers++;
      rows += x.instances / x.intervalSeconds;
      peak += x.maxInstances / x.intervalSeconds;
      storedRows += x.maxInstances;
    }
    if (writers > 0) {
      loads.push({ table, role: 'metrics', averageRowsPerSecond: rows, burstRowsPerSecond: peak, maxAgeSeconds: age, storedRows });
      continue;
    }
    // An aggregate table (by its name) holds a row per device and window, the others a row per event.
    const valuesName = asString(table.values.name as AttrValue);
    const aggregate = AGGREGATE_NAME.test(table.name) || (valuesName !== undefined && AGGREGATE_NAME.test(valuesName));
    loads.push({
      table,
      role: aggregate ? 'aggregate' : 'raw',
      averageRowsPerSecond: aggregate ? aggregateRowsPerSecond(ctx, t.averageEps) : t.averageEps,
      burstRowsPerSecond: aggregate ? aggregateRowsPerSecond(ctx, t.burstEps) : t.burstEps,
      maxAgeSeconds: age,
    });
  }
  let averageRowsPerSecond = 0;
  let burstRowsPerSecond = 0;
  if (override !== undefined) {
    // The tables share the overridden rate in their derived proportions, so stored bytes
    // (priced per table's max-age) follow the override as nodes and replication do.
    // Metrics tables write per processor instance, not per event: the override leaves them as derived.
    const perEvent = loads.filter((l) => l.role !== 'metrics');
    const metrics = loads.filter((l) => l.role === 'metrics');
    const derivedAvg = perEvent.reduce((s, l) => s + l.averageRowsPerSecond, 0);
    const derivedBurst = perEvent.reduce((s, l) => s + l.burstRowsPerSecond, 0);
    averageRowsPerSecond = t.averageEps * override + metrics.reduce((s, l) => s + l.averageRowsPerSecond, 0);
    burstRowsPerSecond = t.burstEps * override + metrics.reduce((s, l) => s + l.burstRowsPerSecond, 0);
    for (const l of perEvent) {
      l.averageRowsPerSecond = derivedAvg > 0 ? (l.averageRowsPerSecond / derivedAvg) * t.averageEps * override : (t.averageEps * override) / perEvent.length;
      l.burstRowsPerSecond = derivedBurst > 0 ? (l.burstRowsPerSecond / derivedBurst) * t.burstEps * override : (t.burstEps * override) / perEvent.length;
    }
  } else if (loads.length > 0) {
    for (const l of loads) {
      averageRowsPerSecond += l.averageRowsPerSecond;
      burstRowsPerSecond += l.burstRowsPerSecond;
    }
  } else {
    // No tables in the graph: one row per event assumed.
    averageRowsPerSecond = t.averageEps;
    burstRowsPerSecond = t.burstEps;
  }
  return { instance, clusters: clustersOf(ctx, instance), tables: loads, averageRowsPerSecond, burstRowsPerSecond, rowBytes: t.eventBytes };
});

/** Rows/s of an aggregate table: a row per device and window, at most one per event. */
function aggregateRowsPerSecond(ctx: AnalysisContext, eventsPerSecond: number): number {
  const w = ctx.spec.workload;
  return Math.min(eventsPerSecond, w.deviceCount / Math.max(1, w.aggregateWindowSeconds));
}

/**
 * Processor services writing fleet snapshots: the table their BIGTABLE_FLEET_TABLE names
 * (fleet-table.ts, as the live-figures path reads it), their instances and interval
 * (FLEET_METRICS_SECONDS; the default from latency.json when unset or not a positive number).
 */
const fleetSnapshotWriters = oncePerContext(function fleetSnapshotWriters(ctx: AnalysisContext): { service: string; table: Resource; instances: number; maxInstances: number; intervalSeconds: number }[] {
  const fallback = ctx.data.latencyFigure('processor.fleet-metrics-seconds-default').value;
  return ctx.topology.services('processor').flatMap((svc) => {
    const table = fleetTableOf(ctx, svc);
    if (typeof table === 'string') return [];
    const interval = fleetSnapshotSeconds(ctx, svc);
    const sizing = expectedInstances(ctx, serviceSizing(ctx, svc));
    const intervalSeconds = interval !== undefined && Number.isFinite(interval) && interval > 0 ? interval : fallback;
    return [{ service: svc.address, table, instances: sizing?.expected ?? 1, maxInstances: sizing?.max ?? sizing?.expected ?? 1, intervalSeconds }];
  });
});

/** Nodes a cluster needs to write `rowsPerSecond` with CPU at `targetPercent`. */
export function nodesNeeded(ctx: AnalysisContext, storageType: StorageType, rowsPerSecond: number, targetPercent: number): number {
  const perNode = ctx.data.perf(WRITE_ROWS_PER_NODE_ID[storageType]).value;
  return Math.max(1, Math.ceil(rowsPerSecond / ((perNode * targetPercent) / 100)));
}

export function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

/** Stored GiB in one cluster at a rate, for each table's max-age (or `fallbackSeconds` without one). */
export function storedGiB(ctx: AnalysisContext, load: HotStoreLoad, rate: 'average' | 'expected', extraSeconds: number, fallbackSeconds: number): number {
  const compression = ctx.data.perf('bigtable.compression-ratio').value;
  const tables = load.tables.length > 0 ? load.tables : [{ averageRowsPerSecond: load.averageRowsPerSecond, burstRowsPerSecond: load.burstRowsPerSecond, maxAgeSeconds: undefined }];
  let bytes = 0;
  for (const l of tables) {
    if ('storedRows' in l && l.storedRows !== undefined) {
      bytes += l.storedRows * load.rowBytes * compression;
      continue;
    }
    const age = (l.maxAgeSeconds ?? fallbackSeconds) + extraSeconds;
    bytes += rowsAt(ctx, rate, l) * load.rowBytes * age * compression;
  }
  return bytes / ctx.data.bytesPerGiB;
}

/** Rows/s at the average rate, or the month mean with bursts. */
function rowsAt(ctx: AnalysisContext, rate: 'average' | 'expected', l: { averageRowsPerSecond: number; burstRowsPerSecond: number }): number {
  return rate === 'average' ? l.averageRowsPerSecond : monthMean(ctx.traffic, l.averageRowsPerSecond, l.burstRowsPerSecond);
}
