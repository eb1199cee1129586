/**
 * Bigtable replication: a cluster in a second region plus multi-cluster routing lifts the
 * contracted availability (99.9% -> 99.99%) and turns a region loss into an automatic failover.
 * Also proposes dropping a replica when the availability target does not need it (cost).
 */
import { loadVerifierData } from '../../../data';
import type { AttrValue, Graph, Resource } from '../../../graph/types';
import { blocks, referenceTo } from '../../graph-edit';
import { bigtableClusters, ofType, refersTo, str } from '../../graph-query';
import type { GraphChange } from '../../types';
import { candidate, set, type Candidate, type ChangeGenerator } from '../generator';

/** Zone "b" exists in every region the data files list, so a new cluster goes there. */
const NEW_CLUSTER_ZONE_SUFFIX = '-b';
/** Bigtable cluster ids are 6..30 characters. */
const MAX_CLUSTER_ID = 30;

/** Regions on the same continent first (cheaper replication traffic, shorter failover hop), then the rest. */
export function candidateRegions(current: string[]): string[] {
  const data = loadVerifierData();
  const regions = Object.keys(data.regions.regions).filter((r) => r === r.toLowerCase() && !current.includes(r));
  const home = current[0] ? data.continent(current[0]) : undefined;
  return [...regions.filter((r) => data.continent(r) === home), ...regions.filter((r) => data.continent(r) !== home)];
}

export function routingChanges(graph: Graph, instance: Resource): { changes: GraphChange[]; what: string } {
  const profiles = ofType(graph, 'google_bigtable_app_profile').filter((p) => refersTo(graph, p, instance));
  if (profiles.length === 0) {
    const address = `google_bigtable_app_profile.${instance.name}_multi_cluster`;
    return {
      changes: [{ kind: 'add', address, type: 'google_bigtable_app_profile', values: { instance: referenceTo(instance.address, 'name'), app_profile_id: 'multi-cluster', multi_cluster_routing_use_any: true, ignore_warnings: true } }],
      what: `add app profile ${address} with multi-cluster routing`,
    };
  }
  const changes: GraphChange[] = [];
  for (const p of profiles) {
    if (p.values.multi_cluster_routing_use_any === true) continue;
    changes.push(set(p, 'multi_cluster_routing_use_any', true));
    if (blocks(p.values, 'single_cluster_routing').length > 0) changes.push(set(p, 'single_cluster_routing', undefined));
  }
  return { changes, what: changes.length > 0 ? `switch ${profiles.map((p) => p.address).join(', ')} to multi-cluster routing` : '' };
}

export const bigtableReplication: ChangeGenerator = {
  id: 'bigtable-replication',
  targets: ['availability', 'rto', 'rpo', 'monthly_cost'],
  generate({ graph }) {
    const out: Candidate[] = [];
    for (const instance of ofType(graph, 'google_bigtable_instance')) {
      const clusters = bigtableClusters(instance);
      if (clusters.length === 0) continue;
      const regions = [...new Set(clusters.map((c) => c.region).filter((r): r is string => r !== undefined))];
      const routing = routingChanges(graph, instance);
      if (regions.length >= 2 && routing.changes.length > 0) {
        out.push(candidate(this.id, `${routing.what} for ${instance.address}`, routing.changes, ['availability', 'rto', 'rpo']));
      }
      {
        // a new cluster in another region, sized like the first
        const template = blocks(instance.values, 'cluster')[0];
        for (const region of candidateRegions(regions).slice(0, 2)) {
          const zone = `${region}${NEW_CLUSTER_ZONE_SUFFIX}`;
          const block: Record<string, AttrValue> = { ...template, zone, cluster_id: `${str(instance.values.name) ?? instance.name}-${zone}`.slice(0, MAX_CLUSTER_ID) };
          const add = set(instance, `cluster.${clusters.length}`, block);
          out.push(
            candidate(
              this.id,
              `add a cluster in ${zone} to ${instance.address}, sized like ${clusters[0].clusterId ?? 'the first'}${routing.changes.length > 0 ? `, and ${routing.what}` : ''}`,
              [add, ...routing.changes],
              ['availability', 'rto', 'rpo'],
            ),
          );
        }
      }
      // move a replica to a nearer region: replication traffic within a continent costs less
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
      if (clusters.length >= 2) {
        const last = clusters[clusters.length - 1];
        out.push(candidate(this.id, `remove cluster ${last.clusterId ?? last.index} (${last.zone}) from ${instance.address}`, [set(instance, `cluster.${last.index}`, undefined)], ['monthly_cost']));
      }
    }
    return out;
  },
};
