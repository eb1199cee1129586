/**
 * Sizing changes as config edits: every dimension of the sizing space (synthesis/space.ts, one
 * per EnvironmentConfig field, built as the constructs build it) proposes its other values,
 * more capable ones for the items it affects and cheaper ones for the cost, mildest first. The
 * Bigtable per-cluster bounds are also proposed for every cluster at once: each cluster applies
 * every write, so raising one alone adds no capacity. Each candidate carries its config diff,
 * which is exactly what the stacks would build from (a test synthesizes it and compares).
 */
import { specItemIds } from '../../../engine/spec-items';
import type { SpecItemId } from '../../../spec/spec';
import { assign, currentAssignment, sizingSpace } from '../../synthesis/space';
import type { Dimension, Value } from '../../synthesis/search';
import { candidate, type Candidate, type ChangeGenerator } from '../generator';

const PER_CLUSTER = /^hotStorage\.clusters\[(\d+)\]\.(minNodes|maxNodes)$/;

function show(v: Value): string {
  return typeof v === 'string' ? v : String(v);
}

/** Every spec item a sizing dimension can move (each dimension says which: `affects`). */
const SIZED: SpecItemId[] = [
  'no_data_loss', 'exactly_once_aggregation', 'ordered_within_partition', 'event_processed', 'dashboard_updated', 'batch_job_complete',
  'latency_p99', 'latency_p50', 'throughput_sustained', 'throughput_burst', 'monthly_cost', 'availability', 'retention', 'rpo', 'rto',
];

export const sizing: ChangeGenerator = {
  id: 'sizing',
  targets: SIZED,
  generate({ graph, spec }) {
    const space = sizingSpace(graph, spec);
    const current = currentAssignment(space);
    const all = specItemIds(spec);
    const out: Candidate[] = [];
    const propose = (dims: Dimension[], values: Record<string, Value>, direction: 'up' | 'down' | 'any') => {
      const a = assign(space, current, values);
      const config = space.diffFor(a);
      if (config.length === 0) return;
      const d = dims[0];
      const v = values[d.id];
      const affects = (d.affects ?? all) as SpecItemId[];
      const targets: SpecItemId[] = direction === 'up' ? affects : direction === 'down' ? ['monthly_cost'] : [...new Set([...affects, 'monthly_cost' as const])];
      const label = dims.length > 1 ? d.label.replace(/ of cluster \S+/, ' of every cluster') : d.label;
      const raised = dims.map((x) => x.dependsOn).filter((k): k is string => k !== undefined && values[k] !== undefined);
      const also = raised.length > 0 ? ` (and its ceiling to ${show(values[raised[0]])})` : '';
      const what = `set ${label} to ${show(v)}${also} (${dims.length > 1 ? d.id.replace(/\[\d+\]/, '[*]') : d.id}, now ${show(d.current)})`;
      const c = candidate(this.id, what, space.changesFor(a), targets, direction === 'any' ? undefined : `${dims.map((x) => x.id).join('+')}:${direction}`);
      out.push({ ...c, key: `${this.id}:${JSON.stringify(config)}`, config });
    };
    const ladders = (dims: Dimension[]) => {
      const d = dims[0];
      const set = (v: Value, ceiling?: Value) => ({
        ...Object.fromEntries(dims.map((x) => [x.id, v])),
        ...(ceiling === undefined ? {} : Object.fromEntries(dims.filter((x) => x.dependsOn).map((x) => [x.dependsOn as string, ceiling]))),
      });
      const domain = d.domain(current);
      if (!d.monotone) {
        for (const v of domain) if (v !== d.current) propose(dims, set(v), 'any');
        return;
      }
      const at = domain.indexOf(d.current);
      // mildest first: the nearest value up, then the nearest down
      for (const v of domain.slice(at + 1)) propose(dims, set(v), 'up');
      // a floor above its ceiling's current value raises the ceiling with it
      const parent = d.dependsOn ? space.dims.find((p) => p.id === d.dependsOn) : undefined;
      if (parent) {
        const ceilings = parent.domain(current).filter((pv) => Number(pv) > Number(current[parent.id]));
        const higher = new Set<Value>();
        for (const pv of ceilings) for (const v of d.domain({ ...current, [parent.id]: pv })) if (Number(v) > Number(d.current) && !domain.includes(v)) higher.add(v);
        for (const v of [...higher].sort((x, y) => Number(x) - Number(y))) {
          const pv = ceilings.find((c) => d.domain({ ...current, [parent.id]: c }).includes(v)) as Value;
          propose(dims, set(v, pv), 'up');
        }
      }
      for (const v of domain.slice(0, Math.max(at, 0)).reverse()) propose(dims, set(v), 'down');
    };
    for (const d of space.dims) ladders([d]);
    // every cluster's bound together, where the clusters agree on it now
    for (const field of ['minNodes', 'maxNodes']) {
      const dims = space.dims.filter((d) => PER_CLUSTER.exec(d.id)?.[2] === field);
      if (dims.length < 2 || new Set(dims.map((d) => d.current)).size !== 1) continue;
      ladders(dims);
    }
    return out;
  },
};
