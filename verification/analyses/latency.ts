/**
 * Latency of the event-processing critical path (gateway -> Pub/Sub publish -> delivery ->
 * processor -> durable Bigtable write), the dashboard freshness path, and the batch-view
 * job duration. Hops come from latency.json; Bigtable writes depend on storage type and the
 * cluster's CPU utilisation at sustained load; consecutive hops in different regions add a
 * cross-region penalty. The path's p50 and p99 are percentiles of the SUM of the hop
 * distributions (numerical convolution, see stats/distributions.ts), not a sum of per-hop percentiles.
 */
import type { BurstImpact, Confidence, LatencyHop, LatencyPath, LatencyResult } from '../engine/types';
import type { AttrValue, Resource } from '../graph/types';
import { MINUTES_PER_HOUR, MS_PER_SECOND, SECONDS_PER_HOUR } from '../data';
import type { LatencyHopFigure } from '../data';
import { containerEnv } from './attributes';
import { speedPathBurst } from './burst-impact';
import { asNumber, asString } from '../graph/values';
import type { AnalysisContext } from './context';
import { scanEstimate } from './cold-store';
import { hotStoreLoad, nodesNeeded, clamp, type ClusterInfo } from './hot-store';
import { mixturePercentiles, sumPercentiles, type HopDistribution } from './stats/distributions';
import { instancesFor, serviceSizing } from './cloud-run';
import { STANDBY_ENV, standbysInBursts, type StandbyInBursts } from './standby';
import { fleetSnapshotSeconds, fleetTableOf } from './fleet-table';

/** A hop as the report shows it, with the distribution the path's sum draws from. */
interface PathHop {
  hop: LatencyHop;
  dist: HopDistribution;
}

/** A hop as reported: its address and region appear only when known. */
function reportedHop(name: string, address: string | undefined, region: string | undefined, p50Ms: number, p99Ms: number, source: string, confidence: Confidence): LatencyHop {
  if (address && region) return { name, address, region, p50Ms, p99Ms, source, confidence };
  if (address) return { name, address, p50Ms, p99Ms, source, confidence };
  if (region) return { name, region, p50Ms, p99Ms, source, confidence };
  return { name, p50Ms, p99Ms, source, confidence };
}

function hopFrom(name: string, figure: LatencyHopFigure, address?: string, region?: string, p50Factor = 1, p99Factor = 1, confidence: Confidence = figure.confidence): PathHop {
  const p50 = figure.p50Ms * p50Factor;
  const p99 = figure.p99Ms * p99Factor;
  return { hop: reportedHop(name, address, region, p50, p99, figure.source, confidence), dist: { kind: 'lognormal', p50, p99 } };
}

/** The penalty for crossing regions between two hops, named `cross-region from -> to` plus `note`. */
function crossRegionHop(ctx: AnalysisContext, from: string | undefined, to: string | undefined, note = ''): PathHop | undefined {
  if (!from || !to || from === to) return undefined;
  const a = ctx.data.continent(from);
  const b = ctx.data.continent(to);
  const figure = ctx.data.crossRegionPenalty(a !== undefined && a === b ? 'same-continent' : 'intercontinental');
  return hopFrom(`cross-region ${from} -> ${to}${note}`, figure, undefined, to);
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const reportedHops = (hops: readonly PathHop[]) => hops.map((h) => h.hop);
const distributions = (hops: readonly PathHop[]) => hops.map((h) => h.dist);

function notComputed(name: string, hops: readonly PathHop[], missing: string[]): LatencyPath {
  return { name, hops: reportedHops(hops), p50Ms: null, p99Ms: null, method: `not computed: ${missing.join('; ') || 'no hops'}`, missing };
}

function combine(ctx: AnalysisContext, name: string, hops: readonly PathHop[], missing: string[], extraMethod = ''): LatencyPath {
  if (missing.length > 0 || hops.length === 0) return notComputed(name, hops, missing);
  const { cells } = ctx.data.latency.convolution;
  const sum = sumPercentiles(distributions(hops), cells);
  let naiveP99 = 0;
  let medians = 0;
  for (const { hop } of hops) {
    naiveP99 += hop.p99Ms;
    medians += hop.p50Ms;
  }
  return {
    name,
    hops: reportedHops(hops),
    p50Ms: round1(sum.p50),
    p99Ms: round1(sum.p99),
    method:
      `sum of ${hops.length} hops by numerical convolution (lognormal fitted to each hop's p50/p99${extraMethod}), on a ${cells}-point grid; ` +
      `for comparison: sum of medians ${round1(medians)} ms, naive sum of p99s ${round1(naiveP99)} ms`,
    missing: [],
  };
}

/**
 * What every path reads, looked up once per analysis: the pipeline's services, which
 * processors are gated standbys, each service's env vars and each instance's routing
 * (the topology and attribute helpers rebuild these on every call).
 */
interface Pipeline {
  ctx: AnalysisContext;
  gateway?: Resource;
  processors: Resource[];
  analytics?: Resource;
  dashboard?: Resource;
  /** Processors gated on the backlog age (STANDBY_BACKLOG_AGE_SECONDS). */
  gated: Set<Resource>;
  env(svc: Resource): ReadonlyMap<string, AttrValue>;
  routing(instance: Resource): Routing;
}

/** How an instance's app profiles route writes: any cluster (nearest), or one named cluster. */
interface Routing {
  multiCluster: boolean;
  singleClusterId?: string;
}

function pipelineOf(ctx: AnalysisContext): Pipeline {
  const topo = ctx.topology;
  const processors = topo.services('processor');
  const envs = new Map<Resource, ReadonlyMap<string, AttrValue>>();
  const routings = new Map<Resource, Routing>();
  const pipeline: Pipeline = {
    ctx,
    gateway: topo.services('ingest-gateway')[0],
    processors,
    analytics: topo.services('analytics')[0],
    dashboard: topo.services('dashboard')[0],
    gated: new Set(),
    env(svc) {
      let vars = envs.get(svc);
      if (!vars) envs.set(svc, (vars = containerEnv(svc)));
      return vars;
    },
    routing(instance) {
      let routing = routings.get(instance);
      if (!routing) {
        const profiles = topo.appProfilesOf(instance);
        const multiCluster = profiles.some((p) => p.values.multi_cluster_routing_use_any === true);
        const singleClusterId = multiCluster ? undefined : profiles.map((p) => asString((p.values.single_cluster_routing as Record<string, never> | undefined)?.cluster_id)).find((id) => id);
        routings.set(instance, (routing = { multiCluster, singleClusterId }));
      }
      return routing;
    },
  };
  // isGatedStandby's test, on the env map read once.
  for (const p of processors) if (pipeline.env(p).has(STANDBY_ENV)) pipeline.gated.add(p);
  return pipeline;
}

/** The cluster that serves the processor's writes: nearest under multi-cluster routing. */
function servingCluster(p: Pipeline, instance: Resource, clusters: ClusterInfo[], fromRegion: string | undefined): ClusterInfo | undefined {
  const routing = p.routing(instance);
  const wanted = routing.multiCluster ? clusters.find((c) => c.region === fromRegion) : clusters.find((c) => c.id === routing.singleClusterId);
  return wanted ?? clusters[0];
}

/** Utilisation of a cluster at sustained load (autoscaled clusters hold their CPU target). */
export function sustainedUtilisation(ctx: AnalysisContext, c: ClusterInfo, rowsPerSecond: number): number | null {
  if (c.minNodes === null || c.maxNodes === null) return null;
  const perNode = ctx.data.perf(`bigtable.write-rows-per-node.${c.storageType}`).value;
  const nodes = c.autoscaling ? clamp(nodesNeeded(ctx, c.storageType, rowsPerSecond, c.cpuTargetPercent), c.minNodes, c.maxNodes) : c.minNodes;
  return rowsPerSecond / (nodes * perNode);
}

/** A regional processor's share of the events: its running instances x vCPU (as capacity splits them). */
interface RegionalProcessor {
  processor: Resource;
  weight: number;
  instances: number;
  vcpu: number;
}

/**
 * Processors in several regions pull the one subscription: the first takes the sustained load
 * (instances for the average rate, at least its minimum), the others run their minimum. Each
 * pulls in proportion to its running instances x vCPU (U: Pub/Sub publishes no delivery split).
 * A gated standby (STANDBY_BACKLOG_AGE_SECONDS) pulls nothing at the sustained rate; during a
 * burst whose backlog outgrows its threshold (`withStandbys`) it pulls with its minimum
 * instances while the first runs what the burst rate needs.
 */
function processorShares(p: Pipeline, withStandbys: boolean): RegionalProcessor[] | string {
  const { ctx, processors } = p;
  const rate = withStandbys ? ctx.traffic.burstEps : ctx.traffic.averageEps;
  const shares: RegionalProcessor[] = [];
  for (let i = 0; i < processors.length; i++) {
    const svc = processors[i];
    const s = serviceSizing(ctx, svc);
    if (s.vcpu === null || s.minInstances === null || s.maxInstances === null) return `${svc.address}: instance bounds or CPU pending, its share of the events unknown`;
    const gated = p.gated.has(svc);
    const instances = gated && !withStandbys ? 0 : i === 0 && !gated ? instancesFor(s, rate) ?? s.minInstances : s.minInstances;
    shares.push({ processor: svc, weight: instances * s.vcpu, instances, vcpu: s.vcpu });
  }
  return shares;
}

interface RegionalPath {
  share: RegionalProcessor;
  hops: PathHop[];
}

/**
 * The event-processing path. `duringBurst` lists the gated standbys a burst makes pull: the path
 * is then the mixture while they pull beside the first processor (scaled to the burst rate),
 * the queueing wait excluded (the burst impact reports it).
 */
function processingPath(p: Pipeline, duringBurst?: StandbyInBursts[]): LatencyPath {
  const { ctx, gateway, processors } = p;
  const missing: string[] = [];
  const common: PathHop[] = [];
  const topo = ctx.topology;
  const topic = topo.sourceTopics[0] ?? topo.topics.find((t) => !topo.isDeadLetterTopic(t));
  const subscription = topo.speedSubscriptions[0];
  const first = processors[0];
  const instance = first ? topo.bigtableInstances.find((i) => topo.refersTo(first, i)) ?? topo.bigtableInstances[0] : topo.bigtableInstances[0];
  if (!gateway) missing.push('ingest gateway service');
  if (!topic) missing.push('telemetry topic');
  if (!subscription) missing.push('speed-layer subscription consumed by a processor');
  if (!first) missing.push('processor service');
  if (!instance) missing.push('Bigtable instance');
  const d = ctx.data;
  // Pub/Sub stores a message in the region nearest its publisher (the gateway's region) and
  // delivers it from there to subscribers anywhere (resource-location-restriction, V).
  const storedIn = gateway?.region;
  if (gateway) common.push(hopFrom('ingest gateway', d.hop('ingest-gateway'), gateway.address, gateway.region));
  if (topic) common.push(hopFrom('Pub/Sub publish', d.hop('pubsub-publish'), topic.address, storedIn));
  const all = processors.length > 0 ? processorShares(p, duringBurst !== undefined) : [];
  let shares = all;
  if (duringBurst && typeof all !== 'string') {
    const joining = new Set(duringBurst.filter((x) => x.pullsDuringBursts === true).map((x) => x.address));
    shares = all.filter((r) => !p.gated.has(r.processor) || joining.has(r.processor.address));
  }
  if (typeof shares === 'string') missing.push(shares);
  const pulling = typeof shares === 'string' ? [] : shares.filter((r) => r.weight > 0);
  if (processors.length > 0 && typeof shares !== 'string' && pulling.length === 0) missing.push('no processor instance runs at the sustained rate (every minimum is 0, or every processor is a gated standby)');
  const load = instance ? hotStoreLoad(ctx, instance) : undefined;
  let totalWeight = 0;
  for (const r of pulling) totalWeight += r.weight;
  const regional: RegionalPath[] = [];
  for (const share of pulling) {
    const svc = share.processor;
    const tag = pulling.length > 1 ? ` (via ${svc.region ?? '?'}, ${Math.round((share.weight / totalWeight) * 100)}%)` : '';
    const hops: PathHop[] = [];
    if (subscription) hops.push(hopFrom(`Pub/Sub delivery${tag}`, d.hop('pubsub-delivery'), subscription.address, svc.region));
    const delivery = crossRegionHop(ctx, storedIn, svc.region, ` (Pub/Sub delivery from the publish region)${tag}`);
    if (delivery) hops.push(delivery);
    hops.push(hopFrom(`processor${tag}`, d.hop('processor'), svc.address, svc.region));
    if (instance && load) {
      const cluster = servingCluster(p, instance, load.clusters, svc.region);
      if (!cluster) {
        missing.push('Bigtable cluster');
        break;
      }
      const util = sustainedUtilisation(ctx, cluster, load.averageRowsPerSecond);
      if (util === null) {
        missing.push(`${instance.address}: node count pending, utilisation unknown`);
        break;
      }
      const band = d.latency.utilisation.bands.find((b) => util <= b.upToUtilisation);
      if (!band) {
        missing.push(`${instance.address} cluster ${cluster.id}: ${Math.round(util * 100)}% CPU at sustained load, cannot keep up (latency unbounded)`);
        break;
      }
      const write = crossRegionHop(ctx, svc.region, cluster.region, ` (write to the routed cluster)${tag}`);
      if (write) hops.push(write);
      const figure = d.hop(`bigtable-write.${cluster.storageType}`);
      const name = `Bigtable write (${cluster.storageType}, cluster ${cluster.id}, ${Math.round(util * 100)}% CPU)${tag}`;
      // Latency above the utilisation band's knee is our extrapolation, not a published figure.
      hops.push(hopFrom(name, figure, instance.address, cluster.region, band.p50Factor, band.p99Factor, band.p99Factor > 1 ? 'U' : figure.confidence));
    }
    regional.push({ share, hops });
  }
  const name = duringBurst ? 'event processing during a burst while the gated standby pulls: ingest -> durable hot write' : 'event processing: ingest -> durable hot write';
  let extraMethod = ' during a burst, queueing wait excluded';
  if (!duringBurst) {
    let gatedText = '';
    for (const g of p.gated) gatedText += `; ${g.address} (${g.region ?? '?'}) is a gated standby: it pulls only when the backlog is older than its STANDBY_BACKLOG_AGE_SECONDS, so it takes 0% at the sustained rate`;
    extraMethod = ` at the sustained rate (spec assumption burst-buffered: bursts are buffered in Pub/Sub; their effect is reported separately)${gatedText}`;
  }
  if (missing.length > 0 || regional.length <= 1) return combine(ctx, name, regional.length > 0 ? [...common, ...regional[0].hops] : common, missing, extraMethod);
  return combineMixture(ctx, name, common, regional, extraMethod);
}

/** Percentiles of the mixture of regional paths, each weighted by its processors' share. */
function combineMixture(ctx: AnalysisContext, name: string, common: PathHop[], regional: RegionalPath[], extraMethod: string): LatencyPath {
  const { cells } = ctx.data.latency.convolution;
  const paths = regional.map((r) => ({ weight: r.share.weight, hops: distributions([...common, ...r.hops]) }));
  const mix = mixturePercentiles(paths, cells);
  let total = 0;
  for (const r of regional) total += r.share.weight;
  const parts = regional.map((r, i) => {
    const alone = sumPercentiles(paths[i].hops, cells);
    return `${r.share.processor.region ?? '?'} ${r.share.instances} instance(s) x ${r.share.vcpu} vCPU = ${Math.round((r.share.weight / total) * 100)}% of the events (p50 ${round1(alone.p50)} ms, p99 ${round1(alone.p99)} ms alone)`;
  });
  const hops = reportedHops(common);
  for (const r of regional) for (const h of r.hops) hops.push(h.hop);
  return {
    name,
    hops,
    p50Ms: round1(mix.p50),
    p99Ms: round1(mix.p99),
    method:
      `mixture of ${regional.length} regional paths (processors in every region pull the one subscription; each takes a share in proportion to its running instances x vCPU, U): ${parts.join('; ')}; ` +
      `each path the sum of its hops by numerical convolution (lognormal fitted to each hop's p50/p99)${extraMethod}, on a ${cells}-point grid`,
    missing: [],
  };
}

/** Dashboard refresh interval from an env var naming REFRESH (unit from the suffix) or the usage file. */
export function refreshIntervalSeconds(ctx: AnalysisContext, dashboard: Resource, env: ReadonlyMap<string, AttrValue> = containerEnv(dashboard)): number | undefined {
  const override = ctx.usageOf(dashboard.address).refreshIntervalSeconds;
  if (override !== undefined) return override;
  for (const [name, value] of env) {
    if (!/REFRESH/i.test(name)) continue;
    const n = asNumber(value as never);
    if (n === undefined) continue;
    return /_MS$|MILLIS/i.test(name) ? n / MS_PER_SECOND : n;
  }
  return undefined;
}

/** A numeric env var of a service: its literal value, undefined when unset or not a number. */
function envNumber(p: Pipeline, svc: Resource, name: string): number | undefined {
  const v = p.env(svc).get(name);
  return v === undefined ? undefined : asNumber(v as never);
}

function uniformWait(name: string, maxMs: number, source: string, address: string): PathHop {
  return { hop: reportedHop(name, address, undefined, maxMs / 2, maxMs * 0.99, source, 'V'), dist: { kind: 'uniform', max: maxMs } };
}

/** Path percentiles plus the worst case of an "always" bound: every uniform wait at its maximum, plus the p99 of the rest. */
function withWorstCase(ctx: AnalysisContext, name: string, hops: PathHop[]): LatencyPath {
  const path = combine(ctx, name, hops, [], '; waits uniform');
  let waits = 0;
  let constants = 0;
  const random: HopDistribution[] = [];
  for (const { dist } of hops) {
    if (dist.kind === 'uniform') waits += dist.max;
    else if (dist.kind === 'constant') constants += dist.value;
    else random.push(dist);
  }
  const rest = random.length > 0 ? sumPercentiles(random, ctx.data.latency.convolution.cells).p99 : 0;
  path.maxMs = round1(waits + constants + rest);
  return path;
}

interface DashboardParts {
  dashboard?: Resource;
  analytics?: Resource;
  intervalMs?: number;
  missing: string[];
  processingHop?: PathHop;
}

function dashboardParts(p: Pipeline, processing: LatencyPath): DashboardParts {
  const missing: string[] = [];
  const { dashboard, analytics } = p;
  if (!dashboard) missing.push('dashboard service');
  if (!analytics) missing.push('analytics service');
  if (processing.p50Ms === null || processing.p99Ms === null) missing.push('event processing latency');
  const interval = dashboard ? refreshIntervalSeconds(p.ctx, dashboard, p.env(dashboard)) : undefined;
  if (dashboard && interval === undefined) {
    missing.push(`${dashboard.address}: refresh interval unknown (set an env var such as DASHBOARD_REFRESH_SECONDS, or refreshIntervalSeconds in the usage file)`);
  }
  const processingHop: PathHop | undefined =
    processing.p50Ms !== null && processing.p99Ms !== null
      ? {
          hop: reportedHop('event processing (path above)', undefined, undefined, processing.p50Ms, processing.p99Ms, 'computed: event processing path', 'U'),
          dist: { kind: 'lognormal', p50: processing.p50Ms, p99: processing.p99Ms },
        }
      : undefined;
  return { dashboard, analytics, intervalMs: interval === undefined ? undefined : interval * MS_PER_SECOND, missing, processingHop };
}

/** A path that cannot be computed, with the worst case unknown too. */
function notComputedWithWorstCase(name: string, missing: string[]): LatencyPath {
  const path = notComputed(name, [], missing);
  path.maxMs = null;
  return path;
}

/**
 * The dashboard's live figures (what the page polls every refresh and shows "as of"): each
 * processor instance writes its metrics snapshot to the Bigtable fleet table every
 * FLEET_METRICS_SECONDS; the analytics service's /v1/fleet/live reads the table and merges the
 * snapshots younger than FLEET_SNAPSHOT_MAX_AGE_SECONDS; the dashboard shares one call per
 * LIVE_CACHE_MS and the page polls it every refresh interval. Every processor and the analytics
 * service must name the same fleet table (BIGTABLE_FLEET_TABLE) of the graph's instance.
 */
function livePath(p: Pipeline, parts: DashboardParts): LatencyPath {
  const { ctx, processors } = p;
  const name = 'dashboard freshness (live figures): event -> processor fleet snapshot (Bigtable) -> analytics /v1/fleet/live -> dashboard poll';
  const missing = [...parts.missing];
  const { dashboard, analytics } = parts;
  const d = ctx.data;
  if (processors.length === 0) missing.push('processor service');
  const analyticsTable = analytics ? fleetTableOf(ctx, analytics) : undefined;
  if (typeof analyticsTable === 'string') missing.push(analyticsTable);
  let intervalSeconds = 0;
  let writer: Resource | undefined;
  for (const processor of processors) {
    const table = fleetTableOf(ctx, processor);
    if (typeof table === 'string') {
      missing.push(table);
      continue;
    }
    if (analyticsTable && typeof analyticsTable !== 'string' && table.address !== analyticsTable.address) {
      missing.push(`${processor.address} writes its snapshots to ${table.address} but ${analytics!.address} reads ${analyticsTable.address}`);
    }
    const n = fleetSnapshotSeconds(ctx, processor);
    if (n === undefined) {
      missing.push(`${processor.address}: FLEET_METRICS_SECONDS is not a literal number`);
      continue;
    }
    if (!writer || n > intervalSeconds) {
      intervalSeconds = n;
      writer = processor;
    }
  }
  const maxAge = analytics
    ? p.env(analytics).has('FLEET_SNAPSHOT_MAX_AGE_SECONDS')
      ? envNumber(p, analytics, 'FLEET_SNAPSHOT_MAX_AGE_SECONDS')
      : d.latencyFigure('analytics.fleet-snapshot-max-age-seconds-default').value
    : undefined;
  if (analytics && maxAge === undefined) missing.push(`${analytics.address}: FLEET_SNAPSHOT_MAX_AGE_SECONDS is not a literal number`);
  if (analytics && maxAge !== undefined && intervalSeconds > 0 && maxAge <= intervalSeconds) {
    missing.push(`${analytics.address}: FLEET_SNAPSHOT_MAX_AGE_SECONDS ${maxAge} s <= the processors' snapshot interval ${intervalSeconds} s, so /v1/fleet/live drops instances between their writes`);
  }
  if (missing.length > 0) return notComputedWithWorstCase(name, missing);
  const table = analyticsTable as Resource;
  const instance = ctx.topology.bigtableInstances.find((i) => ctx.topology.tablesOf(i).some((t) => t.address === table.address))!;
  const load = hotStoreLoad(ctx, instance);
  const primary = processors.find((x) => !p.gated.has(x)) ?? processors[0];
  const writeCluster = servingCluster(p, instance, load.clusters, primary.region);
  const readCluster = servingCluster(p, instance, load.clusters, analytics!.region);
  const storage = writeCluster?.storageType ?? 'SSD';
  const cacheMs = envNumber(p, dashboard!, 'LIVE_CACHE_MS') ?? d.latencyFigure('dashboard.live-cache-ms-default').value;
  const snapshotWriter = (writer ?? primary).address;
  const hops: PathHop[] = [
    parts.processingHop!,
    uniformWait(`wait for the next fleet snapshot (every ${intervalSeconds} s)`, intervalSeconds * MS_PER_SECOND, `FLEET_METRICS_SECONDS of ${snapshotWriter}`, snapshotWriter),
    hopFrom(`fleet snapshot: Bigtable write (${storage}, ${table.address})`, d.hop(`bigtable-write.${storage}`), table.address, writeCluster?.region),
  ];
  const toWrite = crossRegionHop(ctx, primary.region, writeCluster?.region, ' (snapshot write)');
  if (toWrite) hops.push(toWrite);
  if (writeCluster && readCluster && writeCluster.id !== readCluster.id) {
    const lag = d.drFigure('bigtable.replication-lag-seconds');
    const lagMs = lag.value * MS_PER_SECOND;
    hops.push({
      hop: reportedHop(`Bigtable replication ${writeCluster.id} -> ${readCluster.id} (the analytics service reads another cluster)`, instance.address, undefined, lagMs, lagMs, lag.source, lag.confidence),
      dist: { kind: 'constant', value: lagMs },
    });
  }
  const readStorage = readCluster?.storageType ?? storage;
  hops.push(hopFrom(`analytics /v1/fleet/live: Bigtable read (${readStorage}, ${table.address})`, d.hop(`bigtable-read.${readStorage}`), table.address, readCluster?.region));
  const toRead = crossRegionHop(ctx, analytics!.region, readCluster?.region, ' (fleet table read)');
  if (toRead) hops.push(toRead);
  hops.push(
    hopFrom('analytics service', d.hop('analytics-service'), analytics!.address, analytics!.region),
    uniformWait(`dashboard live cache (shared for ${cacheMs} ms)`, cacheMs, `LIVE_CACHE_MS of ${dashboard!.address}`, dashboard!.address),
    uniformWait(`dashboard refresh wait (every ${parts.intervalMs! / MS_PER_SECOND} s)`, parts.intervalMs!, `configured refresh interval of ${dashboard!.address}`, dashboard!.address),
  );
  return withWorstCase(ctx, name, hops);
}

/**
 * The per-device window series: FINAL aggregate windows read from Bigtable. A window ending
 * at E is final once the device's watermark passes E (E + 2 x WATERMARK_DELAY for a device
 * that sends no newer event, E + delay + its send interval otherwise), then the processor's
 * window pass (on the event path, or its timer every max(1 s, slide / 2)) writes it; an event
 * waits up to one slide for the end of the first window holding it.
 */
function windowPath(p: Pipeline, parts: DashboardParts): LatencyPath {
  const { ctx } = p;
  const name = 'dashboard freshness (window series): event -> window end -> watermark -> window pass -> analytics -> dashboard poll';
  const missing = [...parts.missing];
  const processor = p.processors[0];
  const d = ctx.data;
  const instance = parts.analytics ? ctx.topology.bigtableInstances.find((i) => ctx.topology.refersTo(parts.analytics!, i)) ?? ctx.topology.bigtableInstances[0] : undefined;
  if (!processor) missing.push('processor service');
  if (parts.analytics && !instance) missing.push('hot store read by the analytics service');
  const delay = processor ? envNumber(p, processor, 'WATERMARK_DELAY_SECONDS') : undefined;
  if (processor && delay === undefined) missing.push(`${processor.address}: WATERMARK_DELAY_SECONDS not set as a literal`);
  if (missing.length > 0) return notComputedWithWorstCase(name, missing);
  const slide = envNumber(p, processor!, 'AGGREGATE_SLIDE_SECONDS') ?? d.latencyFigure('aggregate.slide-seconds-default').value;
  const tickFraction = d.latencyFigure('window.finalizer-tick-fraction-of-slide');
  const tick = Math.max(d.latencyFigure('window.finalizer-tick-min-seconds').value, slide * tickFraction.value);
  const w = ctx.spec.workload;
  const sendInterval = w.averageEventsPerSecond > 0 ? w.deviceCount / w.averageEventsPerSecond : Number.POSITIVE_INFINITY;
  const quiet = d.latencyFigure('window.watermark-delays-until-final');
  const quietFactor = quiet.value;
  const watermarkSeconds = Math.min(quietFactor * delay!, delay! + sendInterval);
  const watermarkMs = watermarkSeconds * MS_PER_SECOND;
  const load = hotStoreLoad(ctx, instance!);
  const cluster = servingCluster(p, instance!, load.clusters, parts.analytics!.region);
  const storage = cluster?.storageType ?? 'SSD';
  const why = watermarkSeconds === quietFactor * delay! ? `${quietFactor} x ${delay} s delay, a device sends every ${fmtSeconds(sendInterval)} s` : `${delay} s delay + the device's next event in ${fmtSeconds(sendInterval)} s`;
  const hops: PathHop[] = [
    parts.processingHop!,
    uniformWait(`wait for the window end (slide ${slide} s)`, slide * MS_PER_SECOND, `AGGREGATE_SLIDE_SECONDS of ${processor!.address}`, processor!.address),
    {
      hop: reportedHop(`watermark (${fmtSeconds(watermarkSeconds)} s: ${why})`, processor!.address, undefined, watermarkMs, watermarkMs, `WATERMARK_DELAY_SECONDS of ${processor!.address}; ${quiet.source}`, 'V'),
      dist: { kind: 'constant', value: watermarkMs },
    },
    uniformWait(`window pass timer (every ${fmtSeconds(tick)} s)`, tick * MS_PER_SECOND, tickFraction.source, processor!.address),
    hopFrom(`window pass: Bigtable read (${storage})`, d.hop(`bigtable-read.${storage}`), instance!.address, cluster?.region),
    hopFrom(`window pass: Bigtable write (${storage})`, d.hop(`bigtable-write.${storage}`), instance!.address, cluster?.region),
    hopFrom('analytics service', d.hop('analytics-service'), parts.analytics!.address, parts.analytics!.region),
    hopFrom(`Bigtable read (${storage})`, d.hop(`bigtable-read.${storage}`), instance!.address, cluster?.region),
    uniformWait(`dashboard refresh wait (every ${parts.intervalMs! / MS_PER_SECOND} s)`, parts.intervalMs!, `configured refresh interval of ${parts.dashboard!.address}`, parts.dashboard!.address),
  ];
  const cross = crossRegionHop(ctx, parts.analytics!.region, cluster?.region);
  if (cross) hops.push(cross);
  return withWorstCase(ctx, name, hops);
}

const fmtSeconds = (x: number) => (Number.isFinite(x) ? String(Math.round(x * 100) / 100) : 'never');

function batchJobMinutes(ctx: AnalysisContext): { minutes: number | null; basis: string } {
  const queries = ctx.topology.scheduledQueries;
  if (queries.length === 0) return { minutes: null, basis: 'no scheduled query in the graph' };
  const rate = ctx.data.perf('bigquery.scan-gib-per-second').value;
  const overhead = ctx.data.perf('bigquery.job-overhead-seconds').value;
  let worst = 0;
  const parts: string[] = [];
  for (const q of queries) {
    const scan = scanEstimate(ctx, q);
    if (!scan.perRunGiB) return { minutes: null, basis: `${q.address}: ${scan.basis}` };
    const seconds = overhead + scan.perRunGiB.max / rate;
    worst = Math.max(worst, seconds);
    parts.push(`${q.address}: ${overhead} s + ${scan.perRunGiB.max.toFixed(1)} GiB / ${rate} GiB/s`);
  }
  return { minutes: Math.round((worst / (SECONDS_PER_HOUR / MINUTES_PER_HOUR)) * 100) / 100, basis: parts.join('; ') };
}

export function analyseLatency(ctx: AnalysisContext): LatencyResult & { batchJobBasis: string } {
  const pipeline = pipelineOf(ctx);
  const processing = processingPath(pipeline);
  const parts = dashboardParts(pipeline, processing);
  const dashboardFreshness = livePath(pipeline, parts);
  const windowFreshness = windowPath(pipeline, parts);
  const batch = batchJobMinutes(ctx);
  const burst = speedPathBurst(ctx);
  // During a burst the live figures trail the events by the queueing wait on top of the path.
  const lagPath = dashboardFreshness.maxMs != null ? dashboardFreshness : windowFreshness;
  const dashboardLagMs = burst.longestWaitSeconds === null || lagPath.maxMs == null ? null : Math.round(burst.longestWaitSeconds * MS_PER_SECOND + lagPath.maxMs);
  const dashboardLagBasis =
    dashboardLagMs === null
      ? 'unknown: the burst backlog or the dashboard path is unknown'
      : `longest queueing wait ${Math.round(burst.longestWaitSeconds! * MS_PER_SECOND)} ms + worst case of the ${lagPath === dashboardFreshness ? 'live figures' : 'window series (the live figures are unknown)'} ${lagPath.maxMs} ms`;
  const warnings: string[] = [];
  const standbys = standbysInBursts(ctx);
  const joining = standbys.filter((x) => x.pullsDuringBursts === true);
  const whileStandbyPulls = joining.length > 0 ? processingPath(pipeline, standbys) : undefined;
  for (const x of joining) {
    warnings.push(
      `${x.basis}: events then cross regions to it (processing ${whileStandbyPulls?.p99Ms != null ? `p99 ${whileStandbyPulls.p99Ms} ms, p50 ${whileStandbyPulls.p50Ms} ms` : 'latency unknown'} while it pulls) and two regions pull at once; raise STANDBY_BACKLOG_AGE_SECONDS above ${Math.ceil(x.longestWaitSeconds!)} s to keep it for failovers`,
    );
  }
  if (burst.monthShareBeyondBound !== null && burst.monthShareBeyondBound > burst.warnAboveShare) {
    warnings.push(
      `bursts delay ${(burst.monthShareBeyondBound * 100).toFixed(2)}% of the month's events beyond the ${burst.boundMs} ms p99 bound (more than ${(burst.warnAboveShare * 100).toFixed(0)}%): the latency bounds are judged at the sustained rate (assumption burst-buffered); ${burst.basis}`,
    );
  }
  return {
    processing,
    dashboardFreshness,
    windowFreshness,
    batchJobMinutes: batch.minutes,
    batchJobBasis: batch.basis,
    p50Ms: processing.p50Ms,
    p99Ms: processing.p99Ms,
    burst: burstWithLag(burst, dashboardLagMs, dashboardLagBasis, standbys, whileStandbyPulls),
    warnings,
  };
}

/**
 * The shared burst impact copied with the dashboard lag and the standbys, written out field by
 * field: on Node 20 `{ ...burst, more }` costs microseconds per added field.
 */
function burstWithLag(burst: BurstImpact, dashboardLagMs: number | null, dashboardLagBasis: string, standbys: StandbyInBursts[], whileStandbyPulls: LatencyPath | undefined): NonNullable<LatencyResult['burst']> {
  const out: NonNullable<LatencyResult['burst']> = {
    burstEventsPerSecond: burst.burstEventsPerSecond,
    burstSeconds: burst.burstSeconds,
    boundMs: burst.boundMs,
    warnAboveShare: burst.warnAboveShare,
    capacityEventsPerSecond: burst.capacityEventsPerSecond,
    delayedPerBurst: burst.delayedPerBurst,
    longestWaitSeconds: burst.longestWaitSeconds,
    delayedBeyondBoundPerBurst: burst.delayedBeyondBoundPerBurst,
    monthShareBeyondBound: burst.monthShareBeyondBound,
    drainSeconds: burst.drainSeconds,
    basis: burst.basis,
    dashboardLagMs,
    dashboardLagBasis,
  };
  if (standbys.length > 0) out.standbys = standbys;
  if (whileStandbyPulls) out.processingWhileStandbyPulls = { p50Ms: whileStandbyPulls.p50Ms, p99Ms: whileStandbyPulls.p99Ms, method: whileStandbyPulls.method };
  return out;
}
