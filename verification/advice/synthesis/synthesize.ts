/**
 * Sizing synthesis: the cheapest configuration of the sizing space that meets every
 * constraint, found by exact branch and bound (search.ts) with every candidate judged by the
 * models on the edited graph, and printed as a diff of environment config values. When no
 * configuration passes, it says which constraints conflict.
 */
import type { Graph } from '../../graph/types';
import type { Spec, SpecItemId } from '../../spec/spec';
import { applyChanges } from '../graph-edit';
import { openItems } from '../evaluation';
import type { Evaluation, Evaluator, SynthesisResult } from '../types';
import { changeView, plain } from '../whatif/describe';
import { branchAndBound, exhaustiveSearch, type Assignment, type Outcome, type SearchProblem } from './search';
import { currentAssignment, sizingSpace, type SizingSpace, type SpaceOptions } from './space';

export interface SynthesizeOptions extends SpaceOptions {
  method?: 'branch-and-bound' | 'exhaustive';
  /** A second, full evaluator to confirm the winner when `evaluate` is a faster approximation. */
  confirm?: Evaluator;
  /** Re-verifications allowed; past it the best found is reported as not proven optimal. */
  maxEvaluations?: number;
  /** Wall-clock guard: no re-verification starts once it returns true. */
  outOfTime?: () => boolean;
}

/** About ten seconds of re-verification at ~20 ms each: enough for the seeds, the floors and the greedy incumbent, and for the bound to prune. */
const DEFAULT_MAX_EVALUATIONS = 600;

/** Splits ties in expected cost by the maximum, so the optimum is unique where the models differ at all. */
const TIE_BREAK = 1e-6;

export interface SynthesisRun {
  result: SynthesisResult;
  space: SizingSpace;
  best?: Assignment;
  /** The models' evaluation of `best` (the confirming evaluator's, when given). */
  evaluation?: Evaluation;
}

function objective(e: Evaluation): number {
  const max = e.monthlyUsd?.max ?? 0;
  return e.objectiveUsd + TIE_BREAK * max;
}

function nonCostOpen(e: Evaluation): SpecItemId[] {
  return openItems(e).filter((i) => i !== 'monthly_cost');
}

export function synthesisProblem(graph: Graph, spec: Spec, evaluate: Evaluator, space: SizingSpace): SearchProblem & { evaluation(a: Assignment): Evaluation } {
  const cache = new Map<string, Evaluation>();
  const evaluation = (a: Assignment): Evaluation => {
    const key = JSON.stringify(Object.keys(a).sort().map((k) => [k, a[k]]));
    let e = cache.get(key);
    if (!e) {
      const applied = applyChanges(graph, spec, space.changesFor(a));
      e = evaluate(applied.graph, applied.spec);
      cache.set(key, e);
    }
    return e;
  };
  return {
    dims: space.dims,
    evaluation,
    evaluate(a): Outcome {
      const e = evaluation(a);
      return { objective: objective(e), feasible: e.verdict === 'pass', feasibleIgnoringCost: nonCostOpen(e).length === 0, costFails: e.items.monthly_cost === 'fail' };
    },
  };
}

function corner(space: SizingSpace, pick: 'cheapest' | 'capable'): Assignment {
  const a: Record<string, string | number> = {};
  for (const d of space.dims) {
    const domain = d.domain(a);
    a[d.id] = pick === 'cheapest' ? domain[0] : domain[domain.length - 1];
  }
  return a;
}

function configOf(space: SizingSpace, a: Assignment): Record<string, unknown> {
  return Object.fromEntries(space.dims.map((d) => [d.id, a[d.id]]));
}

export function synthesize(graph: Graph, spec: Spec, evaluate: Evaluator, options: SynthesizeOptions = {}): SynthesisRun {
  const space = sizingSpace(graph, spec, options);
  const problem = synthesisProblem(graph, spec, evaluate, space);
  const method = options.method ?? 'branch-and-bound';
  const search = method === 'exhaustive' ? exhaustiveSearch(problem) : branchAndBound(problem, { maxEvaluations: options.maxEvaluations ?? DEFAULT_MAX_EVALUATIONS, seeds: [currentAssignment(space)], ...(options.outOfTime ? { outOfTime: options.outOfTime } : {}) });
  const stopped = search.complete ? '' : ` (stopped at ${search.evaluations} evaluations${search.stoppedBy === 'time' ? ' by the advice time guard' : ''}: the result is the best found, not proven optimal)`;
  const current = problem.evaluation(currentAssignment(space));
  const currentMonthlyUsd = Number.isFinite(current.objectiveUsd) ? current.objectiveUsd : null;
  const methodText =
    method === 'exhaustive'
      ? `exhaustive enumeration of ${search.spaceSize} configurations`
      : `exact branch and bound over ${space.dims.length} dimensions (cost lower bound from the cheapest completion, feasibility bound from the most capable)${stopped}`;

  if (!search.best && search.complete) {
    const top = problem.evaluation(corner(space, 'capable'));
    const blocked = nonCostOpen(top);
    let conflicting: SpecItemId[];
    let explanation: string;
    if (blocked.length > 0) {
      conflicting = blocked;
      explanation = `${blocked.join(', ')} fail${blocked.length === 1 ? 's' : ''} even with every one of the ${space.dims.length} sizing dimensions at its most capable value: ${blocked.map((i) => top.summaries[i] ?? i).join('; ')}. No sizing fixes ${blocked.length === 1 ? 'it' : 'them'}; see the recommendations for design changes.`;
    } else {
      const low = problem.evaluation(corner(space, 'cheapest'));
      const costly = nonCostOpen(low);
      conflicting = ['monthly_cost', ...costly];
      explanation = `every configuration that meets ${costly.length > 0 ? costly.join(', ') : 'the other constraints'} costs more than the budget of $${spec.constraints.monthlyBudgetUsd}/month: ${top.summaries.monthly_cost ?? ''}`.trim();
    }
    return {
      space,
      result: {
        config: {},
        diff: [],
        monthlyUsd: null,
        monthlyUsdRange: null,
        currentMonthlyUsd,
        passes: false,
        infeasible: { conflicting, explanation },
        searched: search.evaluations,
        spaceSize: search.spaceSize,
        method: methodText,
        changes: [],
      },
    };
  }

  if (!search.best) {
    // stopped before a proof either way: say what the closest configuration costs
    const closest = search.closest ? problem.evaluation(search.closest.assignment) : undefined;
    const explanation = closest
      ? `no configuration within the budget of $${spec.constraints.monthlyBudgetUsd}/month was found in ${search.evaluations} evaluations; the cheapest configuration found that meets every other constraint costs $${Math.round(closest.objectiveUsd)}/month`
      : `no configuration meeting every constraint was found in ${search.evaluations} evaluations`;
    return {
      space,
      result: {
        config: {}, diff: [], monthlyUsd: null, monthlyUsdRange: null, currentMonthlyUsd, passes: false,
        infeasible: { conflicting: closest ? ['monthly_cost'] : [], explanation: `${explanation} (not proven: the search stopped at its ${search.stoppedBy === 'time' ? 'time guard' : 'evaluation limit'})` },
        searched: search.evaluations, spaceSize: search.spaceSize, method: methodText, changes: [],
        stopped: search.stoppedBy ?? 'evaluations',
      },
    };
  }
  const best = search.best;
  let winner = problem.evaluation(best);
  if (options.confirm) {
    const applied = applyChanges(graph, spec, space.changesFor(best));
    winner = options.confirm(applied.graph, applied.spec);
  }
  const diff = space.diffFor(best);
  const config = configOf(space, best);
  // every dimension is a config field: a graph edit the diff does not show would be advice nobody can apply
  if (diff.length === 0 && space.changesFor(best).length > 0) throw new Error('synthesis: the proposal edits the graph but changes no config field');
  const changes = space.changesFor(best).map((c) => {
    const v = changeView(graph, c, 'synthesized sizing');
    return { ...v, from: plain(v.from), to: plain(v.to) };
  });
  return {
    space,
    best,
    evaluation: winner,
    result: {
      config,
      diff,
      monthlyUsd: Number.isFinite(winner.objectiveUsd) ? Math.round(winner.objectiveUsd * 100) / 100 : null,
      monthlyUsdRange: winner.monthlyUsd,
      currentMonthlyUsd: currentMonthlyUsd === null ? null : Math.round(currentMonthlyUsd * 100) / 100,
      passes: winner.verdict === 'pass',
      searched: search.evaluations,
      spaceSize: search.spaceSize,
      method: methodText,
      changes,
      ...(search.complete ? {} : { stopped: search.stoppedBy ?? 'evaluations' }),
    },
  };
}
