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

export function interRegionTransfer(ctx: AnalysisContext): { lines: CostLine[]; unpriced: string[] } {
  const lines: CostLine[] = [];
  const unpriced: string[] = [];
  const t = ctx.traffic;
  const gib = (eps: number, bytes: number) => (eps * bytes * t.secondsPerMonth) / ctx.data.bytesPerGiB;
  const classOf = (a: string, b: string) => {
    const ca = ctx.data.continent(a);
    const cb = ctx.data.continent(b);
    if (!ca || !cb) return undefined;
    if (ca === cb) return a === b || (a.toUpperCase() === a || b.toUpperCase() === b) ? 'none' : 'same-continent';
    return 'intercontinental';
  };
  for (const table of ctx.topology.bigQueryTables) {
    const load = tableLoad(ctx, table);
    if (load.role !== 'archive' || !load.writer || load.writer.type === 'google_pubsub_subscription') continue;
    const from = load.writer.region;
    const to = load.location;
    if (!from || !to) continue;
    const cls = classOf(from, to);
    if (cls === undefined) {
      unpriced.push(`${load.writer.address} -> ${table.address}: continent of ${from} or ${to} unknown, transfer unpriced`);
      continue;
    }
    if (cls === 'none') continue;
    const price = ctx.data.price(`network.inter-region.${cls}`, '*')!;
    lines.push(
      costLine(ctx, load.writer, `transfer ${from} -> ${to}`, range(gib(t.averageEps, t.eventBytes) * price.value, gib(t.expectedEps, t.eventBytes) * price.value, gib(t.expectedEps, t.eventBytes) * price.value), `${fmt(gib(t.expectedEps, t.eventBytes))} GiB/month x ${usd(price.value)}/GiB`, [price], from),
    );
  }
  for (const instance of ctx.topology.bigtableInstances) {
    const load = hotStoreLoad(ctx, instance);
    const regions = load.clusters.map((c) => c.region).filter((r): r is string => !!r);
    for (const p of ctx.topology.services('processor')) {
      if (!p.region || regions.length === 0 || regions.includes(p.region) || !ctx.topology.refersTo(p, instance)) continue;
      const target = regions[0];
      const cls = classOf(p.region, target);
      if (cls === undefined || cls === 'none') continue;
      const price = ctx.data.price(`network.inter-region.${cls}`, '*')!;
      const rows = monthMean(t, load.averageRowsPerSecond, load.burstRowsPerSecond);
      lines.push(
        costLine(ctx, p, `writes ${p.region} -> ${target}`, range(gib(load.averageRowsPerSecond, load.rowBytes) * price.value, gib(rows, load.rowBytes) * price.value, gib(rows, load.rowBytes) * price.value), `${fmt(rows, 0)} rows/s x ${load.rowBytes} B cross-region x ${usd(price.value)}/GiB`, [price], p.region),
      );
    }
  }
  return { lines, unpriced };
}
