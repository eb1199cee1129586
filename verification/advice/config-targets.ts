/**
 * Which resources of a graph each EnvironmentConfig field builds (stacks/config/types.ts),
 * told apart by the resource names of docs/architecture.md, so a sizing dimension edits every
 * resource its config field sets, exactly as the constructs do:
 * `ingestion.topicRetentionSeconds` both topics, `ingestion.subscriptionRetentionSeconds` the
 * three subscriptions, `coldStorage.partitionExpirationDays` every table of the dataset, a
 * Cloud Run entry every regional copy of its service. The verifier does not import stacks/.
 */
import type { Graph, Resource } from '../graph/types';
import { cloudRunGroups, type CloudRunGroup } from './cloud-run-sizing';
import { CLOUD_RUN_SECTIONS } from './config-mapping';
import { ofType, refersTo, str } from './graph-query';

/** Resource names of docs/architecture.md that config fields set. */
export const ARCHITECTURE_NAMES = {
  topics: ['telemetry', 'telemetry-dead-letter'],
  subscriptions: ['telemetry-speed-layer', 'telemetry-archive', 'telemetry-dead-letter-archive'],
  tables: ['events_raw', 'events_dead_letter', 'events_raw_error_records', 'device_hourly'],
  eventsTable: 'events',
  aggregatesTable: 'aggregates',
  archiveJob: 'telemetry-archive',
  multiClusterProfile: 'multi-cluster',
} as const;

export interface ConfigTargets {
  topics: Resource[];
  subscriptions: Resource[];
  tables: Resource[];
  bigtable?: Resource;
  appProfiles: Resource[];
  eventsGc?: Resource;
  aggregatesGc?: Resource;
  dataflow?: Resource;
  /** Cloud Run groups by config section ("ingestion.gateway", ...). */
  cloudRun: { section: string; group: CloudRunGroup }[];
  /** The DDL job that adds the dataset's replica (coldStorage.replicaLocation). */
  replicaJob?: Resource;
  dataset?: Resource;
}

const named = (names: readonly string[], key = 'name') => (r: Resource) => names.includes(str(r.values[key]) ?? '');

function gcOf(graph: Graph, tableName: string): Resource | undefined {
  const table = ofType(graph, 'google_bigtable_table').find(named([tableName]));
  if (!table) return undefined;
  return ofType(graph, 'google_bigtable_gc_policy').find((gc) => refersTo(graph, gc, table));
}

export function configTargets(graph: Graph): ConfigTargets {
  const instances = ofType(graph, 'google_bigtable_instance');
  const bigtable = instances.length === 1 ? instances[0] : undefined;
  const jobs = ofType(graph, 'google_dataflow_job', 'google_dataflow_flex_template_job');
  const datasets = ofType(graph, 'google_bigquery_dataset');
  return {
    topics: ofType(graph, 'google_pubsub_topic').filter(named(ARCHITECTURE_NAMES.topics)),
    subscriptions: ofType(graph, 'google_pubsub_subscription').filter(named(ARCHITECTURE_NAMES.subscriptions)),
    tables: ofType(graph, 'google_bigquery_table').filter(named(ARCHITECTURE_NAMES.tables, 'table_id')),
    ...(bigtable ? { bigtable } : {}),
    appProfiles: bigtable ? ofType(graph, 'google_bigtable_app_profile').filter((p) => refersTo(graph, p, bigtable)) : [],
    ...optional('eventsGc', gcOf(graph, ARCHITECTURE_NAMES.eventsTable)),
    ...optional('aggregatesGc', gcOf(graph, ARCHITECTURE_NAMES.aggregatesTable)),
    ...optional('dataflow', jobs.find(named([ARCHITECTURE_NAMES.archiveJob])) ?? (jobs.length === 1 ? jobs[0] : undefined)),
    cloudRun: cloudRunGroups(graph)
      .filter((g) => CLOUD_RUN_SECTIONS[g.name] !== undefined)
      .map((group) => ({ section: CLOUD_RUN_SECTIONS[group.name], group })),
    ...optional('replicaJob', ofType(graph, 'google_bigquery_job').find((j) => /\bADD\s+REPLICA\b/i.test(str((j.values.query as Record<string, unknown> | undefined)?.query as string) ?? ''))),
    ...optional('dataset', datasets.length === 1 ? datasets[0] : undefined),
  };
}

function optional<K extends string>(key: K, value: Resource | undefined): Partial<Record<K, Resource>> {
  return value ? ({ [key]: value } as Record<K, Resource>) : {};
}
