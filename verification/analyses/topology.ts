/**
 * Roles of resources in the event pipeline, found from the graph alone (types, reference
 * edges, literal names) with the model's component membership as the first hint. Works on
 * any Terraform graph, hand-written ones included.
 */
import type { ArchitectureModel } from '../engine/types';
import type { Edge, Graph, Resource } from '../graph/types';
import { isPending } from '../graph/types';
import { readAttr } from '../graph/values';
import { stringLeaves } from './attributes';

export type ServiceRole = 'ingest-gateway' | 'processor' | 'analytics' | 'dashboard' | 'other';

export interface Topology {
  graph: Graph;
  ofType(type: string): Resource[];
  /** True when `from` refers to `to` by a reference edge or by a literal name/id. */
  refersTo(from: Resource, to: Resource, attributePrefix?: string): boolean;
  topics: Resource[];
  subscriptions: Resource[];
  topicOf(sub: Resource): Resource | undefined;
  subscriptionsOf(topic: Resource): Resource[];
  deadLetterTopicOf(sub: Resource): Resource | undefined;
  isDeadLetterTopic(topic: Resource): boolean;
  /** Topics carrying the event stream: subscribed to, and not a dead-letter topic. */
  sourceTopics: Resource[];
  roleOf(service: Resource): ServiceRole;
  services(role: ServiceRole): Resource[];
  /** Subscriptions a processor service pulls from. */
  speedSubscriptions: Resource[];
  /** Dataflow jobs and the subscription each reads. */
  dataflowJobs: Resource[];
  inputSubscriptionOf(job: Resource): Resource | undefined;
  bigtableInstances: Resource[];
  tablesOf(instance: Resource): Resource[];
  gcPoliciesOf(table: Resource): Resource[];
  appProfilesOf(instance: Resource): Resource[];
  bigQueryTables: Resource[];
  datasetOf(table: Resource): Resource | undefined;
  scheduledQueries: Resource[];
  /** Resources of a type referring to `target`. */
  referrers(target: Resource, type?: string): Resource[];
}

const SERVICE_TYPES = ['google_cloud_run_v2_service', 'google_cloud_run_service'];
const COMPONENT_ROLE: Record<string, ServiceRole> = {
  ingestion: 'ingest-gateway',
  'stream-processing': 'processor',
  analytics: 'analytics',
  dashboard: 'dashboard',
};

function nameOf(r: Resource): string | undefined {
  for (const key of ['name', 'dataset_id', 'table_id', 'app_profile_id', 'display_name']) {
    const v = r.values[key];
    if (typeof v === 'string' && v !== '') return v;
  }
  return undefined;
}

export function buildTopology(graph: Graph, model?: ArchitectureModel): Topology {
  const byType = new Map<string, Resource[]>();
  for (const r of graph.resources) {
    if (r.mode !== 'managed') continue;
    const list = byType.get(r.type) ?? [];
    list.push(r);
    byType.set(r.type, list);
  }
  const ofType = (type: string) => byType.get(type) ?? [];
  const edgesFrom = new Map<string, Edge[]>();
  for (const e of graph.edges) {
    const list = edgesFrom.get(e.from) ?? [];
    list.push(e);
    edgesFrom.set(e.from, list);
  }

  function refersTo(from: Resource, to: Resource, attributePrefix?: string): boolean {
    const edges = edgesFrom.get(from.address) ?? [];
    if (edges.some((e) => e.to === to.address && (attributePrefix === undefined || e.attribute.startsWith(attributePrefix)))) return true;
    const name = nameOf(to);
    if (!name) return false;
    const scope = attributePrefix === undefined ? from.values : readAttr(from, attributePrefix);
    if (scope === undefined || isPending(scope)) return false;
    return stringLeaves(scope as never).some((s) => s === name || s.endsWith(`/${name}`) || s.endsWith(`.${name}`) || s.endsWith(`:${name}`));
  }

  const topics = ofType('google_pubsub_topic');
  const subscriptions = ofType('google_pubsub_subscription');
  const topicOfCache = new Map<string, Resource | undefined>();
  const topicOf = (sub: Resource) => {
    if (!topicOfCache.has(sub.address)) topicOfCache.set(sub.address, topics.find((t) => refersTo(sub, t, 'topic')));
    return topicOfCache.get(sub.address);
  };
  const deadLetterTopicOf = (sub: Resource) => topics.find((t) => refersTo(sub, t, 'dead_letter_policy'));
  const deadLetterTopics = new Set(subscriptions.map((s) => deadLetterTopicOf(s)?.address).filter((a): a is string => !!a));
  const subscriptionsOf = (topic: Resource) => subscriptions.filter((s) => topicOf(s)?.address === topic.address);
  const sourceTopics = topics.filter((t) => !deadLetterTopics.has(t.address) && subscriptionsOf(t).length > 0);

  const services = SERVICE_TYPES.flatMap(ofType);
  const roleCache = new Map<string, ServiceRole>();
  function computeRole(svc: Resource): ServiceRole {
    const component = model?.membership.get(svc.address)?.component;
    if (component && COMPONENT_ROLE[component]) return COMPONENT_ROLE[component];
    if (subscriptions.some((s) => refersTo(svc, s))) return 'processor';
    if (topics.some((t) => !deadLetterTopics.has(t.address) && refersTo(svc, t))) return 'ingest-gateway';
    if (services.some((o) => o !== svc && refersTo(svc, o))) return 'dashboard';
    if ([...ofType('google_bigtable_instance'), ...ofType('google_bigquery_dataset')].some((s) => refersTo(svc, s))) return 'analytics';
    const name = `${svc.name} ${nameOf(svc) ?? ''}`.toLowerCase();
    if (/dashboard/.test(name)) return 'dashboard';
    if (/ingest|gateway/.test(name)) return 'ingest-gateway';
    if (/processor|speed/.test(name)) return 'processor';
    if (/analytics|query|api/.test(name)) return 'analytics';
    return 'other';
  }
  const roleOf = (svc: Resource) => {
    if (!roleCache.has(svc.address)) roleCache.set(svc.address, computeRole(svc));
    return roleCache.get(svc.address)!;
  };
  // A role deployed in several regions lists the deployment in its provider's (the
  // configuration's home) region first: that one takes the traffic, the others are standbys.
  const home = (s: Resource) => (s.provider?.region !== undefined && s.region === s.provider.region ? 0 : 1);
  const servicesByRole = (role: ServiceRole) => services.filter((s) => roleOf(s) === role).sort((a, b) => home(a) - home(b));
  const processors = servicesByRole('processor');
  const speedSubscriptions = subscriptions.filter((s) => processors.some((p) => refersTo(p, s)));

  const dataflowJobs = [...ofType('google_dataflow_job'), ...ofType('google_dataflow_flex_template_job')];
  const inputSubscriptionOf = (job: Resource) => subscriptions.find((s) => refersTo(job, s, 'parameters'));

  const bigtableInstances = ofType('google_bigtable_instance');
  const tablesOf = (instance: Resource) => ofType('google_bigtable_table').filter((t) => refersTo(t, instance, 'instance_name'));
  const gcPoliciesOf = (table: Resource) => ofType('google_bigtable_gc_policy').filter((p) => refersTo(p, table, 'table'));
  const appProfilesOf = (instance: Resource) => ofType('google_bigtable_app_profile').filter((p) => refersTo(p, instance, 'instance'));

  const bigQueryTables = ofType('google_bigquery_table');
  const datasets = ofType('google_bigquery_dataset');
  const datasetOf = (table: Resource) => datasets.find((d) => refersTo(table, d, 'dataset_id'));
  const scheduledQueries = ofType('google_bigquery_data_transfer_config').filter((c) => {
    const id = c.values.data_source_id;
    return id === undefined || id === 'scheduled_query' || isPending(id);
  });

  const referrers = (target: Resource, type?: string) =>
    graph.resources.filter((r) => r !== target && (type === undefined || r.type === type) && refersTo(r, target));

  return {
    graph,
    ofType,
    refersTo,
    topics,
    subscriptions,
    topicOf,
    subscriptionsOf,
    deadLetterTopicOf,
    isDeadLetterTopic: (t) => deadLetterTopics.has(t.address),
    sourceTopics,
    roleOf,
    services: servicesByRole,
    speedSubscriptions,
    dataflowJobs,
    inputSubscriptionOf,
    bigtableInstances,
    tablesOf,
    gcPoliciesOf,
    appProfilesOf,
    bigQueryTables,
    datasetOf,
    scheduledQueries,
    referrers,
  };
}
