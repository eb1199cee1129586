/**
 * The advice stage: patterns and anti-patterns found in the graph, what-if recommendations for
 * every open spec item (each re-verified on the changed graph), and optionally the cheapest
 * sizing that meets the whole spec. Runs after the verdict and never changes it.
 */
import { verifyGraph, type VerifyGraphOptions } from '../engine/verify';
import type { VerificationReport } from '../engine/types';
import type { Graph } from '../graph/types';
import type { Spec } from '../spec/spec';
import { evaluationFromReport, evaluatorFromVerify } from './evaluation';
import { detectPatterns } from './patterns';
import { synthesize, type SynthesizeOptions } from './synthesis/synthesize';
import type { AdviceResult, Evaluator } from './types';
import { Advisor, type AdviseOptions } from './whatif/advise';

export type { AdviceResult } from './types';

export interface AdviseReportOptions {
  /** Search the sizing space for the cheapest passing configuration (slower: many re-verifications). */
  synthesize?: boolean;
  /** Options the report was verified with (waivers, date, usage), so every what-if is judged alike. */
  verifyOptions?: VerifyGraphOptions;
  /** Replaces the engine as the judge of edited graphs (tests). */
  evaluate?: Evaluator;
  advise?: AdviseOptions;
  synthesis?: SynthesizeOptions;
}

export function adviseReport(graph: Graph, spec: Spec, report: VerificationReport, options: AdviseReportOptions = {}): AdviceResult {
  const evaluate = options.evaluate ?? evaluatorFromVerify((g, s) => verifyGraph(g, s, options.verifyOptions ?? {}));
  const patterns = detectPatterns({ graph, spec, report });
  const before = evaluationFromReport(report);
  const advice = new Advisor(evaluate, options.advise).advise(graph, spec, before);
  const result: AdviceResult = { patterns, recommendations: advice.recommendations, unfixed: advice.unfixed };
  if (options.synthesize) result.synthesis = synthesize(graph, spec, evaluate, options.synthesis).result;
  return result;
}

/** The report with its advice fields filled. */
export function withAdvice(graph: Graph, spec: Spec, report: VerificationReport, options: AdviseReportOptions = {}): VerificationReport {
  const advice = adviseReport(graph, spec, report, options);
  return {
    ...report,
    patterns: advice.patterns,
    recommendations: advice.recommendations,
    unfixed: advice.unfixed,
    ...(advice.synthesis ? { synthesis: advice.synthesis } : {}),
  };
}
