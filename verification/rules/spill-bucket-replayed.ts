/**
 * no_data_loss on the spill path: when Pub/Sub refuses a batch the ingest gateway writes it to
 * a bucket and acknowledges the device, so those objects are the only copy of accepted events.
 * Something must replay them (a workload allowed to read and delete the objects) before the
 * bucket's lifecycle deletes them, and the lifecycle must outlast an outage of the RTO.
 */
import type { Finding, Rule } from '../engine/types';
import type { Graph, Resource } from '../graph/types';
import { isPending } from '../graph/types';
import { asList, asNumber, asRecord, asString, readAttr } from '../graph/values';
import { buildTopology, type Topology } from '../analyses/topology';
import { SECONDS_PER_DAY } from '../data';
import { grantsOn, projectGrants, type Grant } from './support/iam';
import { eventBuckets } from './support/event-buckets';

const BUCKET_IAM = ['google_storage_bucket_iam_member', 'google_storage_bucket_iam_binding'];
const READ_DELETE_ROLES = ['roles/storage.objectUser', 'roles/storage.objectAdmin', 'roles/storage.admin', 'roles/editor', 'roles/owner'];
const SECONDS_PER_MINUTE = 60;
const WORKLOAD_IDENTITY: Record<string, string> = {
  google_cloud_run_v2_service: 'template.service_account',
  google_cloud_run_v2_job: 'template.template.service_account',
};

/** Service accounts (addresses) the workloads run as, with the workloads, in graph order. */
function workloadAccounts(graph: { resources: Resource[] }): Map<string, Resource[]> {
  const out = new Map<string, Resource[]>();
  for (const w of graph.resources.filter((r) => r.mode === 'managed' && r.type in WORKLOAD_IDENTITY)) {
    const v = readAttr(w, WORKLOAD_IDENTITY[w.type]);
    if (v !== undefined && v !== null && isPending(v)) {
      for (const r of v.references) if (SERVICE_ACCOUNT.test(r)) addTo(out, r, w);
    } else if (typeof v === 'string') addTo(out, v, w);
  }
  return out;
}

const SERVICE_ACCOUNT = /google_service_account\./;

function addTo(accounts: Map<string, Resource[]>, account: string, w: Resource): void {
  const list = accounts.get(account);
  if (list) list.push(w);
  else accounts.set(account, [w]);
}

/** The first workload one of the grants allows to read and delete objects, with that grant. */
function firstReplayer(grants: readonly Grant[], accounts: ReadonlyMap<string, Resource[]>): { w: Resource; g: Grant } | undefined {
  for (let i = 0; i < grants.length; i++) {
    const g = grants[i];
    if (!READ_DELETE_ROLES.includes(g.role)) continue;
    let workload: Resource | undefined;
    accounts.forEach((workloads, sa) => {
      if (workload === undefined && g.members.some((m) => m.includes(sa))) workload = workloads[0];
    });
    if (workload) return { w: workload, g };
  }
  return undefined;
}

/** The bucket's replayer: granted on the bucket first, else at project level. */
function replayerOf(graph: Graph, topo: Topology, bucket: Resource, accounts: ReadonlyMap<string, Resource[]>): { w: Resource; g: Grant } | undefined {
  return firstReplayer(grantsOn(graph, topo, bucket, BUCKET_IAM), accounts) ?? firstReplayer(projectGrants(graph), accounts);
}

/** Shortest age (days) of a Delete lifecycle rule; undefined without one; null when pending. */
function deleteAfterDays(bucket: Resource): number | undefined | null {
  let best: number | undefined;
  for (const rule of asList(readAttr(bucket, 'lifecycle_rule'))) {
    if (isPending(rule)) return null;
    const r = asRecord(rule);
    if (!r || asString(asRecord(r.action)?.type) !== 'Delete') continue;
    const age = asRecord(r.condition)?.age;
    if (age !== undefined && age !== null && isPending(age)) return null;
    const days = asNumber(age);
    if (days !== undefined && (best === undefined || days < best)) best = days;
  }
  return best;
}

export const rule: Rule = {
  id: 'spill-bucket-replayed',
  title: 'Spilled events are replayed before the bucket deletes them',
  severity: 'error',
  specItem: 'no_data_loss',
  reads: ['google_storage_bucket', 'google_storage_bucket_iam_member', 'google_storage_bucket_iam_binding', 'google_project_iam_member', 'google_cloud_run_v2_service', 'google_cloud_run_v2_job'],
  rationale:
    'The gateway acknowledges a device once a batch is durable in the spill bucket, so spilled objects are accepted events with no other copy. A replayer (the gateway in-process, or its own job) must be allowed to read and delete them, and a Delete lifecycle rule must not remove them before an outage as long as the RTO is over; the alert on the bucket is judged by alert-on-every-queue-and-store.',
  check(ctx) {
    const topo = buildTopology(ctx.graph, ctx.model);
    const buckets = eventBuckets(topo);
    if (buckets.length === 0) return [{ status: 'pass', observed: 'no spill bucket', expected: 'replayed spill buckets', message: 'no bucket the ingest gateway spills to' }];
    const accounts = workloadAccounts(ctx.graph);
    const rtoSeconds = ctx.spec.constraints.rtoMinutes * SECONDS_PER_MINUTE;
    const findings: Finding[] = [];
    for (const b of buckets) {
      const replayer = replayerOf(ctx.graph, topo, b, accounts);
      const days = deleteAfterDays(b);
      if (!replayer) {
        findings.push({ status: 'fail', address: b.address, observed: 'no workload may read and delete its objects', expected: 'a replayer with roles/storage.objectUser on the bucket', message: `nothing can replay ${b.address}: spilled events stay there${typeof days === 'number' ? ` until the lifecycle deletes them after ${days} d` : ''}`, fix: `grant roles/storage.objectUser on ${b.address} to the service account of the replayer (the ingest gateway replays in-process)` });
        continue;
      }
      if (days === null) {
        findings.push({ status: 'unknown', address: b.address, observed: 'lifecycle age pending', expected: `a Delete age >= the RTO (${ctx.spec.constraints.rtoMinutes} min)`, message: `${b.address}: when its lifecycle deletes spilled objects is known only after apply`, fix: 'write the lifecycle rule age as a literal' });
        continue;
      }
      if (typeof days === 'number' && days * SECONDS_PER_DAY < rtoSeconds) {
        findings.push({ status: 'fail', address: b.address, observed: `spilled objects deleted after ${days} d`, expected: `>= ${ctx.spec.constraints.rtoMinutes} min (RTO)`, message: `${b.address} deletes spilled events after ${days} d, before an outage as long as the RTO is over`, fix: `raise the Delete lifecycle age above the RTO` });
        continue;
      }
      const r = replayer;
      findings.push({
        status: 'pass',
        address: b.address,
        observed: `replayed by ${r.w.address} (${r.g.iam.address}: ${r.g.role}); ${typeof days === 'number' ? `deleted after ${days} d` : 'no Delete lifecycle rule'}`,
        expected: 'a replayer, and spilled objects kept longer than the RTO',
        message: `${b.address}: ${r.w.address} may read and delete spilled objects, kept ${typeof days === 'number' ? `${days} d` : 'until replayed'} (RTO ${ctx.spec.constraints.rtoMinutes} min)`,
      });
    }
    return findings;
  },
};
