/**
 * What-if edits on a resource graph: apply changes to a copy and hand the copy to the models.
 * The original graph is never touched, so one graph can be probed with many changes.
 *
 * Attribute paths are dot paths. The loader turns a single-element block list into an object,
 * so `cluster.0` on an object means the object itself, and setting `cluster.1` on it turns the
 * block into a list of two, as a second block in the Terraform would.
 */
import type { AttrValue, Edge, Graph, Resource } from '../graph/types';
import { isPending } from '../graph/types';
import type { Spec } from '../spec/spec';
import type { GraphChange } from './types';

function splitPath(path: string): string[] {
  return path === '' ? [] : path.split('.');
}

function isIndex(segment: string): boolean {
  return /^\d+$/.test(segment);
}

/** Reads a dot path; returns undefined when any segment is missing. */
export function getAttr(values: Record<string, AttrValue> | AttrValue | undefined, path: string): AttrValue | undefined {
  let current: AttrValue | undefined = values as AttrValue | undefined;
  for (const segment of splitPath(path)) {
    if (current === undefined || current === null || isPending(current)) return undefined;
    if (isIndex(segment)) {
      const i = Number(segment);
      if (Array.isArray(current)) current = current[i];
      else if (typeof current === 'object' && i === 0) continue; // single block normalised to an object
      else return undefined;
    } else if (Array.isArray(current)) {
      // `cluster.zone` on a list of one block reads that block
      if (current.length !== 1) return undefined;
      const only: AttrValue = current[0];
      if (typeof only !== 'object' || only === null || Array.isArray(only) || isPending(only)) return undefined;
      current = (only as Record<string, AttrValue>)[segment];
    } else if (typeof current === 'object') {
      current = (current as Record<string, AttrValue>)[segment];
    } else {
      return undefined;
    }
  }
  return current;
}

function cloneValue<T extends AttrValue | undefined>(value: T): T {
  return value === undefined ? value : (structuredClone(value) as T);
}

type Node = AttrValue | undefined;

function setIn(node: Node, segments: string[], to: Node): Node {
  if (segments.length === 0) return cloneValue(to);
  const [segment, ...rest] = segments;
  if (isIndex(segment)) {
    const idx = Number(segment);
    let list: AttrValue[];
    if (Array.isArray(node)) list = [...node];
    else if (node !== undefined && node !== null && typeof node === 'object' && !isPending(node)) {
      // a single block normalised to an object: index 0 is the block itself
      if (idx === 0 && rest.length > 0) return setIn(node, rest, to);
      list = [node];
    } else list = [];
    if (rest.length === 0 && to === undefined) {
      list.splice(idx, 1);
      return list;
    }
    list[idx] = setIn(list[idx], rest, to) as AttrValue;
    return list;
  }
  if (Array.isArray(node)) {
    if (node.length !== 1) throw new Error(`attribute "${segment}" is read across a list of ${node.length} blocks without an index`);
    return [setIn(node[0], segments, to) as AttrValue];
  }
  const obj: Record<string, AttrValue> =
    node !== undefined && node !== null && typeof node === 'object' && !isPending(node) ? { ...(node as Record<string, AttrValue>) } : {};
  if (rest.length === 0 && to === undefined) delete obj[segment];
  else obj[segment] = setIn(obj[segment], rest, to) as AttrValue;
  return obj;
}

/** Writes (or deletes, for undefined) a dot path in a copy of `values`, creating blocks on the way. */
export function setAttr(values: Record<string, AttrValue>, path: string, to: AttrValue | undefined): Record<string, AttrValue> {
  const segments = splitPath(path);
  if (segments.length === 0) throw new Error('setAttr: empty attribute path');
  return setIn(values as AttrValue, segments, to) as Record<string, AttrValue>;
}

/** Number of blocks of a nested block attribute (0 when absent, 1 for a normalised object). */
export function blockCount(values: Record<string, AttrValue>, attribute: string): number {
  const v = getAttr(values, attribute);
  if (v === undefined || v === null) return 0;
  return Array.isArray(v) ? v.length : 1;
}

/** The blocks of a nested block attribute as a list, whatever its normalised shape. */
export function blocks(values: Record<string, AttrValue>, attribute: string): Record<string, AttrValue>[] {
  const v = getAttr(values, attribute);
  if (v === undefined || v === null || isPending(v)) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.filter((b): b is Record<string, AttrValue> => typeof b === 'object' && b !== null && !Array.isArray(b) && !isPending(b));
}

function referencesIn(value: AttrValue | undefined, path: string, out: { attribute: string; to: string }[]): void {
  if (value === undefined || value === null) return;
  if (isPending(value)) {
    for (const ref of value.references) out.push({ attribute: path, to: ref });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => referencesIn(v, path === '' ? String(i) : `${path}.${i}`, out));
    return;
  }
  if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) referencesIn(v, path === '' ? k : `${path}.${k}`, out);
  }
}

/** Resource address referred to by a reference string (`google_x.y.name` -> `google_x.y`). */
function resourceOfReference(ref: string, byAddress: ReadonlyMap<string, Resource>): string | undefined {
  if (byAddress.has(ref)) return ref;
  const parts = ref.split('.');
  for (let n = parts.length - 1; n >= 2; n--) {
    const candidate = parts.slice(0, n).join('.');
    if (byAddress.has(candidate)) return candidate;
  }
  return undefined;
}

function edgesOf(resource: Resource, byAddress: ReadonlyMap<string, Resource>): Edge[] {
  const found: { attribute: string; to: string }[] = [];
  referencesIn(resource.values as AttrValue, '', found);
  const edges: Edge[] = [];
  for (const f of found) {
    const to = resourceOfReference(f.to, byAddress);
    if (to && to !== resource.address) edges.push({ from: resource.address, to, attribute: f.attribute });
  }
  return edges;
}

function parseAddress(address: string): { type: string; name: string } {
  const parts = address.split('.');
  if (parts.length < 2) throw new Error(`not a resource address: ${address}`);
  return { type: parts[parts.length - 2], name: parts[parts.length - 1] };
}

function zoneRegion(zone: string): string {
  return zone.replace(/-[a-z]$/, '');
}

/**
 * Keeps the loader's derived `region` / `regions` true after an edit (a second Bigtable cluster
 * in another zone makes the instance span two regions).
 */
function withRegions(r: Resource): Resource {
  const v = r.values;
  const own = [v.region, v.location].find((x): x is string => typeof x === 'string') ?? (typeof v.zone === 'string' ? zoneRegion(v.zone) : undefined);
  const clusterZones = blocks(v, 'cluster')
    .map((c) => c.zone)
    .filter((z): z is string => typeof z === 'string');
  const clusterRegions = [...new Set(clusterZones.map(zoneRegion))];
  const region = own ?? clusterRegions[0] ?? r.region ?? (typeof r.provider?.region === 'string' ? r.provider.region : undefined);
  const regions = clusterRegions.length > 1 ? clusterRegions : region !== undefined ? [region] : r.regions;
  const next: Resource = { ...r };
  if (region !== undefined) next.region = region;
  if (regions !== undefined) next.regions = regions;
  return next;
}

export interface AppliedChanges {
  graph: Graph;
  spec: Spec;
}

/**
 * Applies changes to copies of the graph and the spec. Edges of every touched resource are
 * rebuilt from the references in its new values; resources the changes do not touch are shared
 * with the original (they are never mutated).
 */
export function applyChanges(graph: Graph, spec: Spec, changes: readonly GraphChange[]): AppliedChanges {
  const resources = new Map<string, Resource>(graph.resources.map((r) => [r.address, r]));
  const order = graph.resources.map((r) => r.address);
  const touched = new Set<string>();
  let nextSpec = spec;
  for (const change of changes) {
    switch (change.kind) {
      case 'set': {
        const r = resources.get(change.address);
        if (!r) throw new Error(`what-if change names a resource not in the graph: ${change.address}`);
        resources.set(change.address, withRegions({ ...r, values: setAttr(r.values, change.attribute, change.to) }));
        touched.add(change.address);
        break;
      }
      case 'add': {
        if (resources.has(change.address)) throw new Error(`what-if change adds a resource that exists: ${change.address}`);
        const { type, name } = parseAddress(change.address);
        const sibling = graph.resources.find((r) => r.provider && (change.providerKey === undefined || r.provider.key === change.providerKey));
        resources.set(change.address, withRegions({
          address: change.address,
          mode: 'managed',
          type,
          name,
          modulePath: [],
          stack: sibling?.stack,
          provider: sibling?.provider,
          values: structuredClone(change.values),
          sensitivePaths: [],
          ...(change.meta ? { meta: structuredClone(change.meta) } : {}),
        }));
        order.push(change.address);
        touched.add(change.address);
        for (const dependent of change.requiredBy ?? []) {
          const d = resources.get(dependent);
          if (!d) throw new Error(`what-if change makes a resource not in the graph depend on ${change.address}: ${dependent}`);
          const dependsOn = [...(d.meta?.dependsOn ?? []).filter((x) => x !== change.address), change.address];
          resources.set(dependent, { ...d, meta: { ...d.meta, dependsOn } });
        }
        break;
      }
      case 'remove': {
        if (!resources.delete(change.address)) throw new Error(`what-if change removes a resource not in the graph: ${change.address}`);
        for (const [address, r] of resources) {
          if (r.meta?.dependsOn?.includes(change.address)) resources.set(address, { ...r, meta: { ...r.meta, dependsOn: r.meta.dependsOn.filter((x) => x !== change.address) } });
        }
        break;
      }
      case 'spec': {
        const copy = structuredClone(nextSpec) as unknown as Record<string, unknown>;
        const segments = change.path.split('.');
        let cursor: Record<string, unknown> = copy;
        for (const s of segments.slice(0, -1)) cursor = cursor[s] as Record<string, unknown>;
        cursor[segments[segments.length - 1]] = change.to;
        nextSpec = copy as unknown as Spec;
        break;
      }
    }
  }
  const list = order.filter((a) => resources.has(a)).map((a) => resources.get(a) as Resource);
  const byAddress = new Map(list.map((r) => [r.address, r]));
  const edges = graph.edges.filter((e) => byAddress.has(e.from) && byAddress.has(e.to) && !touched.has(e.from));
  for (const address of touched) {
    const r = byAddress.get(address);
    if (r) edges.push(...edgesOf(r, byAddress));
  }
  return {
    graph: { ...graph, resources: list, byAddress, edges, warnings: [...graph.warnings] },
    spec: nextSpec,
  };
}

/** A Pending reference value, as the loader writes for `${...}` tokens. */
export function referenceTo(address: string, attribute: string): AttrValue {
  return { $pending: true, reason: 'expression', expression: `\${${address}.${attribute}}`, references: [`${address}.${attribute}`] };
}

/**
 * A copy of `value` whose references to the addresses in `renames` point at their new
 * addresses instead (the expressions too), as a construct deployed twice refers to its own copies.
 */
export function rewriteReferences(value: AttrValue | undefined, renames: ReadonlyMap<string, string>): AttrValue | undefined {
  if (value === undefined || value === null) return value;
  if (isPending(value)) {
    let expression = value.expression;
    for (const [from, to] of renames) expression = expression?.split(`\${${from}.`).join(`\${${to}.`);
    return { ...value, ...(expression !== undefined ? { expression } : {}), references: value.references.map((r) => renameReference(r, renames)) };
  }
  if (Array.isArray(value)) return value.map((v) => rewriteReferences(v, renames) as AttrValue);
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewriteReferences(v, renames) as AttrValue]));
  return value;
}

function renameReference(ref: string, renames: ReadonlyMap<string, string>): string {
  for (const [from, to] of renames) if (ref === from || ref.startsWith(`${from}.`)) return `${to}${ref.slice(from.length)}`;
  return ref;
}
