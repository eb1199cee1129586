/**
 * Availability per user-facing plane from published SLAs, composed in series (a * b) and in
 * parallel (1 - (1 - a)(1 - b)). Parallel paths are only credited where the graph shows them:
 * - a role deployed in several regions (clients fail over between the regional endpoints);
 * - a caller chain (dashboard -> analytics service) per region, the chains in parallel;
 * - a spill bucket the ingest gateway is wired to, beside the event queue (ingest only:
 *   spilled events are not fresh, so the freshness plane keeps the queue in series);
 * - the query plane's stores, when the serving service is wired to both stores AND declares
 *   the fallback (an env var naming FALLBACK whose value names the other store);
 * - a cross-region dataset replica for the cold store's reads.
 * Pub/Sub is an asynchronous buffer: ingest ends at Pub/Sub; processing failures delay
 * freshness rather than refusing events. SLAs are credit commitments, not measured availability.
 */
import { formatFraction } from './percent-format';
import type { AvailabilityPlane, AvailabilityResult } from '../engine/types';
import type { Resource } from '../graph/types';
import type { Figure } from '../data';
import { asString } from '../graph/values';
import { containerEnv } from './attributes';
import type { AnalysisContext } from './context';
import { datasetReplicas } from './cold-store-replica';
import { clustersOf } from './hot-store';
import type { ServiceRole } from './topology';

interface Term {
  name: string;
  availability: number;
  text: string;
  confidence: string;
}

const MULTI_CLUSTER_REGION_THRESHOLD = 3;
/** GCS locations that span regions (multi-region or predefined dual-region). */
const GCS_MULTI_REGION = /^(US|EU|ASIA|NAM4|EUR4|EUR5|EUR7|EUR8|ASIA1)$/i;

const parallel = (xs: number[]) => 1 - xs.reduce((p, a) => p * (1 - a), 1);
/** `parallel` of n copies of one availability (the same products, without the array). */
function parallelCopies(a: number, n: number): number {
  let down = 1;
  for (let i = 0; i < n; i++) down *= 1 - a;
  return 1 - down;
}
const worst = (xs: string[]) => (xs.includes('U') ? 'U' : xs.includes('S') ? 'S' : 'V');

/** "analytics service not found", not "analytics service service not found". */
function notFound(label: string): string {
  return `${label.replace(/ service$/, '')} service not found`;
}

const addresses = (services: readonly Resource[]) => services.map((s) => s.address).join(', ');

function serviceTerm(ctx: AnalysisContext, services: readonly Resource[], role: ServiceRole, label: string): Term | string {
  if (services.length === 0) return notFound(label);
  const sla = ctx.data.sla('cloud-run');
  const regions = new Set<string>();
  for (const s of services) regions.add(s.region ?? s.address);
  const a = parallelCopies(sla.value, regions.size);
  const why = role === 'processor' ? 'all pull the one subscription' : 'clients fail over between regional endpoints';
  const text =
    regions.size > 1
      ? `${label} in ${regions.size} regions in parallel (${why}): 1 - (1 - ${sla.value})^${regions.size}`
      : `${label} (Cloud Run, one region) ${sla.value}`;
  return { name: `${label} (${addresses(services)})`, availability: a, text, confidence: sla.confidence };
}

/**
 * A caller and the service it calls, per region: each chain is caller x callee in series, the
 * chains in parallel. A caller wired to no callee of the role leaves the chain unknown.
 */
function chainTerm(ctx: AnalysisContext, callers: readonly Resource[], callerLabel: string, callees: readonly Resource[], calleeLabel: string): Term | string {
  if (callers.length === 0) return notFound(callerLabel);
  if (callees.length === 0) return notFound(calleeLabel);
  const sla = ctx.data.sla('cloud-run');
  let down = 1;
  for (const caller of callers) {
    let targets = 0;
    for (const c of callees) if (ctx.topology.refersTo(caller, c)) targets++;
    // Several callees behind one caller (it fails over between them) run in parallel.
    const callee = targets > 0 ? parallelCopies(sla.value, targets) : sla.value;
    down *= 1 - sla.value * callee;
  }
  const text =
    callers.length > 1
      ? `${callers.length} ${callerLabel} -> ${calleeLabel} chains in parallel, each ${sla.value} x ${sla.value}`
      : `${callerLabel} ${sla.value} x ${calleeLabel} ${sla.value}`;
  return { name: `${callerLabel} -> ${calleeLabel} (${addresses(callers)})`, availability: 1 - down, text, confidence: sla.confidence };
}

export function bigtableSla(ctx: AnalysisContext, instance: Resource): Figure {
  const clusters = clustersOf(ctx, instance);
  if (clusters.length <= 1) return ctx.data.sla('bigtable.single-cluster');
  const multi = ctx.topology.appProfilesOf(instance).some((p) => p.values.multi_cluster_routing_use_any === true);
  if (!multi) return ctx.data.sla('bigtable.replicated-single-cluster-routing');
  const regions = new Set(clusters.map((c) => c.region));
  return ctx.data.sla(regions.size >= MULTI_CLUSTER_REGION_THRESHOLD ? 'bigtable.multi-cluster-routing-3-plus-regions' : 'bigtable.multi-cluster-routing-under-3-regions');
}

function hotStoreTerm(ctx: AnalysisContext): Term | string {
  const instance = ctx.topology.bigtableInstances[0];
  if (!instance) return 'hot store (Bigtable) not found';
  const sla = bigtableSla(ctx, instance);
  return { name: `hot store (${instance.address})`, availability: sla.value, text: `Bigtable ${sla.id} ${sla.value}`, confidence: sla.confidence };
}

/** The cold store's reads: BigQuery, in parallel with a replica in another location when one is declared. */
function coldStoreTerm(ctx: AnalysisContext, dataset: Resource): Term {
  const sla = ctx.data.sla('bigquery');
  const replicas = datasetReplicas(ctx, dataset).filter((r) => r.location !== undefined && r.location !== r.primaryLocation);
  if (replicas.length === 0) return { name: `cold store (${dataset.address})`, availability: sla.value, text: `BigQuery ${sla.value}`, confidence: sla.confidence };
  const a = parallel([sla.value, ...replicas.map(() => sla.value)]);
  return {
    name: `cold store (${dataset.address}) || replica (${replicas.map((r) => `${r.location}: ${r.job.address}`).join(', ')})`,
    availability: a,
    text: `BigQuery ${sla.value} in parallel with ${replicas.length} read-only replica(s) in ${replicas.map((r) => r.location).join(', ')}`,
    confidence: sla.confidence,
  };
}

function spillBucketSla(ctx: AnalysisContext, bucket: Resource): Figure {
  const location = asString(bucket.values.location as never);
  const dual = bucket.values.custom_placement_config !== undefined;
  return ctx.data.sla(dual || (location !== undefined && GCS_MULTI_REGION.test(location)) ? 'cloud-storage.multi-region' : 'cloud-storage.regional');
}

/** The event queue; with `spillFrom` (the ingest gateways), in parallel with a bucket they all fall back to. */
function pubsubTerm(ctx: AnalysisContext, spillFrom?: readonly Resource[]): Term | string {
  const topic = ctx.topology.sourceTopics[0];
  if (!topic) return 'telemetry topic not found';
  const sla = ctx.data.sla('pubsub');
  if (spillFrom) {
    // Every gateway must be wired to the bucket: a region without it has no fallback.
    const gateways = spillFrom;
    const buckets = ctx.topology.ofType('google_storage_bucket');
    const spill = gateways.length > 0 ? buckets.find((b) => gateways.every((g) => ctx.topology.refersTo(g, b))) : undefined;
    if (spill) {
      const gcs = spillBucketSla(ctx, spill);
      const a = parallel([sla.value, gcs.value]);
      return {
        name: `Pub/Sub (${topic.address}) || spill bucket (${spill.address})`,
        availability: a,
        text: `Pub/Sub ${sla.value} in parallel with the spill bucket ${gcs.value} (${gcs.id})`,
        confidence: worst([sla.confidence, gcs.confidence]),
      };
    }
  }
  return { name: `Pub/Sub (${topic.address})`, availability: sla.value, text: `Pub/Sub ${sla.value}`, confidence: sla.confidence };
}

/** Env var values that declare a fallback store (QUERY_FALLBACK=bigquery, HOT_STORE_FALLBACK=bigtable). */
function declaredFallbacks(service: Resource): string[] {
  const out: string[] = [];
  for (const [name, value] of containerEnv(service)) {
    if (!/FALLBACK/i.test(name)) continue;
    const v = asString(value as never);
    if (v) out.push(...v.toLowerCase().split(/[\s,;]+/));
  }
  return out;
}

/** Wired by a reference or literal name, or by an IAM grant to the service's account. */
function wiredTo(ctx: AnalysisContext, service: Resource, store: Resource, tableType: string): boolean {
  if (ctx.topology.refersTo(service, store)) return true;
  const account = ctx.topology.targetsAmong(service, ctx.topology.ofType('google_service_account'))[0];
  if (!account) return false;
  return ctx.topology.referrersAmong(account, ctx.topology.ofType(`${tableType}_iam_member`)).some((m) => ctx.topology.refersTo(m, store));
}

/**
 * The query plane's stores: recent ranges from the hot store, history from the cold store.
 * Each store's part runs in parallel with the other store only when every serving service is
 * wired to both and declares that fallback; otherwise the stores are in series.
 */
function queryStoreTerms(ctx: AnalysisContext, services: readonly Resource[], hot: Term | string): (Term | string)[] {
  const instance = ctx.topology.bigtableInstances.find((i) => services.some((s) => wiredTo(ctx, s, i, 'google_bigtable_table')));
  const dataset = ctx.topology.ofType('google_bigquery_dataset').find((d) => services.some((s) => wiredTo(ctx, s, d, 'google_bigquery_table')));
  if (!dataset) return [hot];
  const cold = coldStoreTerm(ctx, dataset);
  if (typeof hot === 'string') return [hot, cold];
  const wiredBoth = instance !== undefined && services.length > 0 && services.every((s) => wiredTo(ctx, s, instance, 'google_bigtable_table') && wiredTo(ctx, s, dataset, 'google_bigquery_table'));
  const fallbacks = wiredBoth ? services.map(declaredFallbacks) : [];
  const hotFallsBack = wiredBoth && fallbacks.every((f) => f.includes('bigquery'));
  const coldFallsBack = wiredBoth && fallbacks.every((f) => f.includes('bigtable'));
  const recent: Term = hotFallsBack
    ? { name: `${hot.name} || ${cold.name}`, availability: parallel([hot.availability, cold.availability]), text: `recent ranges: (${hot.text}) in parallel with the declared BigQuery fallback (${cold.text})`, confidence: worst([hot.confidence, cold.confidence]) }
    : hot;
  const history: Term = coldFallsBack
    ? { name: `${cold.name} || ${hot.name}`, availability: parallel([cold.availability, hot.availability]), text: `history: (${cold.text}) in parallel with the declared Bigtable fallback (${hot.text})`, confidence: worst([hot.confidence, cold.confidence]) }
    : cold;
  return [recent, history];
}

function plane(name: AvailabilityPlane['plane'], terms: (Term | string)[]): AvailabilityPlane {
  const missing = terms.filter((t): t is string => typeof t === 'string');
  if (missing.length > 0) return { plane: name, availability: null, cappedBy: null, composition: `unknown: ${missing.join('; ')}` };
  const known = terms as Term[];
  let a = 1;
  let cap = known[0];
  let composition = '';
  for (let i = 0; i < known.length; i++) {
    const t = known[i];
    a *= t.availability;
    if (t.availability < cap.availability) cap = t;
    composition += `${i > 0 ? ' x ' : ''}${t.text}${t.confidence === 'V' ? '' : ` (${t.confidence})`}`;
  }
  return { plane: name, availability: Math.round(a * 1e8) / 1e8, cappedBy: cap.name, composition: `series: ${composition} = ${formatFraction(a)}` };
}

export function analyseAvailability(ctx: AnalysisContext): AvailabilityResult {
  // Each role looked up once: the topology filters and sorts the services on every lookup.
  const topo = ctx.topology;
  const gateways = topo.services('ingest-gateway');
  const processors = topo.services('processor');
  const analytics = topo.services('analytics');
  const dashboards = topo.services('dashboard');
  const hot = hotStoreTerm(ctx);
  return {
    planes: [
      plane('ingest', [serviceTerm(ctx, gateways, 'ingest-gateway', 'ingest gateway'), pubsubTerm(ctx, gateways)]),
      plane('query', [serviceTerm(ctx, analytics, 'analytics', 'analytics service'), ...queryStoreTerms(ctx, analytics, hot)]),
      plane('freshness', [pubsubTerm(ctx), serviceTerm(ctx, processors, 'processor', 'processor'), hot, chainTerm(ctx, dashboards, 'dashboard', analytics, 'analytics service')]),
    ],
    note: AVAILABILITY_NOTE,
  };
}

const AVAILABILITY_NOTE =
  'Published monthly SLAs are contractual credit commitments, not measured availability. Pub/Sub decouples the planes: ingest ends when Pub/Sub (or the spill bucket) has the event; processing outages delay freshness without refusing events, and spilled events are not fresh, so the freshness plane keeps Pub/Sub in series. Regional deployments count in parallel because clients fail over between the regional endpoints. The archive (Dataflow -> BigQuery) is asynchronous and in no user-facing plane.';
