/**
 * Cloud Run scaling: instance bounds and CPU per instance of each service. More instances or
 * CPU raise the processor's capacity and cut queueing latency; fewer warm instances cut cost;
 * a missing ceiling is set. Each candidate is a config edit of the service's entry (the copy in
 * the environment's region) applied to every regional copy as the stacks would
 * (cloud-run-sizing.ts): a lowered ceiling lowers the warm floor with it and floors rise only
 * up to the ceiling, so no copy ever has min above max.
 */
import { boundsOf, cloudRunGroups, groupSizingChanges, secondaryMinInstances, type CloudRunBounds, type CloudRunGroup } from '../../cloud-run-sizing';
import { cloudRunView } from '../../graph-query';
import { candidate, ladder, type Candidate, type ChangeGenerator } from '../generator';

/** CPU sizes Cloud Run offers per instance (https://cloud.google.com/run/docs/configuring/services/cpu). */
const CPU_STEPS = [1, 2, 4, 8];
/** Ceilings proposed for a service that has none: powers of two keep the ladder short. */
const CEILINGS = [2, 4, 8, 16, 32, 64, 100];
const GROWTH_FACTOR = 4;

function label(group: CloudRunGroup): string {
  return `${group.name}${group.secondaries.length > 0 ? ` (${group.secondaries.length + 1} regions)` : ''}`;
}

export const cloudRunScaling: ChangeGenerator = {
  id: 'cloud-run-scaling',
  targets: ['throughput_sustained', 'throughput_burst', 'latency_p99', 'latency_p50', 'event_processed', 'dashboard_updated', 'monthly_cost'],
  generate({ graph }) {
    const out: Candidate[] = [];
    const secondaryMin = secondaryMinInstances(graph);
    for (const group of cloudRunGroups(graph)) {
      const name = label(group);
      const now = boundsOf(group.primary);
      const unbounded = cloudRunView(group.primary).maxInstances === undefined;
      const key = group.primary.address;
      const sized = (to: Partial<CloudRunBounds>) => groupSizingChanges(group, { ...now, ...to }, secondaryMin);
      const { minInstances: min, maxInstances: max, cpu } = now;
      if (unbounded) {
        for (const c of CEILINGS.filter((c) => c >= Math.max(min, 1)).reverse()) {
          out.push(candidate(this.id, `set max instances of ${name} to ${c}`, sized({ maxInstances: c }), ['monthly_cost'], `${key}:set-max`));
        }
      } else {
        for (const c of ladder(max + 1, max * GROWTH_FACTOR)) {
          out.push(candidate(this.id, `set max instances of ${name} to ${c}`, sized({ maxInstances: c }), ['throughput_burst', 'throughput_sustained'], `${key}:max-up`));
        }
        for (const c of ladder(max - 1, 1, -1)) {
          const floor = Math.min(min, c);
          const also = floor < min ? ` (and min instances to ${floor})` : '';
          out.push(candidate(this.id, `lower max instances of ${name} to ${c}${also}`, sized({ maxInstances: c, minInstances: floor }), ['monthly_cost'], `${key}:max-down`));
        }
      }
      // up to the ceiling: a floor above it is the max-up ladder's job
      for (const c of ladder(min + 1, max)) {
        out.push(candidate(this.id, `set min instances of ${name} to ${c}`, sized({ minInstances: c }), ['throughput_sustained', 'latency_p99', 'latency_p50', 'event_processed'], `${key}:min-up`));
      }
      for (const c of ladder(min - 1, 0, -1)) {
        out.push(candidate(this.id, `lower min instances of ${name} to ${c}`, sized({ minInstances: c }), ['monthly_cost'], `${key}:min-down`));
      }
      for (const c of CPU_STEPS.filter((s) => s !== cpu)) {
        out.push(candidate(this.id, `${c > cpu ? 'raise' : 'lower'} CPU of ${name} to ${c} vCPU`, sized({ cpu: c }), c > cpu ? ['throughput_sustained', 'throughput_burst', 'latency_p99'] : ['monthly_cost']));
      }
    }
    return out;
  },
};
