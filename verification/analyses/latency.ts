/**
 * Latency of the event-processing critical path (gateway -> Pub/Sub publish -> delivery ->
 * processor -> durable Bigtable write), the dashboard freshness path, and the batch-view
 * job duration. Hops come from latency.json; Bigtable writes depend on storage type and the
 * cluster's CPU utilisation at sustained load; consecutive hops in different regions add a
 * cross-region penalty. The path's p50 and p99 are percentiles of the SUM of the hop
 * distributions (Monte Carlo, fixed seed), not a sum of per-hop percentiles.
 */
import type { LatencyHop, LatencyPath, LatencyResult } from '../engine/types';
import type { Resource } from '../graph/types';
import { MINUTES_PER_HOUR, MS_PER_SECOND, SECONDS_PER_HOUR } from '../data';
import type { LatencyHopFigure } from '../data';
import { containerEnv } from './attributes';
import { asNumber, asString } from '../graph/values';
import type { AnalysisContext } from './context';
import { scanEstimate } from './cold-store';
import { hotStoreLoad, nodesNeeded, clamp, type ClusterInfo } from './hot-store';
import { sumPercentiles, type HopDistribution } from './stats/distributions';

interface PathHop extends LatencyHop {
  dist: HopDistribution;
}

function hopFrom(name: string, figure: LatencyHopFigure, address?: string, region?: string, p50Factor = 1, p99Factor = 1): PathHop {
  const p50 = figure.p50Ms * p50Factor;
  const p99 = figure.p99Ms * p99Factor;
  return {
    name,
    ...(address ? { address } : {}),
    ...(region ? { region } : {}),
    p50Ms: p50,
    p99Ms: p99,
    source: figure.source,
    confidence: figure.confidence,
    dist: { kind: 'lognormal', p50, p99 },
  };
}

function crossRegionHop(ctx: AnalysisContext, from: string | undefined, to: string | undefined): PathHop | undefined {
  if (!from || !to || from === to) return undefined;
  const a = ctx.data.continent(from);
  const b = ctx.data.continent(to);
  const figure = ctx.data.crossRegionPenalty(a !== undefined && a === b ? 'same-continent' : 'intercontinental');
  return hopFrom(`cross-region ${from} -> ${to}`, figure, undefined, to);
}

function combine(ctx: AnalysisContext, name: string, hops: PathHop[], missing: string[], extraMethod = ''): LatencyPath & { maxMs?: number | null } {
  const cleanHops: LatencyHop[] = hops.map(({ dist: _dist, ...h }) => h);
  if (missing.length > 0 || hops.length === 0) {
    return { name, hops: cleanHops, p50Ms: null, p99Ms: null, method: `not computed: ${missing.join('; ') || 'no hops'}`, missing };
  }
  const mc = ctx.data.latency.monteCarlo;
  const sum = sumPercentiles(hops.map((h) => h.dist), mc.samples, mc.seed);
  const round = (x: number) => Math.round(x * 10) / 10;
  const naiveP99 = hops.reduce((s, h) => s + h.p99Ms, 0);
  const medians = hops.reduce((s, h) => s + h.p50Ms, 0);
  return {
    name,
    hops: cleanHops,
    p50Ms: round(sum.p50),
    p99Ms: round(sum.p99),
    method:
      `Monte Carlo of the sum of ${hops.length} hops (lognormal fitted to each hop's p50/p99${extraMethod}), ${mc.samples} samples, seed ${mc.seed}; ` +
      `for comparison: sum of medians ${round(medians)} ms, naive sum of p99s ${round(naiveP99)} ms`,
    missing: [],
  };
}

/** The cluster that serves the processor's writes: nearest under multi-cluster routing. */
function servingCluster(ctx: AnalysisContext, instance: Resource, clusters: ClusterInfo[], fromRegion: string | undefined): ClusterInfo | undefined {
  const profiles = ctx.topology.appProfilesOf(instance);
  const multi = profiles.some((p) => p.values.multi_cluster_routing_use_any === true);
  if (!multi) {
    const single = profiles.map((p) => asString((p.values.single_cluster_routing as Record<string, never> | undefined)?.cluster_id)).find((id) => id);
    return clusters.find((c) => c.id === single) ?? clusters[0];
  }
  return clusters.find((c) => c.region === fromRegion) ?? clusters[0];
}

/** Utilisation of a cluster at sustained load (autoscaled clusters hold their CPU target). */
export function sustainedUtilisation(ctx: AnalysisContext, c: ClusterInfo, rowsPerSecond: number): number | null {
  if (c.minNodes === null || c.maxNodes === null) return null;
  const perNode = ctx.data.perf(`bigtable.write-rows-per-node.${c.storageType}`).value;
  const nodes = c.autoscaling ? clamp(nodesNeeded(ctx, c.storageType, rowsPerSecond, c.cpuTargetPercent), c.minNodes, c.maxNodes) : c.minNodes;
  return rowsPerSecond / (nodes * perNode);
}

function processingPath(ctx: AnalysisContext): LatencyPath {
  const missing: string[] = [];
  const hops: PathHop[] = [];
  const topo = ctx.topology;
  const gateway = topo.services('ingest-gateway')[0];
  const processor = topo.services('processor')[0];
  const topic = topo.sourceTopics[0] ?? topo.topics.find((t) => !topo.isDeadLetterTopic(t));
  const subscription = topo.speedSubscriptions[0];
  const instance = processor ? topo.bigtableInstances.find((i) => topo.refersTo(processor, i)) ?? topo.bigtableInstances[0] : topo.bigtableInstances[0];
  if (!gateway) missing.push('ingest gateway service');
  if (!topic) missing.push('telemetry topic');
  if (!subscription) missing.push('speed-layer subscription consumed by a processor');
  if (!processor) missing.push('processor service');
  if (!instance) missing.push('Bigtable instance');
  const d = ctx.data;
  if (gateway) hops.push(hopFrom('ingest gateway', d.hop('ingest-gateway'), gateway.address, gateway.region));
  if (topic) hops.push(hopFrom('Pub/Sub publish', d.hop('pubsub-publish'), topic.address, gateway?.region));
  if (subscription) hops.push(hopFrom('Pub/Sub delivery', d.hop('pubsub-delivery'), subscription.address, processor?.region));
  const hop1 = crossRegionHop(ctx, gateway?.region, processor?.region);
  if (hop1) hops.push(hop1);
  if (processor) hops.push(hopFrom('processor', d.hop('processor'), processor.address, processor.region));
  if (instance) {
    const load = hotStoreLoad(ctx, instance);
    const cluster = servingCluster(ctx, instance, load.clusters, processor?.region);
    if (!cluster) missing.push('Bigtable cluster');
    else {
      const util = sustainedUtilisation(ctx, cluster, load.averageRowsPerSecond);
      const bands = d.latency.utilisation.bands;
      const band = util === null ? undefined : bands.find((b) => util <= b.upToUtilisation);
      if (util === null) missing.push(`${instance.address}: node count pending, utilisation unknown`);
      else if (!band) missing.push(`${instance.address} cluster ${cluster.id}: ${Math.round(util * 100)}% CPU at sustained load, cannot keep up (latency unbounded)`);
      else {
        const cross = crossRegionHop(ctx, processor?.region, cluster.region);
        if (cross) hops.push(cross);
        const h = hopFrom(
          `Bigtable write (${cluster.storageType}, cluster ${cluster.id}, ${Math.round(util * 100)}% CPU)`,
          d.hop(`bigtable-write.${cluster.storageType}`),
          instance.address,
          cluster.region,
          band.p50Factor,
          band.p99Factor,
        );
        if (band.p99Factor > 1) h.confidence = 'U';
        hops.push(h);
      }
    }
  }
  return combine(ctx, 'event processing: ingest -> durable hot write', hops, missing);
}

/** Dashboard refresh interval from an env var naming REFRESH (unit from the suffix) or the usage file. */
export function refreshIntervalSeconds(ctx: AnalysisContext, dashboard: Resource): number | undefined {
  const override = ctx.usageOf(dashboard.address).refreshIntervalSeconds;
  if (override !== undefined) return override;
  for (const [name, value] of containerEnv(dashboard)) {
    if (!/REFRESH/i.test(name)) continue;
    const n = asNumber(value as never);
    if (n === undefined) continue;
    return /_MS$|MILLIS/i.test(name) ? n / MS_PER_SECOND : n;
  }
  return undefined;
}

function dashboardPath(ctx: AnalysisContext, processing: LatencyPath): LatencyPath & { maxMs?: number | null } {
  const missing: string[] = [];
  const topo = ctx.topology;
  const dashboard = topo.services('dashboard')[0];
  const analytics = topo.services('analytics')[0];
  const instance = analytics ? topo.bigtableInstances.find((i) => topo.refersTo(analytics, i)) ?? topo.bigtableInstances[0] : undefined;
  if (!dashboard) missing.push('dashboard service');
  if (!analytics) missing.push('analytics service');
  if (!instance) missing.push('hot store read by the analytics service');
  if (processing.p50Ms === null || processing.p99Ms === null) missing.push('event processing latency');
  const interval = dashboard ? refreshIntervalSeconds(ctx, dashboard) : undefined;
  if (dashboard && interval === undefined) {
    missing.push(`${dashboard.address}: refresh interval unknown (set an env var such as DASHBOARD_REFRESH_SECONDS, or refreshIntervalSeconds in the usage file)`);
  }
  if (missing.length > 0) return { ...combine(ctx, 'dashboard freshness', [], missing), maxMs: null };
  const d = ctx.data;
  const load = hotStoreLoad(ctx, instance!);
  const cluster = servingCluster(ctx, instance!, load.clusters, analytics!.region);
  const storage = cluster?.storageType ?? 'SSD';
  const hops: PathHop[] = [
    { name: 'event processing (path above)', p50Ms: processing.p50Ms!, p99Ms: processing.p99Ms!, source: 'computed: event processing path', confidence: 'U', dist: { kind: 'lognormal', p50: processing.p50Ms!, p99: processing.p99Ms! } },
    {
      name: `dashboard refresh wait (every ${interval} s)`,
      address: dashboard!.address,
      p50Ms: (interval! * MS_PER_SECOND) / 2,
      p99Ms: interval! * MS_PER_SECOND * 0.99,
      source: `configured refresh interval of ${dashboard!.address}`,
      confidence: 'V',
      dist: { kind: 'uniform', max: interval! * MS_PER_SECOND },
    },
    hopFrom('analytics service', d.hop('analytics-service'), analytics!.address, analytics!.region),
    hopFrom(`Bigtable read (${storage})`, d.hop(`bigtable-read.${storage}`), instance!.address, cluster?.region),
  ];
  const cross = crossRegionHop(ctx, analytics!.region, cluster?.region);
  if (cross) hops.push(cross);
  const path = combine(ctx, 'dashboard freshness: event -> hot store -> analytics -> dashboard poll', hops, [], '; refresh wait uniform');
  // "Never more than N s behind": a full refresh interval plus the p99 of everything else.
  const rest = sumPercentiles(hops.filter((h) => h.dist.kind !== 'uniform').map((h) => h.dist), d.latency.monteCarlo.samples, d.latency.monteCarlo.seed);
  return { ...path, maxMs: Math.round((interval! * MS_PER_SECOND + rest.p99) * 10) / 10 };
}

function batchJobMinutes(ctx: AnalysisContext): { minutes: number | null; basis: string } {
  const queries = ctx.topology.scheduledQueries;
  if (queries.length === 0) return { minutes: null, basis: 'no scheduled query in the graph' };
  let worst = 0;
  const parts: string[] = [];
  for (const q of queries) {
    const scan = scanEstimate(ctx, q);
    if (!scan.perRunGiB) return { minutes: null, basis: `${q.address}: ${scan.basis}` };
    const rate = ctx.data.perf('bigquery.scan-gib-per-second').value;
    const overhead = ctx.data.perf('bigquery.job-overhead-seconds').value;
    const seconds = overhead + scan.perRunGiB.max / rate;
    worst = Math.max(worst, seconds);
    parts.push(`${q.address}: ${overhead} s + ${scan.perRunGiB.max.toFixed(1)} GiB / ${rate} GiB/s`);
  }
  return { minutes: Math.round((worst / (SECONDS_PER_HOUR / MINUTES_PER_HOUR)) * 100) / 100, basis: parts.join('; ') };
}

export function analyseLatency(ctx: AnalysisContext): LatencyResult & { batchJobBasis: string } {
  const processing = processingPath(ctx);
  const dashboardFreshness = dashboardPath(ctx, processing);
  const batch = batchJobMinutes(ctx);
  return {
    processing,
    dashboardFreshness,
    batchJobMinutes: batch.minutes,
    batchJobBasis: batch.basis,
    p50Ms: processing.p50Ms,
    p99Ms: processing.p99Ms,
  };
}
