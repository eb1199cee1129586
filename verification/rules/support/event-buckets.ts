/**
 * Cloud Storage buckets that hold events: the ingest gateway spills a batch there when Pub/Sub
 * refuses it and answers the device only after the write, so the objects are events already
 * acknowledged; losing them loses data. Found as buckets an ingest gateway refers to.
 */
import type { Resource } from '../../graph/types';
import type { Topology } from '../../analyses/topology';

/** Found once per topology: three rules read them. */
const perTopology = new WeakMap<Topology, readonly Resource[]>();

export function eventBuckets(topo: Topology): readonly Resource[] {
  let buckets = perTopology.get(topo);
  if (!buckets) {
    const gateways = topo.services('ingest-gateway');
    buckets = topo.ofType('google_storage_bucket').filter((b) => gateways.some((g) => topo.refersTo(g, b)));
    perTopology.set(topo, buckets);
  }
  return buckets;
}
