/**
 * Data crossing regions on the event path outside Bigtable replication (priced on the
 * instance): the archive job writing into a BigQuery location on another continent, and a
 * processor writing to a hot store with no cluster in its region.
 */
import type { CostLine } from '../../engine/types';
import type { AnalysisContext } from '../context';
import { tableLoad } from '../cold-store';
import { hotStoreLoad } from '../hot-store';
import { monthMean } from '../traffic';
import { costLine, fmt, range, usd } from './types';
import { transferRate } from './transfer-rate';

export function interRegionTransfer(ctx: AnalysisContext): { lines: CostLine[]; unpriced: string[] } {
  const lines: CostLine[] = [];
  const unpriced: string[] = [];
  const t = ctx.traffic;
  const gib = (eps: number, bytes: number) => (eps * bytes * t.secondsPerMonth) / ctx.data.bytesPerGiB;
  for (const table of ctx.topology.bigQueryTables) {
    const load = tableLoad(ctx, table);
    if (load.role !== 'archive' || !load.writer || load.writer.type === 'google_pubsub_subscription') continue;
    const from = load.writer.region;
    const to = load.location;
    if (!from || !to) continue;
    const rate = transferRate(ctx, 'network.inter-region', from, to);
    if (rate.kind === 'unpriced') {
      unpriced.push(`${load.writer.address} -> ${table.address}: ${rate.reason}`);
      continue;
    }
    if (rate.kind === 'none') continue;
    const price = rate.price;
    lines.push(
      costLine(
        ctx,
        load.writer,
        `transfer ${from} -> ${to}`,
        range(gib(t.averageEps, t.eventBytes) * price.value, gib(t.expectedEps, t.eventBytes) * price.value, gib(t.expectedEps, t.eventBytes) * price.value),
        `${fmt(t.expectedEps, 1)} events/s x ${t.eventBytes} B x ${t.secondsPerMonth} s = ${fmt(gib(t.expectedEps, t.eventBytes))} GiB/month x ${usd(price.value)}/GiB (${rate.label})`,
        [price],
        from,
      ),
    );
  }
  for (const instance of ctx.topology.bigtableInstances) {
    const load = hotStoreLoad(ctx, instance);
    const regions = load.clusters.map((c) => c.region).filter((r): r is string => !!r);
    for (const p of ctx.topology.services('processor')) {
      if (!p.region || regions.length === 0 || regions.includes(p.region) || !ctx.topology.refersTo(p, instance)) continue;
      const target = regions[0];
      const rate = transferRate(ctx, 'network.inter-region', p.region, target);
      if (rate.kind === 'unpriced') {
        unpriced.push(`${p.address} -> ${instance.address}: ${rate.reason}`);
        continue;
      }
      if (rate.kind === 'none') continue;
      const price = rate.price;
      const rows = monthMean(t, load.averageRowsPerSecond, load.burstRowsPerSecond);
      lines.push(
        costLine(
          ctx,
          p,
          `writes ${p.region} -> ${target}`,
          range(gib(load.averageRowsPerSecond, load.rowBytes) * price.value, gib(rows, load.rowBytes) * price.value, gib(rows, load.rowBytes) * price.value),
          `${fmt(rows, 0)} rows/s x ${load.rowBytes} B cross-region = ${fmt(gib(rows, load.rowBytes))} GiB/month x ${usd(price.value)}/GiB (${rate.label})`,
          [price],
          p.region,
        ),
      );
    }
  }
  return { lines, unpriced };
}
