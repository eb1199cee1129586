/** Reference tests the rules ask once per resource, without the topology's per-resource name sets. */
import type { AttrValue, Resource } from '../../graph/types';
import { isPending } from '../../graph/types';
import type { Topology } from '../../analyses/topology';

/**
 * `topo.refersTo(from, to)` (no attribute prefix): a reference edge, or `to`'s literal name among
 * `from`'s strings (equal to it, or ending in `/`, `.` or `:` and it). The name is looked for with
 * one walk over the strings, where the topology would build (and keep) the set of every name
 * `from`'s strings could denote: cheaper for a one-off question about a resource nothing else
 * asks about (a gateway's buckets, a grant's service).
 */
export function refersTo(topo: Topology, from: Resource, to: Resource): boolean {
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
