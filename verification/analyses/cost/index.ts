/**
 * Monthly cost per resource and in total. Every managed resource is priced by its type's
 * model, priced at $0 explicitly when the data files name its type free (with the source),
 * or reported unpriced, which blocks a pass. Resources the plan destroys are not priced.
 * Usage a resource causes elsewhere is priced after: inter-region transfer, the serving
 * layer's BigQuery queries and Cloud Logging ingestion.
 */
import type { CostResult } from '../../engine/types';
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
import { noChargeLine, roundToCents, type CostFindings, type CostState, type PriceModel, type PriceOutput } from './types';
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
  const result: CostFindings = { lines: [], unpriced: [], warnings: [] };
  const state: CostState = { freeTierUsed: new Set(), tierUsage: new Map() };
  // One output for every model: lines and warnings land in the result, unpriced reasons are
  // filed under the resource after its model ran.
  const out: PriceOutput = { lines: result.lines, unpriced: [], warnings: result.warnings };
  for (const r of ctx.graph.resources) {
    if (r.mode !== 'managed') continue;
    const model = MODEL_BY_TYPE.get(r.type);
    if (model) {
      model.price(r, ctx, state, out);
      if (out.unpriced.length > 0) {
        for (const reason of out.unpriced) result.unpriced.push({ address: r.address, type: r.type, reason });
        out.unpriced.length = 0;
      }
      continue;
    }
    const free = ctx.data.freeType(r.type);
    if (free) {
      result.lines.push(noChargeLine(ctx, r, free));
      continue;
    }
    result.unpriced.push({ address: r.address, type: r.type, reason: `no price model for ${r.type}` });
  }
  result.warnings.push(...usageWarnings(ctx.usage, (address) => ctx.graph.byAddress.get(address)?.type));
  interRegionTransfer(ctx, result);
  // Usage billed to services other than the resource's own type: serving queries and logs.
  bigqueryServingQueries(ctx, state, result);
  cloudLogging(ctx, state, result);
  let min = 0;
  let expected = 0;
  let max = 0;
  for (const l of result.lines) {
    min += l.monthlyUsd.min;
    expected += l.monthlyUsd.expected;
    max += l.monthlyUsd.max;
  }
  return {
    monthlyUsd: { min: roundToCents(min), expected: roundToCents(expected), max: roundToCents(max) },
    lines: result.lines,
    unpriced: result.unpriced,
    warnings: result.warnings,
  };
}
