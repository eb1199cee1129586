/**
 * google_bigtable_instance: per cluster, node-hours (fixed, or autoscaling between its
 * bounds at the CPU target), storage by type growing to each table's GC max-age (GC is
 * eventual, so the maximum adds the collection lag), replication traffic between regions
 * (every write is applied in every cluster), and backup storage of tables with an
 * automated backup policy.
 */
import { SECONDS_PER_DAY } from '../../data';
import { blocks, durationSeconds, field, unsetOr } from '../attributes';
import type { AnalysisContext } from '../context';
import { clamp, hotStoreLoad, nodesNeeded, storedGiB, WRITE_ROWS_PER_NODE_ID, type ClusterInfo, type HotStoreLoad } from '../hot-store';
import { monthMean } from '../traffic';
import { costLine, fmt, needPrice, range, unitPrice, type PriceModel, type PriceOutput } from './types';
import { transferRate } from './transfer-rate';
import type { Resource } from '../../graph/types';

export const bigtableInstanceModel: PriceModel = {
  types: ['google_bigtable_instance'],
  price(instance, ctx, _state, out) {
    const load = hotStoreLoad(ctx, instance);
    if (load.clusters.length === 0) return void out.unpriced.push(`${instance.address}: no cluster block (or clusters pending), so nodes cannot be priced`);
    const retentionFallback = ctx.spec.constraints.retentionDays * SECONDS_PER_DAY;
    const gcLag = ctx.data.limit('bigtable.gc-eventual-days');
    for (const l of load.tables) {
      if (l.maxAgeSeconds === undefined && l.storedRows === undefined) {
        out.warnings.push(
          `${l.table.address}: no GC max-age, so stored data grows without bound; storage priced at the spec retention of ${ctx.spec.constraints.retentionDays} days`,
        );
      }
    }
    // storageGiB in the usage file: what one cluster holds (every cluster holds a full copy).
    const storedOverride = ctx.usageOf(instance.address).storageGiB;
    const storedAvg = storedOverride ?? storedGiB(ctx, load, 'average', 0, retentionFallback);
    const storedExp = storedOverride ?? storedGiB(ctx, load, 'expected', 0, retentionFallback);
    const storedMax = storedOverride ?? storedGiB(ctx, load, 'expected', gcLag.value * SECONDS_PER_DAY, retentionFallback);
    const stored: StoredGiB = { storedAvg, storedExp, storedMax, gcLag: gcLag.value, fromUsage: storedOverride !== undefined };
    for (const c of load.clusters) priceCluster(ctx, instance, load, c, stored, out);
    priceReplication(ctx, instance, load, out);
    priceBackups(ctx, instance, load, out);
  },
};

/** GiB one cluster holds (every cluster holds a full copy). */
interface StoredGiB {
  storedAvg: number;
  storedExp: number;
  storedMax: number;
  gcLag: number;
  fromUsage: boolean;
}

const STORAGE_PRICE_ID = { SSD: 'bigtable.storage-ssd', HDD: 'bigtable.storage-hdd' } as const;

/** Nodes Bigtable allocates by data footprint: at least the minimum. */
function nodesByStorage(c: ClusterInfo, gib: number): number {
  return Math.max(c.minNodes!, Math.ceil(gib / c.storageTargetGiB));
}

function priceCluster(ctx: AnalysisContext, instance: Resource, load: HotStoreLoad, c: ClusterInfo, stored: StoredGiB, out: PriceOutput): void {
  const what = `${instance.address} cluster ${c.id}`;
  if (c.minNodes === null || c.maxNodes === null) {
    out.unpriced.push(`${what}: node count or autoscaling bounds are pending`);
    return;
  }
  const nodePrice = needPrice(ctx, 'bigtable.node-hour', c.region, what);
  const storagePrice = needPrice(ctx, STORAGE_PRICE_ID[c.storageType], c.region, what);
  if (typeof nodePrice === 'string') out.unpriced.push(nodePrice);
  if (typeof storagePrice === 'string') out.unpriced.push(storagePrice);
  const hours = ctx.data.hoursPerMonth;
  const perNode = ctx.data.perf(WRITE_ROWS_PER_NODE_ID[c.storageType]);
  if (typeof nodePrice !== 'string') {
    let nodes: { min: number; expected: number; max: number };
    let formula: string;
    if (!c.autoscaling && c.sizedByStorage) {
      // num_nodes unset: Bigtable sizes the cluster by data footprint (50% storage utilization).
      nodes = { min: nodesByStorage(c, stored.storedAvg), expected: nodesByStorage(c, stored.storedExp), max: nodesByStorage(c, stored.storedMax) };
      formula = `num_nodes unset: nodes by data footprint, max(${c.minNodes}, ${fmt(stored.storedExp)} GiB / ${fmt(c.storageTargetGiB)} GiB per node) = ${nodes.expected} ${c.storageType} nodes x ${hours} h x ${unitPrice(nodePrice)}/node-hour`;
    } else if (!c.autoscaling) {
      nodes = { min: c.minNodes, expected: c.minNodes, max: c.minNodes };
      formula = `${c.minNodes} fixed ${c.storageType} nodes x ${hours} h x ${unitPrice(nodePrice)}/node-hour`;
    } else {
      const byStorage = Math.ceil(stored.storedExp / c.storageTargetGiB);
      const atAvg = clamp(Math.max(nodesNeeded(ctx, c.storageType, load.averageRowsPerSecond, c.cpuTargetPercent), byStorage), c.minNodes, c.maxNodes);
      const atBurst = clamp(Math.max(nodesNeeded(ctx, c.storageType, load.burstRowsPerSecond, c.cpuTargetPercent), byStorage), c.minNodes, c.maxNodes);
      nodes = { min: c.minNodes, expected: monthMean(ctx.traffic, atAvg, atBurst), max: c.maxNodes };
      formula =
        `autoscaling ${c.minNodes}..${c.maxNodes} ${c.storageType} nodes at ${c.cpuTargetPercent}% CPU: ` +
        `${fmt(load.averageRowsPerSecond, 0)} rows/s / (${perNode.value} x ${c.cpuTargetPercent}%) -> ${atAvg} nodes, bursts ${fmt(load.burstRowsPerSecond, 0)} rows/s -> ${atBurst}; ` +
        `expected ${fmt(nodes.expected)} nodes x ${hours} h x ${unitPrice(nodePrice)}/node-hour`;
    }
    out.lines.push(
      costLine(
        ctx,
        instance,
        `nodes (${c.id})`,
        range(nodes.min * hours * nodePrice.value, nodes.expected * hours * nodePrice.value, nodes.max * hours * nodePrice.value),
        formula,
        [nodePrice, perNode],
        c.region,
      ),
    );
  }
  if (typeof storagePrice !== 'string') {
    out.lines.push(
      costLine(
        ctx,
        instance,
        `${c.storageType} storage (${c.id})`,
        range(stored.storedAvg * storagePrice.value, stored.storedExp * storagePrice.value, stored.storedMax * storagePrice.value),
        stored.fromUsage
          ? `usage file: ${fmt(stored.storedExp)} GiB per cluster x ${unitPrice(storagePrice)}/GiB-month`
          : load.tables.length === 0
            ? `no table of the instance in the graph: the instance's writes held for the spec retention of ${ctx.spec.constraints.retentionDays} days, ${fmt(stored.storedExp)} GiB (up to ${fmt(stored.storedMax)} GiB: GC may lag ${stored.gcLag} days) x ${unitPrice(storagePrice)}/GiB-month`
            : `${fmt(stored.storedExp)} GiB held to each table's GC max-age (up to ${fmt(stored.storedMax)} GiB: GC may lag ${stored.gcLag} days) x ${unitPrice(storagePrice)}/GiB-month`,
        [storagePrice, ctx.data.perf('bigtable.compression-ratio')],
        c.region,
      ),
    );
  }
}

/** Writes land in the cluster nearest the processor and are replicated to every other cluster. */
function priceReplication(ctx: AnalysisContext, instance: Resource, load: HotStoreLoad, out: PriceOutput): void {
  if (load.clusters.length < 2) return;
  const processors = ctx.topology.services('processor');
  const origin = load.clusters.find((c) => c.region && processors.some((p) => p.region === c.region)) ?? load.clusters[0];
  if (!origin.region) {
    out.unpriced.push(`${instance.address}: cluster regions pending, replication traffic unknown`);
    return;
  }
  // Writes at the month-mean rate (bursts included), replicated to each other cluster.
  const rows = monthMean(ctx.traffic, load.averageRowsPerSecond, load.burstRowsPerSecond);
  const gAvg = (load.averageRowsPerSecond * load.rowBytes * ctx.traffic.secondsPerMonth) / ctx.data.bytesPerGiB;
  const gExp = (rows * load.rowBytes * ctx.traffic.secondsPerMonth) / ctx.data.bytesPerGiB;
  for (const c of load.clusters) {
    if (c === origin) continue;
    if (!c.region) {
      out.unpriced.push(`${instance.address} cluster ${c.id}: region pending, replication traffic unknown`);
      continue;
    }
    if (c.region === origin.region) {
      out.warnings.push(`${instance.address}: replication between ${origin.id} and ${c.id} stays in ${c.region}; intra-region replication has no price in the data files`);
      continue;
    }
    const rate = transferRate(ctx, 'network.inter-region', origin.region, c.region);
    if (rate.kind === 'unpriced') {
      out.unpriced.push(`${instance.address} replication ${origin.id} -> ${c.id}: ${rate.reason}`);
      continue;
    }
    if (rate.kind === 'none') continue;
    const price = rate.price;
    out.lines.push(
      costLine(
        ctx,
        instance,
        `replication ${origin.region} -> ${c.region}`,
        range(gAvg * price.value, gExp * price.value, gExp * price.value),
        `${fmt(rows, 0)} rows/s x ${load.rowBytes} B = ${fmt(gExp)} GiB/month x ${unitPrice(price)}/GiB (${rate.label})`,
        [price],
        origin.region,
      ),
    );
  }
}

/**
 * Automated table backups: Bigtable takes one a day (the policy's frequency) of the table on
 * every cluster of the instance and keeps each for the retention period
 * (https://cloud.google.com/bigtable/docs/managing-backups). Backups share physical storage
 * with the table and each other, and how shared storage is billed was not confirmed, so the
 * expected and maximum price every retained backup at the table's full size (conservative);
 * the minimum is one full copy per cluster.
 */
function priceBackups(ctx: AnalysisContext, instance: Resource, load: HotStoreLoad, out: PriceOutput): void {
  for (const l of load.tables) {
    const policy = blocks(l.table, 'automated_backup_policy')[0];
    if (!policy) continue;
    const retention = durationSeconds(field(policy, 'retention_period'));
    const frequency = unsetOr(durationSeconds(field(policy, 'frequency')), ctx.data.limit('bigtable.automated-backup-frequency-default-seconds').value);
    if (retention === null || frequency === null || retention === undefined) {
      out.unpriced.push(`${l.table.address}: automated backup retention or frequency pending`);
      continue;
    }
    const copies = Math.max(1, Math.floor(retention / frequency));
    const override = ctx.usageOf(l.table.address).backupStorageGiB;
    const perCopy = override ?? (monthMean(ctx.traffic, l.averageRowsPerSecond, l.burstRowsPerSecond) * load.rowBytes * (l.maxAgeSeconds ?? ctx.spec.constraints.retentionDays * SECONDS_PER_DAY)) / ctx.data.bytesPerGiB;
    const size = override !== undefined ? `usage file: ${fmt(perCopy)} GiB` : `${fmt(perCopy)} GiB (the table at its GC max-age)`;
    for (const c of load.clusters) {
      const price = needPrice(ctx, 'bigtable.backup-storage', c.region, `${l.table.address} backups in cluster ${c.id}`);
      if (typeof price === 'string') {
        out.unpriced.push(price);
        continue;
      }
      out.lines.push(
        costLine(
          ctx,
          l.table,
          `backup storage (${c.id})`,
          range(perCopy * price.value, perCopy * copies * price.value, perCopy * copies * price.value),
          `${copies} backups kept (${fmt(retention / SECONDS_PER_DAY)} d retention / one every ${fmt(frequency / SECONDS_PER_DAY)} d) x ${size} x ${unitPrice(price)}/GiB-month (each at full size; min: one copy, backups share storage)`,
          [price],
          c.region,
        ),
      );
    }
  }
}
