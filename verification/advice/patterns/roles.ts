/**
 * The roles resources play in the pipeline, read from the graph: which subscription feeds
 * which consumer, which service writes hot storage, which job archives, which query builds a
 * batch view, which service serves both stores. Detectors compose these into patterns.
 */
import type { Graph, Resource } from '../../graph/types';
import { blocks, getAttr } from '../graph-edit';
import { cloudRunServices, ofType, referencesOf, refersTo, str } from '../graph-query';

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

/** Code that consumes a subscription: a Cloud Run service or worker pool naming it, or a Dataflow job reading it. */
export function consumersOf(graph: Graph, sub: Resource): Resource[] {
  const topic = topicOf(graph, sub);
  return [...cloudRunServices(graph), ...ofType(graph, 'google_dataflow_job', 'google_dataflow_flex_template_job')].filter(
    (c) => refersTo(graph, c, sub) || (c.type.startsWith('google_dataflow') && topic !== undefined && refersTo(graph, c, topic) && !subscriptionRead(graph, c)),
  );
}

function subscriptionRead(graph: Graph, job: Resource): boolean {
  return ofType(graph, 'google_pubsub_subscription').some((s) => refersTo(graph, job, s));
}

/** Subscriptions the job or service reads. */
export function subscriptionsReadBy(graph: Graph, consumer: Resource): Resource[] {
  return ofType(graph, 'google_pubsub_subscription').filter((s) => refersTo(graph, consumer, s));
}

export interface SpeedPath {
  topic?: Resource;
  subscription: Resource;
  processor: Resource;
  hotStores: Resource[];
}

/** Topic -> subscription -> Cloud Run processor -> Bigtable. */
export function speedPaths(graph: Graph): SpeedPath[] {
  const paths: SpeedPath[] = [];
  for (const processor of cloudRunServices(graph)) {
    const hotStores = ofType(graph, ...HOT_STORE_TYPES).filter((s) => refersTo(graph, processor, s));
    if (hotStores.length === 0) continue;
    for (const subscription of subscriptionsReadBy(graph, processor)) {
      if (isSinkSubscription(subscription)) continue;
      paths.push({ topic: topicOf(graph, subscription), subscription, processor, hotStores });
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
  for (const job of ofType(graph, 'google_dataflow_job', 'google_dataflow_flex_template_job')) {
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
  for (const service of cloudRunServices(graph)) {
    const hot = ofType(graph, ...HOT_STORE_TYPES).filter((s) => refersTo(graph, service, s));
    const cold = ofType(graph, ...COLD_STORE_TYPES).filter((s) => refersTo(graph, service, s));
    const readsSubscription = subscriptionsReadBy(graph, service).length > 0;
    if (hot.length > 0 && cold.length > 0 && !readsSubscription) out.push({ service, hot, cold });
  }
  return out;
}
