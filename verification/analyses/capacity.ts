/**
 * Sustained and burst events/s per component at its configured bounds, the bottleneck, and
 * whether a burst is absorbed: buffered in the Pub/Sub backlog and drained by the capacity
 * margin within the subscription's retention, without loss.
 *
 * Sustained capacity is what a component holds indefinitely at its maximum size (Bigtable at
 * its CPU target). Burst capacity is what it has the moment a burst starts, before any
 * autoscaler reacts: the size it runs at under sustained load, at full utilisation (Cloud
 * Run request-driven gateways scale within seconds, so they count at their maximum).
 */
import type { CapacityComponent, CapacityResult } from '../engine/types';
import type { Resource } from '../graph/types';
import { SECONDS_PER_DAY } from '../data';
import { durationSeconds, unsetOr } from './attributes';
import { readAttr } from '../graph/values';
import { serviceSizing, instancesFor } from './cloud-run';
import { oncePerContext, type AnalysisContext } from './context';
import { isGatedStandby } from './standby';
import { dataflowSizing, workersFor } from './dataflow';
import { clamp, hotStoreLoad, nodesNeeded } from './hot-store';

const BYTES_PER_MB = 1e6;
const PERCENT = 100;

interface Cap extends CapacityComponent {
  onSpeedPath: boolean;
  buffered: boolean;
}

/**
 * Computed once per verification: the capacity stage reports it and the burst impact (read by
 * latency, DR and the standby checks) works from the same components.
 */
export const analyseCapacity = oncePerContext(function analyseCapacity(ctx: AnalysisContext): CapacityResult & { components: Cap[] } {
  const t = ctx.traffic;
  const topo = ctx.topology;
  const caps: Cap[] = [];
  const d = ctx.data;

  const gateways = topo.services('ingest-gateway');
  const processors = topo.services('processor');
  const quotaRegion = gateways[0]?.region;
  if (topo.sourceTopics.length > 0 || topo.topics.length > 0) {
    const large = quotaRegion !== undefined && d.largePublishRegions.includes(quotaRegion);
    const quota = d.perf(large ? 'pubsub.publish-quota-mbps.large-region' : 'pubsub.publish-quota-mbps.other-region');
    const eps = (quota.value * BYTES_PER_MB) / t.eventBytes;
    caps.push({
      component: 'Pub/Sub publish quota',
      address: topo.sourceTopics[0]?.address,
      sustainedEventsPerSecond: eps,
      burstEventsPerSecond: eps,
      // The quota is per region of the publish requests: the gateway's. Without a gateway in the
      // graph the publishers' region is unknown, and the smaller quota of most regions applies.
      basis: `${quota.value} MB/s per project in ${quotaRegion ?? 'the publishers\' region (no ingest gateway in the graph: the smaller quota of most regions assumed)'} / ${t.eventBytes} B (${quota.confidence}, ${quota.source})`,
      onSpeedPath: true,
      buffered: false,
    });
    const ordered = topo.subscriptions.some((s) => s.values.enable_message_ordering === true);
    if (ordered) {
      const perKey = d.perf('pubsub.ordering-key-mbps');
      const perDevice = (perKey.value * BYTES_PER_MB) / t.eventBytes;
      const devices = ctx.spec.workload.deviceCount;
      const busiest = t.burstEps / devices;
      caps.push({
        component: 'Pub/Sub per ordering key',
        sustainedEventsPerSecond: perDevice * devices,
        burstEventsPerSecond: perDevice * devices,
        basis: `${perKey.value} MB/s per key = ${perDevice} events/s per device, x ${devices} devices (keys = device ids); a device at the burst average sends ${busiest.toFixed(2)} events/s`,
        onSpeedPath: true,
        buffered: false,
      });
    }
  }
  if (gateways.length > 0) caps.push(cloudRunCapacity(ctx, 'ingest-gateway', gateways));
  if (processors.length > 0) caps.push(cloudRunCapacity(ctx, 'processor', processors));
  for (const instance of topo.bigtableInstances) {
    const load = hotStoreLoad(ctx, instance);
    const rowsPerEvent = t.averageEps > 0 ? load.averageRowsPerSecond / t.averageEps : 1;
    let sustained: number | null = Infinity;
    let burst: number | null = Infinity;
    const parts: string[] = [];
    for (const c of load.clusters) {
      if (c.minNodes === null || c.maxNodes === null) {
        sustained = burst = null;
        parts.length = 0;
        parts.push(`${c.id}: node count known only after apply`);
        break;
      }
      const perNode = d.perf(`bigtable.write-rows-per-node.${c.storageType}`).value;
      const atLoad = c.autoscaling ? clamp(nodesNeeded(ctx, c.storageType, load.averageRowsPerSecond, c.cpuTargetPercent), c.minNodes, c.maxNodes) : c.minNodes;
      // Every cluster applies every write: the instance is as fast as its slowest cluster.
      const cs = (c.maxNodes * perNode * c.cpuTargetPercent) / PERCENT / rowsPerEvent;
      const cb = (atLoad * perNode) / rowsPerEvent;
      sustained = Math.min(sustained!, cs);
      burst = Math.min(burst!, cb);
      parts.push(`${c.id}: ${c.maxNodes} max nodes x ${perNode} rows/s x ${c.cpuTargetPercent}% / ${rowsPerEvent.toFixed(3)} rows/event; ${atLoad} nodes at a burst's start`);
    }
    if (load.clusters.length === 0) sustained = burst = null;
    caps.push({ component: 'hot store (Bigtable)', address: instance.address, sustainedEventsPerSecond: sustained, burstEventsPerSecond: burst, basis: parts.join('; ') || 'no clusters', onSpeedPath: true, buffered: true });
  }
  for (const job of topo.dataflowJobs) {
    const s = dataflowSizing(ctx, job);
    if (!s.eventsPerWorker || s.maxWorkers === null) {
      caps.push({ component: 'archive (Dataflow)', address: job.address, sustainedEventsPerSecond: null, burstEventsPerSecond: null, basis: 'machine type or max workers unknown', onSpeedPath: false, buffered: true });
      continue;
    }
    const max = s.maxWorkers ?? s.ceiling;
    const atLoad = workersFor(s, t.averageEps)!;
    caps.push({
      component: 'archive (Dataflow)',
      address: job.address,
      sustainedEventsPerSecond: max * s.eventsPerWorker,
      burstEventsPerSecond: atLoad * s.eventsPerWorker,
      basis: `${s.minWorkers}..${max} workers x ${s.machine!.vcpu} vCPU x ${d.perf('dataflow.events-per-vcpu').value} events/s per vCPU (U); ${atLoad} workers at a burst's start${labelNote(s.sizingFromLabels)}`,
      onSpeedPath: false,
      buffered: true,
    });
  }

  addMissingComponents(ctx, caps, gateways.length > 0, processors.length > 0);

  let unknown = caps.length === 0;
  let burstUnknown = caps.length === 0;
  let weakest: Cap | undefined;
  let burstCap = Infinity;
  for (const c of caps) {
    if (c.sustainedEventsPerSecond === null) unknown = true;
    else if (!weakest || c.sustainedEventsPerSecond < weakest.sustainedEventsPerSecond!) weakest = c;
    if (c.burstEventsPerSecond === null) burstUnknown = true;
    else burstCap = Math.min(burstCap, c.burstEventsPerSecond);
  }
  return {
    components: caps,
    sustainedEventsPerSecond: unknown ? null : weakest?.sustainedEventsPerSecond ?? null,
    burstEventsPerSecond: burstUnknown ? null : burstCap,
    bottleneck: unknown ? null : weakest ? `${weakest.component}${weakest.address ? ` (${weakest.address})` : ''}` : null,
    burstAbsorbed: burstAbsorption(ctx, caps),
  };
});

/**
 * Regional deployments of one role: processors pull one subscription, so their capacities
 * add; gateways take traffic one region at a time (clients fail over), so each region must
 * carry it all and the role is as strong as its weakest region.
 */
function cloudRunCapacity(ctx: AnalysisContext, role: 'ingest-gateway' | 'processor', services: Resource[]): Cap {
  const t = ctx.traffic;
  const isProcessor = role === 'processor';
  const address = services.map((svc) => svc.address).join(', ');
  const sizings = services.map((svc) => serviceSizing(ctx, svc));
  if (sizings.some((s) => !s.eventsPerInstance || s.maxInstances === null || s.minInstances === null)) {
    return { component: `${role} (Cloud Run)`, address, sustainedEventsPerSecond: null, burstEventsPerSecond: null, basis: 'instance bounds or CPU pending', onSpeedPath: true, buffered: isProcessor };
  }
  const perVcpu = ctx.data.perf(isProcessor ? 'processor.events-per-vcpu' : 'ingest-gateway.events-per-vcpu').value;
  let sustained = isProcessor ? 0 : Infinity;
  let burst = isProcessor ? 0 : Infinity;
  const described: string[] = [];
  for (let i = 0; i < sizings.length; i++) {
    const s = sizings[i];
    // At a burst's start: the first deployment runs what the sustained rate needs, standbys their
    // minimum; a gated standby (STANDBY_BACKLOG_AGE_SECONDS) pulls nothing until the backlog is that old.
    const gated = isProcessor && isGatedStandby(s.service);
    const atStart = !isProcessor ? s.maxInstances! : gated ? 0 : i === 0 ? instancesFor(s, t.averageEps)! : s.minInstances!;
    const regionSustained = s.maxInstances! * s.eventsPerInstance!;
    const regionBurst = atStart * s.eventsPerInstance!;
    sustained = isProcessor ? sustained + regionSustained : Math.min(sustained, regionSustained);
    burst = isProcessor ? burst + regionBurst : Math.min(burst, regionBurst);
    described.push(
      `${s.service.region ?? '?'}: ${s.minInstances}..${s.maxInstances} instances x ${s.vcpu} vCPU x ${perVcpu} events/s per vCPU (U); ${atStart} at a burst's start${gated ? ' (gated standby: pulls only once the backlog is older than its STANDBY_BACKLOG_AGE_SECONDS)' : ''}`,
    );
  }
  const describe = described.join('; ');
  return {
    component: `${role} (Cloud Run)`,
    address,
    sustainedEventsPerSecond: sustained,
    burstEventsPerSecond: burst,
    basis: sizings.length > 1 ? `${sizings.length} regions (${isProcessor ? 'pulling one subscription: capacities add' : 'one region takes the traffic at a time: the weakest region counts'}): ${describe}` : describe,
    onSpeedPath: true,
    buffered: isProcessor,
  };
}

/**
 * Pipeline stages the graph lacks: their capacity is unknown, not unlimited, so the pipeline's
 * throughput is unknown (a plan with no processor must not pass on the Pub/Sub quota alone).
 */
function addMissingComponents(ctx: AnalysisContext, caps: Cap[], hasGateway: boolean, hasProcessor: boolean): void {
  const topo = ctx.topology;
  if (topo.topics.length === 0) caps.push(missingComponent('Pub/Sub topic', 'no Pub/Sub topic in the graph', true, false));
  if (!hasGateway) caps.push(missingComponent('ingest-gateway (Cloud Run)', 'no ingest gateway service in the graph', true, false));
  if (!hasProcessor) caps.push(missingComponent('processor (Cloud Run)', 'no speed-layer processor service in the graph', true, true));
  if (topo.bigtableInstances.length === 0) caps.push(missingComponent('hot store (Bigtable)', 'no Bigtable instance in the graph', true, true));
  if (topo.dataflowJobs.length === 0 && !topo.subscriptions.some((s) => isArchiveSubscription(ctx, s))) {
    caps.push(missingComponent('archive (Dataflow or BigQuery subscription)', 'no archive writer (Dataflow job or BigQuery subscription) in the graph', false, true));
  }
}

function missingComponent(component: string, basis: string, onSpeedPath: boolean, buffered: boolean): Cap {
  return { component, sustainedEventsPerSecond: null, burstEventsPerSecond: null, basis: `missing: ${basis}`, onSpeedPath, buffered };
}

/** A subscription that writes the events to BigQuery or Cloud Storage itself. */
function isArchiveSubscription(ctx: AnalysisContext, s: Resource): boolean {
  if (s.values.bigquery_config === undefined && s.values.cloud_storage_config === undefined) return false;
  const topic = ctx.topology.topicOf(s);
  return topic !== undefined && !ctx.topology.isDeadLetterTopic(topic);
}

function burstAbsorption(ctx: AnalysisContext, caps: Cap[]): CapacityResult['burstAbsorbed'] {
  const t = ctx.traffic;
  const w = ctx.spec.workload;
  if (caps.some((c) => c.burstEventsPerSecond === null || c.sustainedEventsPerSecond === null)) {
    return { absorbed: null, explanation: 'a component capacity is unknown' };
  }
  // The front door (in front of the Pub/Sub buffer) refuses what it cannot take.
  let frontBurst = Infinity;
  for (const c of caps) if (!c.buffered) frontBurst = Math.min(frontBurst, c.burstEventsPerSecond!);
  if (frontBurst < t.burstEps) {
    const c = caps.find((x) => !x.buffered && x.burstEventsPerSecond === frontBurst)!;
    return { absorbed: false, explanation: `the front door cannot accept the burst: ${c.component} takes ${Math.round(frontBurst)} events/s < ${t.burstEps}; events are refused, not buffered` };
  }
  const speedSub = ctx.topology.speedSubscriptions[0] ?? ctx.topology.subscriptions[0];
  const retention = unsetOr(speedSub ? durationSeconds(readAttr(speedSub, 'message_retention_duration')) : undefined, ctx.data.limit('pubsub.subscription-retention-default-seconds').value);
  if (retention === null) return { absorbed: null, explanation: 'subscription retention pending' };
  const interval = w.burstsPerDay > 0 ? SECONDS_PER_DAY / w.burstsPerDay : Infinity;
  const parts: string[] = [];
  let absorbed = true;
  for (const c of caps) {
    if (!c.buffered) continue;
    const atStart = c.burstEventsPerSecond!;
    if (atStart >= t.burstEps) {
      parts.push(`${c.component}: ${Math.round(atStart)} events/s >= ${t.burstEps}, no backlog`);
      continue;
    }
    const backlog = (t.burstEps - atStart) * w.burstDurationSeconds;
    const margin = atStart - t.averageEps;
    if (margin <= 0) {
      absorbed = false;
      parts.push(`${c.component}: ${Math.round(atStart)} events/s leaves no margin over ${t.averageEps} events/s to drain a ${Math.round(backlog)}-event backlog`);
      continue;
    }
    const drain = backlog / margin;
    const oldest = w.burstDurationSeconds + drain;
    const ok = oldest < retention && oldest < interval;
    if (!ok) absorbed = false;
    parts.push(
      `${c.component}: backlog (${t.burstEps} - ${Math.round(atStart)}) x ${w.burstDurationSeconds} s = ${Math.round(backlog)} events, drained at ${Math.round(margin)} events/s in ${Math.round(drain)} s; oldest message ${Math.round(oldest)} s ${ok ? '<' : '>='} retention ${retention} s and burst interval ${Math.round(interval)} s`,
    );
  }
  return { absorbed, explanation: parts.join('; ') };
}

/** Worker counts taken from labels are what the job is meant to start with, not what Dataflow enforces. */
function labelNote(labels: string[] | undefined): string {
  if (!labels || labels.length === 0) return '';
  return ` (${labels.join(' and ')} from the job's labels: the intent, which Dataflow does not apply; the GA google_dataflow_job cannot set them, so launch the template with gcloud dataflow jobs run --num-workers to match, or Dataflow's autoscaling decides)`;
}
