/**
 * Security hygiene: deletion protection on stores, private Dataflow workers, no public IAM members.
 */
import { bool, ofType, str } from '../../graph-query';
import type { GraphChange } from '../../types';
import { candidate, set, type Candidate, type ChangeGenerator } from '../generator';

const PUBLIC = ['allUsers', 'allAuthenticatedUsers'];

export const security: ChangeGenerator = {
  id: 'security',
  targets: ['security'],
  generate({ graph }) {
    const out: Candidate[] = [];
    const protect: GraphChange[] = [];
    for (const r of ofType(graph, 'google_bigtable_instance', 'google_bigquery_table')) {
      if (bool(r.values.deletion_protection) !== true) protect.push(set(r, 'deletion_protection', true));
    }
    for (const r of ofType(graph, 'google_bigtable_table')) {
      if (str(r.values.deletion_protection) !== 'PROTECTED') protect.push(set(r, 'deletion_protection', 'PROTECTED'));
    }
    if (protect.length > 0) out.push(candidate(this.id, `turn on deletion protection for ${protect.map((c) => c.kind === 'set' && c.address).join(', ')}`, protect, ['security']));
    for (const job of ofType(graph, 'google_dataflow_job', 'google_dataflow_flex_template_job')) {
      if (str(job.values.ip_configuration) !== 'WORKER_IP_PRIVATE') out.push(candidate(this.id, `run ${job.address} workers without external IPs`, [set(job, 'ip_configuration', 'WORKER_IP_PRIVATE')], ['security']));
    }
    const publicMembers = graph.resources.filter((r) => /_iam_member$/.test(r.type) && PUBLIC.includes(str(r.values.member) ?? ''));
    for (const m of publicMembers) out.push(candidate(this.id, `remove public member ${str(m.values.member)} (${m.address})`, [{ kind: 'remove', address: m.address }], ['security']));
    return out;
  },
};
