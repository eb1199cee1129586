/**
 * Roles of resources in the event pipeline, found from the graph alone (types, reference
 * edges, literal names) with the model's component membership as the first hint. Works on
 * any Terraform graph, hand-written ones included.
 */
import type { ArchitectureModel } from '../engine/types';
import type { Edge, Graph, Resource } from '../graph/types';
import { isPending } from '../graph/types';
import { indexGraph, pushTo, type GraphIndex } from '../model/graph-index';

/*
 * Performance: a topology is built once per graph (and model) and cached in a WeakMap keyed
 * by the graph's index, so every analysis and rule of one verification shares it and nothing
 * leaks between graphs (the advice stage verifies many edited copies). It reads the graph
 * index the model built (types, edges by endpoint, string leaves per resource), works out each
 * answer the first time it is asked and keeps it: the lists it returns are shared and must not
 * be modified. No step re-scans all resources per resource.
 */

export type ServiceRole = 'ingest-gateway' | 'processor' | 'analytics' | 'dashboard' | 'other';

export interface Topology {
  graph: Graph;
  ofType(type: string): Resource[];
  /** True when `from` refers to `to` by a reference edge or by a literal name/id. */
  refersTo(from: Resource, to: Resource, attributePrefix?: string): boolean;
  readonly topics: Resource[];
  readonly subscriptions: Resource[];
  topicOf(sub: Resource): Resource | undefined;
  subscriptionsOf(topic: Resource): Resource[];
  deadLetterTopicOf(sub: Resource): Resource | undefined;
  isDeadLetterTopic(topic: Resource): boolean;
  /** Topics carrying the event stream: subscribed to, and not a dead-letter topic. */
  readonly sourceTopics: Resource[];
  roleOf(service: Resource): ServiceRole;
  /** Services of a role, the deployment in its provider's home region first. */
  services(role: ServiceRole): Resource[];
  /** Subscriptions a processor service pulls from. */
  readonly speedSubscriptions: Resource[];
  /** Dataflow jobs and the subscription each reads. */
  readonly dataflowJobs: Resource[];
  inputSubscriptionOf(job: Resource): Resource | undefined;
  readonly bigtableInstances: Resource[];
  tablesOf(instance: Resource): Resource[];
  gcPoliciesOf(table: Resource): Resource[];
  appProfilesOf(instance: Resource): Resource[];
  readonly bigQueryTables: Resource[];
  datasetOf(table: Resource): Resource | undefined;
  readonly scheduledQueries: Resource[];
  /** Resources of a type referring to `target`. */
  referrers(target: Resource, type?: string): Resource[];
  /** The candidates `from` refers to (as `refersTo` judges), in the candidates' order. */
  targetsAmong(from: Resource, candidates: readonly Resource[], attributePrefix?: string): Resource[];
  /** The first of `targetsAmong(...)` that `where` accepts (any, without it), without building the list when the candidates are few. */
  firstTargetAmong(from: Resource, candidates: readonly Resource[], attributePrefix?: string, where?: (c: Resource) => boolean): Resource | undefined;
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
// Name patterns of the last-resort role guess, compiled once.
const DASHBOARD_NAME = /dashboard/;
const INGEST_NAME = /ingest|gateway/;
const PROCESSOR_NAME = /processor|speed/;
const ANALYTICS_NAME = /analytics|query|api/;

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
/** What every lookup that finds nothing returns (shared, never filled). */
const NONE: Resource[] = [];

/** Positions of candidates by address and by literal name; inverted name sets per attribute prefix. */
interface CandidateIndex {
  byAddress: Map<string, number[]>;
  byName: Map<string, number[]>;
  namesInByPrefix: Map<string, Map<string, number[]>>;
}

/**
 * True when `text` could denote `name` under the literal-name rule of `refersTo`: it is the name,
 * or ends with it after a `/`, `.` or `:` (`projects/p/topics/t`, `p:dataset.table`).
 */
function denotes(text: string, name: string): boolean {
  const at = text.length - name.length;
  if (at === 0) return text === name;
  if (at < 1 || !text.endsWith(name)) return false;
  const c = text.charCodeAt(at - 1);
  return c === 47 /* / */ || c === 46 /* . */ || c === 58 /* : */;
}

/**
 * Every name a string could denote under the same rule: the string itself and each tail after a
 * `/`, `.` or `:` (for indexes over many candidates, where a set lookup beats `denotes` per pair).
 */
function addNameTails(s: string, out: Set<string>): void {
  out.add(s);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 47 /* / */ || c === 46 /* . */ || c === 58 /* : */) out.add(s.slice(i + 1));
  }
}

/** Both lists as one, in order; either one itself when the other is empty (the usual case). */
function concatenated(a: Resource[], b: Resource[]): Resource[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  return [...a, ...b];
}

interface CachedTopologies {
  withoutModel?: Topology;
  byModel: WeakMap<ArchitectureModel, Topology>;
}

const cache = new WeakMap<GraphIndex, CachedTopologies>();

/** The topology of a graph, built once per graph and model (the graph is immutable by convention). */
export function buildTopology(graph: Graph, model?: ArchitectureModel): Topology {
  // The index is rebuilt for a graph changed in place (resources or edges added), and so is its topology.
  const index = indexGraph(graph);
  let entry = cache.get(index);
  if (!entry) {
    entry = { byModel: new WeakMap() };
    cache.set(index, entry);
  }
  if (!model) return (entry.withoutModel ??= new GraphTopology(index));
  let topology = entry.byModel.get(model);
  if (!topology) {
    topology = new GraphTopology(index, model);
    entry.byModel.set(model, topology);
  }
  return topology;
}

/** The Pub/Sub shape: which topics dead-letter, which subscriptions read each topic, which topics carry events. */
interface PubSubShape {
  deadLetterTopics: Set<string>;
  subscriptionsByTopic: Map<string, Resource[]>;
  sourceTopics: Resource[];
  sourceTopicSet: Set<Resource>;
}

class GraphTopology implements Topology {
  readonly graph: Graph;
  readonly topics: Resource[];
  readonly subscriptions: Resource[];
  readonly bigtableInstances: Resource[];
  readonly bigQueryTables: Resource[];

  // Answers kept once worked out (by address, as a resource is identified across the graph).
  private readonly topicBySubscription = new Map<string, Resource | undefined>();
  private readonly deadLetterTopicBySubscription = new Map<string, Resource | undefined>();
  private readonly inputSubscriptionByJob = new Map<string, Resource | undefined>();
  private readonly datasetByTable = new Map<string, Resource | undefined>();
  private readonly referrerLists = new Map<string, Map<string, Resource[]>>();
  private readonly roles = new Map<string, ServiceRole>();
  private servicesByRole?: Map<string, Resource[]>;
  private pubSub?: PubSubShape;
  private speedSubscriptionList?: Resource[];
  private dataflowJobList?: Resource[];
  private serviceList?: Resource[];
  private scheduledQueryList?: Resource[];
  private tablesByDataset?: Map<string, Resource[]>;
  /** Literal names each resource's attributes (under a prefix) could denote, for the indexed lookups. */
  private readonly namesByPrefix = new Map<string, Map<Resource, ReadonlySet<string>>>();
  private readonly candidateIndexes = new WeakMap<readonly Resource[], CandidateIndex>();

  constructor(
    private readonly index: GraphIndex,
    private readonly model?: ArchitectureModel,
  ) {
    this.graph = index.graph;
    this.topics = this.ofType('google_pubsub_topic');
    this.subscriptions = this.ofType('google_pubsub_subscription');
    this.bigtableInstances = this.ofType('google_bigtable_instance');
    this.bigQueryTables = this.ofType('google_bigquery_table');
  }

  ofType(type: string): Resource[] {
    // The index's lists are shared like every list here (typed read-only there).
    return this.index.managedOfType(type) as Resource[];
  }

  edgesFrom(from: Resource): readonly Edge[] {
    return this.index.edgesFrom(from.address);
  }

  refersTo(from: Resource, to: Resource, attributePrefix?: string): boolean {
    for (const e of this.index.edgesFrom(from.address)) {
      if (e.to === to.address && (attributePrefix === undefined || e.attribute.startsWith(attributePrefix))) return true;
    }
    const name = nameOf(to);
    if (!name) return false;
    for (const s of this.index.stringLeaves(from, attributePrefix)) if (denotes(s, name)) return true;
    return false;
  }

  targetsAmong(from: Resource, candidates: readonly Resource[], attributePrefix?: string): Resource[] {
    if (candidates.length <= LINEAR_SCAN_MAX) {
      const found: Resource[] = [];
      for (const c of candidates) if (this.refersTo(from, c, attributePrefix)) found.push(c);
      return found;
    }
    const idx = this.candidateIndex(candidates);
    const hits = new Set<number>();
    for (const e of this.index.edgesFrom(from.address)) {
      if (attributePrefix !== undefined && !e.attribute.startsWith(attributePrefix)) continue;
      for (const i of idx.byAddress.get(e.to) ?? []) hits.add(i);
    }
    const names = this.namesIn(from, attributePrefix);
    if (names.size <= idx.byName.size) {
      for (const n of names) for (const i of idx.byName.get(n) ?? []) hits.add(i);
    } else {
      for (const [n, positions] of idx.byName) if (names.has(n)) for (const i of positions) hits.add(i);
    }
    return inOrder(candidates, hits);
  }

  firstTargetAmong(from: Resource, candidates: readonly Resource[], attributePrefix?: string, where?: (c: Resource) => boolean): Resource | undefined {
    if (candidates.length > LINEAR_SCAN_MAX) return this.targetsAmong(from, candidates, attributePrefix).find((c) => !where || where(c));
    for (const c of candidates) if ((!where || where(c)) && this.refersTo(from, c, attributePrefix)) return c;
    return undefined;
  }

  referrersAmong(target: Resource, candidates: readonly Resource[], attributePrefix?: string): Resource[] {
    if (candidates.length <= LINEAR_SCAN_MAX) {
      const found: Resource[] = [];
      for (const c of candidates) if (this.refersTo(c, target, attributePrefix)) found.push(c);
      return found;
    }
    const idx = this.candidateIndex(candidates);
    const hits = new Set<number>();
    for (const e of this.index.edgesTo(target.address)) {
      if (attributePrefix !== undefined && !e.attribute.startsWith(attributePrefix)) continue;
      for (const i of idx.byAddress.get(e.from) ?? []) hits.add(i);
    }
    const name = nameOf(target);
    if (name) {
      const key = attributePrefix ?? WHOLE_VALUES;
      let inverted = idx.namesInByPrefix.get(key);
      if (!inverted) {
        inverted = new Map();
        for (let i = 0; i < candidates.length; i++) for (const n of this.namesIn(candidates[i], attributePrefix)) pushTo(inverted, n, i);
        idx.namesInByPrefix.set(key, inverted);
      }
      for (const i of inverted.get(name) ?? []) hits.add(i);
    }
    return inOrder(candidates, hits);
  }

  referrers(target: Resource, type?: string): Resource[] {
    const candidates = type === undefined ? this.graph.resources : this.index.ofType(type);
    return this.referrersAmong(target, candidates).filter((r) => r !== target);
  }

  topicOf(sub: Resource): Resource | undefined {
    if (!this.topicBySubscription.has(sub.address)) this.topicBySubscription.set(sub.address, this.firstTargetAmong(sub, this.topics, 'topic'));
    return this.topicBySubscription.get(sub.address);
  }

  deadLetterTopicOf(sub: Resource): Resource | undefined {
    const memo = this.deadLetterTopicBySubscription;
    if (!memo.has(sub.address)) memo.set(sub.address, this.firstTargetAmong(sub, this.topics, 'dead_letter_policy'));
    return memo.get(sub.address);
  }

  subscriptionsOf(topic: Resource): Resource[] {
    return this.pubSubShape().subscriptionsByTopic.get(topic.address) ?? NONE;
  }

  isDeadLetterTopic(topic: Resource): boolean {
    return this.pubSubShape().deadLetterTopics.has(topic.address);
  }

  get sourceTopics(): Resource[] {
    return this.pubSubShape().sourceTopics;
  }

  isSourceTopic(topic: Resource): boolean {
    return this.pubSubShape().sourceTopicSet.has(topic);
  }

  roleOf(svc: Resource): ServiceRole {
    let role = this.roles.get(svc.address);
    if (role === undefined) {
      role = this.computeRole(svc);
      this.roles.set(svc.address, role);
    }
    return role;
  }

  services(role: ServiceRole): Resource[] {
    this.servicesByRole ??= this.groupServicesByRole();
    return this.servicesByRole.get(role) ?? NONE;
  }

  get speedSubscriptions(): Resource[] {
    if (!this.speedSubscriptionList) {
      const processed = new Set<Resource>();
      for (const p of this.services('processor')) for (const s of this.targetsAmong(p, this.subscriptions)) processed.add(s);
      this.speedSubscriptionList = this.subscriptions.filter((s) => processed.has(s));
    }
    return this.speedSubscriptionList;
  }

  get dataflowJobs(): Resource[] {
    return (this.dataflowJobList ??= concatenated(this.ofType('google_dataflow_job'), this.ofType('google_dataflow_flex_template_job')));
  }

  inputSubscriptionOf(job: Resource): Resource | undefined {
    const memo = this.inputSubscriptionByJob;
    if (!memo.has(job.address)) memo.set(job.address, this.firstTargetAmong(job, this.subscriptions, 'parameters'));
    return memo.get(job.address);
  }

  tablesOf(instance: Resource): Resource[] {
    return this.referrersOfType('tablesOf', instance, 'google_bigtable_table', 'instance_name');
  }

  gcPoliciesOf(table: Resource): Resource[] {
    return this.referrersOfType('gcPoliciesOf', table, 'google_bigtable_gc_policy', 'table');
  }

  appProfilesOf(instance: Resource): Resource[] {
    return this.referrersOfType('appProfilesOf', instance, 'google_bigtable_app_profile', 'instance');
  }

  datasetOf(table: Resource): Resource | undefined {
    const memo = this.datasetByTable;
    if (!memo.has(table.address)) memo.set(table.address, this.firstTargetAmong(table, this.ofType('google_bigquery_dataset'), 'dataset_id'));
    return memo.get(table.address);
  }

  tablesIn(dataset: Resource): Resource[] {
    if (!this.tablesByDataset) {
      this.tablesByDataset = new Map();
      for (const t of this.bigQueryTables) {
        const d = this.datasetOf(t);
        if (d) pushTo(this.tablesByDataset, d.address, t);
      }
    }
    return this.tablesByDataset.get(dataset.address) ?? NONE;
  }

  get scheduledQueries(): Resource[] {
    this.scheduledQueryList ??= this.ofType('google_bigquery_data_transfer_config').filter((c) => {
      const id = c.values.data_source_id;
      return id === undefined || id === 'scheduled_query' || isPending(id);
    });
    return this.scheduledQueryList;
  }

  /** Resources of a type referring to `target` under an attribute, worked out once per target. */
  private referrersOfType(list: string, target: Resource, type: string, attributePrefix: string): Resource[] {
    let byTarget = this.referrerLists.get(list);
    if (!byTarget) this.referrerLists.set(list, (byTarget = new Map()));
    let found = byTarget.get(target.address);
    if (!found) {
      found = this.referrersAmong(target, this.ofType(type), attributePrefix);
      byTarget.set(target.address, found);
    }
    return found;
  }

  private pubSubShape(): PubSubShape {
    if (!this.pubSub) {
      const deadLetterTopics = new Set<string>();
      const subscriptionsByTopic = new Map<string, Resource[]>();
      for (const s of this.subscriptions) {
        const dl = this.deadLetterTopicOf(s);
        if (dl) deadLetterTopics.add(dl.address);
        const topic = this.topicOf(s);
        if (topic) pushTo(subscriptionsByTopic, topic.address, s);
      }
      const sourceTopics = this.topics.filter((t) => !deadLetterTopics.has(t.address) && subscriptionsByTopic.has(t.address));
      this.pubSub = { deadLetterTopics, subscriptionsByTopic, sourceTopics, sourceTopicSet: new Set(sourceTopics) };
    }
    return this.pubSub;
  }

  private computeRole(svc: Resource): ServiceRole {
    const component = this.model?.membership.get(svc.address)?.component;
    if (component && COMPONENT_ROLE[component]) return COMPONENT_ROLE[component];
    if (this.refersToAny(svc, this.subscriptions)) return 'processor';
    if (this.refersToAny(svc, this.topics, (t) => !this.isDeadLetterTopic(t))) return 'ingest-gateway';
    // A dashboard reads another service (the analytics API); the analytics API reads the stores
    // (and may call the processor for live figures), so reading a store decides first.
    const readsStore = this.refersToAny(svc, this.bigtableInstances) || this.refersToAny(svc, this.ofType('google_bigquery_dataset'));
    if (!readsStore && this.allServices().some((o) => o !== svc && this.refersTo(svc, o))) return 'dashboard';
    if (readsStore) return 'analytics';
    const name = `${svc.name} ${nameOf(svc) ?? ''}`.toLowerCase();
    if (DASHBOARD_NAME.test(name)) return 'dashboard';
    if (INGEST_NAME.test(name)) return 'ingest-gateway';
    if (PROCESSOR_NAME.test(name)) return 'processor';
    if (ANALYTICS_NAME.test(name)) return 'analytics';
    return 'other';
  }

  /** Does `from` refer to one of the candidates (that passes `where`)? */
  private refersToAny(from: Resource, candidates: readonly Resource[], where?: (c: Resource) => boolean): boolean {
    return this.firstTargetAmong(from, candidates, undefined, where) !== undefined;
  }

  private allServices(): Resource[] {
    return (this.serviceList ??= concatenated(this.ofType(SERVICE_TYPES[0]), this.ofType(SERVICE_TYPES[1])));
  }

  /**
   * Every role's services. A role deployed in several regions lists the deployment in its
   * provider's (the configuration's home) region first: that one takes the traffic, the others
   * are standbys.
   */
  private groupServicesByRole(): Map<string, Resource[]> {
    const byRole = new Map<string, Resource[]>();
    const inHomeRegion = (s: Resource) => s.provider?.region !== undefined && s.region === s.provider.region;
    for (const s of this.allServices()) if (inHomeRegion(s)) pushTo(byRole, this.roleOf(s), s);
    for (const s of this.allServices()) if (!inHomeRegion(s)) pushTo(byRole, this.roleOf(s), s);
    return byRole;
  }

  private candidateIndex(candidates: readonly Resource[]): CandidateIndex {
    let idx = this.candidateIndexes.get(candidates);
    if (!idx) {
      idx = { byAddress: new Map(), byName: new Map(), namesInByPrefix: new Map() };
      for (let i = 0; i < candidates.length; i++) {
        const c = candidates[i];
        pushTo(idx.byAddress, c.address, i);
        const name = nameOf(c);
        if (name) pushTo(idx.byName, name, i);
      }
      this.candidateIndexes.set(candidates, idx);
    }
    return idx;
  }

  /** Every literal name a resource's attributes (under a prefix) could denote, as a set. */
  private namesIn(from: Resource, attributePrefix?: string): ReadonlySet<string> {
    const key = attributePrefix ?? WHOLE_VALUES;
    let byResource = this.namesByPrefix.get(key);
    if (!byResource) this.namesByPrefix.set(key, (byResource = new Map()));
    let names = byResource.get(from);
    if (!names) {
      const set = new Set<string>();
      for (const s of this.index.stringLeaves(from, attributePrefix)) addNameTails(s, set);
      names = set;
      byResource.set(from, names);
    }
    return names;
  }
}

/** The candidates at the hit positions, in the candidates' order. */
function inOrder(candidates: readonly Resource[], hits: Set<number>): Resource[] {
  return [...hits].sort((a, b) => a - b).map((i) => candidates[i]);
}

