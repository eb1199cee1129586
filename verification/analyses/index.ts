/**
 * PLACEHOLDER written by the verifier-core engineer so the engine runs end to end before the
 * analyses land: every figure is unknown (null) and every managed resource is unpriced, so
 * nothing can pass on it. The models engineer replaces this file with the real composition
 * (cost, latency, capacity, availability, DR, retention), keeping this signature.
 */
import type { Graph } from '../graph/types';
import type { AnalysisResults, ArchitectureModel } from '../engine/types';
import type { Spec } from '../spec/spec';
import type { UsageOverrides } from './usage';

export interface AnalysisInput {
  graph: Graph;
  model: ArchitectureModel;
  spec: Spec;
  usage?: UsageOverrides;
}

export function runAnalyses(input: AnalysisInput): AnalysisResults {
  const unknownPath = (name: string) => ({ name, hops: [], p50Ms: null, p99Ms: null, method: 'not computed', missing: ['latency model'] });
  return {
    cost: {
      monthlyUsd: { min: 0, expected: 0, max: 0 },
      lines: [],
      unpriced: input.graph.resources
        .filter((r) => r.mode === 'managed')
        .map((r) => ({ address: r.address, type: r.type, reason: 'no cost model yet' })),
      warnings: ['cost analysis not implemented yet'],
    },
    latency: { processing: unknownPath('processing'), dashboardFreshness: unknownPath('dashboard freshness'), batchJobMinutes: null, p50Ms: null, p99Ms: null },
    capacity: { components: [], sustainedEventsPerSecond: null, burstEventsPerSecond: null, bottleneck: null, burstAbsorbed: { absorbed: null, explanation: 'not computed' } },
    availability: { planes: [], note: 'not computed' },
    dr: { scenarios: [] },
    retention: { entries: [] },
  };
}
