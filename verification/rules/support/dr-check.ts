/** Shared shape of the RPO and RTO rules: every DR scenario within the bound; unbounded fails. */
import type { Finding, Rule } from '../../engine/types';

export function drRule(kind: 'rpo' | 'rto'): Rule {
  const label = kind.toUpperCase();
  return {
    id: `${kind}-within-bound`,
    title: `${label} within the bound for zone loss, region loss and operator error (those the spec covers)`,
    severity: 'error',
    specItem: kind,
    reads: ['google_bigtable_instance', 'google_bigtable_app_profile', 'google_bigquery_dataset', 'google_pubsub_subscription', 'google_cloud_run_v2_service', 'google_dataflow_job'],
    rationale:
      'Recovery per stateful store and processing component from replication, routing, backups, retention, deletion protection and the plan\'s deletes (verification/data/dr.json). A scenario with no bound (data only in the lost location, no backup) fails.',
    check(ctx) {
      const bound = kind === 'rpo' ? ctx.spec.constraints.rpoMinutes : ctx.spec.constraints.rtoMinutes;
      // Only the scenarios the spec's bounds cover (all three unless it narrows them).
      const covered = ctx.spec.constraints.drScenarios;
      const scenarios = ctx.analyses.dr.scenarios.filter((s) => covered === undefined || covered.includes(s.scenario));
      if (covered !== undefined && scenarios.length === 0 && ctx.analyses.dr.scenarios.length > 0) {
        return [{ status: 'pass', observed: `no ${covered.join(', ') || ''} scenario`.trim(), expected: `${label} <= ${bound} min`, message: `the spec bounds ${label} for ${covered.join(', ') || 'no scenario'} only; none applies to this graph` }];
      }
      if (scenarios.length === 0) return [{ status: 'unknown', observed: 'no DR scenario computed', message: 'no stateful store or processing component found', fix: 'declare the pipeline', expected: `${label} <= ${bound} min` }];
      // A stage the graph lacks has no recovery figure: unknown, never a pass on what is present.
      const missing = (ctx.analyses.dr.missing ?? []).map(
        (stage): Finding => ({
          status: 'unknown',
          observed: `no ${stage} in the graph`,
          expected: `${label} <= ${bound} min for every pipeline stage`,
          message: `${label} unknown: the pipeline has no ${stage}, so its recovery cannot be computed`,
          fix: `declare the ${stage} (or verify the stack that holds it together with this one)`,
        }),
      );
      return [...missing, ...scenarios.map((s): Finding => {
        const v = kind === 'rpo' ? s.rpoMinutes : s.rtoMinutes;
        const base = { address: s.address, expected: `<= ${bound} min`, evidence: { scenario: s.scenario, target: s.target, basis: s.basis, rpoMinutes: s.rpoMinutes, rtoMinutes: s.rtoMinutes } };
        if (kind === 'rto' && s.rtoUnknown !== undefined) {
          return { ...base, status: 'unknown', observed: 'unknown', message: `${s.scenario}, ${s.target}: RTO unknown (${s.rtoUnknown})`, fix: `write the figures the recovery time needs as literals (${s.rtoUnknown})` };
        }
        if (v === null) {
          return {
            ...base,
            status: 'fail',
            observed: 'not bounded',
            message: `${s.scenario}, ${s.target}: ${label} not bounded (${s.basis})`,
            fix:
              s.scenario === 'region-loss'
                ? 'keep a copy in a second region (Bigtable cluster there with multi-cluster routing; BigQuery dataset replica; services deployed in two regions)'
                : s.scenario === 'zone-loss'
                  ? 'add a cluster in a second zone with multi-cluster routing'
                  : 'enable deletion protection and backups, or remove the delete from the plan',
          };
        }
        const ok = v <= bound;
        return { ...base, status: ok ? 'pass' : 'fail', observed: `${v} min`, message: `${s.scenario}, ${s.target}: ${label} ${v} min ${ok ? '<=' : '>'} ${bound} min (${s.basis})`, ...(ok ? {} : { fix: 'automate the failover (multi-cluster routing, multi-region deployment) so it needs no operator' }) };
      })];
    },
  };
}
