/**
 * Hot storage on HDD: the store that serves recent data at low latency sits on disks whose
 * reads take hundreds of milliseconds and serve a fraction of SSD throughput.
 */
import type { PatternDetector } from '../types';
import { bigtableClusters, ofType } from '../graph-query';

export const hotStorageOnHdd: PatternDetector = {
  id: 'hot-storage-on-hdd',
  name: 'Hot storage on HDD',
  kind: 'anti-pattern',
  description: 'A Bigtable cluster of the hot store uses HDD storage; hot reads need SSD latency.',
  detect({ graph }) {
    const matches = [];
    for (const instance of ofType(graph, 'google_bigtable_instance')) {
      const hdd = bigtableClusters(instance).filter((c) => c.storageType.toUpperCase() === 'HDD');
      if (hdd.length === 0) continue;
      matches.push({
        id: this.id,
        name: this.name,
        kind: this.kind,
        summary: `${instance.address}: ${hdd.length} cluster${hdd.length > 1 ? 's' : ''} on HDD (${hdd.map((c) => c.clusterId ?? `#${c.index}`).join(', ')})`,
        evidence: hdd.map((c) => ({
          address: instance.address,
          attribute: `cluster.${c.index}.storage_type`,
          value: c.storageType,
          note: `cluster ${c.clusterId ?? c.index} in ${c.zone ?? 'an unknown zone'} stores on HDD`,
        })),
        risks: ['latency_p99' as const, 'latency_p50' as const, 'event_processed' as const],
      });
    }
    return matches;
  },
};
