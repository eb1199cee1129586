/**
 * google_monitoring_metric_descriptor (a custom metric): chargeable ingestion past the free
 * allotment. The volume must come from the usage file: the graph does not say how often the
 * metric is written.
 */
import { costLine, fmt, range, usd, type PriceModel } from './types';

export const monitoringMetricModel: PriceModel = {
  types: ['google_monitoring_metric_descriptor'],
  price(metric, ctx, state) {
    const mib = ctx.usageOf(metric.address).monthlyMetricMiB;
    if (mib === undefined) return { lines: [], unpriced: [`${metric.address}: custom metric volume unknown; set monthlyMetricMiB in the usage file`] };
    const price = ctx.data.price('monitoring.metric-ingestion', '*')!;
    const freeTier = ctx.data.price('monitoring.metric-ingestion-free', '*')!;
    const free = state.freeTierUsed.has(freeTier.id) ? 0 : freeTier.value;
    state.freeTierUsed.add(freeTier.id);
    const cost = Math.max(0, mib - free) * price.value;
    return { lines: [costLine(ctx, metric, 'metric ingestion', range(cost, cost, cost), `(${fmt(mib)} - ${free} free) MiB x ${usd(price.value)}/MiB`, [price, freeTier], 'global')] };
  },
};
