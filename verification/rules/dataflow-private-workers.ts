/** Dataflow workers without external IPs. */
import type { Finding, Rule } from '../engine/types';
import { isPending } from '../graph/types';
import { readAttr } from '../graph/values';

export const rule: Rule = {
  id: 'dataflow-private-workers',
  title: 'Dataflow workers have private IPs only',
  severity: 'error',
  specItem: 'security',
  reads: ['google_dataflow_job', 'google_dataflow_flex_template_job'],
  rationale: 'Workers with external IPs are reachable from the internet; ip_configuration defaults to public.',
  check(ctx) {
    const jobs = ctx.graph.resources.filter((r) => r.type === 'google_dataflow_job' || r.type === 'google_dataflow_flex_template_job');
    if (jobs.length === 0) return [{ status: 'pass', observed: 'no Dataflow job', expected: 'private workers', message: 'no Dataflow job in the graph' }];
    return jobs.map((j): Finding => {
      const v = readAttr(j, 'ip_configuration');
      if (v !== undefined && isPending(v)) return { status: 'unknown', address: j.address, observed: 'pending', expected: 'WORKER_IP_PRIVATE', message: `${j.address}: ip_configuration known only after apply`, fix: 'write ip_configuration = "WORKER_IP_PRIVATE"' };
      const ok = v === 'WORKER_IP_PRIVATE';
      const finding: Finding = {
        status: ok ? 'pass' : 'fail',
        address: j.address,
        observed: `ip_configuration = ${v === undefined ? 'not set (public)' : String(v)}`,
        expected: 'WORKER_IP_PRIVATE',
        message: ok ? `${j.address} workers have no external IPs` : `${j.address} workers get external IPs`,
      };
      if (!ok) finding.fix = 'set ip_configuration = "WORKER_IP_PRIVATE" (and enable Private Google Access on the subnet)';
      return finding;
    });
  },
};
