/** Shared shape of the RPO and RTO rules: every DR scenario within the bound; unbounded fails. */
import type { DrScenario, Finding, Rule } from '../../engine/types';
import type { Graph, Resource } from '../../graph/types';
import { readAttr } from '../../graph/values';

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
      const findings: Finding[] = [];
      for (const stage of ctx.analyses.dr.missing ?? []) {
        findings.push({
          status: 'unknown',
          observed: `no ${stage} in the graph`,
          expected: `${label} <= ${bound} min for every pipeline stage`,
          message: `${label} unknown: the pipeline has no ${stage}, so its recovery cannot be computed`,
          fix: `declare the ${stage} (or verify the stack that holds it together with this one)`,
        });
      }
      const expected = `<= ${bound} min`;
      scenarios.forEach((s) => findings.push(judge(kind, s, bound, expected, ctx.graph)));
      return findings;
    },
  };
}

/** One scenario's finding: its figure against the bound; its evidence is the scenario's figures. */
function judge(kind: 'rpo' | 'rto', s: DrScenario, bound: number, expected: string, graph: Graph): Finding {
  const label = kind === 'rpo' ? 'RPO' : 'RTO';
  const evidence = { scenario: s.scenario, target: s.target, basis: s.basis, rpoMinutes: s.rpoMinutes, rtoMinutes: s.rtoMinutes };
  const v = kind === 'rpo' ? s.rpoMinutes : s.rtoMinutes;
  if (kind === 'rto' && s.rtoUnknown !== undefined) {
    return { status: 'unknown', address: s.address, observed: 'unknown', expected, message: `${s.scenario}, ${s.target}: RTO unknown (${s.rtoUnknown})`, fix: `write the figures the recovery time needs as literals (${s.rtoUnknown})`, evidence };
  }
  if (v === null) {
    const resource = resourceIn(graph, s.address);
    const fix = s.scenario === 'operator-error' && resource ? operatorErrorFix(resource) : unboundedFix(s.scenario, resource?.type ?? '');
    return { status: 'fail', address: s.address, observed: 'not bounded', expected, message: `${s.scenario}, ${s.target}: ${label} not bounded (${s.basis})`, fix, evidence };
  }
  const ok = v <= bound;
  const finding: Finding = { status: ok ? 'pass' : 'fail', address: s.address, observed: `${v} min`, expected, message: `${s.scenario}, ${s.target}: ${label} ${v} min ${ok ? '<=' : '>'} ${bound} min (${s.basis})`, evidence };
  if (!ok) finding.fix = exceededFix(kind, typeIn(graph, s.address));
  return finding;
}

/** The resource the graph holds at the address (removed resources included). */
function resourceIn(graph: Graph, address: string | undefined): Resource | undefined {
  if (address === undefined) return undefined;
  return graph.byAddress.get(address) ?? graph.removed.find((r) => r.address === address);
}

/** The resource type the graph holds at the address; '' when none. */
function typeIn(graph: Graph, address: string | undefined): string {
  return resourceIn(graph, address)?.type ?? '';
}

/**
 * Operator error for one resource: what to do depends on whether this plan deletes it and
 * whether deletion protection is already on (telling a protected store to enable it misleads).
 */
export function operatorErrorFix(r: Resource): string {
  const actions = r.change?.actions ?? [];
  const deleting = actions.includes('delete');
  // A bool on instances and BigQuery tables; "PROTECTED" on Bigtable tables.
  const protection = readAttr(r, 'deletion_protection');
  const protectedOn = protection === true || protection === 'PROTECTED';
  if (deleting) {
    const what = actions.includes('create') ? 'replacement' : 'delete';
    return (
      `keep ${r.address}: remove its ${what} from the plan${protectedOn ? ' (its deletion protection will refuse it at apply anyway)' : ''}; ` +
      'a loss accepted on purpose needs a waiver for each of stateful-resource-not-destroyed, rpo-within-bound and rto-within-bound'
    );
  }
  return protectedOn ? 'keep backups: deletion protection is on, but a delete outside Terraform (or with protection lifted) still loses the data' : unboundedFix('operator-error', r.type);
}

/** The change that bounds a scenario with no recovery figure, for the kind of resource at stake. */
export function unboundedFix(scenario: string, type: string): string {
  if (scenario === 'operator-error') return 'enable deletion protection and backups, or remove the delete from the plan';
  const where = scenario === 'zone-loss' ? 'zone' : 'region';
  switch (type) {
    case 'google_bigtable_instance':
    case 'google_bigtable_table':
      return `add a cluster in a second ${where} and route with multi-cluster routing (an app profile), so the instance serves from the other ${where}`;
    case 'google_bigquery_dataset':
    case 'google_bigquery_table':
      // Not a multi-region location: one stores its data in a single region (dr.json).
      return where === 'region' ? 'keep a copy of the dataset in a second region: a dataset replica (ALTER SCHEMA ... ADD REPLICA), which a multi-region location (US, EU) does not give' : 'BigQuery replicates across zones itself: check the dataset location';
    case 'google_pubsub_subscription':
    case 'google_pubsub_topic':
      return `publish through gateways in two ${where}s so new events are stored outside the lost one (Pub/Sub stores a message near its publisher)`;
    case 'google_cloud_run_v2_service':
      return `deploy the service in a second ${where} and let clients fail over to it`;
    case 'google_dataflow_job':
      return `run the job so it can be restarted in another ${where} (a template job the runbook or automation relaunches there)`;
    default:
      return `keep a copy or a standby of it in a second ${where}`;
  }
}

/** The change that brings a recovery figure under its bound, for the kind of resource at stake. */
export function exceededFix(kind: 'rpo' | 'rto', type: string): string {
  if (kind === 'rpo' && (type === 'google_pubsub_subscription' || type === 'google_pubsub_topic')) {
    return 'keep the backlog younger than the RPO: raise the capacity of the speed path\'s bottleneck (named above) so a burst drains sooner, or shorten the bursts it must absorb';
  }
  if (type === 'google_bigtable_instance' || type === 'google_bigtable_table') return 'automate the failover: multi-cluster routing (an app profile) fails over without an operator';
  if (type === 'google_cloud_run_v2_service') return 'keep the service deployed and warm in the second region (min instances) so clients fail over without a deployment';
  return 'automate the failover (multi-cluster routing, multi-region deployment) so it needs no operator';
}
