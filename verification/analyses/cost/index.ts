/**
 * Monthly cost per resource and in total. Every managed resource is priced by its type's
 * model, priced at $0 explicitly when the data files name its type free (with the source),
 * or reported unpriced, which blocks a pass. Resources the plan destroys are not priced.
 * Usage a resource causes elsewhere is priced after: inter-region transfer, the serving
 * layer's BigQuery queries and Cloud Logging ingestion.
 */
import type { CostLine, CostResult, Range } from '../../engine/types';
import type { AnalysisContext } from '../context';
import { bigqueryDatasetReplicaModel } from './bigquery-dataset-replica';
import { bigqueryScheduledQueryModel } from './bigquery-scheduled-query';
import { bigqueryServingQueries } from './bigquery-serving-queries';
import { bigqueryTableModel } from './bigquery-table';
import { bigtableInstanceModel } from './bigtable-instance';
import { cloudLogging } from './cloud-logging';
import { cloudRunServiceModel } from './cloud-run-service';
import { dataflowJobModel } from './dataflow-job';
import { interRegionTransfer } from './inter-region-transfer';
import { monitoringMetricModel } from './monitoring-metric';
import { pubsubSubscriptionModel } from './pubsub-subscription';
import { pubsubTopicModel } from './pubsub-topic';
import { secretVersionModel } from './secret-manager';
import { storageBucketModel } from './storage-bucket';
import { addRanges, costLine, flat, type CostState, type PriceModel } from './types';
import { usageWarnings } from '../usage';

export const PRICE_MODELS: readonly PriceModel[] = [
  pubsubTopicModel,
  pubsubSubscriptionModel,
  bigtableInstanceModel,
  dataflowJobModel,
  bigqueryTableModel,
  bigqueryScheduledQueryModel,
  bigqueryDatasetReplicaModel,
  cloudRunServiceModel,
  storageBucketModel,
  secretVersionModel,
  monitoringMetricModel,
];

const MODEL_BY_TYPE = new Map<string, PriceModel>(PRICE_MODELS.flatMap((m) => m.types.map((t) => [t, m] as const)));

export function analyseCost(ctx: AnalysisContext): CostResult {
  const lines: CostLine[] = [];
  const unpriced: CostResult['unpriced'] = [];
  const warnings: string[] = [];
  const state: CostState = { freeTierUsed: new Set(), tierUsage: new Map() };
  for (const r of ctx.graph.resources) {
    if (r.mode !== 'managed') continue;
    const model = MODEL_BY_TYPE.get(r.type);
    if (model) {
      const outcome = model.price(r, ctx, state);
      lines.push(...outcome.lines);
      for (const reason of outcome.unpriced ?? []) unpriced.push({ address: r.address, type: r.type, reason });
      warnings.push(...(outcome.warnings ?? []));
      continue;
    }
    const free = ctx.data.freeType(r.type);
    if (free) {
      lines.push(costLine(ctx, r, 'no charge', flat(0), free.reason, [free]));
      continue;
    }
    unpriced.push({ address: r.address, type: r.type, reason: `no price model for ${r.type}` });
  }
  warnings.push(...usageWarnings(ctx.usage, (address) => ctx.graph.byAddress.get(address)?.type));
  const transfer = interRegionTransfer(ctx);
  lines.push(...transfer.lines);
  for (const reason of transfer.unpriced) unpriced.push({ address: '(network)', type: 'inter-region transfer', reason });
  // Usage billed to services other than the resource's own type: serving queries and logs.
  const typeOf = (address: string) => ctx.graph.byAddress.get(address)?.type ?? 'unknown';
  const serving = bigqueryServingQueries(ctx, state);
  lines.push(...serving.lines);
  warnings.push(...serving.warnings);
  for (const u of serving.unpriced) unpriced.push({ address: u.address, type: typeOf(u.address), reason: u.reason });
  const logging = cloudLogging(ctx, state);
  lines.push(...logging.lines);
  for (const u of logging.unpriced) unpriced.push({ address: u.address, type: typeOf(u.address), reason: u.reason });
  const monthlyUsd = lines.reduce<Range>((sum, l) => addRanges(sum, l.monthlyUsd), flat(0));
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    monthlyUsd: { min: round(monthlyUsd.min), expected: round(monthlyUsd.expected), max: round(monthlyUsd.max) },
    lines,
    unpriced,
    warnings,
  };
}
