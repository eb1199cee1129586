/**
 * What-if advice. For every failing or unknown spec item: propose candidate changes (the
 * generator catalogue), apply each to a copy of the graph, re-run the models, and keep only
 * changes whose measured effect fixes the item. When no single change does, search greedily for
 * a combination, each step measured. Finally a plan: every fix applied together, re-verified.
 * Nothing here is advice until the evaluator has run on the changed graph.
 */
import type { Graph } from '../../graph/types';
import type { Spec, SpecItemId } from '../../spec/spec';
import type { Status } from '../../engine/types';
import { applyChanges, setAttr } from '../graph-edit';
import type { AttrValue } from '../../graph/types';
import { distance, EvaluationCache, failingRuleCount, ITEM_METRICS, openItems } from '../evaluation';
import type { AdviceBudget, ChangeView, ConfigDiffEntry, Evaluation, Evaluator, GraphChange, Recommendation, RecommendationEffect, UnfixedItem } from '../types';
import { configEditsOf, mergeConfigEdits } from '../config-mapping';
import { changeView, summarise } from './describe';
import type { Candidate, ChangeGenerator } from './generator';
import { CHANGE_GENERATORS } from './generators';

export interface AdviseOptions {
  generators?: readonly ChangeGenerator[];
  /** Single-change recommendations kept per open item. */
  perItem?: number;
  /** Steps of the greedy combination search for one item. */
  maxSteps?: number;
  /** Steps of the greedy plan that fixes every item together. */
  maxPlanSteps?: number;
  /** Evaluator runs allowed in total (each is one full re-verification): the deterministic budget. */
  maxEvaluations?: number;
  /** Wall-clock guard, ms: no re-verification starts after it (undefined: none). */
  maxMillis?: number;
  /** Clock for the guard (tests). */
  now?: () => number;
  /** Clock reading the guard counts from (default: when advise starts), e.g. the start of an advice stage that ran the synthesis first. */
  startedAt?: number;
}

export const DEFAULT_MAX_EVALUATIONS = 1000;
const DEFAULTS = { perItem: 2, maxSteps: 4, maxPlanSteps: 12, maxEvaluations: DEFAULT_MAX_EVALUATIONS };

/** How the report tells a reader to raise the budget (the CLI's options). */
export function raiseBudgetHint(maxEvaluations: number, maxMillis: number | null, stoppedBy: 'evaluations' | 'time' | undefined): string {
  const evaluations = `--advice-evaluations ${maxEvaluations * 2}`;
  const seconds = `--advice-seconds ${Math.max(1, Math.ceil(((maxMillis ?? 0) * 2) / 1000))}`;
  if (stoppedBy === 'time') return `raise the time guard (${seconds})`;
  return `raise the budget (${evaluations}${maxMillis !== null ? `, and ${seconds} if the time guard is reached next` : ''})`;
}

interface State {
  graph: Graph;
  spec: Spec;
  /** Keys of the candidates applied so far, in order: the cache key of this state. */
  path: string[];
  changes: { change: GraphChange; description: string; graph: Graph }[];
  /** The applied candidates as config edits, in order. */
  config: ConfigDiffEntry[];
  /** False once a candidate with a change no config field builds was applied. */
  configComplete: boolean;
  evaluation: Evaluation;
}

/** A candidate's config edits: its own (sizing candidates), else each change's mapped field. */
function candidateConfig(graph: Graph, candidate: Candidate): { edits: ConfigDiffEntry[]; complete: boolean } {
  if (candidate.config) return { edits: candidate.config, complete: true };
  const edits: ConfigDiffEntry[] = [];
  let complete = true;
  for (const change of candidate.changes) {
    const mapped = configEditsOf(graph, change);
    if (mapped === undefined) complete = false;
    else if (mapped.kind === 'field') edits.push(...mapped.edits);
  }
  return { edits, complete };
}

interface Trial {
  candidate: Candidate;
  evaluation: Evaluation;
}

function isOpen(s: Status | undefined): boolean {
  return s === 'fail' || s === 'unknown' || s === undefined;
}

function regressions(before: Evaluation, after: Evaluation): SpecItemId[] {
  return (Object.keys(before.items) as SpecItemId[]).filter((i) => !isOpen(before.items[i]) && isOpen(after.items[i]));
}

function withinBudget(e: Evaluation): boolean | null {
  const s = e.items.monthly_cost;
  return s === 'pass' || s === 'waived' ? true : s === 'fail' ? false : null;
}

export function effectOf(before: Evaluation, after: Evaluation, items: SpecItemId[]): RecommendationEffect {
  const costDelta = Number.isFinite(before.objectiveUsd) && Number.isFinite(after.objectiveUsd) ? after.objectiveUsd - before.objectiveUsd : null;
  return {
    verdict: after.verdict,
    items: items.map((item) => ({ item, before: before.items[item] ?? 'unknown', after: after.items[item] ?? 'unknown', ...(after.summaries[item] ? { summaryAfter: after.summaries[item] } : {}) })),
    costDeltaUsd: costDelta === null ? null : Math.round(costDelta * 100) / 100,
    withinBudget: withinBudget(after),
    before: before.metrics,
    after: after.metrics,
    regressions: regressions(before, after),
  };
}

/** Lexicographic score of a state for the greedy searches: fewer open items, then closer to passing, then cheaper. */
function score(e: Evaluation, spec: Spec, focus: SpecItemId[] | 'all'): [number, number, number] {
  const open = openItems(e);
  const counted = focus === 'all' ? open : open.filter((i) => focus.includes(i));
  const gap = counted.reduce((sum, i) => sum + distance(i, e, spec), 0);
  // with a focus, regressions elsewhere weigh like an open item
  const extra = focus === 'all' ? 0 : open.filter((i) => !focus.includes(i)).length;
  return [counted.length + extra, gap, e.objectiveUsd];
}

function better(a: [number, number, number], b: [number, number, number]): boolean {
  const EPS = 1e-9;
  if (a[0] !== b[0]) return a[0] < b[0];
  if (Math.abs(a[1] - b[1]) > EPS) return a[1] < b[1];
  return a[2] < b[2] - EPS;
}

/**
 * Later edits of the same attribute supersede earlier ones: one view from the first value to the
 * last. An edit inside a block an earlier view set whole (a ceiling raised after autoscaling was
 * turned on) folds into that view's value.
 */
export function mergeViews(views: ChangeView[]): ChangeView[] {
  const out: ChangeView[] = [];
  for (const v of views) {
    const block = v.action === 'set' ? out.findIndex((o) => o.action === 'set' && o.address === v.address && v.attribute.startsWith(`${o.attribute}.`) && o.to !== null && typeof o.to === 'object') : -1;
    if (block !== -1) {
      const parent = out[block];
      out[block] = { ...parent, to: setAttr(structuredClone(parent.to) as Record<string, AttrValue>, v.attribute.slice(parent.attribute.length + 1), v.to as AttrValue) };
      continue;
    }
    const prior = v.action === 'set' ? out.findIndex((o) => o.action === 'set' && o.address === v.address && o.attribute === v.attribute) : -1;
    if (prior === -1) {
      out.push(v);
      continue;
    }
    const merged = { ...v, from: out[prior].from, ...(out[prior].configFrom !== undefined ? { configFrom: out[prior].configFrom } : {}) };
    out.splice(prior, 1);
    if (JSON.stringify(merged.from) !== JSON.stringify(merged.to)) out.push(merged);
  }
  return out;
}

export class Advisor {
  private readonly cache: EvaluationCache;
  private readonly options: typeof DEFAULTS & { generators: readonly ChangeGenerator[]; maxMillis?: number; startedAt?: number };
  private budgetExhausted = false;
  private stoppedBy?: 'evaluations' | 'time';
  private stage = 'single changes';
  private stoppedDuring?: string;
  private readonly notEvaluated = new Map<SpecItemId, number>();
  private readonly notSearched: string[] = [];
  private started = 0;
  private readonly now: () => number;

  constructor(
    private readonly evaluate: Evaluator,
    options: AdviseOptions = {},
  ) {
    this.cache = new EvaluationCache(evaluate);
    this.options = { ...DEFAULTS, ...options, generators: options.generators ?? CHANGE_GENERATORS };
    this.now = options.now ?? (() => performance.now());
  }

  /** Whether the budget allows one more re-verification; records what stopped it the first time it does not. */
  private mayEvaluate(): boolean {
    if (this.budgetExhausted) return false;
    if (this.cache.runs >= this.options.maxEvaluations) this.stoppedBy = 'evaluations';
    else if (this.options.maxMillis !== undefined && this.now() - this.started >= this.options.maxMillis) this.stoppedBy = 'time';
    else return true;
    this.budgetExhausted = true;
    this.stoppedDuring = this.stage;
    return false;
  }

  /** Candidates the budget left unevaluated, counted per open item they target (single changes only: later stages are listed whole). */
  private leftOut(candidates: Candidate[], open: Set<SpecItemId>): void {
    if (this.stage !== 'single changes') return;
    for (const c of candidates) for (const t of new Set(c.targets)) if (open.has(t)) this.notEvaluated.set(t, (this.notEvaluated.get(t) ?? 0) + 1);
  }

  get evaluations(): number {
    return this.cache.runs;
  }

  private apply(state: State, candidate: Candidate): { graph: Graph; spec: Spec } {
    return applyChanges(state.graph, state.spec, candidate.changes);
  }

  private candidates(state: State, targets: SpecItemId[]): Candidate[] {
    const ctx = { graph: state.graph, spec: state.spec, before: state.evaluation };
    return this.options.generators
      .filter((g) => g.targets.some((t) => targets.includes(t)))
      .flatMap((g) => g.generate(ctx))
      .filter((c) => c.targets.some((t) => targets.includes(t)));
  }

  /** Evaluates candidates on a state; a ladder stops at its first rung that fixes one of its targets without regressions. */
  private trials(state: State, candidates: Candidate[], rank?: (e: Evaluation) => [number, number, number]): Trial[] {
    const open = new Set(openItems(state.evaluation));
    const settled = new Set<string>();
    // with a ranking, a ladder also stops at its first rung no better than the one before (scores along a ladder rise then fall)
    const lastRank = new Map<string, [number, number, number]>();
    const out: Trial[] = [];
    for (let k = 0; k < candidates.length; k++) {
      const candidate = candidates[k];
      if (candidate.group && settled.has(candidate.group)) continue;
      const key = JSON.stringify([...state.path, candidate.key]);
      if (!this.cache.has(key) && !this.mayEvaluate()) {
        this.leftOut(candidates.slice(k).filter((c) => !(c.group && settled.has(c.group))), open);
        break;
      }
      let evaluation: Evaluation;
      try {
        evaluation = this.cache.get(key, () => this.apply(state, candidate));
      } catch (e) {
        // a candidate that cannot apply to this graph (a generator's guess was wrong) is no advice
        if (e instanceof Error && /what-if change|setAttr|attribute/.test(e.message)) continue;
        throw e;
      }
      out.push({ candidate, evaluation });
      if (rank && candidate.group) {
        const r = rank(evaluation);
        const prev = lastRank.get(candidate.group);
        if (prev && !better(r, prev)) settled.add(candidate.group);
        lastRank.set(candidate.group, r);
      }
      const fixes = candidate.targets.some((t) => open.has(t) && !isOpen(evaluation.items[t]));
      if (candidate.group && fixes && regressions(state.evaluation, evaluation).length === 0) settled.add(candidate.group);
    }
    return out;
  }

  private step(state: State, trial: Trial): State {
    const { graph, spec } = this.apply(state, trial.candidate);
    const config = candidateConfig(state.graph, trial.candidate);
    return {
      graph,
      spec,
      path: [...state.path, trial.candidate.key],
      changes: [...state.changes, ...trial.candidate.changes.map((change) => ({ change, description: trial.candidate.description, graph: state.graph }))],
      config: [...state.config, ...config.edits],
      configComplete: state.configComplete && config.complete,
      evaluation: trial.evaluation,
    };
  }

  /** Greedy descent: each step applies the measured-best candidate, until the focus items pass or nothing helps. */
  private descend(start: State, focus: SpecItemId[] | 'all'): State {
    let state = start;
    const steps = focus === 'all' ? this.options.maxPlanSteps : this.options.maxSteps;
    this.stage = focus === 'all' ? 'plan' : `combination for ${focus.join(', ')}`;
    for (let i = 0; i < steps; i++) {
      if (this.budgetExhausted) {
        this.notSearched.push(`${this.stage} (${i === 0 ? 'not started' : `stopped after ${i} of up to ${steps} steps`})`);
        break;
      }
      const open = openItems(state.evaluation);
      const targets = focus === 'all' ? open : focus.filter((f) => open.includes(f));
      if (targets.length === 0) break;
      const current = score(state.evaluation, state.spec, focus);
      let best: Trial | undefined;
      let bestScore = current;
      const rank = (e: Evaluation) => score(e, state.spec, focus);
      for (const t of this.trials(state, this.candidates(state, targets), rank)) {
        const s = rank(t.evaluation);
        if (better(s, bestScore)) {
          best = t;
          bestScore = s;
        }
      }
      if (!best) {
        if (this.budgetExhausted) this.notSearched.push(`${this.stage} (cut during step ${i + 1} of up to ${steps})`);
        break;
      }
      state = this.step(state, best);
    }
    return state;
  }

  private recommendation(root: State, final: State, items: SpecItemId[], scope: Recommendation['scope']): Recommendation {
    const fixes = items.filter((i) => isOpen(root.evaluation.items[i]) && !isOpen(final.evaluation.items[i]));
    const improves = items.filter((i) => !fixes.includes(i) && isOpen(root.evaluation.items[i]) && distance(i, final.evaluation, final.spec) < distance(i, root.evaluation, root.spec));
    const views = mergeViews(final.changes.map((c) => changeView(c.graph, c.change, c.description)));
    const descriptions = [...new Set(views.map((v) => v.description))];
    const effect = effectOf(root.evaluation, final.evaluation, items);
    // steps that merged into one edit (a ladder climbed twice) are a single change after all
    if (scope === 'combination' && views.length === 1) scope = 'single';
    return {
      change: views[0],
      changes: views,
      fixes,
      improves,
      summary: summarise(descriptions.join('; '), items, effect),
      effect,
      scope,
      config: mergeConfigEdits(final.config),
      configComplete: final.configComplete,
    };
  }

  advise(graph: Graph, spec: Spec, before: Evaluation): { recommendations: Recommendation[]; unfixed: UnfixedItem[]; evaluations: number; complete: boolean; budget: AdviceBudget } {
    this.started = this.options.startedAt ?? this.now();
    this.stage = 'single changes';
    const root: State = { graph, spec, path: [], changes: [], config: [], configComplete: true, evaluation: before };
    const recommendations: Recommendation[] = [];
    const unfixed: UnfixedItem[] = [];
    // an item no rule judges stays unknown whatever changes: no change can be shown to fix it
    const unjudged = openItems(before).filter((i) => before.items[i] === 'unknown' && failingRuleCount(before, i) === 0);
    for (const item of unjudged) unfixed.push({ item, status: 'unknown', reason: 'no rule judges this item yet, so no change can be shown to fix it' });
    const open = openItems(before).filter((i) => !unjudged.includes(i));
    if (open.length === 0) return { recommendations, unfixed, evaluations: 0, complete: true, budget: this.budgetReport() };


    const trials = this.trials(root, this.candidates(root, open));
    const chosen = new Map<string, { trial: Trial; items: Set<SpecItemId> }>();
    const withoutSingleFix: SpecItemId[] = [];
    for (const item of open) {
      const fixing = trials
        .filter((t) => !isOpen(t.evaluation.items[item]))
        .sort((a, b) => {
          const ra = regressions(before, a.evaluation).length;
          const rb = regressions(before, b.evaluation).length;
          if (ra !== rb) return ra - rb;
          const oa = openItems(a.evaluation).length;
          const ob = openItems(b.evaluation).length;
          if (oa !== ob) return oa - ob;
          return a.evaluation.objectiveUsd - b.evaluation.objectiveUsd;
        });
      for (const t of fixing.slice(0, this.options.perItem)) {
        const entry = chosen.get(t.candidate.key) ?? { trial: t, items: new Set<SpecItemId>() };
        entry.items.add(item);
        chosen.set(t.candidate.key, entry);
      }
      if (fixing.length === 0) withoutSingleFix.push(item);
    }
    for (const { trial, items } of chosen.values()) {
      const state = this.step(root, trial);
      const all = open.filter((i) => !isOpen(trial.evaluation.items[i]));
      recommendations.push(this.recommendation(root, state, [...new Set([...items, ...all])], 'single'));
    }
    recommendations.sort((a, b) => b.fixes.length - a.fixes.length || (a.effect.costDeltaUsd ?? 0) - (b.effect.costDeltaUsd ?? 0));

    // the plan: every open item at once, measured together
    const plan = this.descend(root, 'all');
    const planHelps = open.some((i) => distance(i, plan.evaluation, spec) < distance(i, before, spec));
    if (plan.changes.length > 0 && (plan.evaluation.verdict === 'pass' || planHelps)) {
      recommendations.push(this.recommendation(root, plan, open, 'plan'));
    }

    // no single change: a focused, measured combination where the plan shows the item can pass
    for (const item of withoutSingleFix) {
      const reachable = !isOpen(plan.evaluation.items[item]);
      const combined = reachable && ITEM_METRICS[item] ? this.descend(root, [item]) : root;
      if (!isOpen(combined.evaluation.items[item]) && combined.changes.length > 0) {
        recommendations.push(this.recommendation(root, combined, [item], 'combination'));
      } else if (!reachable) {
        const tried = trials.filter((t) => t.candidate.targets.includes(item)).length;
        const left = this.notEvaluated.get(item) ?? 0;
        const cut = this.budgetExhausted ? ` (the advice budget cut the search: ${this.budgetText()}; ${this.raiseHint()})` : '';
        const planCut = this.notSearched.some((s) => s.startsWith('plan '));
        unfixed.push({
          item,
          status: before.items[item] ?? 'unknown',
          reason:
            tried === 0 && left > 0
              ? `not searched: the advice budget ran out before any of its ${left} candidate changes was re-verified (${this.budgetText()}); ${this.raiseHint()}`
              : tried === 0
                ? 'no change in the catalogue targets this item for this graph'
                : `none of ${tried} single changes${left > 0 ? ` re-verified (${left} more were not, for the budget)` : ''} makes it pass, ${planCut ? 'and the plan that would combine them was cut short' : `nor does the plan that combines up to ${this.options.maxPlanSteps} of them`}${cut}`,
        });
      } else if (this.budgetExhausted) {
        unfixed.push({
          item,
          status: before.items[item] ?? 'unknown',
          reason: `the plan makes it pass, but the advice budget ran out before a focused combination for it alone was found (${this.budgetText()}); ${this.raiseHint()}`,
        });
      }
    }
    return { recommendations, unfixed, evaluations: this.cache.runs, complete: !this.budgetExhausted, budget: this.budgetReport() };
  }

  private budgetText(): string {
    const limit = this.stoppedBy === 'time' ? `the ${this.options.maxMillis} ms time guard, after ${this.cache.runs} re-verifications` : `${this.options.maxEvaluations} re-verifications`;
    return `stopped at ${limit}${this.stoppedDuring ? `, during the ${this.stoppedDuring}` : ''}`;
  }

  private raiseHint(): string {
    return raiseBudgetHint(this.options.maxEvaluations, this.options.maxMillis ?? null, this.stoppedBy);
  }

  /** What the search was allowed, what it spent and, when it was cut, what it left out. */
  budgetReport(): AdviceBudget {
    const notEvaluated = [...this.notEvaluated].map(([item, candidates]) => ({ item, candidates }));
    const parts = [
      ...(notEvaluated.length > 0 ? [`never re-verified: ${notEvaluated.map((n) => `${n.candidates} candidate change${n.candidates === 1 ? '' : 's'} for ${n.item}`).join(', ')}`] : []),
      ...(this.notSearched.length > 0 ? [`not searched: ${this.notSearched.join('; ')}`] : []),
    ];
    return {
      maxEvaluations: this.options.maxEvaluations,
      maxMillis: this.options.maxMillis ?? null,
      evaluations: this.cache.runs,
      elapsedMs: Math.round(this.now() - this.started),
      exhausted: this.budgetExhausted,
      ...(this.stoppedBy ? { stoppedBy: this.stoppedBy } : {}),
      ...(this.stoppedDuring ? { stoppedDuring: this.stoppedDuring } : {}),
      notEvaluated,
      notSearched: [...this.notSearched],
      note: this.budgetExhausted
        ? `INCOMPLETE: the advice budget ran out (${this.budgetText()}); ${parts.join('; ')}. The recommendations are the best found before the cut, not all there are; ${this.raiseHint()}.`
        : `complete within the budget: ${this.cache.runs} of ${this.options.maxEvaluations} re-verifications${this.options.maxMillis !== undefined ? `, time guard ${this.options.maxMillis} ms` : ''}`,
    };
  }
}
