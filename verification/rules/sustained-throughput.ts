/** Every component sustains the spec's sustained events/s at its configured maximum; the bottleneck is named. */
import type { Finding, Rule } from '../engine/types';
import { fmtNum } from './support/evidence';

export const rule: Rule = {
  id: 'sustained-throughput',
  title: 'Every component sustains the spec throughput',
  severity: 'error',
  specItem: 'throughput_sustained',
  reads: ['google_cloud_run_v2_service', 'google_bigtable_instance', 'google_dataflow_job', 'google_pubsub_topic'],
  rationale:
    'Sustained capacity is computed per component at its configured maximum (Bigtable nodes x rows/s per node at the CPU target / rows per event; Cloud Run instances x per-instance rate; Dataflow workers x per-worker rate; Pub/Sub regional quota and per ordering key) from verification/data/performance.json.',
  check(ctx) {
    const need = ctx.spec.constraints.sustainedEventsPerSecond;
    const cap = ctx.analyses.capacity;
    if (cap.components.length === 0) {
      return [{ status: 'unknown', observed: 'no component capacity computed', message: 'no component capacity computed (no pipeline components found)', fix: 'declare the pipeline components', expected: `>= ${fmtNum(need)} events/s` }];
    }
    const needed = fmtNum(need);
    const expected = `>= ${needed} events/s`;
    return cap.components.map((c): Finding => {
      const v = c.sustainedEventsPerSecond;
      if (v === null) {
        const absent = c.basis.startsWith('missing:');
        return {
          status: 'unknown',
          address: c.address,
          observed: absent ? `${c.component}: not in the graph` : `${c.component}: capacity unknown`,
          expected,
          message: `${c.component}: capacity unknown (${c.basis})`,
          fix: absent ? `declare the ${c.component} stage of the pipeline` : 'write its size (nodes, instances, workers, machine type) as literals',
          evidence: { basis: c.basis },
        };
      }
      const ok = v >= need;
      const capacity = fmtNum(v);
      const finding: Finding = {
        status: ok ? 'pass' : 'fail',
        address: c.address,
        observed: `${capacity} events/s`,
        expected,
        message: `${c.component}${cap.bottleneck?.startsWith(c.component) ? ' (bottleneck)' : ''}: ${capacity} events/s ${ok ? '>=' : '<'} ${needed} (${c.basis})`,
        evidence: { basis: c.basis, bottleneck: cap.bottleneck },
      };
      if (!ok) finding.fix = `raise ${c.component}'s maximum size by a factor of ${(need / v).toFixed(2)} or more`;
      return finding;
    });
  },
};
