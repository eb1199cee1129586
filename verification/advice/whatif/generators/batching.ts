/**
 * Pub/Sub batching: events the ingest gateway packs into one message. Pub/Sub bills at least
 * 1,000 bytes per message and limits per-request counts, so larger batches cut cost and
 * per-message overhead; the price is a little batching delay.
 *
 * The stacks write the spec's `workload.eventsPerMessage` into the gateway's EVENTS_PER_MESSAGE
 * environment variable, and the rules read that variable, so a batching change edits both: a
 * graph with only the spec changed could never be built from any config.
 */
import type { Graph } from '../../../graph/types';
import type { Spec } from '../../../spec/spec';
import { cloudRunServices, envValuePaths } from '../../graph-query';
import type { GraphChange } from '../../types';
import { candidate, set, type Candidate, type ChangeGenerator } from '../generator';

/** Batch sizes proposed; each must fit a message (the models check the size limit). */
const BATCH_SIZES = [1, 2, 5, 10, 20, 50, 100];
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

export const batching: ChangeGenerator = {
  id: 'batching',
  targets: ['monthly_cost', 'throughput_burst', 'throughput_sustained'],
  generate({ graph, spec }) {
    const current = spec.workload.eventsPerMessage;
    return BATCH_SIZES.filter((b) => b !== current).map((b): Candidate =>
      candidate(this.id, `pack ${b} event${b > 1 ? 's' : ''} per Pub/Sub message (now ${current})`, batchingChanges(graph, spec, b), b > current ? ['monthly_cost', 'throughput_burst', 'throughput_sustained'] : ['latency_p99', 'latency_p50']),
    );
  },
};
