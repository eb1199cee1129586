/**
 * Small, typed reads of the Terraform graph that the pattern detectors, change generators and
 * the sizing space share. Attribute names are the Google provider's (hashicorp/google 6.x).
 */
import type { AttrValue, Edge, Graph, Resource } from '../graph/types';
import { isPending } from '../graph/types';
import { blocks, getAttr } from './graph-edit';

export function ofType(graph: Graph, ...types: string[]): Resource[] {
  const index = indexOf(graph);
  const lists = [...new Set(types)].map((t) => index.managedByType.get(t)).filter((l): l is Resource[] => l !== undefined);
  if (lists.length <= 1) return [...(lists[0] ?? [])];
  // in graph order, as a filter over the resources gives them
  return lists.flat().sort((a, b) => index.position.get(a.address)! - index.position.get(b.address)!);
}

export function num(v: AttrValue | undefined): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

export function str(v: AttrValue | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function bool(v: AttrValue | undefined): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return undefined;
}

/** Parses a Terraform duration ("604800s", "86400.5s") into seconds. */
export function durationSeconds(v: AttrValue | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)s$/.exec(v.trim());
  return m ? Number(m[1]) : undefined;
}

/** GC max-age durations use Go syntax ("720h", "30d" is not valid Go but the provider accepts "h"/"m"/"s"). */
export function goDurationHours(v: AttrValue | undefined): number | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)(h|m|s|d)$/.exec(v.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2] === 'h' ? n : m[2] === 'm' ? n / 60 : m[2] === 's' ? n / 3600 : n * 24;
}

/** Region of a zone ("us-central1-b" -> "us-central1"). */
export function regionOfZone(zone: string): string {
  return zone.replace(/-[a-z]$/, '');
}

/** Every string inside a value, including the expressions of pending values. */
function stringsIn(value: AttrValue | undefined, out: string[]): void {
  if (value === undefined || value === null) return;
  if (typeof value === 'string') out.push(value);
  else if (isPending(value)) {
    if (value.expression) out.push(value.expression);
    out.push(...value.references);
  } else if (Array.isArray(value)) value.forEach((v) => stringsIn(v, out));
  else if (typeof value === 'object') Object.values(value).forEach((v) => stringsIn(v, out));
}

/** Names a resource is known by in other resources' literal values (topic name, dataset id, ...). */
export function identifiers(r: Resource): string[] {
  const ids: string[] = [];
  for (const key of ['name', 'dataset_id', 'table_id', 'instance_id', 'cluster_id', 'app_profile_id', 'id']) {
    const v = r.values[key];
    if (typeof v === 'string' && v.length > 0) ids.push(v);
  }
  return ids;
}

/** BigQuery tables are named in specs and queries as "project:dataset.table" or "project.dataset.table". */
function tableIdOf(r: Resource): string | undefined {
  return r.type === 'google_bigquery_table' ? str(r.values.table_id) : undefined;
}

/** Whether a literal string names `to` (see refersTo); `names` are its identifiers, non-empty. */
function literalNames(s: string, to: Resource, names: readonly string[]): boolean {
  const tableId = tableIdOf(to);
  return (
    s.startsWith(`${to.address}.`) ||
    s.includes(`\${${to.address}.`) ||
    names.some((n) => s === n || s.endsWith(`/${n}`)) ||
    (tableId !== undefined && (s.endsWith(`.${tableId}`) || s.includes(`.${tableId}\``) || s.includes(`.${tableId} `)))
  );
}

/**
 * Lookups over one graph, built once per graph object (the advice edits copies, never a graph in
 * place; a graph whose resource or edge list was replaced gets a new index). `refersTo` over
 * every pair of two resource kinds was a scan of every edge and every literal per pair: on a
 * 10,000-resource plan the patterns and the dead-letter generator spent minutes there.
 */
interface GraphIndex {
  resources: readonly Resource[];
  edges: readonly Edge[];
  managedByType: Map<string, Resource[]>;
  edgesFrom: Map<string, Edge[]>;
  /** Resources with at least one identifier, by address, by identifier and by table id. */
  namedByAddress: Map<string, Resource>;
  byIdentifier: Map<string, Resource[]>;
  byTableId: Map<string, Resource[]>;
  /** Table ids holding a space or a backtick, matched the slow way (none in practice). */
  oddTables: Resource[];
  /** Addresses each resource (or one of its attributes, key "address\u0000attribute") names literally. */
  literalRefs: Map<string, Set<string>>;
  /** Position of each resource in the graph's order. */
  position: Map<string, number>;
}

const INDEXES = new WeakMap<Graph, GraphIndex>();

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

function indexOf(graph: Graph): GraphIndex {
  const cached = INDEXES.get(graph);
  if (cached && cached.resources === graph.resources && cached.edges === graph.edges) return cached;
  const index: GraphIndex = {
    resources: graph.resources,
    edges: graph.edges,
    managedByType: new Map(),
    edgesFrom: new Map(),
    namedByAddress: new Map(),
    byIdentifier: new Map(),
    byTableId: new Map(),
    oddTables: [],
    literalRefs: new Map(),
    position: new Map(graph.resources.map((r, i) => [r.address, i])),
  };
  for (const r of graph.resources) {
    if (r.mode === 'managed') push(index.managedByType, r.type, r);
    const names = identifiers(r);
    if (names.length === 0) continue;
    index.namedByAddress.set(r.address, r);
    for (const n of new Set(names)) push(index.byIdentifier, n, r);
    const tableId = tableIdOf(r);
    if (tableId !== undefined) {
      if (/[ `]/.test(tableId)) index.oddTables.push(r);
      else push(index.byTableId, tableId, r);
    }
  }
  for (const e of graph.edges) push(index.edgesFrom, e.from, e);
  INDEXES.set(graph, index);
  return index;
}

function positions(s: string, ch: string, from = 0): number[] {
  const out: number[] = [];
  for (let i = s.indexOf(ch, from); i !== -1; i = s.indexOf(ch, i + 1)) out.push(i);
  return out;
}

/**
 * Addresses of the graph's named resources one literal string names, by the rules of
 * `literalNames`, found by looking the string's pieces up instead of testing every resource.
 */
function namedBy(index: GraphIndex, s: string, out: Set<string>): void {
  const add = (list: readonly Resource[] | undefined) => list?.forEach((r) => out.add(r.address));
  const dots = positions(s, '.');
  // "<address>.<attr>" and "${<address>.<attr>...}"
  for (const i of dots) {
    const r = index.namedByAddress.get(s.slice(0, i));
    if (r) out.add(r.address);
  }
  for (const j of positions(s, '${')) {
    for (const i of dots) {
      if (i <= j + 2) continue;
      const r = index.namedByAddress.get(s.slice(j + 2, i));
      if (r) out.add(r.address);
    }
  }
  // the name itself, or a path ending "/<name>"
  add(index.byIdentifier.get(s));
  for (const i of positions(s, '/')) add(index.byIdentifier.get(s.slice(i + 1)));
  // ".<table_id>" at the end, or before a backtick or a space
  if (index.byTableId.size > 0) {
    for (const i of dots) {
      add(index.byTableId.get(s.slice(i + 1)));
      const rest = s.slice(i + 1);
      const stop = rest.search(/[ `]/);
      if (stop !== -1) add(index.byTableId.get(rest.slice(0, stop)));
    }
  }
  for (const t of index.oddTables) if (literalNames(s, t, identifiers(t))) out.add(t.address);
}

function literalRefs(graph: Graph, from: Resource, attribute?: string): Set<string> {
  const index = indexOf(graph);
  const key = attribute === undefined ? from.address : `${from.address}\u0000${attribute}`;
  let refs = index.literalRefs.get(key);
  if (!refs) {
    const values: string[] = [];
    stringsIn(attribute === undefined ? (from.values as AttrValue) : getAttr(from.values, attribute), values);
    refs = new Set();
    for (const s of values) namedBy(index, s, refs);
    index.literalRefs.set(key, refs);
  }
  return refs;
}

/** Whether the index answers for these two resources: both are the graph's own objects. */
function indexed(graph: Graph, from: Resource, to: Resource): boolean {
  return graph.byAddress.get(from.address) === from && graph.byAddress.get(to.address) === to;
}

/**
 * Whether `from` refers to `to`: a reference edge, or a literal value that names it (services
 * often get the topic or table name as a plain environment variable). A literal counts when it
 * equals the name or ends with "/<name>" (a full resource path).
 */
export function refersTo(graph: Graph, from: Resource, to: Resource): boolean {
  if (!indexed(graph, from, to)) return refersToScan(graph, from, to);
  if (indexOf(graph).edgesFrom.get(from.address)?.some((e) => e.to === to.address)) return true;
  return literalRefs(graph, from).has(to.address);
}

/** Whether one attribute (dot path prefix) of `from` refers to `to`. */
export function attrRefersTo(graph: Graph, from: Resource, attribute: string, to: Resource): boolean {
  const onAttribute = (e: Edge) => e.to === to.address && (e.attribute === attribute || e.attribute.startsWith(`${attribute}.`));
  if (!indexed(graph, from, to)) {
    if (graph.edges.some((e) => e.from === from.address && onAttribute(e))) return true;
    const value = getAttr(from.values, attribute);
    if (value === undefined) return false;
    return refersToScan({ ...graph, edges: [] }, { ...from, values: { [attribute.replace(/\./g, '_')]: value } }, to);
  }
  if (indexOf(graph).edgesFrom.get(from.address)?.some(onAttribute)) return true;
  return literalRefs(graph, from, attribute).has(to.address);
}

/**
 * The graph's resources `from` (or one attribute of it) refers to, in graph order: what
 * `graph.resources.filter((to) => attrRefersTo(graph, from, attribute, to))` gives, from the
 * index instead of a test per resource.
 */
export function referencesOf(graph: Graph, from: Resource, attribute?: string): Resource[] {
  if (graph.byAddress.get(from.address) !== from) {
    return graph.resources.filter((to) => (attribute === undefined ? refersTo(graph, from, to) : attrRefersTo(graph, from, attribute, to)));
  }
  const index = indexOf(graph);
  const found = new Set(literalRefs(graph, from, attribute));
  for (const e of index.edgesFrom.get(from.address) ?? []) {
    if (attribute === undefined || e.attribute === attribute || e.attribute.startsWith(`${attribute}.`)) found.add(e.to);
  }
  return graph.resources.length < 4 * found.size
    ? graph.resources.filter((r) => found.has(r.address))
    : [...found].map((a) => graph.byAddress.get(a)).filter((r): r is Resource => r !== undefined).sort((a, b) => index.position.get(a.address)! - index.position.get(b.address)!);
}

/** refersTo without the index, for resources that are not the graph's own objects. */
function refersToScan(graph: Graph, from: Resource, to: Resource): boolean {
  if (graph.edges.some((e) => e.from === from.address && e.to === to.address)) return true;
  const names = identifiers(to);
  if (names.length === 0) return false;
  const values: string[] = [];
  stringsIn(from.values as AttrValue, values);
  return values.some((s) => literalNames(s, to, names));
}

export function referrers(graph: Graph, to: Resource, ...types: string[]): Resource[] {
  return ofType(graph, ...types).filter((r) => r !== to && refersTo(graph, r, to));
}

export function referenced(graph: Graph, from: Resource, ...types: string[]): Resource[] {
  return ofType(graph, ...types).filter((r) => r !== from && refersTo(graph, from, r));
}

export interface BigtableClusterView {
  index: number;
  clusterId?: string;
  zone?: string;
  region?: string;
  storageType: string;
  numNodes?: number;
  minNodes?: number;
  maxNodes?: number;
  cpuTarget?: number;
  autoscaling: boolean;
}

export function bigtableClusters(instance: Resource): BigtableClusterView[] {
  return blocks(instance.values, 'cluster').map((c, index) => {
    const zone = str(c.zone);
    const auto = blocks(c, 'autoscaling_config')[0];
    return {
      index,
      clusterId: str(c.cluster_id),
      zone,
      region: zone ? regionOfZone(zone) : undefined,
      // the provider's default storage type is SSD
      storageType: str(c.storage_type) ?? 'SSD',
      numNodes: num(c.num_nodes),
      minNodes: auto ? num(auto.min_nodes) : undefined,
      maxNodes: auto ? num(auto.max_nodes) : undefined,
      cpuTarget: auto ? num(auto.cpu_target) : undefined,
      autoscaling: auto !== undefined,
    };
  });
}

/** App profiles of a Bigtable instance that route to any cluster. */
export function multiClusterProfiles(graph: Graph, instance: Resource): Resource[] {
  return ofType(graph, 'google_bigtable_app_profile').filter(
    (p) => refersTo(graph, p, instance) && bool(p.values.multi_cluster_routing_use_any) === true,
  );
}

export interface CloudRunView {
  minInstances?: number;
  maxInstances?: number;
  cpu?: number;
  /** Attribute paths, for the changes that edit them. */
  paths: { min: string; max: string; cpu: string };
}

const CLOUD_RUN_TYPES = ['google_cloud_run_v2_service', 'google_cloud_run_v2_worker_pool'];
export function cloudRunServices(graph: Graph): Resource[] {
  return ofType(graph, ...CLOUD_RUN_TYPES);
}

/** Parses a Cloud Run CPU limit ("1", "2", "1000m"). */
export function cpuOf(v: AttrValue | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(v.trim());
  if (!m) return undefined;
  return m[2] === 'm' ? Number(m[1]) / 1000 : Number(m[1]);
}

export function cloudRunView(service: Resource): CloudRunView {
  const paths = {
    min: 'template.scaling.min_instance_count',
    max: 'template.scaling.max_instance_count',
    cpu: 'template.containers.0.resources.limits.cpu',
  };
  return {
    minInstances: num(getAttr(service.values, paths.min)),
    maxInstances: num(getAttr(service.values, paths.max)),
    cpu: cpuOf(getAttr(service.values, paths.cpu)),
    paths,
  };
}

/** Environment variables of a Cloud Run service's first container, name -> value. */
export function cloudRunEnv(service: Resource): Record<string, AttrValue> {
  const container = blocks(service.values, 'template.containers')[0];
  if (!container) return {};
  const env: Record<string, AttrValue> = {};
  for (const e of blocks(container, 'env')) {
    const name = str(e.name);
    if (name) env[name] = e.value ?? null;
  }
  return env;
}

/**
 * Attribute paths of an environment variable's `value` in every container of a Cloud Run
 * service (e.g. "template.containers.0.env.2.value"); empty when no container declares it.
 */
export function envValuePaths(service: Resource, name: string): string[] {
  const paths: string[] = [];
  blocks(service.values, 'template.containers').forEach((container, c) => {
    blocks(container, 'env').forEach((e, i) => {
      if (str(e.name) === name) paths.push(`template.containers.${c}.env.${i}.value`);
    });
  });
  return paths;
}

/** Region a resource lives in: its own location/region/zone attribute, else its provider's region. */
export function regionOf(r: Resource): string | undefined {
  for (const key of ['region', 'location']) {
    const v = str(r.values[key]);
    if (v) return v;
  }
  const zone = str(r.values.zone);
  if (zone) return regionOfZone(zone);
  return str(r.provider?.region ?? undefined);
}

export function labelsOf(r: Resource): Record<string, string> {
  const labels = (r.values.labels ?? r.values.user_labels) as AttrValue | undefined;
  if (!labels || typeof labels !== 'object' || Array.isArray(labels) || isPending(labels)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (typeof v === 'string') out[k] = v;
  return out;
}
