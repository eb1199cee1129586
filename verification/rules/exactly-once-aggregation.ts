/**
 * exactly_once_aggregation: credited only when exactly-once delivery AND an idempotent sink
 * are both present on the aggregating path (the speed layer), and the archive job runs in
 * Dataflow's exactly-once streaming mode writing with the exactly-once Storage Write API.
 */
import type { Finding, Rule } from '../engine/types';
import { readAttr } from '../graph/values';
import { buildTopology } from '../analyses/topology';
import { textOf } from './support/evidence';

export const rule: Rule = {
  id: 'exactly-once-aggregation',
  title: 'Aggregates count every event exactly once',
  severity: 'error',
  specItem: 'exactly_once_aggregation',
  reads: ['google_pubsub_subscription', 'google_cloud_run_v2_service', 'google_bigtable_instance', 'google_dataflow_job'],
  rationale:
    'Pub/Sub redelivers; exactly-once delivery narrows it to acknowledged-once per subscription, and an idempotent sink (Bigtable cells written at deterministic row keys and timestamps overwrite, not add) makes a redelivery harmless. Either alone is not enough. Dataflow\'s at-least-once streaming mode and the Storage Write API at-least-once method duplicate rows that the batch views would count.',
  check(ctx) {
    const topo = buildTopology(ctx.graph, ctx.model);
    const findings: Finding[] = [];
    const subs = topo.speedSubscriptions;
    if (subs.length === 0) {
      findings.push({ status: 'fail', observed: 'no aggregating consumer found', expected: 'a speed-layer subscription consumed by the processor', message: 'no subscription is consumed by a processor service, so no aggregation path can be credited', fix: 'declare the processor service with the speed-layer subscription (env SPEED_SUBSCRIPTION)' });
    }
    for (const sub of subs) {
      const exactly = readAttr(sub, 'enable_exactly_once_delivery') === true;
      const processors = topo.services('processor').filter((p) => topo.refersTo(p, sub));
      const sinks = topo.bigtableInstances.filter((i) => processors.some((p) => topo.refersTo(p, i)));
      const idempotent = sinks.length > 0;
      const ok = exactly && idempotent;
      findings.push({
        status: ok ? 'pass' : 'fail',
        address: sub.address,
        observed: `exactly-once delivery ${exactly ? 'on' : 'off'}; idempotent sink ${idempotent ? sinks.map((s) => s.address).join(', ') : 'none'}`,
        expected: 'exactly-once delivery and an idempotent sink',
        message: ok
          ? `${sub.address}: exactly-once delivery into idempotent Bigtable writes (${sinks.map((s) => s.address).join(', ')})`
          : `${sub.address}: ${!exactly ? 'exactly-once delivery is off' : ''}${!exactly && !idempotent ? ' and ' : ''}${!idempotent ? 'the processor writes to no idempotent sink' : ''}; redeliveries can double-count`,
        ...(ok ? {} : { fix: !exactly ? 'set enable_exactly_once_delivery = true on the speed-layer subscription' : 'write aggregates to Bigtable with deterministic row keys and timestamps' }),
      });
    }
    for (const job of topo.dataflowJobs) {
      const experiments = textOf(readAttr(job, 'additional_experiments'));
      const params = readAttr(job, 'parameters') as Record<string, unknown> | undefined;
      const atLeastOnce = /streaming_mode_at_least_once/.test(experiments) || String(params?.useStorageWriteApiAtLeastOnce) === 'true';
      const writeApi = String(params?.useStorageWriteApi) === 'true';
      const ok = !atLeastOnce && writeApi;
      findings.push({
        status: ok ? 'pass' : 'fail',
        address: job.address,
        observed: atLeastOnce ? 'at-least-once streaming mode' : writeApi ? 'exactly-once mode, Storage Write API' : 'exactly-once mode, legacy streaming inserts',
        expected: 'exactly-once streaming mode writing with the exactly-once Storage Write API',
        message: ok ? `${job.address}: archive rows are written exactly once` : `${job.address}: archive rows can be duplicated (${atLeastOnce ? 'at-least-once mode' : 'insertAll is best-effort deduplication'}); batch views would count them twice`,
        ...(ok ? {} : { fix: atLeastOnce ? 'remove streaming_mode_at_least_once / useStorageWriteApiAtLeastOnce' : 'set the template parameter useStorageWriteApi = "true"' }),
      });
    }
    return findings;
  },
};
