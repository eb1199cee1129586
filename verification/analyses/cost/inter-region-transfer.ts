/**
 * Data crossing regions on the event path outside Bigtable replication (priced on the
 * instance): the archive job writing into a BigQuery location on another continent, and a
 * processor writing to a hot store with no cluster in its region.
 */
import type { AnalysisContext } from '../context';
import { tableLoad } from '../cold-store';
import { hotStoreLoad } from '../hot-store';
import { monthMean } from '../traffic';
import { costLine, fmt, range, unitPrice, type CostFindings } from './types';
import { transferRate } from './transfer-rate';

/** Unpriced transfer is filed under the network, not a resource. */
function unpriced(findings: CostFindings, reason: string): void {
  findings.unpriced.push({ address: '(network)', type: 'inter-region transfer', reason });
}

export function interRegionTransfer(ctx: AnalysisContext, findings: CostFindings): void {
  const t = ctx.traffic;
  for (const table of ctx.topology.bigQueryTables) {
    const load = tableLoad(ctx, table);
    if (load.role !== 'archive' || !load.writer || load.writer.type === 'google_pubsub_subscription') continue;
    const from = load.writer.region;
    const to = load.location;
    if (!from || !to) continue;
    const rate = transferRate(ctx, 'network.inter-region', from, to);
    if (rate.kind === 'unpriced') {
      unpriced(findings, `${load.writer.address} -> ${table.address}: ${rate.reason}`);
      continue;
    }
    if (rate.kind === 'none') continue;
    const price = rate.price;
    const gibAvg = gibPerMonth(ctx, t.averageEps, t.eventBytes);
    const gibExp = gibPerMonth(ctx, t.expectedEps, t.eventBytes);
    findings.lines.push(
      costLine(
        ctx,
        load.writer,
        `transfer ${from} -> ${to}`,
        range(gibAvg * price.value, gibExp * price.value, gibExp * price.value),
        `${fmt(t.expectedEps, 1)} events/s x ${t.eventBytes} B x ${t.secondsPerMonth} s = ${fmt(gibExp)} GiB/month x ${unitPrice(price)}/GiB (${rate.label})`,
        [price],
        from,
      ),
    );
  }
  for (const instance of ctx.topology.bigtableInstances) {
    const load = hotStoreLoad(ctx, instance);
    // Writes go to the first cluster with a known region when none is in the processor's.
    const target = load.clusters.find((c) => c.region)?.region;
    if (target === undefined) continue;
    for (const p of ctx.topology.services('processor')) {
      if (!p.region || load.clusters.some((c) => c.region === p.region) || !ctx.topology.refersTo(p, instance)) continue;
      const rate = transferRate(ctx, 'network.inter-region', p.region, target);
      if (rate.kind === 'unpriced') {
        unpriced(findings, `${p.address} -> ${instance.address}: ${rate.reason}`);
        continue;
      }
      if (rate.kind === 'none') continue;
      const price = rate.price;
      const rows = monthMean(t, load.averageRowsPerSecond, load.burstRowsPerSecond);
      const gibAvg = gibPerMonth(ctx, load.averageRowsPerSecond, load.rowBytes);
      const gibExp = gibPerMonth(ctx, rows, load.rowBytes);
      findings.lines.push(
        costLine(
          ctx,
          p,
          `writes ${p.region} -> ${target}`,
          range(gibAvg * price.value, gibExp * price.value, gibExp * price.value),
          `${fmt(rows, 0)} rows/s x ${load.rowBytes} B cross-region = ${fmt(gibExp)} GiB/month x ${unitPrice(price)}/GiB (${rate.label})`,
          [price],
          p.region,
        ),
      );
    }
  }
}

/** GiB a month of a rate of records of a size. */
function gibPerMonth(ctx: AnalysisContext, perSecond: number, bytes: number): number {
  return (perSecond * bytes * ctx.traffic.secondsPerMonth) / ctx.data.bytesPerGiB;
}
