/**
 * Bigtable replication beyond the cluster count (which the sizing generator proposes as the
 * config's `hotStorage.clusters`): multi-cluster routing where the clusters span regions but
 * the app profile routes to one (`hotStorage.multiClusterRouting`), and moving a replica to a
 * nearer region (`hotStorage.clusters[i].zone`; the construct derives the cluster id from it),
 * where replication traffic costs less.
 */
import type { Graph, Resource } from '../../../graph/types';
import { blocks, referenceTo } from '../../graph-edit';
import { bigtableClusters, ofType, refersTo, str } from '../../graph-query';
import { ARCHITECTURE_NAMES } from '../../config-targets';
import { candidateRegions } from '../../regions';
import type { GraphChange } from '../../types';
import { candidate, set, type Candidate, type ChangeGenerator } from '../generator';

/** Zone "b" exists in every region the data files list, so a moved cluster goes there. */
const NEW_CLUSTER_ZONE_SUFFIX = '-b';
/** Bigtable cluster ids are 6..30 characters; the construct cuts `<instance>-<zone>` there. */
const MAX_CLUSTER_ID = 30;

export function routingChanges(graph: Graph, instance: Resource): { changes: GraphChange[]; what: string } {
  const profiles = ofType(graph, 'google_bigtable_app_profile').filter((p) => refersTo(graph, p, instance));
  if (profiles.length === 0) {
    const address = `google_bigtable_app_profile.${instance.name}_multi_cluster`;
    return {
      changes: [{ kind: 'add', address, type: 'google_bigtable_app_profile', values: { instance: referenceTo(instance.address, 'name'), app_profile_id: ARCHITECTURE_NAMES.multiClusterProfile, multi_cluster_routing_use_any: true, ignore_warnings: true } }],
      what: `add app profile ${address} with multi-cluster routing`,
    };
  }
  const changes: GraphChange[] = [];
  for (const p of profiles) {
    if (p.values.multi_cluster_routing_use_any === true) continue;
    changes.push(set(p, 'multi_cluster_routing_use_any', true));
    // the construct names the profile after its routing (docs/architecture.md)
    if (p.values.app_profile_id !== undefined) changes.push(set(p, 'app_profile_id', ARCHITECTURE_NAMES.multiClusterProfile));
    if (blocks(p.values, 'single_cluster_routing').length > 0) changes.push(set(p, 'single_cluster_routing', undefined));
  }
  return { changes, what: changes.length > 0 ? `switch ${profiles.map((p) => p.address).join(', ')} to multi-cluster routing` : '' };
}

export const bigtableReplication: ChangeGenerator = {
  id: 'bigtable-replication',
  targets: ['availability', 'rto', 'rpo', 'monthly_cost', 'latency_p99', 'latency_p50'],
  generate({ graph }) {
    const out: Candidate[] = [];
    for (const instance of ofType(graph, 'google_bigtable_instance')) {
      const clusters = bigtableClusters(instance);
      const regions = [...new Set(clusters.map((c) => c.region).filter((r): r is string => r !== undefined))];
      const routing = routingChanges(graph, instance);
      if (regions.length >= 2 && routing.changes.length > 0) {
        out.push(candidate(this.id, `${routing.what} for ${instance.address}`, routing.changes, ['availability', 'rto', 'rpo']));
      }
      for (const c of clusters.slice(1)) {
        const others = clusters.filter((o) => o !== c).map((o) => o.region).filter((r): r is string => r !== undefined);
        for (const region of candidateRegions(others).slice(0, 2)) {
          if (region === c.region) continue;
          const zone = `${region}${NEW_CLUSTER_ZONE_SUFFIX}`;
          out.push(
            candidate(
              this.id,
              `move cluster ${c.clusterId ?? c.index} of ${instance.address} from ${c.zone} to ${zone}`,
              [set(instance, `cluster.${c.index}.zone`, zone), set(instance, `cluster.${c.index}.cluster_id`, `${str(instance.values.name) ?? instance.name}-${zone}`.slice(0, MAX_CLUSTER_ID))],
              ['monthly_cost', 'latency_p99', 'latency_p50'],
            ),
          );
        }
      }
    }
    return out;
  },
};
