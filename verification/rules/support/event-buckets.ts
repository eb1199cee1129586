/**
 * Cloud Storage buckets that hold events: the ingest gateway spills a batch there when Pub/Sub
 * refuses it and answers the device only after the write, so the objects are events already
 * acknowledged; losing them loses data. Found as buckets an ingest gateway refers to.
 */
import type { AttrValue, Resource } from '../../graph/types';
import { isPending } from '../../graph/types';
import type { Topology } from '../../analyses/topology';
import { servicesOf } from './services';

/** Found once per topology: three rules read them. */
const perTopology = new WeakMap<Topology, readonly Resource[]>();

export function eventBuckets(topo: Topology): readonly Resource[] {
  let buckets = perTopology.get(topo);
  if (!buckets) {
    const gateways = servicesOf(topo, 'ingest-gateway');
    buckets = topo.ofType('google_storage_bucket').filter((b) => gateways.some((g) => refersTo(topo, g, b)));
    perTopology.set(topo, buckets);
  }
  return buckets;
}

/**
 * `topo.refersTo(from, to)`: a reference edge, or `to`'s literal name among `from`'s strings
 * (equal to it, or ending in `/`, `.` or `:` and it). The name is looked for with one walk over
 * the strings: the topology would build the set of every name the gateway's strings could
 * denote, which no other question needs.
 */
function refersTo(topo: Topology, from: Resource, to: Resource): boolean {
  if (topo.edgesFrom(from).some((e) => e.to === to.address)) return true;
  const name = literalName(to);
  return name !== undefined && namedIn(from.values, name);
}

/** The topology's literal name of a resource: its first non-empty name-like attribute. */
function literalName(r: Resource): string | undefined {
  for (const key of NAME_KEYS) {
    const v = r.values[key];
    if (typeof v === 'string' && v !== '') return v;
  }
  return undefined;
}

const NAME_KEYS = ['name', 'dataset_id', 'table_id', 'app_profile_id', 'display_name'];

/** Whether a string in the value (pending values skipped, as stringLeaves does) denotes the name. */
function namedIn(v: AttrValue | undefined, name: string): boolean {
  if (typeof v === 'string') return denotes(v, name);
  if (Array.isArray(v)) return v.some((x) => namedIn(x, name));
  if (v && typeof v === 'object' && !isPending(v)) {
    for (const key in v) if (Object.prototype.hasOwnProperty.call(v, key) && namedIn(v[key], name)) return true;
  }
  return false;
}

function denotes(s: string, name: string): boolean {
  if (s === name) return true;
  if (s.length <= name.length || !s.endsWith(name)) return false;
  const separator = s.charCodeAt(s.length - name.length - 1);
  return separator === 47 /* / */ || separator === 46 /* . */ || separator === 58 /* : */;
}
