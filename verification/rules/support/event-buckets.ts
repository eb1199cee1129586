/**
 * Cloud Storage buckets that hold events: the ingest gateway spills a batch there when Pub/Sub
 * refuses it and answers the device only after the write, so the objects are events already
 * acknowledged; losing them loses data. Found as buckets an ingest gateway refers to.
 */
import type { Resource } from '../../graph/types';
import type { Topology } from '../../analyses/topology';

export function eventBuckets(topo: Topology): Resource[] {
  const gateways = topo.services('ingest-gateway');
  return topo.ofType('google_storage_bucket').filter((b) => gateways.some((g) => topo.refersTo(g, b)));
}
