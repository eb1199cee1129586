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
import type { AdviceBudget, AdviceResult, Evaluator, SynthesisResult } from './types';
import { Advisor, raiseBudgetHint, type AdviseOptions } from './whatif/advise';

export type { AdviceBudget, AdviceResult } from './types';

export interface AdviseReportOptions {
  /** Search the sizing space for the cheapest passing configuration (slower: many re-verifications). */
  synthesize?: boolean;
  /** Options the report was verified with (waivers, date, usage), so every what-if is judged alike. */
  verifyOptions?: VerifyGraphOptions;
  /** Replaces the engine as the judge of edited graphs (tests). */
  evaluate?: Evaluator;
  advise?: AdviseOptions;
  synthesis?: SynthesizeOptions;
  /**
   * The advice budget: re-verifications allowed (the deterministic limit; default 1000 for the
   * what-if search, 600 for the synthesis) and a wall-clock guard in ms over the whole advice
   * stage (default none). Overrides the same fields of `advise` / `synthesis`.
   */
  budget?: { maxEvaluations?: number; maxMillis?: number };
}

export function adviseReport(graph: Graph, spec: Spec, report: VerificationReport, options: AdviseReportOptions = {}): AdviceResult {
  const evaluate = options.evaluate ?? evaluatorFromVerify((g, s) => verifyGraph(g, s, options.verifyOptions ?? {}));
  const patterns = detectPatterns({ graph, spec, report });
  const before = evaluationFromReport(report);
  const budget = options.budget ?? {};
  const started = performance.now();
  const maxMillis = budget.maxMillis ?? options.advise?.maxMillis;
  const adviseOptions: AdviseOptions = {
    ...options.advise,
    ...(budget.maxEvaluations !== undefined ? { maxEvaluations: budget.maxEvaluations } : {}),
    ...(maxMillis !== undefined ? { maxMillis } : {}),
  };
  const advice = new Advisor(evaluate, adviseOptions).advise(graph, spec, before);
  const result: AdviceResult = { patterns, recommendations: advice.recommendations, unfixed: advice.unfixed, budget: advice.budget };
  if (options.synthesize) {
    const synthesis = synthesize(graph, spec, evaluate, {
      ...options.synthesis,
      ...(budget.maxEvaluations !== undefined ? { maxEvaluations: budget.maxEvaluations } : {}),
      // the time guard covers the whole advice stage: the synthesis gets what the what-if search left
      ...(maxMillis !== undefined ? { outOfTime: () => performance.now() - started >= maxMillis } : {}),
    }).result;
    result.synthesis = synthesis;
    if (synthesis.stopped) result.budget = withSynthesisCut(result.budget, synthesis);
  }
  return result;
}

/** The budget report once the synthesis was cut too. */
function withSynthesisCut(b: AdviceBudget, s: SynthesisResult): AdviceBudget {
  const what = `the sizing synthesis (stopped at ${s.searched} of ${s.spaceSize.toLocaleString('en-US')} configurations by the ${s.stopped === 'time' ? 'time guard' : 'evaluation limit'}: its answer is the best found, not proven cheapest)`;
  const notSearched = [...b.notSearched, what];
  const hint = raiseBudgetHint(b.maxEvaluations, b.maxMillis, s.stopped);
  return {
    ...b,
    exhausted: true,
    ...(b.stoppedBy ? {} : { stoppedBy: s.stopped, stoppedDuring: 'synthesis' }),
    notSearched,
    note: b.exhausted ? `${b.note.replace(/\.$/, '')}; also not finished: ${what}.` : `INCOMPLETE: not finished: ${what}; ${hint}.`,
  };
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
    adviceBudget: advice.budget,
  };
}
