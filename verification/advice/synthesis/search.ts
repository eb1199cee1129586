/**
 * Exact search for the cheapest assignment of a sizing space that meets every constraint.
 *
 * Branch and bound over the dimensions in order. It relies on two monotonicity properties of
 * each monotone dimension, whose values are listed cheapest and least capable first:
 * - cost never falls when a value moves up, so the cost of a partial assignment completed with
 *   every remaining dimension at its cheapest value is a lower bound for the subtree;
 * - every constraint other than cost holds for a value if it holds for a lower one, so if the
 *   partial assignment fails them with every remaining dimension at its most capable value, no
 *   completion passes;
 * - and when the cheapest completion meets every constraint but the cost, no completion meets
 *   the cost.
 * Non-monotone dimensions (none of those properties) are branched first, before any bound is
 * used. `exhaustiveSearch` enumerates everything and is the reference the tests hold it to.
 */

export type Value = number | string;
export type Assignment = Readonly<Record<string, Value>>;

export interface Dimension {
  id: string;
  label: string;
  /** Values in the order cheapest / least capable first; may depend on dimensions earlier in the order. */
  domain(partial: Assignment): readonly Value[];
  /** Whether the two monotonicity properties hold; false dimensions are branched first. */
  monotone: boolean;
  /** Value of the current design. */
  current: Value;
  /** The one earlier dimension the domain depends on, if any (for counting the space). */
  dependsOn?: string;
  /**
   * Spec items, besides the cost, that the dimension's value can change; undefined: any. The
   * decomposition relies on it: an item no dimension of a subproblem affects is not that
   * subproblem's concern. Over-stating is safe, under-stating is not (a test checks it).
   */
  affects?: readonly string[];
}

export interface Outcome {
  /** Cost to minimise. */
  objective: number;
  /** Every constraint met, cost included. */
  feasible: boolean;
  /** Every constraint other than cost met. */
  feasibleIgnoringCost: boolean;
  /** The cost constraint alone fails (then it fails for every costlier completion too). */
  costFails?: boolean;
}

export interface SearchProblem {
  dims: readonly Dimension[];
  evaluate(a: Assignment): Outcome;
}

export interface SearchOptions {
  /** Stop after this many distinct evaluations; the result then says it is not proven optimal. */
  maxEvaluations?: number;
  /** Known configurations (the current design) tried first as incumbents. */
  seeds?: readonly Assignment[];
  /** Wall-clock guard: when it returns true no further evaluation starts (the result is then not proven optimal). */
  outOfTime?: () => boolean;
}

export interface SearchResult {
  /** False when the evaluation cap stopped the search before it proved the optimum. */
  complete: boolean;
  /** What stopped an incomplete search. */
  stoppedBy?: 'evaluations' | 'time';
  /** The greedy configuration that meets every constraint but (perhaps) the cost, when one exists. */
  closest?: { assignment: Assignment; outcome: Outcome };
  best?: Assignment;
  outcome?: Outcome;
  /** Distinct assignments evaluated. */
  evaluations: number;
  /** Search-tree nodes visited. */
  nodes: number;
  spaceSize: number;
}

export function keyOf(a: Assignment): string {
  return JSON.stringify(Object.keys(a).sort().map((k) => [k, a[k]]));
}

function memo(problem: SearchProblem): { evaluate: (a: Assignment) => Outcome; count: () => number } {
  const cache = new Map<string, Outcome>();
  return {
    evaluate(a) {
      const k = keyOf(a);
      let o = cache.get(k);
      if (!o) {
        o = problem.evaluate(a);
        cache.set(k, o);
      }
      return o;
    },
    count: () => cache.size,
  };
}

/** Monotone dimensions after the non-monotone ones, keeping the given order otherwise. */
export function searchOrder(dims: readonly Dimension[]): Dimension[] {
  return [...dims.filter((d) => !d.monotone), ...dims.filter((d) => d.monotone)];
}

function complete(dims: Dimension[], from: number, partial: Assignment, pick: 'cheapest' | 'capable'): Assignment {
  const a: Record<string, Value> = { ...partial };
  for (let i = from; i < dims.length; i++) {
    const domain = dims[i].domain(a);
    if (domain.length === 0) throw new Error(`sizing dimension ${dims[i].id} has no value for ${keyOf(a)}`);
    a[dims[i].id] = pick === 'cheapest' ? domain[0] : domain[domain.length - 1];
  }
  return a;
}

/**
 * Number of complete assignments. Independent domains multiply; a dimension that depends on
 * one earlier dimension is counted together with it (sum over the parent's values).
 */
export function spaceSize(dims: readonly Dimension[]): number {
  const children = new Map<string, Dimension[]>();
  for (const d of dims) if (d.dependsOn) children.set(d.dependsOn, [...(children.get(d.dependsOn) ?? []), d]);
  let size = 1;
  for (const d of dims) {
    if (d.dependsOn) continue;
    const kids = children.get(d.id) ?? [];
    let group = 0;
    for (const v of d.domain({})) group += kids.reduce((n, k) => n * k.domain({ [d.id]: v }).length, 1);
    size *= group;
  }
  return size;
}

class SearchCapReached extends Error {}

export function branchAndBound(problem: SearchProblem, options: SearchOptions = {}): SearchResult {
  const dims = searchOrder(problem.dims);
  const firstMonotone = dims.findIndex((d) => d.monotone);
  const boundsFrom = firstMonotone === -1 ? dims.length : firstMonotone;
  const m = memo(problem);
  let best: Assignment | undefined;
  let bestOutcome: Outcome | undefined;
  let nodes = 0;

  /**
   * Floors of the monotone dimensions, found once the non-monotone ones are fixed: the lowest
   * value of each that can pass with every other dimension at its most capable (binary search,
   * by monotone feasibility). No passing configuration goes below a floor, so domains shrink to
   * [floor, top] and the cheapest completion above the floors is a much tighter cost bound.
   */
  let floors = new Map<string, number>();
  const position = (d: Dimension, v: Value) => d.domain({}).indexOf(v);
  const dom = (j: number, partial: Assignment): readonly Value[] => {
    const d = dims[j];
    const values = d.domain(partial);
    const floor = floors.get(d.id);
    return floor === undefined ? values : values.filter((v) => position(d, v) >= floor);
  };
  /** The cheapest (or most capable) completion whose dependent domains all admit a value; undefined when none does. */
  const fill = (from: number, partial: Assignment, pick: 'cheapest' | 'capable'): Assignment | undefined => {
    if (from === dims.length) return partial;
    const values = dom(from, partial);
    const ordered = pick === 'cheapest' ? values : [...values].reverse();
    for (const v of ordered) {
      const done = fill(from + 1, { ...partial, [dims[from].id]: v }, pick);
      if (done) return done;
    }
    return undefined;
  };
  const tighten = (from: number, partial: Assignment): boolean => {
    const next = new Map<string, number>();
    for (let j = from; j < dims.length; j++) {
      const d = dims[j];
      const all = d.domain({});
      let lo = 0;
      let hi = all.length - 1;
      const passes = (k: number): boolean => {
        const top = fill(from, partial, 'capable');
        if (!top) return false;
        const trial = { ...top, [d.id]: all[k] };
        // a dependent domain must still admit the trial values (e.g. min <= max)
        for (let t = from; t < dims.length; t++) if (!dims[t].domain(trial).includes(trial[dims[t].id])) return true;
        return m.evaluate(trial).feasibleIgnoringCost;
      };
      if (!passes(hi)) return false;
      while (lo < hi) {
        const mid = Math.floor((lo + hi) / 2);
        if (passes(mid)) hi = mid;
        else lo = mid + 1;
      }
      if (lo > 0) next.set(d.id, lo);
    }
    floors = next;
    return true;
  };

  /** Returns 'cost' when the subtree was cut by the cost bound (larger values of the parent's dimension are cut too). */
  const visit = (i: number, partial: Assignment): 'cost' | 'done' => {
    nodes++;
    const saved = floors;
    try {
      if (i === boundsFrom && boundsFrom < dims.length) {
        floors = new Map();
        if (!tighten(i, partial)) return 'done';
      }
      if (i >= boundsFrom) {
        const top = fill(i, partial, 'capable');
        if (!top || !m.evaluate(top).feasibleIgnoringCost) return 'done';
        const cheapest = fill(i, partial, 'cheapest');
        if (!cheapest) return 'done';
        const lower = m.evaluate(cheapest);
        if (bestOutcome && lower.objective >= bestOutcome.objective) return 'cost';
        if (lower.feasible) {
          // the cheapest completion passes: nothing cheaper exists below this node
          best = cheapest;
          bestOutcome = lower;
          return 'done';
        }
        // the cheapest completion already breaks the budget, or meets everything but the cost:
        // every other completion costs more
        if (lower.costFails || lower.feasibleIgnoringCost) return 'cost';
        if (i === dims.length) return 'done';
      } else if (i === dims.length) {
        const o = m.evaluate(partial);
        if (o.feasible && (!bestOutcome || o.objective < bestOutcome.objective)) {
          best = partial;
          bestOutcome = o;
        }
        return 'done';
      }
      for (const v of dom(i, partial)) {
        const r = visit(i + 1, { ...partial, [dims[i].id]: v });
        // values come cheapest first: once one is cut by cost, every larger value is too
        if (r === 'cost' && dims[i].monotone) break;
      }
      return 'done';
    } finally {
      floors = saved;
    }
  };
  /**
   * An incumbent before the search, so the cost bound prunes from the start: the seeds, then a
   * greedy descent from the most capable corner that lowers each dimension as far as the other
   * constraints allow (binary search), keeping the result if it also meets the cost.
   */
  const consider = (a: Assignment) => {
    const o = m.evaluate(a);
    if (o.feasible && (!bestOutcome || o.objective < bestOutcome.objective)) {
      best = a;
      bestOutcome = o;
    }
  };
  let closest: { assignment: Assignment; outcome: Outcome } | undefined;
  const greedy = () => {
    let current = fill(0, {}, 'capable');
    if (!current || !m.evaluate(current).feasibleIgnoringCost) return;
    for (let j = 0; j < dims.length; j++) {
      const d = dims[j];
      if (!d.monotone) continue;
      const values = d.domain(current);
      let lo = 0;
      let hi = values.indexOf(current[d.id]);
      while (lo < hi) {
        const mid = Math.floor((lo + hi) / 2);
        const trial = { ...current, [d.id]: values[mid] };
        const admissible = dims.every((t) => t.domain(trial).includes(trial[t.id]));
        if (admissible && m.evaluate(trial).feasibleIgnoringCost) hi = mid;
        else lo = mid + 1;
      }
      current = { ...current, [d.id]: values[lo] };
    }
    closest = { assignment: current, outcome: m.evaluate(current) };
    consider(current);
  };
  const cap = options.maxEvaluations ?? Number.POSITIVE_INFINITY;
  const evaluate = m.evaluate;
  let stoppedBy: 'evaluations' | 'time' | undefined;
  m.evaluate = (a) => {
    if (m.count() >= cap) stoppedBy = 'evaluations';
    else if (options.outOfTime?.()) stoppedBy = 'time';
    if (stoppedBy) throw new SearchCapReached();
    return evaluate(a);
  };
  let finished = true;
  try {
    for (const seed of options.seeds ?? []) consider(seed);
    greedy();
    visit(0, {});
  } catch (e) {
    if (!(e instanceof SearchCapReached)) throw e;
    finished = false;
  }
  return { complete: finished, ...(stoppedBy ? { stoppedBy } : {}), closest, best, outcome: bestOutcome, evaluations: m.count(), nodes, spaceSize: spaceSize(problem.dims) };
}

export function exhaustiveSearch(problem: SearchProblem): SearchResult {
  const dims = searchOrder(problem.dims);
  const m = memo(problem);
  let best: Assignment | undefined;
  let bestOutcome: Outcome | undefined;
  let nodes = 0;
  const visit = (i: number, partial: Assignment): void => {
    nodes++;
    if (i === dims.length) {
      const o = m.evaluate(partial);
      if (o.feasible && (!bestOutcome || o.objective < bestOutcome.objective)) {
        best = partial;
        bestOutcome = o;
      }
      return;
    }
    for (const v of dims[i].domain(partial)) visit(i + 1, { ...partial, [dims[i].id]: v });
  };
  visit(0, {});
  return { complete: true, best, outcome: bestOutcome, evaluations: m.count(), nodes, spaceSize: spaceSize(problem.dims) };
}
