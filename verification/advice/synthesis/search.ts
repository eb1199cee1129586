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
}

export interface Outcome {
  /** Cost to minimise. */
  objective: number;
  /** Every constraint met, cost included. */
  feasible: boolean;
  /** Every constraint other than cost met. */
  feasibleIgnoringCost: boolean;
}

export interface SearchProblem {
  dims: readonly Dimension[];
  evaluate(a: Assignment): Outcome;
}

export interface SearchResult {
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

/** Number of complete assignments (dependent domains counted exactly). */
export function spaceSize(dims: readonly Dimension[]): number {
  const ordered = searchOrder(dims);
  const count = (i: number, a: Assignment): number => {
    if (i === ordered.length) return 1;
    let n = 0;
    for (const v of ordered[i].domain(a)) n += count(i + 1, { ...a, [ordered[i].id]: v });
    return n;
  };
  return count(0, {});
}

export function branchAndBound(problem: SearchProblem): SearchResult {
  const dims = searchOrder(problem.dims);
  const firstMonotone = dims.findIndex((d) => d.monotone);
  const boundsFrom = firstMonotone === -1 ? dims.length : firstMonotone;
  const m = memo(problem);
  let best: Assignment | undefined;
  let bestOutcome: Outcome | undefined;
  let nodes = 0;

  /** Returns 'cost' when the subtree was cut by the cost bound (larger values of the parent's dimension are cut too). */
  const visit = (i: number, partial: Assignment): 'cost' | 'done' => {
    nodes++;
    if (i >= boundsFrom) {
      const optimistic = m.evaluate(complete(dims, i, partial, 'capable'));
      if (!optimistic.feasibleIgnoringCost) return 'done';
      const cheapest = complete(dims, i, partial, 'cheapest');
      const lower = m.evaluate(cheapest);
      if (bestOutcome && lower.objective >= bestOutcome.objective) return 'cost';
      if (lower.feasible) {
        // the cheapest completion passes: nothing cheaper exists below this node
        best = cheapest;
        bestOutcome = lower;
        return 'done';
      }
      // the cheapest completion meets everything but the cost: every other completion costs more
      if (lower.feasibleIgnoringCost) return 'cost';
      if (i === dims.length) return 'done';
    } else if (i === dims.length) {
      const o = m.evaluate(partial);
      if (o.feasible && (!bestOutcome || o.objective < bestOutcome.objective)) {
        best = partial;
        bestOutcome = o;
      }
      return 'done';
    }
    for (const v of dims[i].domain(partial)) {
      const r = visit(i + 1, { ...partial, [dims[i].id]: v });
      // values come cheapest first: once one is cut by cost, every larger value is too
      if (r === 'cost' && dims[i].monotone) break;
    }
    return 'done';
  };
  visit(0, {});
  return { best, outcome: bestOutcome, evaluations: m.count(), nodes, spaceSize: spaceSize(problem.dims) };
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
  return { best, outcome: bestOutcome, evaluations: m.count(), nodes, spaceSize: spaceSize(problem.dims) };
}
