/**
 * `spec.workload.eventsPerMessage`: events the ingest gateway packs into one Pub/Sub message.
 * The stacks write it into the gateway's EVENTS_PER_MESSAGE, so the build edits both
 * (whatif/generators/batching.ts). Not monotone: larger batches cost less and lift the
 * per-message limits, but add batching delay and break archives that write one row per message.
 */
import type { Graph } from '../../../graph/types';
import type { Spec } from '../../../spec/spec';
import { batchingChanges } from '../../whatif/generators/batching';
import { numberOf, plainDiff, sortedUnique, type Part } from './part';

const BATCH_STEPS = [1, 10, 100];
export const BATCHING_KEY = 'spec.workload.eventsPerMessage';

export function batchingPart(_graph: Graph, spec: Spec): Part {
  const current = spec.workload.eventsPerMessage;
  const dims = [{ id: BATCHING_KEY, label: 'events per Pub/Sub message', monotone: false, current, domain: () => sortedUnique([...BATCH_STEPS, current]) }];
  return {
    dims,
    build: (a, graph, s) => {
      const to = numberOf(a, BATCHING_KEY, current);
      return to === current ? [] : batchingChanges(graph, s, to);
    },
    diff: (a) => plainDiff(dims, a),
  };
}
