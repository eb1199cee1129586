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
    const findings: Finding[] = [];
    let checked = 0;
    const resources = ctx.graph.resources;
    for (let i = 0; i < resources.length; i++) {
      const r = resources[i];
      if (r.mode !== 'managed') continue;
      const members = membersOf(ctx.graph, r);
      if (members === undefined) continue;
      checked++;
      // One pass over the members; whether the grant is on the ingest gateway is asked only
      // when a member is public or unknown (most grants name service accounts).
      let onGateway: boolean | undefined;
      let firstPublic: Member | undefined;
      let firstLeak: Member | undefined;
      let leaks = 0;
      let firstUnknown: Member | undefined;
      let unknown = 0;
      for (let k = 0; k < members.length; k++) {
        const m = members[k];
        if (m.verdict === 'private') continue;
        onGateway ??= topo.services('ingest-gateway').some((g) => g === r || topo.refersTo(r, g));
        const exempt = onGateway && (m.role === '' || m.role === 'roles/run.invoker');
        if (m.verdict === 'public') {
          firstPublic ??= m;
          if (!exempt) {
            firstLeak ??= m;
            leaks++;
          }
        } else if (!exempt) {
          firstUnknown ??= m;
          unknown++;
        }
      }
      if (firstLeak) {
        const m = firstLeak;
        findings.push({
          status: 'fail',
          address: r.address,
          observed: `${m.text}${m.role ? ` holds ${m.role}` : ''}`,
          expected: 'no allUsers / allAuthenticatedUsers',
          message: `${r.address} grants ${m.text} access${leaks > 1 ? ` (and ${leaks - 1} more public entries)` : ''}`,
          fix: 'grant the role to specific service accounts or groups instead (and remove public ACL entries)',
        });
      } else if (firstUnknown) {
        const m = firstUnknown;
        findings.push({
          status: 'unknown',
          address: r.address,
          observed: `${m.text}: ${m.why}`,
          expected: 'members that are provably not allUsers / allAuthenticatedUsers',
          message: `${r.address}: ${unknown} member(s) cannot be judged before apply (${m.why}); one could be public`,
          fix: 'write the member as a literal principal ("serviceAccount:...", "group:...") or reference a google_service_account',
        });
      } else if (firstPublic) {
        findings.push({ status: 'pass', address: r.address, observed: `${firstPublic.text} may invoke the ingest gateway`, expected: 'public only where it must be', message: `${r.address}: the ingest endpoint is public by design and authenticates each request (API key)` });
      }
    }
    if (findings.length === 0) findings.push({ status: 'pass', observed: `${checked} grants and ACLs checked`, expected: 'no public members', message: `no public members among ${checked} IAM grants, dataset access lists and ACLs` });
    return findings;
  },
};
