/**
 * Which of the seven components each resource belongs to. Evidence, strongest first:
 * a `component` label, a construct path segment, then resource type and wiring (what a
 * Cloud Run service reads and who reads it), then names. Support resources (service
 * accounts, IAM, buckets) join the component of what uses them.
 */
import type { AttrValue, Edge, Graph, Resource } from '../graph/types';
import { asRecord, asString } from '../graph/values';
import type { ComponentId, ComponentMembership } from '../engine/types';
import { componentOfWord } from './component-words';
import { envNameMatching, matchesLiteral, referencesIn, serviceAccountValue, type Wiring } from './wiring';

export const CLOUD_RUN_TYPES = ['google_cloud_run_v2_service', 'google_cloud_run_service'] as const;
export const SUBSCRIPTION = 'google_pubsub_subscription';
export const TOPIC = 'google_pubsub_topic';
export const DATAFLOW_TYPES = ['google_dataflow_job', 'google_dataflow_flex_template_job'] as const;
const SERVICE_ACCOUNT = 'google_service_account';
const WORKLOAD_TYPES = [...CLOUD_RUN_TYPES, ...DATAFLOW_TYPES, 'google_cloudfunctions2_function'];
const IAM_TYPES: Record<string, readonly string[]> = {
  [SUBSCRIPTION]: [`${SUBSCRIPTION}_iam_member`, `${SUBSCRIPTION}_iam_binding`],
  [TOPIC]: [`${TOPIC}_iam_member`, `${TOPIC}_iam_binding`],
};

const PREFIX_COMPONENT: [string, ComponentId][] = [
  ['google_pubsub_', 'ingestion'],
  ['google_dataflow_', 'stream-processing'],
  ['google_bigtable_', 'hot-storage'],
  ['google_bigquery_', 'cold-storage'],
  ['google_monitoring_', 'monitoring'],
  ['google_logging_metric', 'monitoring'],
];

// Patterns used per resource, compiled once.
const SUBSCRIPTION_ENV = /SUBSCRIPTION/;
const TOPIC_ENV = /TOPIC/;
const ANALYTICS_URL_ENV = /^ANALYTICS_URL$/;
const STORE_ENV = /^BIG(TABLE|QUERY)_/;
const SUBSCRIBER_ROLE = /subscriber/;
const PUBLISHER_ROLE = /publisher/;
const APPLIES_TO_ONE = /_iam_|_object$|_policy$/;

export type ServiceRole = 'ingest' | 'processor' | 'analytics' | 'dashboard';
export const ROLE_COMPONENT: Record<ServiceRole, ComponentId> = {
  ingest: 'ingestion',
  processor: 'stream-processing',
  analytics: 'analytics',
  dashboard: 'dashboard',
};

export interface Classification {
  membership: Map<string, ComponentMembership>;
  /** Role of every Cloud Run service, with why. */
  serviceRoles: Map<string, { role: ServiceRole; evidence: string }>;
}

export function isCloudRun(r: Resource): boolean {
  return r.type === CLOUD_RUN_TYPES[0] || r.type === CLOUD_RUN_TYPES[1];
}

export function classify(graph: Graph, wiring: Wiring): Classification {
  const membership = new Map<string, ComponentMembership>();
  const serviceRoles = new Map<string, { role: ServiceRole; evidence: string }>();

  const unplaced: Resource[] = [];
  for (const r of graph.resources) {
    const explicit = fromLabel(r) ?? fromConstructPath(r);
    if (isCloudRun(r)) {
      const role = serviceRole(r, wiring);
      if (role) serviceRoles.set(r.address, role);
      if (!explicit && role) {
        membership.set(r.address, { component: ROLE_COMPONENT[role.role], evidence: role.evidence });
        continue;
      }
    }
    const m = explicit ?? fromType(r);
    membership.set(r.address, m);
    if (m.component === 'shared' && r.mode !== 'data') unplaced.push(r);
  }

  // Support resources join what uses them; two passes let IAM follow its service account.
  for (let pass = 0; pass < 2; pass++) {
    for (const r of unplaced) {
      if (membership.get(r.address)!.component !== 'shared') continue;
      const adopted = adopt(r, wiring, membership);
      if (adopted) membership.set(r.address, adopted);
    }
  }
  return { membership, serviceRoles };
}

function fromLabel(r: Resource): ComponentMembership | undefined {
  const labels = asRecord(r.values.labels) ?? asRecord(asRecord(r.values.template)?.labels);
  const label = asString(labels?.component);
  const c = label ? componentOfWord(label) : undefined;
  return c ? { component: c, evidence: `label component=${label}` } : undefined;
}

function fromConstructPath(r: Resource): ComponentMembership | undefined {
  const path = r.constructPath;
  if (!path) return undefined;
  // Segment by segment without splitting the path (every resource has one).
  for (let start = 0; start <= path.length; ) {
    const slash = path.indexOf('/', start);
    const end = slash < 0 ? path.length : slash;
    const c = componentOfWord(path, start, end);
    if (c) return { component: c, evidence: `construct path ${path}` };
    start = end + 1;
  }
  return undefined;
}

function fromType(r: Resource): ComponentMembership {
  for (const [prefix, component] of PREFIX_COMPONENT) if (r.type.startsWith(prefix)) return { component, evidence: `type ${r.type}` };
  return { component: 'shared', evidence: 'no component evidence' };
}

const SUBSCRIPTION_TYPES = [SUBSCRIPTION];
const TOPIC_TYPES = [TOPIC];
const readsStore = (t: Resource) => t.type.startsWith('google_bigtable_') || t.type.startsWith('google_bigquery_');

/** What a Cloud Run service does, from its wiring; names only as a last resort. */
export function serviceRole(r: Resource, wiring: Wiring): { role: ServiceRole; evidence: string } | undefined {
  const sub = wiring.firstTarget(r, SUBSCRIPTION_TYPES);
  if (sub) return { role: 'processor', evidence: `reads subscription ${sub.address}` };
  const subEnv = envNameMatching(r, SUBSCRIPTION_ENV);
  if (subEnv) return { role: 'processor', evidence: `env ${subEnv} names a subscription` };
  const account = serviceAccountValue(r);
  const granted = grantsOn(account, wiring, SUBSCRIPTION, SUBSCRIBER_ROLE);
  if (granted) return { role: 'processor', evidence: `its service account subscribes to ${granted}` };
  // The analytics API may call the processor (live figures): reading a pull subscriber does not make a dashboard.
  const otherService = wiring.firstTarget(r, CLOUD_RUN_TYPES, undefined, (t) => t.address !== r.address && !wiring.firstTarget(t, SUBSCRIPTION_TYPES));
  if (otherService) return { role: 'dashboard', evidence: `reads service ${otherService.address}` };
  if (envNameMatching(r, ANALYTICS_URL_ENV)) return { role: 'dashboard', evidence: 'env ANALYTICS_URL' };
  const reader = wiring.firstReferrer(r, CLOUD_RUN_TYPES, undefined, (t) => t.address !== r.address);
  if (reader) return { role: 'analytics', evidence: `read by service ${reader.address}` };
  const topic = wiring.firstTarget(r, TOPIC_TYPES);
  if (topic) return { role: 'ingest', evidence: `publishes to topic ${topic.address}` };
  const topicEnv = envNameMatching(r, TOPIC_ENV);
  if (topicEnv) return { role: 'ingest', evidence: `env ${topicEnv} names a topic` };
  const publishes = grantsOn(account, wiring, TOPIC, PUBLISHER_ROLE);
  if (publishes) return { role: 'ingest', evidence: `its service account publishes to ${publishes}` };
  if (wiring.firstTarget(r, undefined, undefined, readsStore) || envNameMatching(r, STORE_ENV)) return { role: 'analytics', evidence: 'reads the stores' };
  const name = `${asString(r.values.name) ?? ''} ${r.name}`.toLowerCase();
  if (/ingest|gateway/.test(name)) return { role: 'ingest', evidence: `name ${name.trim()}` };
  if (/process|speed/.test(name)) return { role: 'processor', evidence: `name ${name.trim()}` };
  if (/dashboard|\bui\b|web/.test(name)) return { role: 'dashboard', evidence: `name ${name.trim()}` };
  if (/analytic|query|api/.test(name)) return { role: 'analytics', evidence: `name ${name.trim()}` };
  return undefined;
}

/** A topic/subscription IAM member granting a service's account (`sa`, as the service names it) a matching role. */
function grantsOn(sa: AttrValue | undefined, wiring: Wiring, targetType: string, role: RegExp): string | undefined {
  const saRefs = referencesIn(sa);
  const saLiteral = asString(sa);
  const saResource = serviceAccountAmong(saRefs, wiring);
  for (const iam of wiring.ofTypes(IAM_TYPES[targetType])) {
    if (!role.test(asString(iam.values.role) ?? '')) continue;
    const member = iam.values.member ?? iam.values.members;
    const matches =
      grantsToAny(iam, saRefs, wiring) ||
      (saLiteral !== undefined && saLiteral !== '' && JSON.stringify(member ?? '').includes(saLiteral)) ||
      (saResource !== undefined && typeof member === 'string' && matchesLiteral(saResource, member));
    if (matches) {
      const target = wiring.firstTarget(iam, [targetType]);
      return target?.address ?? asString(iam.values[targetType === TOPIC ? 'topic' : 'subscription']) ?? iam.address;
    }
  }
  return undefined;
}

/** The first of the addresses that is a service account of the graph. */
function serviceAccountAmong(addresses: readonly string[], wiring: Wiring): Resource | undefined {
  for (const a of addresses) {
    const r = wiring.graph.byAddress.get(a);
    if (r?.type === SERVICE_ACCOUNT) return r;
  }
  return undefined;
}

/** Does the IAM resource refer to one of the service accounts at `addresses`? */
function grantsToAny(iam: Resource, addresses: readonly string[], wiring: Wiring): boolean {
  for (const e of wiring.edgesFrom(iam)) {
    if (addresses.includes(e.to) && wiring.graph.byAddress.get(e.to)?.type === SERVICE_ACCOUNT) return true;
  }
  return false;
}

function adopt(r: Resource, wiring: Wiring, membership: Map<string, ComponentMembership>): ComponentMembership | undefined {
  // A service account belongs to the workload that runs as it, whoever else grants it roles.
  const workload = soleComponentVia(wiring.edgesTo(r), 'from', WORKLOAD_TYPES, wiring, membership);
  if (workload) return { component: membership.get(workload.address)!.component, evidence: `used by ${workload.address}` };
  // Used by exactly one component (a service account by its service, a UDF bucket by its job).
  const user = soleComponentVia(wiring.edgesTo(r), 'from', undefined, wiring, membership);
  if (user) return { component: membership.get(user.address)!.component, evidence: `used by ${user.address}` };
  // Grants or settings on exactly one component (IAM members, service IAM).
  if (!APPLIES_TO_ONE.test(r.type)) return undefined;
  const target = soleComponentVia(wiring.edgesFrom(r), 'to', undefined, wiring, membership);
  return target ? { component: membership.get(target.address)!.component, evidence: `applies to ${target.address}` } : undefined;
}

/**
 * When the resources at the `end` of `edges` (of `types`) that are in a component are all in the
 * same one, the first of them; undefined when none is, or they are in several.
 */
function soleComponentVia(
  edges: readonly Edge[],
  end: 'from' | 'to',
  types: readonly string[] | undefined,
  wiring: Wiring,
  membership: Map<string, ComponentMembership>,
): Resource | undefined {
  let via: Resource | undefined;
  let component: ComponentId | undefined;
  for (const e of edges) {
    const x = wiring.graph.byAddress.get(e[end]);
    if (!x || (types && !types.includes(x.type))) continue;
    const c = membership.get(x.address)?.component;
    if (c === undefined || c === 'shared') continue;
    if (component === undefined) {
      component = c;
      via = x;
    } else if (c !== component) return undefined;
  }
  return via;
}
