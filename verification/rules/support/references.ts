/**
 * Reference tests the rules ask once per resource, without the topology's per-resource name
 * sets: the same answers as `topology.refersTo` and `referrersAmong` (checked on every resource
 * pair of the golden inputs), with the literal name looked for by one walk over the referring
 * resource's strings where the topology would build (and keep) the set of every name they could
 * denote. Cheaper for the one-off questions rules ask (a gateway's buckets, a grant's target, a
 * table's writers); the topology's index stays in charge of long candidate lists.
 */
import type { AttrValue, Resource } from '../../graph/types';
import { isPending } from '../../graph/types';
import { readAttr } from '../../graph/values';
import type { Topology } from '../../analyses/topology';

/**
 * `topo.refersTo(from, to, attributePrefix)`: a reference edge (under the attribute prefix, when
 * given), or `to`'s literal name among `from`'s strings (under the prefix): equal to it, or
 * ending in `/`, `.` or `:` and it.
 */
export function refersTo(topo: Topology, from: Resource, to: Resource, attributePrefix?: string): boolean {
  const edges = topo.edgesFrom(from);
  for (let i = 0; i < edges.length; i++) {
    if (edges[i].to === to.address && (attributePrefix === undefined || edges[i].attribute.startsWith(attributePrefix))) return true;
  }
  const name = literalName(to);
  if (name === undefined) return false;
  const scope = attributePrefix === undefined ? from.values : readAttr(from, attributePrefix);
  return scope !== undefined && !isPending(scope) && namedIn(scope, name);
}

/** Above this many candidates the topology's index answers (as it does itself). */
const LINEAR_SCAN_MAX = 8;

/** `topo.referrersAmong(target, candidates, attributePrefix)`: the candidates referring to the target, in their order. */
export function referrersAmong(topo: Topology, target: Resource, candidates: readonly Resource[], attributePrefix?: string): Resource[] {
  if (candidates.length > LINEAR_SCAN_MAX) return topo.referrersAmong(target, candidates, attributePrefix);
  return candidates.filter((c) => refersTo(topo, c, target, attributePrefix));
}

/** `topo.targetsAmong(from, candidates, attributePrefix)`: the candidates `from` refers to, in their order. */
export function targetsAmong(topo: Topology, from: Resource, candidates: readonly Resource[], attributePrefix?: string): Resource[] {
  if (candidates.length > LINEAR_SCAN_MAX) return topo.targetsAmong(from, candidates, attributePrefix);
  return candidates.filter((c) => refersTo(topo, from, c, attributePrefix));
}

/** The topology's literal name of a resource: its first non-empty name-like attribute. */
function literalName(r: Resource): string | undefined {
  for (let i = 0; i < NAME_KEYS.length; i++) {
    const v = r.values[NAME_KEYS[i]];
    if (typeof v === 'string' && v !== '') return v;
  }
  return undefined;
}

const NAME_KEYS = ['name', 'dataset_id', 'table_id', 'app_profile_id', 'display_name'];

/** Whether a string in the value (pending values skipped, as stringLeaves does) denotes the name. */
function namedIn(v: AttrValue | undefined, name: string): boolean {
  if (typeof v === 'string') return denotes(v, name);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (namedIn(v[i], name)) return true;
    return false;
  }
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
