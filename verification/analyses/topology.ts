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

/*
 * Performance: a topology is built once per graph (and model) and cached in a WeakMap keyed
 * by the graph, so every analysis and rule of one verification shares it and nothing leaks
 * between graphs (the advice stage verifies many edited copies). Every lookup is indexed:
 * edges by endpoint, literal names by the name they could denote, so no step re-scans all
 * resources per resource.
 */

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
  /** The candidates `from` refers to (as `refersTo` judges), in the candidates' order. */
  targetsAmong(from: Resource, candidates: readonly Resource[], attributePrefix?: string): Resource[];
  /** The candidates referring to `target` (as `refersTo` judges), in the candidates' order. */
  referrersAmong(target: Resource, candidates: readonly Resource[], attributePrefix?: string): Resource[];
  /** BigQuery tables whose dataset (`datasetOf`) is `dataset`, in graph order. */
  tablesIn(dataset: Resource): Resource[];
  isSourceTopic(topic: Resource): boolean;
  /** Reference edges leaving a resource, in graph order. */
  edgesFrom(from: Resource): readonly Edge[];
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

/** Below this many candidates a plain scan is cheaper than building an index. */
const LINEAR_SCAN_MAX = 8;
const WHOLE_VALUES = '\u0000whole';
const NO_NAMES: ReadonlySet<string> = new Set();

/** Positions of candidates by address and by literal name; inverted name sets per attribute prefix. */
interface CandidateIndex {
  byAddress: Map<string, number[]>;
  byName: Map<string, number[]>;
  namesInByPrefix: Map<string, Map<string, number[]>>;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Every name a string could denote under the literal-name rule of `refersTo`: the string
 * itself and each tail after a `/`, `.` or `:` (so `s.endsWith('/' + name)` is `names.has(name)`).
 */
function addNameTails(s: string, out: Set<string>): void {
  out.add(s);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 47 /* / */ || c === 46 /* . */ || c === 58 /* : */) out.add(s.slice(i + 1));
  }
}

interface CachedTopologies {
  resources: readonly Resource[];
  resourceCount: number;
  edges: readonly Edge[];
  edgeCount: number;
  withoutModel?: Topology;
  byModel: WeakMap<ArchitectureModel, Topology>;
}

const cache = new WeakMap<Graph, CachedTopologies>();

/** The topology of a graph, built once per graph and model (the graph is immutable by convention). */
export function buildTopology(graph: Graph, model?: ArchitectureModel): Topology {
  let entry = cache.get(graph);
  // A graph changed in place (resources or edges added) is rebuilt rather than read stale.
  if (!entry || entry.resources !== graph.resources || entry.resourceCount !== graph.resources.length || entry.edges !== graph.edges || entry.edgeCount !== graph.edges.length) {
    entry = { resources: graph.resources, resourceCount: graph.resources.length, edges: graph.edges, edgeCount: graph.edges.length, byModel: new WeakMap() };
    cache.set(graph, entry);
  }
  if (!model) return (entry.withoutModel ??= computeTopology(graph));
  let topology = entry.byModel.get(model);
  if (!topology) {
    topology = computeTopology(graph, model);
    entry.byModel.set(model, topology);
  }
  return topology;
}

function computeTopology(graph: Graph, model?: ArchitectureModel): Topology {
  const byType = new Map<string, Resource[]>();
  const byTypeAnyMode = new Map<string, Resource[]>();
  for (const r of graph.resources) {
    pushTo(byTypeAnyMode, r.type, r);
    if (r.mode === 'managed') pushTo(byType, r.type, r);
  }
  const EMPTY: Resource[] = [];
  const ofType = (type: string) => byType.get(type) ?? [];
  const edgesFrom = new Map<string, Edge[]>();
  const edgesTo = new Map<string, Edge[]>();
  for (const e of graph.edges) {
    pushTo(edgesFrom, e.from, e);
    pushTo(edgesTo, e.to, e);
  }
  const prefixMatches = (e: Edge, attributePrefix?: string) => attributePrefix === undefined || e.attribute.startsWith(attributePrefix);

  // Literal names each resource's attributes (under a prefix) could denote, computed once.
  const namesCache = new Map<Resource, Map<string, ReadonlySet<string>>>();
  function namesIn(from: Resource, attributePrefix?: string): ReadonlySet<string> {
    const key = attributePrefix ?? WHOLE_VALUES;
    let perPrefix = namesCache.get(from);
    if (!perPrefix) namesCache.set(from, (perPrefix = new Map()));
    let names = perPrefix.get(key);
    if (!names) {
      const scope = attributePrefix === undefined ? from.values : readAttr(from, attributePrefix);
      if (scope === undefined || isPending(scope)) names = NO_NAMES;
      else {
        const set = new Set<string>();
        for (const s of stringLeaves(scope as never)) addNameTails(s, set);
        names = set;
      }
      perPrefix.set(key, names);
    }
    return names;
  }

  function refersTo(from: Resource, to: Resource, attributePrefix?: string): boolean {
    const edges = edgesFrom.get(from.address);
    if (edges && edges.some((e) => e.to === to.address && prefixMatches(e, attributePrefix))) return true;
    const name = nameOf(to);
    if (!name) return false;
    return namesIn(from, attributePrefix).has(name);
  }

  const candidateIndexes = new WeakMap<readonly Resource[], CandidateIndex>();
  function indexOf(candidates: readonly Resource[]): CandidateIndex {
    let idx = candidateIndexes.get(candidates);
    if (!idx) {
      idx = { byAddress: new Map(), byName: new Map(), namesInByPrefix: new Map() };
      for (let i = 0; i < candidates.length; i++) {
        const c = candidates[i];
        pushTo(idx.byAddress, c.address, i);
        const name = nameOf(c);
        if (name) pushTo(idx.byName, name, i);
      }
      candidateIndexes.set(candidates, idx);
    }
    return idx;
  }
  const inOrder = (candidates: readonly Resource[], hits: Set<number>) => [...hits].sort((a, b) => a - b).map((i) => candidates[i]);

  function targetsAmong(from: Resource, candidates: readonly Resource[], attributePrefix?: string): Resource[] {
    if (candidates.length <= LINEAR_SCAN_MAX) return candidates.filter((c) => refersTo(from, c, attributePrefix));
    const idx = indexOf(candidates);
    const hits = new Set<number>();
    for (const e of edgesFrom.get(from.address) ?? []) {
      if (!prefixMatches(e, attributePrefix)) continue;
      for (const i of idx.byAddress.get(e.to) ?? []) hits.add(i);
    }
    const names = namesIn(from, attributePrefix);
    if (names.size <= idx.byName.size) {
      for (const n of names) for (const i of idx.byName.get(n) ?? []) hits.add(i);
    } else {
      for (const [n, positions] of idx.byName) if (names.has(n)) for (const i of positions) hits.add(i);
    }
    return inOrder(candidates, hits);
  }

  function referrersAmong(target: Resource, candidates: readonly Resource[], attributePrefix?: string): Resource[] {
    if (candidates.length <= LINEAR_SCAN_MAX) return candidates.filter((c) => refersTo(c, target, attributePrefix));
    const idx = indexOf(candidates);
    const hits = new Set<number>();
    for (const e of edgesTo.get(target.address) ?? []) {
      if (!prefixMatches(e, attributePrefix)) continue;
      for (const i of idx.byAddress.get(e.from) ?? []) hits.add(i);
    }
    const name = nameOf(target);
    if (name) {
      const key = attributePrefix ?? WHOLE_VALUES;
      let inverted = idx.namesInByPrefix.get(key);
      if (!inverted) {
        inverted = new Map();
        for (let i = 0; i < candidates.length; i++) for (const n of namesIn(candidates[i], attributePrefix)) pushTo(inverted, n, i);
        idx.namesInByPrefix.set(key, inverted);
      }
      for (const i of inverted.get(name) ?? []) hits.add(i);
    }
    return inOrder(candidates, hits);
  }

  /** `f` memoised per resource address. */
  function perAddress<T>(f: (r: Resource) => T): (r: Resource) => T {
    const memo = new Map<string, T>();
    return (r) => {
      if (memo.has(r.address)) return memo.get(r.address)!;
      const v = f(r);
      memo.set(r.address, v);
      return v;
    };
  }
  /** Groups `members` by the address `keyOf` gives, keeping the members' order. */
  function groupedBy(members: readonly Resource[], keyOf: (r: Resource) => Resource | undefined): Map<string, Resource[]> {
    const groups = new Map<string, Resource[]>();
    for (const m of members) {
      const k = keyOf(m);
      if (k) pushTo(groups, k.address, m);
    }
    return groups;
  }

  const topics = ofType('google_pubsub_topic');
  const subscriptions = ofType('google_pubsub_subscription');
  const topicOf = perAddress((sub) => targetsAmong(sub, topics, 'topic')[0]);
  const deadLetterTopicOf = perAddress((sub) => targetsAmong(sub, topics, 'dead_letter_policy')[0]);
  const deadLetterTopics = new Set(subscriptions.map((s) => deadLetterTopicOf(s)?.address).filter((a): a is string => !!a));
  const subscriptionsByTopic = groupedBy(subscriptions, topicOf);
  const subscriptionsOf = (topic: Resource) => subscriptionsByTopic.get(topic.address) ?? [];
  const sourceTopics = topics.filter((t) => !deadLetterTopics.has(t.address) && subscriptionsOf(t).length > 0);
  const sourceTopicSet = new Set(sourceTopics);

  const services = SERVICE_TYPES.flatMap(ofType);
  const stores = [...ofType('google_bigtable_instance'), ...ofType('google_bigquery_dataset')];
  const roleCache = new Map<string, ServiceRole>();
  function computeRole(svc: Resource): ServiceRole {
    const component = model?.membership.get(svc.address)?.component;
    if (component && COMPONENT_ROLE[component]) return COMPONENT_ROLE[component];
    if (targetsAmong(svc, subscriptions).length > 0) return 'processor';
    if (targetsAmong(svc, topics).some((t) => !deadLetterTopics.has(t.address))) return 'ingest-gateway';
    // A dashboard reads another service (the analytics API); the analytics API reads the stores
    // (and may call the processor for live figures), so reading a store decides first.
    const readsStore = targetsAmong(svc, stores).length > 0;
    if (!readsStore && services.some((o) => o !== svc && refersTo(svc, o))) return 'dashboard';
    if (readsStore) return 'analytics';
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
  const processed = new Set(processors.flatMap((p) => targetsAmong(p, subscriptions)));
  const speedSubscriptions = subscriptions.filter((s) => processed.has(s));

  const dataflowJobs = [...ofType('google_dataflow_job'), ...ofType('google_dataflow_flex_template_job')];
  const inputSubscriptionOf = perAddress((job) => targetsAmong(job, subscriptions, 'parameters')[0]);

  const bigtableInstances = ofType('google_bigtable_instance');
  const tablesOf = (instance: Resource) => referrersAmong(instance, ofType('google_bigtable_table'), 'instance_name');
  const gcPoliciesOf = (table: Resource) => referrersAmong(table, ofType('google_bigtable_gc_policy'), 'table');
  const appProfilesOf = (instance: Resource) => referrersAmong(instance, ofType('google_bigtable_app_profile'), 'instance');

  const bigQueryTables = ofType('google_bigquery_table');
  const datasets = ofType('google_bigquery_dataset');
  const datasetOf = perAddress((table) => targetsAmong(table, datasets, 'dataset_id')[0]);
  let tablesByDataset: Map<string, Resource[]> | undefined;
  const tablesIn = (dataset: Resource) => (tablesByDataset ??= groupedBy(bigQueryTables, datasetOf)).get(dataset.address) ?? [];
  const scheduledQueries = ofType('google_bigquery_data_transfer_config').filter((c) => {
    const id = c.values.data_source_id;
    return id === undefined || id === 'scheduled_query' || isPending(id);
  });

  const referrers = (target: Resource, type?: string) =>
    referrersAmong(target, type === undefined ? graph.resources : byTypeAnyMode.get(type) ?? EMPTY).filter((r) => r !== target);

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
    isSourceTopic: (t) => sourceTopicSet.has(t),
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
    tablesIn,
    scheduledQueries,
    referrers,
    targetsAmong,
    referrersAmong,
    edgesFrom: (from) => edgesFrom.get(from.address) ?? [],
  };
}
