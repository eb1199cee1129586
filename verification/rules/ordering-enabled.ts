/** ordered_within_partition: the subscription the processor reads delivers in ordering-key order. */
import type { Finding, Rule } from '../engine/types';
import { isPending } from '../graph/types';
import { readAttr } from '../graph/values';
import { buildTopology } from '../analyses/topology';

export const rule: Rule = {
  id: 'ordering-enabled',
  title: 'Message ordering is enabled where the consumer needs it',
  severity: 'error',
  specItem: 'ordered_within_partition',
  reads: ['google_pubsub_subscription', 'google_cloud_run_v2_service'],
  rationale:
    'The gateway publishes with ordering key = device id; Pub/Sub delivers in key order only to subscriptions with message ordering enabled. The speed-layer processor needs per-device order; the archive does not (BigQuery rows are ordered by event time at query).',
  check(ctx) {
    const topo = buildTopology(ctx.graph, ctx.model);
    const subs = topo.speedSubscriptions;
    if (subs.length === 0) {
      return [{ status: 'fail', observed: 'no subscription consumed by a processor', expected: 'an ordered speed-layer subscription', message: 'no processor subscription found, so per-device order cannot be established', fix: 'declare the processor service with its speed-layer subscription' }];
    }
    return subs.map((sub): Finding => {
      const v = readAttr(sub, 'enable_message_ordering');
      if (v !== undefined && isPending(v)) return { status: 'unknown', address: sub.address, observed: 'pending', expected: 'true', message: `${sub.address}: enable_message_ordering is known only after apply`, fix: 'write enable_message_ordering = true as a literal' };
      const ok = v === true;
      const finding: Finding = {
        status: ok ? 'pass' : 'fail',
        address: sub.address,
        observed: `enable_message_ordering = ${v === undefined ? 'not set (false)' : String(v)}`,
        expected: 'enable_message_ordering = true',
        message: ok ? `${sub.address} delivers each device's events in order` : `${sub.address} may deliver a device's events out of order`,
      };
      if (!ok) finding.fix = 'set enable_message_ordering = true (it forces a new subscription) and publish with ordering key = device id';
      return finding;
    });
  },
};
