/**
 * A small stand-in for the verifier's models, so the advice and the search can be tested with
 * hand-checkable numbers independent of the real data files. Figures (stated once here):
 * - Bigtable node: $474.50/month (0.65 x 730 h); writes per node at 70% CPU: SSD 9,800, HDD 7,000;
 *   p99 write latency SSD 20 ms, HDD 200 ms, plus 30 ms for the rest of the path;
 *   capacity of the instance = the smallest cluster (every cluster takes every write):
 *   sustained at min nodes, burst at max nodes;
 * - expected cost bills min nodes; maximum bills max nodes;
 * - availability 0.9999 with clusters in >= 2 regions and multi-cluster routing, else 0.999;
 * - Dataflow: $50.37 per vCPU-month (0.069 x 730), priced at max_workers (100 when unbounded);
 * - no data loss: every subscription that code consumes has a dead-letter policy.
 */
import type { Graph } from '../../../../../verification/graph/types';
import type { Spec, SpecItemId } from '../../../../../verification/spec/spec';
import type { Status } from '../../../../../verification/engine/types';
import type { Evaluation, MetricSnapshot } from '../../../../../verification/advice/types';
import { bigtableClusters, multiClusterProfiles, num, ofType, str } from '../../../../../verification/advice/graph-query';
import { blocks } from '../../../../../verification/advice/graph-edit';
import { consumersOf } from '../../../../../verification/advice/patterns/roles';

export const NODE_USD = 474.5;
export const VCPU_USD = 50.37;
const WRITES = { SSD: 9800, HDD: 7000 } as Record<string, number>;
const P99 = { SSD: 20, HDD: 200 } as Record<string, number>;
const VCPUS: Record<string, number> = { 'n1-standard-1': 1, 'n1-standard-2': 2, 'n1-standard-4': 4, 'n1-standard-8': 8, 'n1-standard-16': 16 };

export function toyEvaluate(graph: Graph, spec: Spec): Evaluation {
  let minCost = 0;
  let maxCost = 0;
  let sustained = Number.POSITIVE_INFINITY;
  let burst = Number.POSITIVE_INFINITY;
  let p99 = 30;
  let availability = 1;
  for (const inst of ofType(graph, 'google_bigtable_instance')) {
    const clusters = bigtableClusters(inst);
    let worst = 0;
    for (const c of clusters) {
      const min = c.minNodes ?? c.numNodes ?? 1;
      const max = c.maxNodes ?? c.numNodes ?? 1;
      minCost += min * NODE_USD;
      maxCost += max * NODE_USD;
      sustained = Math.min(sustained, min * WRITES[c.storageType]);
      burst = Math.min(burst, max * WRITES[c.storageType]);
      worst = Math.max(worst, P99[c.storageType]);
    }
    p99 += worst;
    const regions = new Set(clusters.map((c) => c.region));
    availability = Math.min(availability, regions.size >= 2 && multiClusterProfiles(graph, inst).length > 0 ? 0.9999 : 0.999);
  }
  for (const job of ofType(graph, 'google_dataflow_job')) {
    const workers = num(job.values.max_workers) ?? 100;
    const usd = workers * (VCPUS[str(job.values.machine_type) ?? 'n1-standard-1'] ?? 1) * VCPU_USD;
    minCost += usd;
    maxCost += usd;
  }
  const noLoss = ofType(graph, 'google_pubsub_subscription').every((s) => consumersOf(graph, s).length === 0 || blocks(s.values, 'dead_letter_policy').length > 0);
  const c = spec.constraints;
  const status = (ok: boolean): Status => (ok ? 'pass' : 'fail');
  const items: Partial<Record<SpecItemId, Status>> = {
    throughput_sustained: status(sustained >= c.sustainedEventsPerSecond),
    throughput_burst: status(burst >= c.burstEventsPerSecond),
    latency_p99: status(p99 <= c.latencyP99Ms),
    monthly_cost: status(maxCost <= c.monthlyBudgetUsd),
    availability: status(availability >= c.availability),
    no_data_loss: status(noLoss),
  };
  const metrics: MetricSnapshot = {
    monthlyUsdExpected: minCost, monthlyUsdMax: maxCost, latencyP50Ms: null, latencyP99Ms: p99, dashboardFreshnessP99Ms: null,
    batchJobMinutes: null, sustainedEventsPerSecond: sustained, burstEventsPerSecond: burst, availability, rpoMinutes: null, rtoMinutes: null, retentionDays: null,
  };
  const failing = (Object.entries(items) as [SpecItemId, Status][]).filter(([, s]) => s !== 'pass');
  return {
    verdict: failing.length === 0 ? 'pass' : 'fail',
    items,
    summaries: {},
    objectiveUsd: minCost,
    monthlyUsd: { min: minCost, expected: minCost, max: maxCost },
    metrics,
    failingRules: failing.map(([i]) => `${i}:toy@`),
  };
}
