/**
 * The sizing space the stacks' constructs expose, one dimension per EnvironmentConfig field
 * (stacks/config/types.ts), read from the graph: Pub/Sub batching, the Bigtable clusters and
 * their bounds, storage type and CPU target, the four Cloud Run entries and the second region,
 * the Dataflow job's machine type and worker bounds, the dataset replica and the retention
 * windows (dimensions/, one file per config section). A dimension's id is its config path, so
 * an assignment prints as the config diff a person applies, and `changesFor` builds the graph
 * the stacks would synthesize from that config.
 */
import type { Graph } from '../../graph/types';
import type { Spec } from '../../spec/spec';
import type { ConfigDiffEntry, GraphChange } from '../types';
import { applyChanges } from '../graph-edit';
import { batchingPart } from './dimensions/batching';
import { cloudRunPart } from './dimensions/cloud-run';
import { dataflowPart } from './dimensions/dataflow';
import { hotStoragePart } from './dimensions/hot-storage';
import type { Part } from './dimensions/part';
import { replicaPart } from './dimensions/replica';
import { retentionPart } from './dimensions/retention';
import type { Assignment, Dimension, Value } from './search';

export interface SizingSpace {
  dims: Dimension[];
  /** The graph edits of an assignment, relative to the graph the space was read from. */
  changesFor(a: Assignment): GraphChange[];
  /** The config edits of an assignment, in config units and in the order they apply. */
  diffFor(a: Assignment): ConfigDiffEntry[];
}

export interface SpaceOptions {
  /** Keep only these dimension ids (tests, or a narrower search). */
  only?: (id: string) => boolean;
}

/** In build order: the Cloud Run part adds a second region's copies before the replica part edits every analytics copy. */
const PARTS = [batchingPart, hotStoragePart, cloudRunPart, dataflowPart, retentionPart, replicaPart];

export function sizingSpace(graph: Graph, spec: Spec, options: SpaceOptions = {}): SizingSpace {
  const parts: Part[] = PARTS.map((make) => make(graph, spec)).filter((p): p is Part => p !== undefined);
  const keep = options.only ?? (() => true);
  const dims = parts.flatMap((p) => p.dims).filter((d) => keep(d.id));
  const kept = new Set(dims.map((d) => d.id));
  // dimensions not searched stay at their current value
  const full = (a: Assignment): Assignment => {
    const out: Record<string, Value> = {};
    for (const p of parts) for (const d of p.dims) out[d.id] = kept.has(d.id) && a[d.id] !== undefined ? a[d.id] : d.current;
    return out;
  };
  return {
    dims,
    changesFor(a) {
      const asg = full(a);
      const changes: GraphChange[] = [];
      let state = { graph, spec };
      for (const p of parts) {
        const step = p.build(asg, state.graph, state.spec);
        if (step.length === 0) continue;
        changes.push(...step);
        state = applyChanges(state.graph, state.spec, step);
      }
      return changes;
    },
    diffFor(a) {
      const asg = full(a);
      return parts.flatMap((p) => p.diff(asg));
    },
  };
}

/** The assignment of the current design. */
export function currentAssignment(space: SizingSpace): Assignment {
  return Object.fromEntries(space.dims.map((d) => [d.id, d.current]));
}

/**
 * `base` with `values` set, each dependent dimension moved back inside its domain (a lowered
 * ceiling takes the floor down to it): the largest admissible value not above its own, else the
 * smallest admissible.
 */
export function assign(space: SizingSpace, base: Assignment, values: Readonly<Record<string, Value>>): Assignment {
  const a: Record<string, Value> = { ...base, ...values };
  for (const d of space.dims) {
    if (!d.dependsOn || values[d.id] !== undefined) continue;
    const domain = d.domain(a);
    if (domain.length === 0 || domain.includes(a[d.id])) continue;
    a[d.id] = [...domain].reverse().find((v) => Number(v) <= Number(a[d.id])) ?? domain[0];
  }
  return a;
}
