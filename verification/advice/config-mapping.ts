/**
 * Maps a graph edit back to the EnvironmentConfig fields the stacks build it from
 * (stacks/config/types.ts), in the config's units (days, seconds, hours, node counts, booleans),
 * so a what-if change prints as the edit a person makes. Sizing candidates carry their config
 * diff from the sizing space already; this mapping serves the other generators' edits and the
 * per-change labels. An attribute the constructs derive from another field (a cluster id from
 * its zone, a standby copy's clamped floor) is `derived`: it follows its field, it is not one.
 * The verifier does not import stacks/: config keys are strings, and resources are told apart
 * by the names in docs/architecture.md.
 */
import type { AttrValue, Graph, Resource } from '../graph/types';
import type { ConfigDiffEntry, GraphChange } from './types';
import { getAttr } from './graph-edit';
import { cloudRunGroups } from './cloud-run-sizing';
import { cpuOf, durationSeconds, goDurationHours, num, str } from './graph-query';

/** Cloud Run service name -> EnvironmentConfig section (names from docs/architecture.md). */
export const CLOUD_RUN_SECTIONS: Record<string, string> = {
  'ingest-gateway': 'ingestion.gateway',
  'speed-processor': 'processing.processor',
  'analytics-api': 'analytics',
  dashboard: 'dashboard',
};

export type ConfigMapping =
  /** The config edits the change amounts to (one or more fields). */
  | { kind: 'field'; edits: ConfigDiffEntry[] }
  /** The constructs derive the attribute from another field; the change follows that field's edit. */
  | { kind: 'derived'; from: string };

interface Row {
  type: string | RegExp;
  /** Which resource of the type, when the type has several roles. */
  when?: (r: Resource, graph: Graph) => boolean;
  attribute: RegExp;
  map: (m: RegExpExecArray, from: AttrValue | undefined, to: AttrValue | undefined, r: Resource, graph: Graph) => ConfigMapping | undefined;
}

const MS_PER_DAY = 86_400_000;

/** Unset stays null in a config edit: the optional field is removed. */
const orNull = (v: unknown): unknown => (v === undefined ? null : v);
const field = (configKey: string, convert: (v: AttrValue | undefined) => unknown) => (_m: RegExpExecArray, from: AttrValue | undefined, to: AttrValue | undefined): ConfigMapping => ({
  kind: 'field',
  edits: [{ configKey, from: orNull(convert(from)), to: orNull(convert(to)) }],
});
const same = (v: AttrValue | undefined): unknown => v;
const bool = (v: AttrValue | undefined): unknown => (v === undefined ? undefined : v === true || v === 'true' || v === 'PROTECTED');
const named = (...names: string[]) => (r: Resource) => names.includes(str(r.values.name) ?? '') || names.includes(str(r.values.table_id) ?? '');

/** A Bigtable autoscaling block -> the config's bound fields of cluster i. */
function autoscalingEdits(i: string, from: AttrValue | undefined, to: AttrValue | undefined): ConfigDiffEntry[] {
  const f = (from ?? {}) as Record<string, AttrValue>;
  const t = (to ?? {}) as Record<string, AttrValue>;
  const out: ConfigDiffEntry[] = [];
  for (const [tf, key] of [['min_nodes', 'minNodes'], ['max_nodes', 'maxNodes'], ['cpu_target', 'cpuTargetPercent']] as const) {
    if (num(f[tf]) !== num(t[tf])) out.push({ configKey: `hotStorage.clusters[${i}].${key}`, from: orNull(num(f[tf])), to: orNull(num(t[tf])) });
  }
  return out;
}

/** A Bigtable cluster block -> the config's cluster entry (the storage type is the instance's). */
function clusterEntry(v: AttrValue | undefined): Record<string, unknown> | null {
  if (v === undefined || v === null || typeof v !== 'object' || Array.isArray(v)) return null;
  const c = v as Record<string, AttrValue>;
  const auto = c.autoscaling_config as Record<string, AttrValue> | undefined;
  const fixed = num(c.num_nodes);
  return auto
    ? { zone: str(c.zone), minNodes: num(auto.min_nodes), maxNodes: num(auto.max_nodes), cpuTargetPercent: num(auto.cpu_target) }
    : { zone: str(c.zone), minNodes: fixed, maxNodes: fixed, fixedNodes: fixed };
}

const isSecondaryCopy = (r: Resource, graph: Graph) => cloudRunGroups(graph).some((g) => g.secondaries.some((s) => s.address === r.address));

const ROWS: Row[] = [
  { type: 'google_bigtable_instance', attribute: /^cluster\.(\d+)\.autoscaling_config\.(min_nodes|max_nodes|cpu_target)$/, map: (m, f, t) => ({ kind: 'field', edits: autoscalingEdits(m[1], { [m[2]]: f ?? null }, { [m[2]]: t ?? null }) }) },
  { type: 'google_bigtable_instance', attribute: /^cluster\.(\d+)\.autoscaling_config$/, map: (m, f, t) => ({ kind: 'field', edits: autoscalingEdits(m[1], f, t) }) },
  { type: 'google_bigtable_instance', attribute: /^cluster\.(\d+)\.num_nodes$/, map: (m, f, t) => field(`hotStorage.clusters[${m[1]}].fixedNodes`, (v) => num(v))(m, f, t) },
  { type: 'google_bigtable_instance', attribute: /^cluster\.(\d+)\.storage_type$/, map: field('hotStorage.storageType', same) },
  { type: 'google_bigtable_instance', attribute: /^cluster\.(\d+)\.zone$/, map: (m, f, t) => field(`hotStorage.clusters[${m[1]}].zone`, same)(m, f, t) },
  { type: 'google_bigtable_instance', attribute: /^cluster\.(\d+)\.cluster_id$/, map: () => ({ kind: 'derived', from: 'hotStorage.clusters[i].zone' }) },
  { type: 'google_bigtable_instance', attribute: /^cluster\.(\d+)$/, map: (m, f, t) => ({ kind: 'field', edits: [{ configKey: `hotStorage.clusters[${m[1]}]`, from: clusterEntry(f), to: clusterEntry(t) }] }) },
  { type: 'google_bigtable_instance', attribute: /^deletion_protection$/, map: field('hotStorage.deletionProtection', bool) },
  { type: 'google_bigtable_table', attribute: /^deletion_protection$/, map: field('hotStorage.deletionProtection', bool) },
  { type: 'google_bigtable_app_profile', attribute: /^multi_cluster_routing_use_any$/, map: field('hotStorage.multiClusterRouting', (v) => (v === undefined ? false : v === true)) },
  { type: 'google_bigtable_app_profile', attribute: /^(single_cluster_routing|app_profile_id|description)$/, map: () => ({ kind: 'derived', from: 'hotStorage.multiClusterRouting' }) },
  { type: 'google_bigtable_gc_policy', attribute: /^max_age\.duration$/, map: (m, f, t, r) => field(/aggregat/.test(r.address) ? 'hotStorage.aggregatesMaxAgeHours' : 'hotStorage.eventsMaxAgeHours', goDurationHours)(m, f, t) },
  { type: 'google_pubsub_topic', when: named('telemetry', 'telemetry-dead-letter'), attribute: /^message_retention_duration$/, map: field('ingestion.topicRetentionSeconds', durationSeconds) },
  { type: 'google_pubsub_subscription', when: named('telemetry-speed-layer', 'telemetry-archive', 'telemetry-dead-letter-archive'), attribute: /^message_retention_duration$/, map: field('ingestion.subscriptionRetentionSeconds', durationSeconds) },
  { type: 'google_pubsub_subscription', when: named('telemetry-speed-layer'), attribute: /^ack_deadline_seconds$/, map: field('ingestion.ackDeadlineSeconds', same) },
  { type: 'google_pubsub_subscription', when: named('telemetry-speed-layer'), attribute: /^dead_letter_policy\.max_delivery_attempts$/, map: field('ingestion.maxDeliveryAttempts', same) },
  { type: 'google_pubsub_subscription', when: named('telemetry-speed-layer'), attribute: /^enable_exactly_once_delivery$/, map: field('ingestion.exactlyOnceDelivery', bool) },
  { type: 'google_pubsub_subscription', when: named('telemetry-speed-layer'), attribute: /^enable_message_ordering$/, map: field('ingestion.messageOrdering', bool) },
  { type: /^google_dataflow_(flex_template_)?job$/, attribute: /^machine_type$/, map: field('processing.dataflow.machineType', same) },
  { type: /^google_dataflow_(flex_template_)?job$/, attribute: /^max_workers$/, map: field('processing.dataflow.maxWorkers', (v) => num(v)) },
  { type: /^google_dataflow_(flex_template_)?job$/, attribute: /^labels\.workers-initial$/, map: field('processing.dataflow.numWorkers', (v) => num(v)) },
  { type: /^google_dataflow_(flex_template_)?job$/, attribute: /^labels\.workers-min$/, map: field('processing.dataflow.minWorkers', (v) => num(v)) },
  { type: /^google_dataflow_(flex_template_)?job$/, attribute: /^enable_streaming_engine$/, map: field('processing.dataflow.enableStreamingEngine', bool) },
  { type: /^google_dataflow_(flex_template_)?job$/, attribute: /^ip_configuration$/, map: field('processing.dataflow.privateIps', (v) => (v === undefined ? false : v === 'WORKER_IP_PRIVATE')) },
  { type: /^google_dataflow_(flex_template_)?job$/, attribute: /^parameters\.useStorageWriteApi$/, map: field('processing.dataflow.useStorageWriteApi', bool) },
  { type: 'google_bigquery_table', attribute: /^time_partitioning\.expiration_ms$/, map: field('coldStorage.partitionExpirationDays', (v) => { const n = num(v); return n === undefined ? undefined : n / MS_PER_DAY; }) },
  { type: 'google_bigquery_table', attribute: /^deletion_protection$/, map: field('coldStorage.deletionProtection', bool) },
  // the gateway's EVENTS_PER_MESSAGE is the spec's eventsPerMessage, written by the ingestion construct
  {
    type: 'google_cloud_run_v2_service',
    attribute: /^template\.containers\.(\d+)\.env\.(\d+)\.value$/,
    map: (m, f, t, r) => (str(getAttr(r.values, `template.containers.${m[1]}.env.${m[2]}.name`)) === 'EVENTS_PER_MESSAGE' ? { kind: 'derived', from: 'spec.workload.eventsPerMessage' } : undefined),
  },
];

for (const [serviceName, section] of Object.entries(CLOUD_RUN_SECTIONS)) {
  for (const type of ['google_cloud_run_v2_service', 'google_cloud_run_v2_worker_pool']) {
    const when = named(serviceName);
    ROWS.push(
      // a standby copy's floor is min(secondary.minInstances, max): it follows those fields
      { type, when: (r, g) => when(r) && isSecondaryCopy(r, g), attribute: /^template\.scaling\.min_instance_count$/, map: () => ({ kind: 'derived', from: `secondary.minInstances and ${section}.maxInstances` }) },
      { type, when, attribute: /^template\.scaling\.min_instance_count$/, map: field(`${section}.minInstances`, same) },
      { type, when, attribute: /^template\.scaling\.max_instance_count$/, map: field(`${section}.maxInstances`, same) },
      { type, when, attribute: /^template\.containers\.0\.resources\.limits\.cpu$/, map: field(`${section}.cpu`, (v) => cpuOf(v)) },
    );
  }
}

/** The spec workload figures that are design choices. */
const SPEC_KEYS: Record<string, string> = { 'workload.eventsPerMessage': 'spec.workload.eventsPerMessage' };

/** The config edits a change amounts to; undefined when no config field builds the attribute. */
export function configEditsOf(graph: Graph, change: GraphChange): ConfigMapping | undefined {
  if (change.kind === 'spec') {
    const key = SPEC_KEYS[change.path];
    return key ? { kind: 'field', edits: [{ configKey: key, from: change.from, to: change.to }] } : undefined;
  }
  if (change.kind !== 'set') return undefined;
  const resource = graph.byAddress.get(change.address);
  if (!resource) return undefined;
  for (const row of ROWS) {
    if (typeof row.type === 'string' ? row.type !== resource.type : !row.type.test(resource.type)) continue;
    if (row.when && !row.when(resource, graph)) continue;
    const m = row.attribute.exec(change.attribute);
    if (!m) continue;
    const mapped = row.map(m, change.from, change.to, resource, graph);
    if (mapped) return mapped;
  }
  return undefined;
}

/**
 * Config edits in the order they were made, merged per key: first value to last, moved to the
 * last edit's place (so a later edit of a whole list cannot undo an earlier field edit); no-ops
 * drop out.
 */
export function mergeConfigEdits(edits: readonly ConfigDiffEntry[]): ConfigDiffEntry[] {
  const out: ConfigDiffEntry[] = [];
  for (const e of edits) {
    const prior = out.findIndex((o) => o.configKey === e.configKey);
    const merged = prior === -1 ? e : { ...e, from: out[prior].from };
    if (prior !== -1) out.splice(prior, 1);
    if (JSON.stringify(merged.from) !== JSON.stringify(merged.to)) out.push(merged);
  }
  return out;
}
