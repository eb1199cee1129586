/**
 * A single-region stateful store under a multi-region availability target: the spec asks for
 * more than any single-region configuration of the store is contracted to give, so one
 * regional outage breaks the target.
 */
import { loadVerifierData } from '../../data';
import type { PatternDetector, PatternEvidence } from '../types';
import { bigtableClusters, multiClusterProfiles, ofType } from '../graph-query';

function sla(id: string): { value: number; source: string } {
  return loadVerifierData().sla(id);
}

export const singleRegionStore: PatternDetector = {
  id: 'single-region-store',
  name: 'Single-region stateful store under a multi-region availability target',
  kind: 'anti-pattern',
  description:
    'The availability target exceeds the SLA of a store confined to one region (or replicated without multi-cluster routing); only clusters in a second region with multi-cluster routing lift it.',
  detect({ graph, spec }) {
    const single = sla('bigtable.single-cluster');
    const target = spec.constraints.availability;
    if (!(target > single.value)) return [];
    const matches = [];
    for (const instance of ofType(graph, 'google_bigtable_instance')) {
      const clusters = bigtableClusters(instance);
      const regions = [...new Set(clusters.map((c) => c.region).filter((r): r is string => r !== undefined))];
      const profiles = multiClusterProfiles(graph, instance);
      const multiRegion = regions.length >= 2 && profiles.length > 0;
      if (multiRegion) continue;
      const evidence: PatternEvidence[] = [
        {
          address: instance.address,
          attribute: 'cluster',
          value: clusters.map((c) => c.zone ?? null),
          note: `${clusters.length} cluster${clusters.length === 1 ? '' : 's'} in ${regions.length === 1 ? `one region (${regions[0]})` : `${regions.length} regions`}`,
        },
        { note: `spec availability ${target} > ${single.value}, the single-cluster Bigtable SLA (${single.source})` },
      ];
      if (regions.length >= 2) {
        evidence.push({ address: instance.address, note: 'no app profile with multi_cluster_routing_use_any: requests stay on one cluster, SLA stays at the single-cluster figure' });
      }
      matches.push({
        id: this.id,
        name: this.name,
        kind: this.kind,
        summary: `${instance.address} cannot meet availability ${target}: ${regions.length <= 1 ? 'all clusters in one region' : 'no multi-cluster routing'}`,
        evidence,
        risks: ['availability' as const, 'rto' as const],
      });
    }
    return matches;
  },
};
