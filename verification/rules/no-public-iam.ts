/**
 * No grant to allUsers or allAuthenticatedUsers, whatever form it takes: IAM members,
 * bindings and policies (a policy_data from a data.google_iam_policy included), BigQuery
 * dataset access entries, and Cloud Storage ACLs (access controls, ACL resources and canned
 * public ACLs). The exception is Cloud Run invoker on the ingest gateway (devices must reach
 * it; it authenticates requests itself). A member known only at apply that is not provably a
 * named principal is unknown, never a pass, so the verdict cannot change at apply.
 */
import type { Finding, Rule } from '../engine/types';
import { buildTopology } from '../analyses/topology';
import { membersOf, PUBLIC_ACCESS_TYPES, type Member } from './support/public-members';

export const rule: Rule = {
  id: 'no-public-iam',
  title: 'No public IAM members or ACLs',
  severity: 'error',
  specItem: 'security',
  reads: PUBLIC_ACCESS_TYPES,
  rationale:
    'allUsers / allAuthenticatedUsers expose data or invocation to anyone. Only the ingest endpoint must be reachable by devices, and it authenticates every request with an API key. The same exposure comes through IAM policies (policy_data), dataset access entries (special_group, iam_member) and Cloud Storage ACLs (entity, role_entity, publicRead canned ACLs). A member that is an unresolved variable or a sensitive value could be public after apply, so it is unknown until written as a literal or a service-account reference.',
  check(ctx) {
    const topo = buildTopology(ctx.graph, ctx.model);
    const gateways = topo.services('ingest-gateway');
    const findings: Finding[] = [];
    let checked = 0;
    for (const r of ctx.graph.resources) {
      if (r.mode !== 'managed') continue;
      const members = membersOf(ctx.graph, r);
      if (members === undefined) continue;
      checked++;
      const onGateway = gateways.some((g) => g === r || topo.refersTo(r, g));
      const exempt = (m: Member) => onGateway && (m.role === '' || m.role === 'roles/run.invoker');
      const publicOnes = members.filter((m) => m.verdict === 'public');
      const leaks = publicOnes.filter((m) => !exempt(m));
      const unknown = members.filter((m) => m.verdict === 'unknown' && !exempt(m));
      if (leaks.length > 0) {
        const m = leaks[0];
        findings.push({
          status: 'fail',
          address: r.address,
          observed: `${m.text}${m.role ? ` holds ${m.role}` : ''}`,
          expected: 'no allUsers / allAuthenticatedUsers',
          message: `${r.address} grants ${m.text} access${leaks.length > 1 ? ` (and ${leaks.length - 1} more public entries)` : ''}`,
          fix: 'grant the role to specific service accounts or groups instead (and remove public ACL entries)',
        });
      } else if (unknown.length > 0) {
        const m = unknown[0];
        findings.push({
          status: 'unknown',
          address: r.address,
          observed: `${m.text}: ${m.why}`,
          expected: 'members that are provably not allUsers / allAuthenticatedUsers',
          message: `${r.address}: ${unknown.length} member(s) cannot be judged before apply (${m.why}); one could be public`,
          fix: 'write the member as a literal principal ("serviceAccount:...", "group:...") or reference a google_service_account',
        });
      } else if (publicOnes.length > 0) {
        findings.push({ status: 'pass', address: r.address, observed: `${publicOnes[0].text} may invoke the ingest gateway`, expected: 'public only where it must be', message: `${r.address}: the ingest endpoint is public by design and authenticates each request (API key)` });
      }
    }
    if (findings.length === 0) findings.push({ status: 'pass', observed: `${checked} grants and ACLs checked`, expected: 'no public members', message: `no public members among ${checked} IAM grants, dataset access lists and ACLs` });
    return findings;
  },
};
