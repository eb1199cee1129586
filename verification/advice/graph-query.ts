/**
 * Small, typed reads of the Terraform graph that the pattern detectors, change generators and
 * the sizing space share. Attribute names are the Google provider's (hashicorp/google 6.x).
 */
import type { AttrValue, Graph, Resource } from '../graph/types';
import { isPending } from '../graph/types';
import { blocks, getAttr } from './graph-edit';

export function ofType(graph: Graph, ...types: string[]): Resource[] {
  return graph.resources.filter((r) => r.mode === 'managed' && types.includes(r.type));
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

/**
 * Whether `from` refers to `to`: a reference edge, or a literal value that names it (services
 * often get the topic or table name as a plain environment variable). A literal counts when it
 * equals the name or ends with "/<name>" (a full resource path).
 */
export function refersTo(graph: Graph, from: Resource, to: Resource): boolean {
  if (graph.edges.some((e) => e.from === from.address && e.to === to.address)) return true;
  const names = identifiers(to);
  if (names.length === 0) return false;
  const values: string[] = [];
  stringsIn(from.values as AttrValue, values);
  // BigQuery tables are named in specs as "project:dataset.table" or "project.dataset.table"
  const tableId = to.type === 'google_bigquery_table' ? str(to.values.table_id) : undefined;
  return values.some(
    (s) =>
      s.startsWith(`${to.address}.`) ||
      s.includes(`\${${to.address}.`) ||
      names.some((n) => s === n || s.endsWith(`/${n}`)) ||
      (tableId !== undefined && (s.endsWith(`.${tableId}`) || s.includes(`.${tableId}\``) || s.includes(`.${tableId} `))),
  );
}

/** Whether one attribute (dot path prefix) of `from` refers to `to`. */
export function attrRefersTo(graph: Graph, from: Resource, attribute: string, to: Resource): boolean {
  if (graph.edges.some((e) => e.from === from.address && e.to === to.address && (e.attribute === attribute || e.attribute.startsWith(`${attribute}.`)))) return true;
  const value = getAttr(from.values, attribute);
  if (value === undefined) return false;
  return refersTo({ ...graph, edges: [] }, { ...from, values: { [attribute.replace(/\./g, '_')]: value } }, to);
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
