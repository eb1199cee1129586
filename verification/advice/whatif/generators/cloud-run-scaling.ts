/**
 * Cloud Run scaling: instance bounds and CPU per instance of each service. More instances or
 * CPU raise the processor's capacity and cut queueing latency; fewer warm instances cut cost;
 * a missing ceiling is set.
 */
import { cloudRunServices, cloudRunView, str } from '../../graph-query';
import type { AttrValue, Resource } from '../../../graph/types';
import type { GraphChange } from '../../types';
import { candidate, ladder, set as setOne, type Candidate, type ChangeGenerator } from '../generator';

/** CPU sizes Cloud Run offers per instance (https://cloud.google.com/run/docs/configuring/services/cpu). */
const CPU_STEPS = [1, 2, 4, 8];
/** Ceilings proposed for a service that has none: powers of two keep the ladder short. */
const CEILINGS = [2, 4, 8, 16, 32, 64, 100];
const GROWTH_FACTOR = 4;

export const cloudRunScaling: ChangeGenerator = {
  id: 'cloud-run-scaling',
  targets: ['throughput_sustained', 'throughput_burst', 'latency_p99', 'latency_p50', 'event_processed', 'dashboard_updated', 'monthly_cost'],
  generate({ graph }) {
    const out: Candidate[] = [];
    // regional copies of one service share one config entry: they are changed together
    const groups = new Map<string, Resource[]>();
    for (const s of cloudRunServices(graph)) {
      const key = str(s.values.name) ?? s.address;
      groups.set(key, [...(groups.get(key) ?? []), s]);
    }
    for (const copies of groups.values()) {
      const service = copies[0];
      const v = cloudRunView(service);
      const name = `${str(service.values.name) ?? service.address}${copies.length > 1 ? ` (${copies.length} regions)` : ''}`;
      const set = (_s: Resource, path: string, value: AttrValue): GraphChange[] => copies.map((c) => setOne(c, path, value));
      const min = v.minInstances ?? 0;
      if (v.maxInstances === undefined) {
        for (const c of CEILINGS.filter((c) => c >= Math.max(min, 1)).reverse()) {
          out.push(candidate(this.id, `set max instances of ${name} to ${c}`, set(service, v.paths.max, c), ['monthly_cost'], `${service.address}:set-max`));
        }
      } else {
        for (const c of ladder(v.maxInstances + 1, v.maxInstances * GROWTH_FACTOR)) {
          out.push(candidate(this.id, `set max instances of ${name} to ${c}`, set(service, v.paths.max, c), ['throughput_burst', 'throughput_sustained'], `${service.address}:max-up`));
        }
        for (const c of ladder(v.maxInstances - 1, Math.max(min, 1), -1)) {
          out.push(candidate(this.id, `lower max instances of ${name} to ${c}`, set(service, v.paths.max, c), ['monthly_cost'], `${service.address}:max-down`));
        }
      }
      const ceiling = v.maxInstances ?? Math.max(...CEILINGS);
      for (const c of ladder(min + 1, ceiling)) {
        out.push(candidate(this.id, `set min instances of ${name} to ${c}`, set(service, v.paths.min, c), ['throughput_sustained', 'latency_p99', 'latency_p50', 'event_processed'], `${service.address}:min-up`));
      }
      for (const c of ladder(min - 1, 0, -1)) {
        out.push(candidate(this.id, `lower min instances of ${name} to ${c}`, set(service, v.paths.min, c), ['monthly_cost'], `${service.address}:min-down`));
      }
      const cpu = v.cpu ?? 1;
      for (const c of CPU_STEPS.filter((s) => s !== cpu)) {
        out.push(candidate(this.id, `${c > cpu ? 'raise' : 'lower'} CPU of ${name} to ${c} vCPU`, set(service, v.paths.cpu, String(c)), c > cpu ? ['throughput_sustained', 'throughput_burst', 'latency_p99'] : ['monthly_cost']));
      }
    }
    return out;
  },
};
