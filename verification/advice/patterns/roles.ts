/**
 * The roles resources play in the pipeline, read from the graph: which subscription feeds
 * which consumer, which service writes hot storage, which job archives, which query builds a
 * batch view, which service serves both stores. Detectors compose these into patterns.
 */
import type { Graph, Resource } from '../../graph/types';
import { blocks, getAttr } from '../graph-edit';
import type { AttrValue } from '../../graph/types';
import { attrRefersTo, cloudRunServices, num, ofType, referencesOf, refersTo, str } from '../graph-query';

export const HOT_STORE_TYPES = ['google_bigtable_instance', 'google_bigtable_table'];
export const COLD_STORE_TYPES = ['google_bigquery_dataset', 'google_bigquery_table'];
export const STORE_TYPE_FAMILY: Record<string, string> = {
  google_bigtable_instance: 'Bigtable (wide-column, low-latency key lookups)',
  google_bigquery_dataset: 'BigQuery (columnar analytics warehouse)',
  google_storage_bucket: 'Cloud Storage (object archive)',
  google_spanner_instance: 'Spanner (relational, globally consistent)',
  google_firestore_database: 'Firestore (document store)',
  google_sql_database_instance: 'Cloud SQL (relational)',
  google_redis_instance: 'Memorystore Redis (in-memory cache)',
};

/** A subscription delivered by Pub/Sub itself into a sink (BigQuery / Cloud Storage) rather than pulled or pushed to code. */
export function isSinkSubscription(sub: Resource): boolean {
  return blocks(sub.values, 'bigquery_config').length > 0 || blocks(sub.values, 'cloud_storage_config').length > 0;
}

/** The first topic (graph order) the subscription's `topic` names. */
export function topicOf(graph: Graph, sub: Resource): Resource | undefined {
  return referencesOf(graph, sub, 'topic').find((t) => t.mode === 'managed' && t.type === 'google_pubsub_topic');
}

/** Services that run code: Cloud Run v2 services and worker pools, and Cloud Run v1 (`google_cloud_run_service`) services. */
export function codeServices(graph: Graph): Resource[] {
  return [...cloudRunServices(graph), ...ofType(graph, 'google_cloud_run_service')];
}

export const DATAFLOW_TYPES = ['google_dataflow_job', 'google_dataflow_flex_template_job'];

/** Whether Pub/Sub pushes the subscription's messages to the service (its push_endpoint names the service's URL). */
export function pushesTo(graph: Graph, sub: Resource, service: Resource): boolean {
  return attrRefersTo(graph, sub, 'push_config', service);
}

/** Code that consumes a subscription: a service or Dataflow job naming it, or the service its push endpoint targets. */
export function consumersOf(graph: Graph, sub: Resource): Resource[] {
  return [...codeServices(graph), ...ofType(graph, ...DATAFLOW_TYPES)].filter((c) => refersTo(graph, c, sub) || pushesTo(graph, sub, c));
}

/** How the consumer receives the subscription's messages. */
export function deliveryTo(graph: Graph, sub: Resource, consumer: Resource): 'push' | 'pull' {
  return pushesTo(graph, sub, consumer) ? 'push' : 'pull';
}

/**
 * Dataflow jobs that read a topic directly (an input parameter names the topic, not a
 * subscription): the job creates its own subscription, so it consumes none of the declared ones.
 */
export function directTopicReaders(graph: Graph): { job: Resource; topic: Resource; attribute: string }[] {
  const out: { job: Resource; topic: Resource; attribute: string }[] = [];
  const topics = ofType(graph, 'google_pubsub_topic');
  for (const job of ofType(graph, ...DATAFLOW_TYPES)) {
    const params = job.values.parameters;
    if (!params || typeof params !== 'object' || Array.isArray(params)) continue;
    for (const key of Object.keys(params as Record<string, AttrValue>)) {
      if (/output|dead.?letter/i.test(key)) continue;
      for (const topic of topics) if (attrRefersTo(graph, job, `parameters.${key}`, topic)) out.push({ job, topic, attribute: `parameters.${key}` });
    }
  }
  return out;
}

/** Subscriptions the job or service reads: those it names, and push subscriptions that deliver to it. */
export function subscriptionsReadBy(graph: Graph, consumer: Resource): Resource[] {
  return ofType(graph, 'google_pubsub_subscription').filter((s) => refersTo(graph, consumer, s) || pushesTo(graph, s, consumer));
}

/** The maximum instance count of a Cloud Run service (v2 scaling block, or the v1 maxScale annotation), and where it is set. */
export function serviceMaxInstances(service: Resource): { value?: number; path: string } {
  if (service.type !== 'google_cloud_run_service') {
    const path = 'template.scaling.max_instance_count';
    return { value: num(getAttr(service.values, path)), path };
  }
  const path = 'template.metadata.annotations.autoscaling.knative.dev/maxScale';
  const metadata = blocks(service.values, 'template').flatMap((t) => blocks(t, 'metadata'))[0];
  const annotations = metadata?.annotations;
  const raw = annotations && typeof annotations === 'object' && !Array.isArray(annotations) ? (annotations as Record<string, AttrValue>)['autoscaling.knative.dev/maxScale'] : undefined;
  const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : num(raw);
  return { value, path };
}

/** Code object names (UDFs, templates, packages), not data. */
const CODE_OBJECT = /\.(js|mjs|py|jar|zip|whl|tar\.gz|sql|json|ya?ml)$/i;
/** Dataflow attributes that point at code or scratch space, not at data. */
const DATAFLOW_CODE_ATTRIBUTE = /^(temp_gcs_location|template_gcs_path|container_spec_gcs_path|parameters\.(javascriptTextTransformGcsPath|pythonExternalTextTransformGcsPath|stagingLocation|tempLocation|gcpTempLocation|udf\w*))/;

/**
 * A bucket that only holds code for a pipeline (a Dataflow UDF, a template) and its scratch
 * space: it has code objects, and nothing refers to it except those objects, IAM grants and
 * Dataflow attributes that name code or temp locations.
 */
export function isCodeBucket(graph: Graph, bucket: Resource): boolean {
  if (bucket.type !== 'google_storage_bucket') return false;
  const objects = ofType(graph, 'google_storage_bucket_object').filter((o) => refersTo(graph, o, bucket));
  if (objects.length === 0 || !objects.every((o) => CODE_OBJECT.test(str(o.values.name) ?? ''))) return false;
  for (const r of graph.resources) {
    if (r === bucket || objects.includes(r) || /_iam_(member|binding|policy)$/.test(r.type) || !refersTo(graph, r, bucket)) continue;
    if (!DATAFLOW_TYPES.includes(r.type)) return false;
    const dataAttributes = graph.edges.filter((e) => e.from === r.address && e.to === bucket.address && !DATAFLOW_CODE_ATTRIBUTE.test(e.attribute));
    if (dataAttributes.length > 0) return false;
  }
  return true;
}

export interface SpeedPath {
  topic?: Resource;
  subscription: Resource;
  processor: Resource;
  hotStores: Resource[];
  delivery: 'push' | 'pull';
}

/** Topic -> subscription -> Cloud Run processor -> Bigtable. */
export function speedPaths(graph: Graph): SpeedPath[] {
  const paths: SpeedPath[] = [];
  for (const processor of codeServices(graph)) {
    const hotStores = ofType(graph, ...HOT_STORE_TYPES).filter((s) => refersTo(graph, processor, s));
    if (hotStores.length === 0) continue;
    for (const subscription of subscriptionsReadBy(graph, processor)) {
      if (isSinkSubscription(subscription)) continue;
      paths.push({ topic: topicOf(graph, subscription), subscription, processor, hotStores, delivery: deliveryTo(graph, subscription, processor) });
    }
  }
  return paths;
}

export interface ArchivePath {
  topic?: Resource;
  subscription?: Resource;
  /** The Dataflow job, or the BigQuery subscription itself when Pub/Sub writes the table. */
  writer: Resource;
  table: Resource;
}

/** Topic -> (subscription) -> Dataflow or BigQuery subscription -> BigQuery table. */
export function archivePaths(graph: Graph): ArchivePath[] {
  const tables = ofType(graph, 'google_bigquery_table');
  const paths: ArchivePath[] = [];
  for (const job of ofType(graph, ...DATAFLOW_TYPES)) {
    const subs = subscriptionsReadBy(graph, job);
    const topic = subs.length > 0 ? topicOf(graph, subs[0]) : ofType(graph, 'google_pubsub_topic').find((t) => refersTo(graph, job, t));
    for (const table of tables.filter((t) => refersTo(graph, job, t))) {
      paths.push({ topic, subscription: subs[0], writer: job, table });
    }
  }
  for (const sub of ofType(graph, 'google_pubsub_subscription').filter((s) => blocks(s.values, 'bigquery_config').length > 0)) {
    for (const table of tables.filter((t) => refersTo(graph, sub, t))) {
      paths.push({ topic: topicOf(graph, sub), subscription: sub, writer: sub, table });
    }
  }
  return paths;
}

/** Dead-letter topics: the topics some subscription's dead_letter_policy names. */
export function deadLetterTopics(graph: Graph): Set<string> {
  return new Set(ofType(graph, 'google_pubsub_subscription').flatMap((s) => referencesOf(graph, s, 'dead_letter_policy.dead_letter_topic').map((t) => t.address)));
}

/** Whether a table holds failures (error records, dead letters) rather than the events of record. */
export function isFailureTable(table: Resource): boolean {
  return /error|dead.?letter|deadletter/i.test(str(table.values.table_id) ?? table.name);
}

/**
 * Archive paths of the raw events of record: not the dead-letter topic's archive and not the
 * error-records table a job writes failed records to, and not a (materialized) view.
 */
export function rawArchivePaths(graph: Graph): ArchivePath[] {
  const dead = deadLetterTopics(graph);
  const isView = (t: Resource) => getAttr(t.values, 'view') !== undefined || getAttr(t.values, 'materialized_view') !== undefined;
  return archivePaths(graph).filter((p) => !(p.topic && dead.has(p.topic.address)) && !isFailureTable(p.table) && !isView(p.table));
}

export interface BatchView {
  /** The scheduled query or the view/materialized view table. */
  resource: Resource;
  query: string;
  /** Tables the query reads. */
  reads: Resource[];
}

function mentionsTable(query: string, table: Resource): boolean {
  const id = str(table.values.table_id);
  return id !== undefined && new RegExp(`[.\`\\s]${id}[\`\\s]|[.\`]${id}$`).test(query);
}

/** Scheduled queries and (materialized) views over other tables: the batch layer's views. */
export function batchViews(graph: Graph): BatchView[] {
  const tables = ofType(graph, 'google_bigquery_table');
  const views: BatchView[] = [];
  for (const t of ofType(graph, 'google_bigquery_data_transfer_config')) {
    if (str(t.values.data_source_id) !== 'scheduled_query') continue;
    const query = str(getAttr(t.values, 'params.query')) ?? '';
    views.push({ resource: t, query, reads: tables.filter((tb) => mentionsTable(query, tb)) });
  }
  for (const t of tables) {
    const query = str(getAttr(t.values, 'view.query')) ?? str(getAttr(t.values, 'materialized_view.query'));
    if (query) views.push({ resource: t, query, reads: tables.filter((tb) => tb !== t && mentionsTable(query, tb)) });
  }
  return views;
}

/** Cloud Run services that read both a hot store and a cold store: the serving layer. */
export function servingServices(graph: Graph): { service: Resource; hot: Resource[]; cold: Resource[] }[] {
  const out: { service: Resource; hot: Resource[]; cold: Resource[] }[] = [];
  for (const service of codeServices(graph)) {
    const hot = ofType(graph, ...HOT_STORE_TYPES).filter((s) => refersTo(graph, service, s));
    const cold = ofType(graph, ...COLD_STORE_TYPES).filter((s) => refersTo(graph, service, s));
    const readsSubscription = subscriptionsReadBy(graph, service).length > 0;
    if (hot.length > 0 && cold.length > 0 && !readsSubscription) out.push({ service, hot, cold });
  }
  return out;
}
