/** Each workload (Cloud Run service, Dataflow job, function) runs as its own service account, never the default compute one. */
import type { Finding, Rule } from '../engine/types';
import type { Resource } from '../graph/types';
import { isPending } from '../graph/types';
import { readAttr } from '../graph/values';
import type { AttrValue } from '../graph/types';

const IDENTITY_PATHS: Record<string, string[]> = {
  google_cloud_run_v2_service: ['template.service_account'],
  google_cloud_run_service: ['template.spec.service_account_name'],
  google_dataflow_job: ['service_account_email'],
  google_dataflow_flex_template_job: ['service_account_email'],
  google_cloudfunctions2_function: ['service_config.service_account_email'],
  google_cloudfunctions_function: ['service_account_email'],
};
/** The same workload deployed in another region: same type and name, another location. */
function sameWorkload(a: Resource, b: Resource): boolean {
  return a.type === b.type && literalName(a) !== undefined && literalName(a) === literalName(b) && a.region !== b.region;
}

function literalName(r: Resource): string | undefined {
  return typeof r.values.name === 'string' ? r.values.name : undefined;
}

/** The first identity its paths set. */
function identityOf(w: Resource): string | undefined {
  for (const path of IDENTITY_PATHS[w.type]) {
    const id = identity(readAttr(w, path));
    if (id) return id;
  }
  return undefined;
}

const DEFAULT_SA = /-compute@developer\.gserviceaccount\.com$|@appspot\.gserviceaccount\.com$/;

function identity(v: AttrValue | undefined): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (isPending(v)) {
    const sa = v.references.find((a) => /google_service_account\./.test(a));
    return sa ? sa.replace(/\.(email|name|id|member)$/, '') : v.expression ?? v.references.join(',');
  }
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export const rule: Rule = {
  id: 'per-service-accounts',
  title: 'Every workload runs as its own service account',
  severity: 'error',
  specItem: 'security',
  reads: Object.keys(IDENTITY_PATHS),
  rationale:
    'The default compute service account holds broad project roles, and a shared account joins the blast radius of every workload using it. One account per service, with only the roles it needs; the same service deployed in several regions (same name, another location) is one workload and shares its account.',
  check(ctx) {
    const workloads = ctx.graph.resources.filter((r) => r.mode === 'managed' && r.type in IDENTITY_PATHS);
    if (workloads.length === 0) return [{ status: 'pass', observed: 'no workload', expected: 'own service accounts', message: 'no workload in the graph' }];
    const ids = workloads.map(identityOf);
    const users = new Map<string, Resource[]>();
    workloads.forEach((w, i) => {
      const id = ids[i];
      if (!id) return;
      const list = users.get(id);
      if (list) list.push(w);
      else users.set(id, [w]);
    });
    return workloads.map((w, i): Finding => {
      const id = ids[i];
      if (!id) return { status: 'fail', address: w.address, observed: 'no service account set (runs as the default compute account)', expected: 'a dedicated service account', message: `${w.address} runs as the project's default compute service account`, fix: 'create a google_service_account for it and set it on the workload' };
      if (DEFAULT_SA.test(id)) return { status: 'fail', address: w.address, observed: id, expected: 'a dedicated service account', message: `${w.address} runs as a default service account`, fix: 'create a google_service_account for it and set it on the workload' };
      // Regional copies of one workload share its identity; anything else may not.
      const shared = (users.get(id) ?? []).filter((o) => o !== w && !sameWorkload(o, w));
      if (shared.length > 0) return { status: 'fail', address: w.address, observed: `${id} shared with ${shared.map((s) => s.address).join(', ')}`, expected: 'one service account per workload', message: `${w.address} shares its service account`, fix: 'give each workload its own google_service_account' };
      return { status: 'pass', address: w.address, observed: id, expected: 'a dedicated service account', message: `${w.address} runs as its own account ${id}` };
    });
  },
};
