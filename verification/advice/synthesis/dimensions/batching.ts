/**
 * `spec.workload.eventsPerMessage`: events the ingest gateway packs into one Pub/Sub message.
 * The stacks write it into the gateway's EVENTS_PER_MESSAGE, so the build edits both
 * (a graph with only the spec changed could never be built from any config). Not monotone: larger batches cost less and lift the
 * per-message limits, but add batching delay and break archives that write one row per message.
 */
import type { Graph } from '../../../graph/types';
import type { Spec } from '../../../spec/spec';
import { cloudRunServices, envValuePaths } from '../../graph-query';
import type { GraphChange } from '../../types';
import { set } from '../../whatif/generator';
import { numberOf, plainDiff, sortedUnique, type Part } from './part';

const BATCH_STEPS = [1, 10, 100];
/** The gateway's variable (docs/architecture.md, "Environment variables"). */
export const EVENTS_PER_MESSAGE_ENV = 'EVENTS_PER_MESSAGE';

/** The spec change plus the gateway variable on every service that declares it. */
export function batchingChanges(graph: Graph, spec: Spec, to: number): GraphChange[] {
  const changes: GraphChange[] = [{ kind: 'spec', path: 'workload.eventsPerMessage', from: spec.workload.eventsPerMessage, to }];
  for (const service of cloudRunServices(graph)) {
    for (const path of envValuePaths(service, EVENTS_PER_MESSAGE_ENV)) changes.push(set(service, path, String(to)));
  }
  return changes;
}
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
