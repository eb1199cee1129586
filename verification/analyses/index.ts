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

export function runAnalyses(input: AnalysisInput): AnalysisResults {
  const ctx = createContext(input);
  return {
    cost: analyseCost(ctx),
    latency: analyseLatency(ctx),
    capacity: analyseCapacity(ctx),
    availability: analyseAvailability(ctx),
    dr: analyseDr(ctx),
    retention: analyseRetention(ctx),
  };
}
