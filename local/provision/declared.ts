/**
 * Read from the resource graph what the local services should hold: Pub/Sub schemas, topics
 * and subscriptions, Bigtable tables with their families and GC rules, BigQuery datasets and
 * tables. References between resources (`${google_pubsub_topic.x.id}`) are resolved here.
 */
import { isPending, type AttrValue, type Graph, type Resource } from '../../verification/graph';
import type { NotHonoured, SkippedResource } from './report';

export interface DeclaredSchema {
  address: string;
  name: string;
  type: 'AVRO' | 'PROTOCOL_BUFFER';
  definition: string;
}

export interface DeclaredTopic {
  address: string;
  name: string;
  labels?: Record<string, string>;
  messageRetentionDuration?: string;
  schema?: { name: string; encoding: 'JSON' | 'BINARY' };
}

export interface DeclaredSubscription {
  address: string;
  name: string;
  topic: string;
  ackDeadlineSeconds?: number;
  enableMessageOrdering: boolean;
  enableExactlyOnceDelivery: boolean;
  retainAckedMessages: boolean;
  messageRetentionDuration?: string;
  filter?: string;
  deadLetter?: { topic: string; maxDeliveryAttempts: number };
  retry?: { minimumBackoff?: string; maximumBackoff?: string };
  /** ttl "" = never expires. */
  expirationTtl?: string;
  labels?: Record<string, string>;
  /** `projects/p/...table` when the subscription writes into BigQuery. */
  bigqueryTable?: string;
  pushEndpoint?: string;
}

export interface GcRule {
  maxAgeSeconds?: number;
  maxVersions?: number;
  /** How max age and max versions combine when both are set. */
  mode?: 'INTERSECTION' | 'UNION';
}

export interface DeclaredBigtableTable {
  address: string;
  instance: string;
  name: string;
  families: { name: string; gcRule?: GcRule; gcAddress?: string }[];
}

export interface DeclaredDataset {
  address: string;
  datasetId: string;
  body: Record<string, unknown>;
}

export interface DeclaredBigQueryTable {
  address: string;
  datasetId: string;
  tableId: string;
  body: Record<string, unknown>;
}

export interface DeclaredLocalCloud {
  projectId: string;
  schemas: DeclaredSchema[];
  topics: DeclaredTopic[];
  subscriptions: DeclaredSubscription[];
  bigtableTables: DeclaredBigtableTable[];
  datasets: DeclaredDataset[];
  bigqueryTables: DeclaredBigQueryTable[];
  notHonoured: NotHonoured[];
  skipped: SkippedResource[];
}

/** Resource types the provisioning creates locally. */
const PROVISIONED = new Set([
  'google_pubsub_schema',
  'google_pubsub_topic',
  'google_pubsub_subscription',
  'google_bigtable_instance',
  'google_bigtable_table',
  'google_bigtable_gc_policy',
  'google_bigquery_dataset',
  'google_bigquery_table',
]);

/** Why a type has no local counterpart. */
function skipReason(type: string): string {
  if (/_iam_(member|binding|policy)$/.test(type) || type === 'google_service_account' || type === 'google_service_account_iam_member') {
    return 'IAM: the emulators and the local BigQuery server do not authenticate or authorise; access rules are the verifier\'s job';
  }
  if (type.startsWith('google_monitoring_')) return 'Cloud Monitoring has no local emulator';
  if (type === 'google_dataflow_job' || type === 'google_dataflow_flex_template_job') return 'Dataflow has no local runtime; locally the archive worker applies the same UDF';
  if (type.startsWith('google_cloud_run')) return 'Cloud Run services run locally as Node processes (local/run), not as provisioned resources';
  if (type === 'google_bigtable_app_profile') return 'the Bigtable emulator has no instance admin and no app profiles (no multi-cluster routing)';
  if (type === 'google_bigquery_data_transfer_config') return 'scheduled queries do not run locally; run the batch-view query explicitly';
  return 'no local emulator for this resource type';
}

type Values = Record<string, AttrValue>;

export class DeclarationReader {
  constructor(
    private readonly graph: Graph,
    readonly projectId: string,
  ) {}

  /** A literal string, or a `${...}` expression resolved through the referenced resources. */
  str(resource: Resource, value: AttrValue | undefined, what: string): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (isPending(value) && value.expression) {
      return value.expression.replace(/\$\{([^}]+)\}/g, (_, ref: string) => this.resolveReference(resource, ref.trim(), what));
    }
    throw new Error(`${resource.address}: ${what} is not a literal or a resolvable reference (${JSON.stringify(value)})`);
  }

  private resolveReference(resource: Resource, ref: string, what: string): string {
    const m = /^((?:data\.)?[a-z0-9_]+\.[^.\s]+)\.([a-z_]+)$/.exec(ref);
    const target = m ? this.graph.byAddress.get(m[1]) : undefined;
    if (!m || !target) throw new Error(`${resource.address}: cannot resolve \${${ref}} in ${what}`);
    const attr = m[2];
    const v = target.values;
    if (attr === 'id' || attr === 'name') {
      switch (target.type) {
        case 'google_pubsub_topic':
          return attr === 'id' ? `projects/${this.projectId}/topics/${this.str(target, v.name, 'name')}` : this.str(target, v.name, 'name');
        case 'google_pubsub_schema':
          return attr === 'id' ? `projects/${this.projectId}/schemas/${this.str(target, v.name, 'name')}` : this.str(target, v.name, 'name');
        case 'google_pubsub_subscription':
          return attr === 'id' ? `projects/${this.projectId}/subscriptions/${this.str(target, v.name, 'name')}` : this.str(target, v.name, 'name');
        case 'google_bigtable_instance':
        case 'google_bigtable_table':
          return this.str(target, v.name, 'name');
      }
    }
    if (attr === 'project') return this.projectId;
    if (v[attr] !== undefined) return this.str(target, v[attr], attr);
    throw new Error(`${resource.address}: cannot resolve \${${ref}} in ${what} (no attribute ${attr} on ${target.address})`);
  }
}

/** The google provider's project, which every local resource is created under. */
export function projectOf(graph: Graph): string {
  const provider = graph.providers.find((p) => p.name === 'google' && !p.alias) ?? graph.providers.find((p) => p.name === 'google');
  const project = provider?.project;
  if (typeof project === 'string' && project) return project;
  const fromResource = graph.resources.find((r) => r.type === 'google_project')?.values.project_id;
  if (typeof fromResource === 'string') return fromResource;
  throw new Error(`the graph (${graph.source.path}) has no google provider with a literal project id`);
}

const labelsOf = (v: AttrValue | undefined): Record<string, string> | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) && !isPending(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)])) : undefined;
const obj = (v: AttrValue | undefined): Values | undefined => (v && typeof v === 'object' && !Array.isArray(v) && !isPending(v) ? (v as Values) : undefined);
const list = (v: AttrValue | undefined): Values[] => (Array.isArray(v) ? (v.filter((x) => obj(x)) as Values[]) : obj(v) ? [obj(v)!] : []);

/** Terraform durations ("24h", "90m", "3600s", "1d") in seconds. */
export function durationSeconds(text: string): number {
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/g;
  let m: RegExpExecArray | null;
  let consumed = '';
  while ((m = re.exec(text))) {
    consumed += m[0];
    const n = Number(m[1]);
    total += { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 's'] * n;
  }
  if (consumed !== text || text === '') throw new Error(`invalid duration "${text}"`);
  return total;
}

export function readDeclarations(graph: Graph): DeclaredLocalCloud {
  const projectId = projectOf(graph);
  const reader = new DeclarationReader(graph, projectId);
  const out: DeclaredLocalCloud = { projectId, schemas: [], topics: [], subscriptions: [], bigtableTables: [], datasets: [], bigqueryTables: [], notHonoured: [], skipped: [] };
  const managed = graph.resources.filter((r) => r.mode === 'managed');
  const note = (address: string, feature: string, reason: string) => out.notHonoured.push({ address, feature, reason });

  for (const r of managed) {
    if (!PROVISIONED.has(r.type)) {
      out.skipped.push({ address: r.address, type: r.type, reason: skipReason(r.type) });
      continue;
    }
    const v = r.values;
    switch (r.type) {
      case 'google_pubsub_schema':
        out.schemas.push({ address: r.address, name: reader.str(r, v.name, 'name'), type: (v.type ?? 'AVRO') as DeclaredSchema['type'], definition: reader.str(r, v.definition, 'definition') });
        break;
      case 'google_pubsub_topic': {
        const settings = obj(v.schema_settings);
        const topic: DeclaredTopic = { address: r.address, name: reader.str(r, v.name, 'name'), labels: labelsOf(v.labels) };
        if (v.message_retention_duration !== undefined) topic.messageRetentionDuration = reader.str(r, v.message_retention_duration, 'message_retention_duration');
        if (settings?.schema !== undefined) {
          topic.schema = { name: reader.str(r, settings.schema, 'schema_settings.schema'), encoding: (settings.encoding ?? 'JSON') as 'JSON' | 'BINARY' };
        }
        if (v.kms_key_name !== undefined) note(r.address, 'kms_key_name', 'the emulator does not encrypt with customer-managed keys');
        if (v.message_storage_policy !== undefined) note(r.address, 'message_storage_policy', 'the emulator keeps messages in memory on this machine');
        out.topics.push(topic);
        break;
      }
      case 'google_pubsub_subscription': {
        const dl = obj(v.dead_letter_policy);
        const retry = obj(v.retry_policy);
        const expiration = obj(v.expiration_policy);
        const bq = obj(v.bigquery_config);
        const push = obj(v.push_config);
        const sub: DeclaredSubscription = {
          address: r.address,
          name: reader.str(r, v.name, 'name'),
          topic: reader.str(r, v.topic, 'topic'),
          enableMessageOrdering: v.enable_message_ordering === true,
          enableExactlyOnceDelivery: v.enable_exactly_once_delivery === true,
          retainAckedMessages: v.retain_acked_messages === true,
          labels: labelsOf(v.labels),
        };
        if (typeof v.ack_deadline_seconds === 'number') sub.ackDeadlineSeconds = v.ack_deadline_seconds;
        if (v.message_retention_duration !== undefined) sub.messageRetentionDuration = reader.str(r, v.message_retention_duration, 'message_retention_duration');
        if (typeof v.filter === 'string' && v.filter !== '') sub.filter = v.filter;
        if (dl) sub.deadLetter = { topic: reader.str(r, dl.dead_letter_topic, 'dead_letter_policy.dead_letter_topic'), maxDeliveryAttempts: Number(dl.max_delivery_attempts ?? 5) };
        if (retry) {
          sub.retry = {};
          if (retry.minimum_backoff !== undefined) sub.retry.minimumBackoff = reader.str(r, retry.minimum_backoff, 'retry_policy.minimum_backoff');
          if (retry.maximum_backoff !== undefined) sub.retry.maximumBackoff = reader.str(r, retry.maximum_backoff, 'retry_policy.maximum_backoff');
        }
        if (expiration && expiration.ttl !== undefined) sub.expirationTtl = reader.str(r, expiration.ttl, 'expiration_policy.ttl');
        if (bq) {
          sub.bigqueryTable = reader.str(r, bq.table, 'bigquery_config.table');
          note(r.address, 'bigquery_config', `the Pub/Sub emulator has no BigQuery subscriptions: created as a pull subscription, and nothing writes its messages into ${sub.bigqueryTable} locally`);
        }
        if (push) {
          sub.pushEndpoint = reader.str(r, push.push_endpoint, 'push_config.push_endpoint');
          note(r.address, 'push_config', 'push endpoints of deployed services are not reachable locally: created as a pull subscription');
        }
        if (sub.enableExactlyOnceDelivery) note(r.address, 'enable_exactly_once_delivery', 'the emulator does not provide exactly-once delivery; redelivery can happen, so the processor\'s idempotent writes are what keeps aggregates exact (the verifier checks the setting)');
        if (sub.deadLetter) {
          note(r.address, 'dead_letter_policy', 'the emulator stores the policy but its forwarding after max_delivery_attempts does not follow the service (no delivery-attempt accounting guarantees, no service-agent IAM); the verifier checks the policy and its IAM');
        }
        if (sub.filter) note(r.address, 'filter', 'the emulator does not evaluate subscription filters; every message is delivered');
        if (sub.retry) note(r.address, 'retry_policy', 'the emulator stores the policy; its redelivery backoff is not guaranteed to follow it');
        out.subscriptions.push(sub);
        break;
      }
      case 'google_bigtable_instance': {
        const clusters = list(v.cluster);
        if (clusters.length > 1) note(r.address, 'cluster (replication)', `${clusters.length} clusters are declared; the emulator is one in-memory node with no replication`);
        for (const c of clusters) if (obj(c.autoscaling_config)) note(r.address, 'autoscaling_config', 'the emulator does not autoscale');
        break;
      }
      case 'google_bigtable_table': {
        const families = list(v.column_family).map((f) => ({ name: reader.str(r, f.family, 'column_family.family') }));
        out.bigtableTables.push({ address: r.address, instance: reader.str(r, v.instance_name, 'instance_name'), name: reader.str(r, v.name, 'name'), families });
        break;
      }
      case 'google_bigtable_gc_policy':
        break; // attached to its table below
      case 'google_bigquery_dataset': {
        const body: Record<string, unknown> = { datasetReference: { projectId, datasetId: reader.str(r, v.dataset_id, 'dataset_id') } };
        if (v.location !== undefined) body.location = reader.str(r, v.location, 'location');
        if (v.description !== undefined) body.description = reader.str(r, v.description, 'description');
        if (v.friendly_name !== undefined) body.friendlyName = reader.str(r, v.friendly_name, 'friendly_name');
        if (labelsOf(v.labels)) body.labels = labelsOf(v.labels);
        if (v.default_table_expiration_ms !== undefined) body.defaultTableExpirationMs = reader.str(r, v.default_table_expiration_ms, 'default_table_expiration_ms');
        if (v.default_partition_expiration_ms !== undefined) body.defaultPartitionExpirationMs = reader.str(r, v.default_partition_expiration_ms, 'default_partition_expiration_ms');
        if (v.default_encryption_configuration !== undefined) note(r.address, 'default_encryption_configuration', 'the local server does not encrypt with customer-managed keys');
        out.datasets.push({ address: r.address, datasetId: (body.datasetReference as { datasetId: string }).datasetId, body });
        break;
      }
      case 'google_bigquery_table': {
        const datasetId = reader.str(r, v.dataset_id, 'dataset_id');
        const tableId = reader.str(r, v.table_id, 'table_id');
        const body: Record<string, unknown> = { tableReference: { projectId, datasetId, tableId } };
        if (v.schema !== undefined) body.schema = { fields: JSON.parse(reader.str(r, v.schema, 'schema')) };
        const tp = obj(v.time_partitioning);
        if (tp) {
          body.timePartitioning = {
            type: tp.type ?? 'DAY',
            ...(tp.field !== undefined ? { field: reader.str(r, tp.field, 'time_partitioning.field') } : {}),
            ...(tp.expiration_ms !== undefined ? { expirationMs: reader.str(r, tp.expiration_ms, 'time_partitioning.expiration_ms') } : {}),
          };
          if (tp.expiration_ms !== undefined) note(r.address, 'time_partitioning.expiration_ms', 'partition expiry is recorded but old partitions are not deleted by the local server');
        }
        if (Array.isArray(v.clustering) && v.clustering.length) body.clustering = { fields: v.clustering.map((c) => reader.str(r, c, 'clustering')) };
        if (v.require_partition_filter === true) {
          body.requirePartitionFilter = true;
          note(r.address, 'require_partition_filter', 'recorded, but the local server does not reject queries without a partition filter');
        }
        if (v.description !== undefined) body.description = reader.str(r, v.description, 'description');
        if (labelsOf(v.labels)) body.labels = labelsOf(v.labels);
        if (v.expiration_time !== undefined) body.expirationTime = reader.str(r, v.expiration_time, 'expiration_time');
        const view = obj(v.view);
        if (view) body.view = { query: reader.str(r, view.query, 'view.query'), useLegacySql: view.use_legacy_sql === true };
        if (v.deletion_protection === true) note(r.address, 'deletion_protection', 'a Terraform-side guard; the local server deletes tables when asked');
        out.bigqueryTables.push({ address: r.address, datasetId, tableId, body });
        break;
      }
    }
  }

  // GC policies belong to a table's column family.
  for (const r of managed.filter((x) => x.type === 'google_bigtable_gc_policy')) {
    const v = r.values;
    const tableName = reader.str(r, v.table, 'table');
    const instance = reader.str(r, v.instance_name, 'instance_name');
    const family = reader.str(r, v.column_family, 'column_family');
    const table = out.bigtableTables.find((t) => t.name === tableName && t.instance === instance);
    const target = table?.families.find((f) => f.name === family);
    if (!target) throw new Error(`${r.address}: no declared Bigtable table ${instance}/${tableName} with column family ${family}`);
    const rule: GcRule = {};
    const maxAge = list(v.max_age)[0];
    if (maxAge) rule.maxAgeSeconds = maxAge.duration !== undefined ? durationSeconds(reader.str(r, maxAge.duration, 'max_age.duration')) : Number(maxAge.days) * 86400;
    const maxVersion = list(v.max_version)[0];
    if (maxVersion) rule.maxVersions = Number(maxVersion.number);
    if (v.mode !== undefined) rule.mode = reader.str(r, v.mode, 'mode') as GcRule['mode'];
    if (v.gc_rules !== undefined) throw new Error(`${r.address}: gc_rules (JSON GC rules) are not supported by the local provisioning yet; use max_age/max_version/mode`);
    target.gcRule = rule;
    target.gcAddress = r.address;
    note(r.address, 'garbage collection timing', 'the rule is stored on the column family; the emulator does not reproduce the service\'s background garbage collection, so expired cells may stay readable locally');
  }
  return out;
}
