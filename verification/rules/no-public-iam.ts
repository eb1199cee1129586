/**
 * No IAM grant to allUsers or allAuthenticatedUsers, except Cloud Run invoker on the ingest
 * gateway (devices must reach it; it authenticates requests itself).
 */
import type { Finding, Rule } from '../engine/types';
import { readAttr } from '../graph/values';
import { buildTopology } from '../analyses/topology';
import { textOf } from './support/evidence';

const PUBLIC = /\ball(Authenticated)?Users\b/;

export const rule: Rule = {
  id: 'no-public-iam',
  title: 'No public IAM members',
  severity: 'error',
  specItem: 'security',
  reads: ['*_iam_member', '*_iam_binding', '*_iam_policy', 'google_bigquery_dataset', 'google_cloud_run_v2_service'],
  rationale:
    'allUsers / allAuthenticatedUsers expose data or invocation to anyone. Only the ingest endpoint must be reachable by devices, and it authenticates every request with an API key.',
  check(ctx) {
    const topo = buildTopology(ctx.graph, ctx.model);
    const gateways = topo.services('ingest-gateway');
    const findings: Finding[] = [];
    let checked = 0;
    for (const r of ctx.graph.resources) {
      if (r.mode !== 'managed') continue;
      let text = '';
      if (/_iam_(member|binding|policy)$/.test(r.type)) text = textOf(readAttr(r, 'member')) + textOf(readAttr(r, 'members')) + textOf(readAttr(r, 'policy_data'));
      else if (r.type === 'google_bigquery_dataset') text = textOf(readAttr(r, 'access'));
      else if (r.type === 'google_cloud_run_v2_service' && readAttr(r, 'invoker_iam_disabled') === true) text = 'allUsers (invoker IAM disabled)';
      else continue;
      checked++;
      if (!PUBLIC.test(text)) continue;
      const onGateway = gateways.some((g) => g === r || topo.refersTo(r, g));
      const role = textOf(readAttr(r, 'role'));
      if (onGateway && (role === '' || role === 'roles/run.invoker')) {
        findings.push({ status: 'pass', address: r.address, observed: `${text.match(PUBLIC)?.[0]} may invoke the ingest gateway`, expected: 'public only where it must be', message: `${r.address}: the ingest endpoint is public by design and authenticates each request (API key)` });
        continue;
      }
      findings.push({
        status: 'fail',
        address: r.address,
        observed: `${text.match(PUBLIC)?.[0]}${role ? ` holds ${role}` : ''}`,
        expected: 'no allUsers / allAuthenticatedUsers',
        message: `${r.address} grants ${text.match(PUBLIC)?.[0]} access`,
        fix: 'grant the role to specific service accounts or groups instead',
      });
    }
    if (findings.length === 0) findings.push({ status: 'pass', observed: `${checked} IAM grants checked`, expected: 'no public members', message: `no public members among ${checked} IAM grants and dataset access lists` });
    return findings;
  },
};
