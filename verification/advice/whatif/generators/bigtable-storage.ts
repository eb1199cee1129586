/**
 * Bigtable storage type: SSD for hot reads and latency, HDD only where latency does not matter.
 * The stacks use one storage type for every cluster of the instance.
 */
import { bigtableClusters, ofType } from '../../graph-query';
import { candidate, set, type Candidate, type ChangeGenerator } from '../generator';

export const bigtableStorage: ChangeGenerator = {
  id: 'bigtable-storage',
  targets: ['latency_p99', 'latency_p50', 'event_processed', 'throughput_sustained', 'throughput_burst', 'monthly_cost'],
  generate({ graph }) {
    const out: Candidate[] = [];
    for (const instance of ofType(graph, 'google_bigtable_instance')) {
      const clusters = bigtableClusters(instance);
      for (const to of ['SSD', 'HDD'] as const) {
        const differ = clusters.filter((c) => c.storageType.toUpperCase() !== to);
        if (differ.length === 0) continue;
        out.push(
          candidate(
            this.id,
            `store ${instance.address} on ${to}`,
            differ.map((c) => set(instance, `cluster.${c.index}.storage_type`, to)),
            to === 'SSD' ? ['latency_p99', 'latency_p50', 'event_processed', 'throughput_sustained', 'throughput_burst'] : ['monthly_cost'],
          ),
        );
      }
    }
    return out;
  },
};
