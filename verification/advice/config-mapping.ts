/**
 * Maps graph attributes back to the environment config fields the stacks build them from
 * (`EnvironmentConfig` in stacks/config/types.ts), so a what-if change or a synthesized sizing
 * can be shown as the edit a person makes. The verifier does not import stacks/: config keys
 * are strings, and resources are told apart by the names in docs/architecture.md.
 */
import type { AttrValue, Graph, Resource } from '../graph/types';
import type { GraphChange } from './types';
import { getAttr } from './graph-edit';
import { cpuOf, durationSeconds, goDurationHours, num, str } from './graph-query';

interface MappingRow {
  type: string;
  /** Which resource of the type (by its name attribute), when the type has several roles. */
  name?: (r: Resource) => boolean;
  attribute: RegExp;
  key: (match: RegExpExecArray, r: Resource) => string | undefined;
  /** Graph value -> config value. */
  convert: (v: AttrValue | undefined) => unknown;
}

const same = (v: AttrValue | undefined): unknown => (v === undefined ? undefined : v);
const seconds = (v: AttrValue | undefined): unknown => durationSeconds(v);
const hours = (v: AttrValue | undefined): unknown => goDurationHours(v);
const msToDays = (v: AttrValue | undefined): unknown => {
  const n = num(v);
  return n === undefined ? undefined : n / 86_400_000;
};
const privateIps = (v: AttrValue | undefined): unknown => (v === undefined ? undefined : v === 'WORKER_IP_PRIVATE');
const storageWrite = (v: AttrValue | undefined): unknown => (v === undefined ? undefined : v === true || v === 'true');
const cloudRunCpu = (v: AttrValue | undefined): unknown => cpuOf(v);
/** A whole Bigtable cluster block -> the config's cluster entry. */
const clusterBlock = (v: AttrValue | undefined): unknown => {
  if (v === undefined || v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const c = v as Record<string, AttrValue>;
  const auto = c.autoscaling_config as Record<string, AttrValue> | undefined;
  const storageType = str(c.storage_type) ?? 'SSD';
  return auto
    ? { zone: str(c.zone), storageType, minNodes: num(auto.min_nodes), maxNodes: num(auto.max_nodes), cpuTargetPercent: num(auto.cpu_target) }
    : { zone: str(c.zone), storageType, minNodes: num(c.num_nodes), maxNodes: num(c.num_nodes), fixedNodes: num(c.num_nodes) };
};
const clusterBlocks = (v: AttrValue | undefined): unknown => (v === undefined ? undefined : (Array.isArray(v) ? v : [v]).map(clusterBlock));

/** Cloud Run service name -> EnvironmentConfig section (names from docs/architecture.md). */
export const CLOUD_RUN_SECTIONS: Record<string, string> = {
  'ingest-gateway': 'ingestion.gateway',
  'speed-processor': 'processing.processor',
  'analytics-api': 'analytics',
  dashboard: 'dashboard',
};

const named = (...names: string[]) => (r: Resource) => names.includes(str(r.values.name) ?? '') || names.includes(str(r.values.table_id) ?? '');

const ROWS: MappingRow[] = [
  { type: 'google_bigtable_instance', attribute: /^cluster\.(\d+)\.autoscaling_config\.min_nodes$/, key: (m) => `hotStorage.clusters[${m[1]}].minNodes`, convert: same },
  { type: 'google_bigtable_instance', attribute: /^cluster\.(\d+)\.autoscaling_config\.max_nodes$/, key: (m) => `hotStorage.clusters[${m[1]}].maxNodes`, convert: same },
  { type: 'google_bigtable_instance', attribute: /^cluster\.(\d+)\.autoscaling_config\.cpu_target$/, key: (m) => `hotStorage.clusters[${m[1]}].cpuTargetPercent`, convert: same },
  { type: 'google_bigtable_instance', attribute: /^cluster\.(\d+)\.num_nodes$/, key: (m) => `hotStorage.clusters[${m[1]}].fixedNodes`, convert: same },
  { type: 'google_bigtable_instance', attribute: /^cluster\.(\d+)\.autoscaling_config$/, key: (m) => `hotStorage.clusters[${m[1]}]`, convert: same },
  { type: 'google_bigtable_instance', attribute: /^cluster\.(\d+)\.storage_type$/, key: () => 'hotStorage.storageType', convert: same },
  { type: 'google_bigtable_instance', attribute: /^cluster\.(\d+)$/, key: (m) => `hotStorage.clusters[${m[1]}]`, convert: clusterBlock },
  { type: 'google_bigtable_instance', attribute: /^cluster$/, key: () => 'hotStorage.clusters', convert: clusterBlocks },
  { type: 'google_bigtable_instance', attribute: /^deletion_protection$/, key: () => 'hotStorage.deletionProtection', convert: same },
  { type: 'google_bigtable_app_profile', attribute: /^multi_cluster_routing_use_any$/, key: () => 'hotStorage.multiClusterRouting', convert: (v) => v === true },
  { type: 'google_bigtable_gc_policy', attribute: /^max_age\.duration$/, key: (_m, r) => (/aggregat/.test(r.name) ? 'hotStorage.aggregatesMaxAgeHours' : 'hotStorage.eventsMaxAgeHours'), convert: hours },
  { type: 'google_pubsub_topic', name: named('telemetry'), attribute: /^message_retention_duration$/, key: () => 'ingestion.topicRetentionSeconds', convert: seconds },
  { type: 'google_pubsub_subscription', name: named('telemetry-speed-layer'), attribute: /^message_retention_duration$/, key: () => 'ingestion.subscriptionRetentionSeconds', convert: seconds },
  { type: 'google_pubsub_subscription', name: named('telemetry-speed-layer', 'telemetry-archive'), attribute: /^ack_deadline_seconds$/, key: () => 'ingestion.ackDeadlineSeconds', convert: same },
  { type: 'google_pubsub_subscription', name: named('telemetry-speed-layer', 'telemetry-archive'), attribute: /^dead_letter_policy\.max_delivery_attempts$/, key: () => 'ingestion.maxDeliveryAttempts', convert: same },
  { type: 'google_pubsub_subscription', name: named('telemetry-speed-layer'), attribute: /^enable_exactly_once_delivery$/, key: () => 'ingestion.exactlyOnceDelivery', convert: same },
  { type: 'google_pubsub_subscription', name: named('telemetry-speed-layer'), attribute: /^enable_message_ordering$/, key: () => 'ingestion.messageOrdering', convert: same },
  { type: 'google_dataflow_job', attribute: /^machine_type$/, key: () => 'processing.dataflow.machineType', convert: same },
  { type: 'google_dataflow_job', attribute: /^max_workers$/, key: () => 'processing.dataflow.maxWorkers', convert: same },
  { type: 'google_dataflow_job', attribute: /^labels\.workers-initial$/, key: () => 'processing.dataflow.numWorkers', convert: (v) => num(v) },
  { type: 'google_dataflow_job', attribute: /^labels\.workers-min$/, key: () => 'processing.dataflow.minWorkers', convert: (v) => num(v) },
  { type: 'google_dataflow_job', attribute: /^enable_streaming_engine$/, key: () => 'processing.dataflow.enableStreamingEngine', convert: same },
  { type: 'google_dataflow_job', attribute: /^ip_configuration$/, key: () => 'processing.dataflow.privateIps', convert: privateIps },
  { type: 'google_dataflow_job', attribute: /^parameters\.useStorageWriteApi$/, key: () => 'processing.dataflow.useStorageWriteApi', convert: storageWrite },
  { type: 'google_bigquery_table', name: named('events_raw'), attribute: /^time_partitioning\.expiration_ms$/, key: () => 'coldStorage.partitionExpirationDays', convert: msToDays },
  { type: 'google_bigquery_table', attribute: /^deletion_protection$/, key: () => 'coldStorage.deletionProtection', convert: same },
];

for (const [serviceName, section] of Object.entries(CLOUD_RUN_SECTIONS)) {
  for (const type of ['google_cloud_run_v2_service', 'google_cloud_run_v2_worker_pool']) {
    ROWS.push(
      { type, name: named(serviceName), attribute: /^template\.scaling\.min_instance_count$/, key: () => `${section}.minInstances`, convert: same },
      { type, name: named(serviceName), attribute: /^template\.scaling\.max_instance_count$/, key: () => `${section}.maxInstances`, convert: same },
      { type, name: named(serviceName), attribute: /^template\.containers\.0\.resources\.limits\.cpu$/, key: () => `${section}.cpu`, convert: cloudRunCpu },
    );
  }
}

// the gateway's EVENTS_PER_MESSAGE is the spec's eventsPerMessage, written by the ingestion construct
ROWS.push({
  type: 'google_cloud_run_v2_service',
  attribute: /^template\.containers\.(\d+)\.env\.(\d+)\.value$/,
  key: (m, r) => (str(getAttr(r.values, `template.containers.${m[1]}.env.${m[2]}.name`)) === 'EVENTS_PER_MESSAGE' ? 'spec.workload.eventsPerMessage' : undefined),
  convert: (v) => num(v),
});

/** The spec workload figures that are design choices. */
const SPEC_KEYS: Record<string, string> = { 'workload.eventsPerMessage': 'spec.workload.eventsPerMessage' };

export interface ConfigEdit {
  configKey: string;
  from: unknown;
  to: unknown;
}

/** The config field a change edits, with both values in the config's units; undefined when no field maps. */
export function configEditOf(graph: Graph, change: GraphChange): ConfigEdit | undefined {
  if (change.kind === 'spec') {
    const key = SPEC_KEYS[change.path];
    return key ? { configKey: key, from: change.from, to: change.to } : undefined;
  }
  if (change.kind !== 'set') return undefined;
  const resource = graph.byAddress.get(change.address);
  if (!resource) return undefined;
  for (const row of ROWS) {
    if (row.type !== resource.type || (row.name && !row.name(resource))) continue;
    const m = row.attribute.exec(change.attribute);
    if (!m) continue;
    const key = row.key(m, resource);
    if (!key) continue;
    return { configKey: key, from: row.convert(change.from), to: row.convert(change.to) };
  }
  return undefined;
}

export interface FlatConfigEdit {
  configKey: string;
  from: unknown;
  to: unknown;
}

/**
 * Flattens an edit of a list of cluster objects into per-field config keys
 * ("hotStorage.clusters[1].maxNodes"); the per-cluster storage type is the config's single
 * `hotStorage.storageType`.
 */
export function flattenConfigEdit(edit: ConfigEdit): FlatConfigEdit[] {
  if (edit.configKey !== 'hotStorage.clusters' || !(Array.isArray(edit.from) || Array.isArray(edit.to))) return [edit];
  const from = (Array.isArray(edit.from) ? edit.from : []) as Record<string, unknown>[];
  const to = (Array.isArray(edit.to) ? edit.to : []) as Record<string, unknown>[];
  const out: FlatConfigEdit[] = [];
  const storageFrom = from[0]?.storageType;
  const storageTo = to[0]?.storageType;
  if (storageFrom !== storageTo) out.push({ configKey: 'hotStorage.storageType', from: storageFrom, to: storageTo });
  for (let i = 0; i < Math.max(from.length, to.length); i++) {
    const f = from[i];
    const t = to[i];
    if (!f || !t) {
      const strip = (c: Record<string, unknown> | undefined) => (c ? Object.fromEntries(Object.entries(c).filter(([k, v]) => k !== 'storageType' && v !== undefined)) : undefined);
      out.push({ configKey: `hotStorage.clusters[${i}]`, from: strip(f), to: strip(t) });
      continue;
    }
    for (const field of ['zone', 'minNodes', 'maxNodes', 'cpuTargetPercent', 'fixedNodes']) {
      if (f[field] !== t[field]) out.push({ configKey: `hotStorage.clusters[${i}].${field}`, from: f[field], to: t[field] });
    }
  }
  return out;
}
