/**
 * google_monitoring_metric_descriptor (a custom metric): chargeable ingestion, tiered per
 * billing account: the first MiB are free, then $/MiB falls at each tier boundary. Tiers are
 * cumulative across every chargeable metric of the run (the next descriptor continues where
 * the previous stopped). The volume must come from the usage file: the graph does not say how
 * often the metric is written. Google's own service metrics (Cloud Run, Pub/Sub, Bigtable)
 * carry no charge and have no descriptor here.
 */
import type { AnalysisContext } from '../context';
import type { Price } from '../../data';
import { costLine, fmt, range, unitPrice, type PriceModel } from './types';

const TIER_USAGE_KEY = 'monitoring.metric-ingestion';

interface Tier {
  from: number;
  to: number;
  price: Price | undefined;
  /** The figures that place this tier (its boundaries), for the line's confidence. */
  bounds: Price[];
}

function tiers(ctx: AnalysisContext): Tier[] {
  const free = ctx.data.price('monitoring.metric-ingestion-free', '*')!;
  const t1 = ctx.data.price('monitoring.metric-ingestion', '*')!;
  const t2From = ctx.data.price('monitoring.metric-ingestion.tier2-above', '*')!;
  const t2 = ctx.data.price('monitoring.metric-ingestion.tier2', '*')!;
  const t3From = ctx.data.price('monitoring.metric-ingestion.tier3-above', '*')!;
  const t3 = ctx.data.price('monitoring.metric-ingestion.tier3', '*')!;
  return [
    { from: 0, to: free.value, price: undefined, bounds: [free] },
    { from: free.value, to: t2From.value, price: t1, bounds: [free, t2From] },
    { from: t2From.value, to: t3From.value, price: t2, bounds: [t2From, t3From] },
    { from: t3From.value, to: Infinity, price: t3, bounds: [t3From] },
  ];
}

export const monitoringMetricModel: PriceModel = {
  types: ['google_monitoring_metric_descriptor'],
  price(metric, ctx, state, out) {
    const mib = ctx.usageOf(metric.address).monthlyMetricMiB;
    if (mib === undefined) return void out.unpriced.push(`${metric.address}: custom metric volume unknown; set monthlyMetricMiB in the usage file`);
    const list = tiers(ctx);
    const before = state.tierUsage.get(TIER_USAGE_KEY) ?? 0;
    const after = before + mib;
    state.tierUsage.set(TIER_USAGE_KEY, after);
    let cost = 0;
    const parts: string[] = [];
    const used: Price[] = [];
    for (const t of list) {
      const inTier = Math.max(0, Math.min(after, t.to) - Math.max(before, t.from));
      if (inTier <= 0) continue;
      used.push(...t.bounds);
      if (!t.price) {
        parts.push(`${fmt(inTier)} MiB free`);
        continue;
      }
      cost += inTier * t.price.value;
      used.push(t.price);
      parts.push(`${fmt(inTier)} MiB x ${unitPrice(t.price)}`);
    }
    const where = before > 0 ? ` (MiB ${fmt(before)}..${fmt(after)} of the billing account's month)` : '';
    out.lines.push(costLine(ctx, metric, 'metric ingestion', range(cost, cost, cost), `${fmt(mib)} MiB/month${where}: ${parts.join(' + ')}`, used, 'global'));
  },
};
