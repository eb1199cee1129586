/** A burst is met by capacity, or absorbed: buffered in Pub/Sub and drained within retention without loss. */
import type { Rule } from '../engine/types';
import { fmtNum } from './support/evidence';

export const rule: Rule = {
  id: 'burst-throughput',
  title: 'Bursts are served or absorbed without loss',
  severity: 'error',
  specItem: 'throughput_burst',
  reads: ['google_cloud_run_v2_service', 'google_bigtable_instance', 'google_dataflow_job', 'google_pubsub_subscription'],
  rationale:
    'At a burst\'s start only the capacity already provisioned counts (autoscalers react in minutes). Components behind Pub/Sub may queue the excess; the burst is absorbed when the backlog drains with the capacity margin before the subscription retention and the next burst. The front door (gateway, publish quota) must take the burst rate itself.',
  check(ctx) {
    const need = ctx.spec.constraints.burstEventsPerSecond;
    const cap = ctx.analyses.capacity;
    const b = cap.burstEventsPerSecond;
    const absorbed = cap.burstAbsorbed.absorbed;
    const evidence = { burstCapacity: b, burstAbsorbed: cap.burstAbsorbed, components: cap.components.map((c) => ({ component: c.component, burst: c.burstEventsPerSecond, basis: c.basis })) };
    if (b !== null && b >= need) {
      return [{ status: 'pass', observed: `${fmtNum(b)} events/s at a burst's start`, expected: `>= ${fmtNum(need)} events/s`, message: `every component takes ${fmtNum(need)} events/s without queueing`, evidence }];
    }
    if (absorbed === true) {
      return [{ status: 'pass', observed: `absorbed: ${cap.burstAbsorbed.explanation}`, expected: `${fmtNum(need)} events/s served or buffered and drained`, message: `burst of ${fmtNum(need)} events/s absorbed by the Pub/Sub backlog: ${cap.burstAbsorbed.explanation}`, evidence }];
    }
    if (absorbed === false) {
      return [{ status: 'fail', observed: cap.burstAbsorbed.explanation, expected: `${fmtNum(need)} events/s served or buffered and drained`, message: `burst of ${fmtNum(need)} events/s not absorbed: ${cap.burstAbsorbed.explanation}`, fix: 'raise the minimum size of the component named above, or its maximum so the backlog drains before retention', evidence }];
    }
    return [{ status: 'unknown', observed: 'unknown', expected: `${fmtNum(need)} events/s served or absorbed`, message: `burst handling unknown: ${cap.burstAbsorbed.explanation}`, fix: 'write component sizes and subscription retention as literals', evidence }];
  },
};
