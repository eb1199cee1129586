/**
 * The advice stage: patterns and anti-patterns found in the graph, what-if recommendations for
 * every open spec item (each re-verified on the changed graph), and optionally the cheapest
 * sizing that meets the whole spec. Runs after the verdict and never changes it.
 */
import { verifyGraph, type VerifyGraphOptions } from '../engine/verify';
import type { VerificationReport } from '../engine/types';
import type { Graph } from '../graph/types';
import type { Spec } from '../spec/spec';
import { evaluationFromReport, evaluatorFromVerify, openItems } from './evaluation';
import { detectPatterns } from './patterns';
import { synthesize, type SynthesizeOptions } from './synthesis/synthesize';
import type { AdviceBudget, AdviceResult, Evaluation, Evaluator, Recommendation, SynthesisResult } from './types';
import { Advisor, effectOf, raiseBudgetHint, type AdviseOptions } from './whatif/advise';
import { summarise } from './whatif/describe';

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
  // The sizing synthesis runs first: when the design fails, its answer (the cheapest passing
  // configuration, as config edits) is the recommendation to apply, so the time guard must not
  // starve it behind the what-if search; the what-if search gets the time it leaves.
  let synthesis: ReturnType<typeof synthesize> | undefined;
  if (options.synthesize) {
    synthesis = synthesize(graph, spec, evaluate, {
      ...options.synthesis,
      ...(budget.maxEvaluations !== undefined ? { maxEvaluations: budget.maxEvaluations } : {}),
      ...(maxMillis !== undefined ? { outOfTime: () => performance.now() - started >= maxMillis } : {}),
    });
  }
  // one time guard over the stage: the what-if search's clock starts with the synthesis's
  const advice = new Advisor(evaluate, { ...adviseOptions, ...(synthesis && maxMillis !== undefined && adviseOptions.now === undefined ? { startedAt: started } : {}) }).advise(graph, spec, before);
  const result: AdviceResult = { patterns, recommendations: advice.recommendations, unfixed: advice.unfixed, budget: advice.budget };
  if (synthesis) {
    result.synthesis = synthesis.result;
    const sizing = sizingRecommendation(before, synthesis.result, synthesis.evaluation);
    if (sizing) {
      result.recommendations = [sizing, ...result.recommendations];
      // an item the synthesized sizing fixes has a fix
      result.unfixed = result.unfixed.filter((u) => !sizing.fixes.includes(u.item));
    }
    if (synthesis.result.stopped) result.budget = withSynthesisCut(result.budget, synthesis.result);
  }
  return result;
}

/**
 * The synthesized sizing as the recommendation to apply: when the design fails and the synthesis
 * found a configuration that passes, its config diff (every entry a config field) with the
 * effect the models measured on it.
 */
function sizingRecommendation(before: Evaluation, s: SynthesisResult, after: Evaluation | undefined): Recommendation | undefined {
  if (before.verdict === 'pass' || !s.passes || after === undefined || s.changes.length === 0) return undefined;
  const open = openItems(before);
  const effect = effectOf(before, after, open);
  const fixes = open.filter((i) => effect.items.find((x) => x.item === i)?.after === 'pass' || effect.items.find((x) => x.item === i)?.after === 'waived');
  const description = `the synthesized sizing (${s.diff.length} config edit${s.diff.length === 1 ? '' : 's'}, the cheapest passing configuration found${s.stopped ? ', not proven cheapest' : ''})`;
  return {
    change: s.changes[0],
    changes: s.changes,
    fixes,
    improves: [],
    summary: summarise(description, open, effect),
    effect,
    scope: 'sizing',
    config: s.diff.map((d) => ({ ...d })),
    configComplete: true,
  };
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
