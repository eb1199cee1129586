/**
 * Which of the seven components each resource belongs to. Evidence, strongest first:
 * a `component` label, a construct path segment, then resource type and wiring (what a
 * Cloud Run service reads and who reads it), then names. Support resources (service
 * accounts, IAM, buckets) join the component of what uses them.
 */
import type { Graph, Resource } from '../graph/types';
import { asRecord, asString } from '../graph/values';
import { COMPONENT_IDS, type ComponentId, type ComponentMembership } from '../engine/types';
import { envOf, matchesLiteral, serviceAccountValue, referencesIn, Wiring } from './wiring';

export const CLOUD_RUN_TYPES = ['google_cloud_run_v2_service', 'google_cloud_run_service'] as const;
export const SUBSCRIPTION = 'google_pubsub_subscription';
export const TOPIC = 'google_pubsub_topic';
export const DATAFLOW_TYPES = ['google_dataflow_job', 'google_dataflow_flex_template_job'] as const;

const PREFIX_COMPONENT: [string, ComponentId][] = [
  ['google_pubsub_', 'ingestion'],
  ['google_dataflow_', 'stream-processing'],
  ['google_bigtable_', 'hot-storage'],
  ['google_bigquery_', 'cold-storage'],
  ['google_monitoring_', 'monitoring'],
  ['google_logging_metric', 'monitoring'],
];

/** Spellings of each component in labels and construct ids, normalised (lowercase, alphanumerics). */
const ALIASES: Record<ComponentId, string[]> = {
  ingestion: ['ingestion', 'ingest', 'eventingestion'],
  'stream-processing': ['streamprocessing', 'streamprocessor', 'processing', 'speedlayer'],
  'hot-storage': ['hotstorage', 'hotstore'],
  'cold-storage': ['coldstorage', 'coldstore'],
  analytics: ['analytics', 'analyticsservice', 'serving', 'servinglayer'],
  dashboard: ['dashboard', 'livedashboard'],
  monitoring: ['monitoring', 'observability'],
};

const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

function componentOfWord(word: string): ComponentId | undefined {
  const n = norm(word);
  return COMPONENT_IDS.find((c) => ALIASES[c].includes(n));
}

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

export function classify(graph: Graph, wiring: Wiring): Classification {
  const membership = new Map<string, ComponentMembership>();
  const serviceRoles = new Map<string, { role: ServiceRole; evidence: string }>();

  for (const r of graph.resources) {
    const explicit = fromLabel(r) ?? fromConstructPath(r);
    if (CLOUD_RUN_TYPES.includes(r.type as (typeof CLOUD_RUN_TYPES)[number])) {
      const role = serviceRole(r, wiring);
      if (role) serviceRoles.set(r.address, role);
      if (!explicit && role) {
        membership.set(r.address, { component: ROLE_COMPONENT[role.role], evidence: role.evidence });
        continue;
      }
    }
    if (explicit) {
      membership.set(r.address, explicit);
      continue;
    }
    const byType = PREFIX_COMPONENT.find(([prefix]) => r.type.startsWith(prefix));
    membership.set(r.address, byType ? { component: byType[1], evidence: `type ${r.type}` } : { component: 'shared', evidence: 'no component evidence' });
  }

  // Support resources join what uses them; two passes let IAM follow its service account.
  for (let pass = 0; pass < 2; pass++) {
    for (const r of graph.resources) {
      const m = membership.get(r.address)!;
      if (m.component !== 'shared' || r.mode === 'data') continue;
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
  if (!r.constructPath) return undefined;
  for (const segment of r.constructPath.split('/')) {
    const c = componentOfWord(segment);
    if (c) return { component: c, evidence: `construct path ${r.constructPath}` };
  }
  return undefined;
}

/** What a Cloud Run service does, from its wiring; names only as a last resort. */
export function serviceRole(r: Resource, wiring: Wiring): { role: ServiceRole; evidence: string } | undefined {
  const env = envOf(r);
  const subs = wiring.targets(r, [SUBSCRIPTION]);
  if (subs.length > 0) return { role: 'processor', evidence: `reads subscription ${subs[0].address}` };
  const subEnv = env.find((e) => /SUBSCRIPTION/.test(e.name));
  if (subEnv) return { role: 'processor', evidence: `env ${subEnv.name} names a subscription` };
  const granted = grantsOn(r, wiring, SUBSCRIPTION, /subscriber/);
  if (granted) return { role: 'processor', evidence: `its service account subscribes to ${granted}` };
  // The analytics API may call the processor (live figures): reading a pull subscriber does not make a dashboard.
  const otherServices = wiring.targets(r, [...CLOUD_RUN_TYPES]).filter((t) => t.address !== r.address && wiring.targets(t, [SUBSCRIPTION]).length === 0);
  if (otherServices.length > 0) return { role: 'dashboard', evidence: `reads service ${otherServices[0].address}` };
  const analyticsUrl = env.find((e) => e.name === 'ANALYTICS_URL');
  if (analyticsUrl) return { role: 'dashboard', evidence: 'env ANALYTICS_URL' };
  const readers = wiring.referrers(r, [...CLOUD_RUN_TYPES]).filter((t) => t.address !== r.address);
  if (readers.length > 0) return { role: 'analytics', evidence: `read by service ${readers[0].address}` };
  const topics = wiring.targets(r, [TOPIC]);
  if (topics.length > 0) return { role: 'ingest', evidence: `publishes to topic ${topics[0].address}` };
  const topicEnv = env.find((e) => /TOPIC/.test(e.name));
  if (topicEnv) return { role: 'ingest', evidence: `env ${topicEnv.name} names a topic` };
  const publishes = grantsOn(r, wiring, TOPIC, /publisher/);
  if (publishes) return { role: 'ingest', evidence: `its service account publishes to ${publishes}` };
  const readsStores = wiring.targets(r).some((t) => t.type.startsWith('google_bigtable_') || t.type.startsWith('google_bigquery_'));
  if (readsStores || env.some((e) => /^BIG(TABLE|QUERY)_/.test(e.name))) return { role: 'analytics', evidence: 'reads the stores' };
  const name = `${asString(r.values.name) ?? ''} ${r.name}`.toLowerCase();
  if (/ingest|gateway/.test(name)) return { role: 'ingest', evidence: `name ${name.trim()}` };
  if (/process|speed/.test(name)) return { role: 'processor', evidence: `name ${name.trim()}` };
  if (/dashboard|\bui\b|web/.test(name)) return { role: 'dashboard', evidence: `name ${name.trim()}` };
  if (/analytic|query|api/.test(name)) return { role: 'analytics', evidence: `name ${name.trim()}` };
  return undefined;
}

/** A topic/subscription IAM member granting this service's account a matching role. */
function grantsOn(service: Resource, wiring: Wiring, targetType: string, role: RegExp): string | undefined {
  const sa = serviceAccountValue(service);
  const saRefs = referencesIn(sa);
  const saLiteral = asString(sa);
  for (const iam of wiring.ofType(`${targetType}_iam_member`, `${targetType}_iam_binding`)) {
    if (!role.test(asString(iam.values.role) ?? '')) continue;
    const member = iam.values.member ?? iam.values.members;
    const memberRefs = wiring.targets(iam, ['google_service_account']).map((t) => t.address);
    const matchesRef = saRefs.some((a) => memberRefs.includes(a));
    const memberText = JSON.stringify(member ?? '');
    const matchesLiteralEmail = saLiteral !== undefined && saLiteral !== '' && memberText.includes(saLiteral);
    const saResource = saRefs.map((a) => wiring.graph.byAddress.get(a)).find((x) => x?.type === 'google_service_account');
    const matchesAccount = saResource !== undefined && typeof member === 'string' && matchesLiteral(saResource, member);
    if (matchesRef || matchesLiteralEmail || matchesAccount) {
      const target = wiring.targets(iam, [targetType])[0];
      return target?.address ?? asString(iam.values[targetType === TOPIC ? 'topic' : 'subscription']) ?? iam.address;
    }
  }
  return undefined;
}

function adopt(r: Resource, wiring: Wiring, membership: Map<string, ComponentMembership>): ComponentMembership | undefined {
  const componentOf = (x: Resource) => membership.get(x.address)?.component;
  // A service account belongs to the workload that runs as it, whoever else grants it roles.
  const workloads = wiring.referrers(r, [...CLOUD_RUN_TYPES, ...DATAFLOW_TYPES, 'google_cloudfunctions2_function']);
  const runAs = new Set(workloads.map(componentOf).filter((c): c is ComponentId => c !== undefined && c !== 'shared'));
  if (runAs.size === 1) {
    const [c] = runAs;
    return { component: c, evidence: `used by ${workloads.find((x) => componentOf(x) === c)!.address}` };
  }
  // Used by exactly one component (a service account by its service, a UDF bucket by its job).
  const users = new Set(wiring.referrers(r).map(componentOf).filter((c): c is ComponentId => c !== undefined && c !== 'shared'));
  if (users.size === 1) {
    const [c] = users;
    return { component: c, evidence: `used by ${wiring.referrers(r).find((x) => componentOf(x) === c)!.address}` };
  }
  // Grants or settings on exactly one component (IAM members, service IAM).
  const targets = new Set(wiring.targets(r).map(componentOf).filter((c): c is ComponentId => c !== undefined && c !== 'shared'));
  if (targets.size === 1 && /_iam_|_object$|_policy$/.test(r.type)) {
    const [c] = targets;
    return { component: c, evidence: `applies to ${wiring.targets(r).find((x) => componentOf(x) === c)!.address}` };
  }
  return undefined;
}
