/**
 * exactly_once_aggregation: credited only when exactly-once delivery AND an idempotent sink
 * are both present on the aggregating path (the speed layer), and the archive job runs in
 * Dataflow's exactly-once streaming mode writing with the exactly-once Storage Write API.
 *
 * Exactly-once delivery holds within one cloud region: processors pulling the subscription
 * from two regions at once can each receive a message, so it is credited only when the
 * processors that pull all the time (min instances above 0, not gated on the backlog age) sit in
 * one region. A gated standby (STANDBY_BACKLOG_AGE_SECONDS) pulls only while the backlog is older
 * than its threshold: during a takeover its region pulls (the scope of exactly-once delivery and
 * ordering is regional), which the finding states; when bursts alone push the backlog past the
 * threshold both regions pull at once, which fails. The sink must
 * be an aggregate table of the Bigtable instance the processor is configured to write (not
 * just any instance it names); that its cells are keyed by event id and timestamped
 * deterministically is the processor's design (functions/README.md), which the graph cannot show.
 */
import type { Finding, Rule } from '../engine/types';
import type { Resource } from '../graph/types';
import { isPending } from '../graph/types';
import { asNumber, asString, readAttr } from '../graph/values';
import { buildTopology, type Topology } from '../analyses/topology';
import { textOf } from './support/evidence';
import { isGatedStandby } from '../analyses/standby';

const AGGREGATE_TABLE = /agg/i;

/** Aggregate tables (by name) of the instances a processor names, that it names too; each once, in order. */
function addAggregateSinks(topo: Topology, processor: Resource, sinks: Resource[]): void {
  for (const i of topo.bigtableInstances) {
    if (!topo.refersTo(processor, i)) continue;
    for (const t of topo.tablesOf(i)) {
      // AGGREGATE_TABLE tested on `${t.name} ${name}` before; 'agg' cannot span the space.
      const aggregate = AGGREGATE_TABLE.test(t.name) || AGGREGATE_TABLE.test(asString(t.values.name) ?? '');
      if (aggregate && topo.refersTo(processor, t) && !sinks.includes(t)) sinks.push(t);
    }
  }
}

/** Min instances of a Cloud Run processor: a pull subscriber pulls whenever an instance runs. */
function addOnce(list: string[], item: string): void {
  if (!list.includes(item)) list.push(item);
}

function minInstances(p: Resource): number | 'pending' {
  const v = readAttr(p, 'template.scaling.min_instance_count');
  if (v !== undefined && v !== null && isPending(v)) return 'pending';
  return asNumber(v) ?? 0;
}

export const rule: Rule = {
  id: 'exactly-once-aggregation',
  title: 'Aggregates count every event exactly once',
  severity: 'error',
  specItem: 'exactly_once_aggregation',
  reads: ['google_pubsub_subscription', 'google_cloud_run_v2_service', 'google_bigtable_instance', 'google_bigtable_table', 'google_dataflow_job'],
  rationale:
    'Pub/Sub redelivers; exactly-once delivery narrows it to acknowledged-once per subscription, but only for subscribers in one cloud region (https://cloud.google.com/pubsub/docs/exactly-once-delivery), and an idempotent sink (Bigtable cells written at deterministic row keys, qualifiers and timestamps overwrite, not add) makes a redelivery harmless. Either alone is not enough. Dataflow\'s at-least-once streaming mode and the Storage Write API at-least-once method duplicate rows that the batch views would count.',
  check(ctx) {
    const topo = buildTopology(ctx.graph, ctx.model);
    const findings: Finding[] = [];
    const subs = topo.speedSubscriptions;
    if (subs.length === 0) {
      findings.push({ status: 'fail', observed: 'no aggregating consumer found', expected: 'a speed-layer subscription consumed by the processor', message: 'no subscription is consumed by a processor service, so no aggregation path can be credited', fix: 'declare the processor service with the speed-layer subscription (env SPEED_SUBSCRIPTION)' });
    }
    const burstStandbys = ctx.analyses.latency.burst?.standbys ?? [];
    for (const sub of subs) {
      const flagValue = readAttr(sub, 'enable_exactly_once_delivery');
      const flagPending = flagValue !== undefined && flagValue !== null && isPending(flagValue);
      const flag = flagValue === true;
      const processors = topo.services('processor').filter((p) => topo.refersTo(p, sub));
      const mins = processors.map((p) => ({ p, min: minInstances(p), gatedStandby: isGatedStandby(p) }));
      if (flag && mins.some((m) => m.min === 'pending')) {
        findings.push({ status: 'unknown', address: sub.address, observed: 'processor min instances pending', expected: 'the regions that pull known', message: `${sub.address}: which regions pull all the time is known only after apply, so whether exactly-once delivery holds (it does within one region) is unknown`, fix: 'write min_instance_count as a literal' });
        continue;
      }
      const gated = mins.filter((m) => m.min !== 0 && m.gatedStandby);
      const alwaysPulling = mins.filter((m) => m.min !== 0 && !m.gatedStandby);
      const burstJoin = burstStandbys.filter((x) => x.pullsDuringBursts === true && gated.some((g) => g.p.address === x.address));
      // Regions that pull at once: the always-pulling processors', and the gated standbys' that bursts make pull.
      const pullingRegions: string[] = [];
      for (const m of alwaysPulling) addOnce(pullingRegions, m.p.region ?? '?');
      for (const g of gated) if (burstJoin.some((x) => x.address === g.p.address)) addOnce(pullingRegions, g.p.region ?? '?');
      const oneRegion = pullingRegions.length <= 1;
      const standbyRegions: string[] = [];
      for (const g of gated) if (!pullingRegions.includes(g.p.region ?? '?')) addOnce(standbyRegions, g.p.region ?? '?');
      const takeover =
        standbyRegions.length > 0
          ? `; during a takeover (backlog older than the standby's STANDBY_BACKLOG_AGE_SECONDS) ${gated.map((g) => g.p.address).join(', ')} in ${standbyRegions.join(' and ')} pull${gated.length === 1 ? 's' : ''} instead: exactly-once delivery and ordering hold within the region that pulls, so messages the lost region delivered but never acknowledged are redelivered there and the idempotent sink absorbs them`
          : '';
      const exactly = flag && oneRegion;
      const sinks: Resource[] = [];
      for (const p of processors) addAggregateSinks(topo, p, sinks);
      const idempotent = sinks.length > 0;
      const ok = exactly && idempotent;
      const sinkAddresses = sinks.map((s) => s.address);
      // A flag known only after apply is not "off": unknown, unless the sink alone already fails it.
      if (flagPending && idempotent) {
        findings.push({ status: 'unknown', address: sub.address, observed: `enable_exactly_once_delivery known only after apply; idempotent sink ${sinkAddresses.join(', ')}`, expected: 'exactly-once delivery within one region and an idempotent sink', message: `${sub.address}: enable_exactly_once_delivery is known only after apply, so whether redeliveries can double-count is unknown`, fix: 'write enable_exactly_once_delivery = true as a literal' });
        continue;
      }
      const delivery = flagPending ? 'exactly-once delivery known only after apply' : !flag ? 'exactly-once delivery off' : oneRegion ? `exactly-once delivery on, pulled from ${pullingRegions[0] ?? 'no region until a failover'}` : `exactly-once delivery on but pulled from ${pullingRegions.join(' and ')} at once (it holds within one region)`;
      const evidence: Record<string, unknown> = {
        pullingRegions,
        processors: mins.map((m) => ({ address: m.p.address, region: m.p.region, minInstances: m.min, gatedStandby: m.gatedStandby })),
        sinks: sinkAddresses,
      };
      if (takeover) evidence.takeover = takeover.slice(2);
      const finding: Finding = {
        status: ok ? 'pass' : 'fail',
        address: sub.address,
        observed: `${delivery}; idempotent sink ${idempotent ? sinkAddresses.join(', ') : 'none'}`,
        expected: 'exactly-once delivery within one region and an idempotent sink',
        message: '',
        evidence,
      };
      if (ok) {
        finding.message = `${sub.address}: exactly-once delivery (one pulling region) into the aggregate table ${sinkAddresses.join(', ')}, whose cells the processor writes at deterministic keys and timestamps (by its design; the graph shows only that it writes them)${takeover}`;
      } else {
        const problems = [
          ...(!flag && !flagPending ? ['exactly-once delivery is off'] : []),
          ...(flag && !oneRegion ? [`processors in ${pullingRegions.join(' and ')} pull it at the same time${burstJoin.length > 0 ? ` (${burstJoin.map((x) => x.basis).join('; ')})` : ''}, and exactly-once delivery holds only within one region, so a message can reach both`] : []),
          ...(!idempotent ? ['the processor writes no aggregate table of its Bigtable instance (an idempotent sink)'] : []),
        ];
        finding.message = `${sub.address}: ${problems.join('; ')}; redeliveries can double-count`;
        finding.fix = flagPending
          ? 'configure the processor with the aggregate table (env BIGTABLE_AGGREGATES_TABLE) it writes at deterministic row keys and timestamps, and write enable_exactly_once_delivery = true as a literal'
          : !flag
            ? 'set enable_exactly_once_delivery = true on the speed-layer subscription'
            : !oneRegion
              ? burstJoin.length > 0
                ? `raise STANDBY_BACKLOG_AGE_SECONDS of ${burstJoin.map((x) => x.address).join(', ')} above the longest burst backlog age (${burstJoin.map((x) => `${Math.ceil(x.longestWaitSeconds ?? 0)} s`).join(', ')}) so it pulls only when the primary region is lost`
                : 'let one region pull at a time: gate the standby processor on the backlog age (STANDBY_BACKLOG_AGE_SECONDS, warm instances that pull only when the primary falls behind), or every subscriber on one regional Pub/Sub endpoint'
              : 'configure the processor with the aggregate table (env BIGTABLE_AGGREGATES_TABLE) it writes at deterministic row keys and timestamps';
      }
      findings.push(finding);
    }
    for (const job of topo.dataflowJobs) {
      const experiments = textOf(readAttr(job, 'additional_experiments'));
      const params = readAttr(job, 'parameters') as Record<string, unknown> | undefined;
      const atLeastOnce = /streaming_mode_at_least_once/.test(experiments) || String(params?.useStorageWriteApiAtLeastOnce) === 'true';
      const writeApi = String(params?.useStorageWriteApi) === 'true';
      const ok = !atLeastOnce && writeApi;
      const finding: Finding = {
        status: ok ? 'pass' : 'fail',
        address: job.address,
        observed: atLeastOnce ? 'at-least-once streaming mode' : writeApi ? 'exactly-once mode, Storage Write API' : 'exactly-once mode, legacy streaming inserts',
        expected: 'exactly-once streaming mode writing with the exactly-once Storage Write API',
        message: ok ? `${job.address}: archive rows are written exactly once` : `${job.address}: archive rows can be duplicated (${atLeastOnce ? 'at-least-once mode' : 'insertAll is best-effort deduplication'}); batch views would count them twice`,
      };
      if (!ok) finding.fix = atLeastOnce ? 'remove streaming_mode_at_least_once / useStorageWriteApiAtLeastOnce' : 'set the template parameter useStorageWriteApi = "true"';
      findings.push(finding);
    }
    return findings;
  },
};
