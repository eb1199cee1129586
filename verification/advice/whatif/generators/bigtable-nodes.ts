/**
 * Bigtable node counts. Every cluster of a replicated instance applies every write, so the
 * clusters are sized together: raising one cluster alone does not raise the instance's
 * capacity. Proposes: raise max nodes (burst), raise min nodes (sustained, latency), lower
 * either (cost), and fixed node counts turned into autoscaling (cost).
 */
import { loadVerifierData } from '../../../data';
import type { Resource } from '../../../graph/types';
import type { GraphChange } from '../../types';
import { bigtableClusters, ofType, type BigtableClusterView } from '../../graph-query';
import { candidate, ladder, set, type Candidate, type ChangeGenerator } from '../generator';

/** How far above the current count the ladder goes: a node count beyond 3x is a redesign, not a tweak. */
const GROWTH_FACTOR = 3;

function autoscaling(instance: Resource, clusters: BigtableClusterView[], min: number, max: number, cpuTarget: number): GraphChange[] {
  const changes: GraphChange[] = [];
  for (const c of clusters) {
    if (c.numNodes !== undefined && !c.autoscaling) changes.push(set(instance, `cluster.${c.index}.num_nodes`, undefined));
    changes.push(set(instance, `cluster.${c.index}.autoscaling_config`, { min_nodes: min, max_nodes: max, cpu_target: c.cpuTarget ?? cpuTarget }));
  }
  return changes;
}

export const bigtableNodes: ChangeGenerator = {
  id: 'bigtable-nodes',
  targets: ['throughput_sustained', 'throughput_burst', 'latency_p99', 'latency_p50', 'event_processed', 'monthly_cost'],
  generate({ graph }) {
    const cpuTarget = loadVerifierData().perf('bigtable.latency-cpu-target').value;
    const out: Candidate[] = [];
    for (const instance of ofType(graph, 'google_bigtable_instance')) {
      const clusters = bigtableClusters(instance);
      if (clusters.length === 0) continue;
      const each = clusters.length > 1 ? 'every cluster of ' : '';
      const fixed = clusters.every((c) => !c.autoscaling && c.numNodes !== undefined);
      if (fixed) {
        const n = Math.max(...clusters.map((c) => c.numNodes ?? 0));
        for (const v of ladder(n + 1, n * GROWTH_FACTOR)) {
          out.push(candidate(this.id, `set the node count of ${each}${instance.address} to ${v}`, clusters.map((c) => set(instance, `cluster.${c.index}.num_nodes`, v)), ['throughput_sustained', 'throughput_burst', 'latency_p99', 'latency_p50', 'event_processed'], `${instance.address}:fixed-up`));
        }
        // fixed nodes -> autoscaling with the same ceiling and a lower floor (mildest floor first)
        for (const min of ladder(n - 1, 1, -1)) {
          out.push(candidate(this.id, `replace the ${n} fixed nodes of ${each}${instance.address} by autoscaling ${min}..${n} nodes at ${cpuTarget}% CPU`, autoscaling(instance, clusters, min, n, cpuTarget), ['monthly_cost'], `${instance.address}:fixed-to-auto`));
        }
        continue;
      }
      const min = Math.max(...clusters.map((c) => c.minNodes ?? c.numNodes ?? 1));
      const max = Math.max(...clusters.map((c) => c.maxNodes ?? c.numNodes ?? 1));
      for (const v of ladder(max + 1, max * GROWTH_FACTOR)) {
        out.push(candidate(this.id, `set max nodes of ${each}${instance.address} to ${v}`, clusters.map((c) => set(instance, `cluster.${c.index}.autoscaling_config.max_nodes`, v)), ['throughput_burst', 'throughput_sustained'], `${instance.address}:max-up`));
      }
      for (const v of ladder(min + 1, max * GROWTH_FACTOR)) {
        const changes: GraphChange[] = clusters.map((c) => set(instance, `cluster.${c.index}.autoscaling_config.min_nodes`, v));
        if (v > max) changes.push(...clusters.map((c) => set(instance, `cluster.${c.index}.autoscaling_config.max_nodes`, v)));
        out.push(candidate(this.id, `set min nodes of ${each}${instance.address} to ${v}${v > max ? ` (and max nodes to ${v})` : ''}`, changes, ['throughput_sustained', 'latency_p99', 'latency_p50', 'event_processed'], `${instance.address}:min-up`));
      }
      for (const v of ladder(max - 1, min, -1)) {
        out.push(candidate(this.id, `lower max nodes of ${each}${instance.address} to ${v}`, clusters.map((c) => set(instance, `cluster.${c.index}.autoscaling_config.max_nodes`, v)), ['monthly_cost'], `${instance.address}:max-down`));
      }
      for (const v of ladder(min - 1, 1, -1)) {
        out.push(candidate(this.id, `lower min nodes of ${each}${instance.address} to ${v}`, clusters.map((c) => set(instance, `cluster.${c.index}.autoscaling_config.min_nodes`, v)), ['monthly_cost'], `${instance.address}:min-down`));
      }
    }
    return out;
  },
};
