/**
 * The analyses stage: cost, latency, capacity, availability, DR and retention, each from
 * the sourced data files, on any Terraform graph. Usage comes from the spec's workload and
 * can be overridden per resource address (see ./usage).
 */
import type { AnalysisResults } from '../engine/types';
import { analyseAvailability } from './availability';
import { analyseCapacity } from './capacity';
import { createContext, type AnalysisInput } from './context';
import { analyseCost } from './cost';
import { analyseDr } from './dr';
import { analyseLatency } from './latency';
import { analyseRetention } from './retention';

export type { AnalysisInput } from './context';
export type { UsageOverrides } from './usage';
export { loadUsageFile, parseUsage } from './usage';

/**
 * Each analysis runs when first read and is kept: a caller that needs only the cost (a rule
 * checked on its own, a cost model's test, an advice step) does not pay for the latency Monte
 * Carlo. A full verification reads them all. The analyses share the context and nothing else,
 * so the order they run in does not change their figures.
 */
export function runAnalyses(input: AnalysisInput): AnalysisResults {
  const ctx = createContext(input);
  const stages: { [K in keyof AnalysisResults]: (c: typeof ctx) => AnalysisResults[K] } = {
    cost: analyseCost,
    latency: analyseLatency,
    capacity: analyseCapacity,
    availability: analyseAvailability,
    dr: analyseDr,
    retention: analyseRetention,
  };
  const results = {} as AnalysisResults;
  for (const key of Object.keys(stages) as (keyof AnalysisResults)[]) {
    Object.defineProperty(results, key, { enumerable: true, get: onFirstRead(() => stages[key](ctx)) });
  }
  return results;
}

/** A getter that computes once, when first read. (Returned unnamed: under tsx a named per-call closure costs a defineProperty.) */
function onFirstRead<T>(compute: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= compute());
}
