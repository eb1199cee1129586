/**
 * no_data_loss: every BigQuery or Cloud Storage subscription can write its destination. Pub/Sub
 * writes as its service agent (or as the service account the subscription names), so that
 * identity needs a write role on the table (or its dataset, or the project) or on the bucket;
 * without it every message is retried until retention drops it. This matters most where the
 * subscription is the last stop of the dead-letter path (poison messages archived to a table).
 */
import type { Finding, Rule } from '../engine/types';
import type { AttrValue, Resource } from '../graph/types';
import { isPending } from '../graph/types';
import { asRecord, asString, readAttr } from '../graph/values';
import { buildTopology, type Topology } from '../analyses/topology';
import { grantsOn, holderAmong, holderOf, projectGrants, PUBSUB_AGENT, type Grant } from './support/iam';

const BIGQUERY_WRITE_ROLES = ['roles/bigquery.dataEditor', 'roles/bigquery.dataOwner', 'roles/bigquery.admin', 'roles/editor', 'roles/owner'];
const STORAGE_WRITE_ROLES = ['roles/storage.objectCreator', 'roles/storage.objectUser', 'roles/storage.objectAdmin', 'roles/storage.admin', 'roles/editor', 'roles/owner'];
const AGENT = 'serviceAccount:service-<project-number>@gcp-sa-pubsub.iam.gserviceaccount.com';

/** Who writes: the service account the config names (its address or email), else the Pub/Sub service agent. */
function writerOf(config: Record<string, AttrValue>): { matches: (member: string) => boolean; label: string } | 'pending' {
  const sa = config.service_account_email;
  if (sa === undefined || sa === null || sa === '') return { matches: (m) => PUBSUB_AGENT.test(m), label: AGENT };
  if (isPending(sa)) {
    const ref = sa.references.find((r) => /google_service_account\./.test(r));
    if (!ref) return 'pending';
    return { matches: (m) => m.includes(ref), label: `serviceAccount of ${ref}` };
  }
  const email = asString(sa)!;
  return { matches: (m) => m.includes(email), label: `serviceAccount:${email}` };
}

const TABLE_IAM = ['google_bigquery_table_iam_member', 'google_bigquery_table_iam_binding'];
const DATASET_IAM = ['google_bigquery_dataset_iam_member', 'google_bigquery_dataset_iam_binding'];
const BUCKET_IAM = ['google_storage_bucket_iam_member', 'google_storage_bucket_iam_binding'];

function judge(ctx: Parameters<Rule['check']>[0], topo: Topology, sub: Resource, kind: 'bigquery' | 'storage'): Finding {
  const key = kind === 'bigquery' ? 'bigquery_config' : 'cloud_storage_config';
  const config = asRecord(readAttr(sub, key))!;
  const writer = writerOf(config);
  const destinationType = kind === 'bigquery' ? 'google_bigquery_table' : 'google_storage_bucket';
  const destination = topo.firstTargetAmong(sub, topo.ofType(destinationType), key);
  if (writer === 'pending') {
    return { status: 'unknown', address: sub.address, observed: 'service_account_email known only after apply', expected: 'a writer identity the graph names', message: `${sub.address}: the identity that writes is known only after apply`, fix: 'reference a google_service_account (or leave it unset to write as the Pub/Sub service agent)' };
  }
  if (!destination) {
    return { status: 'unknown', address: sub.address, observed: `${kind === 'bigquery' ? 'table' : 'bucket'} not in the graph`, expected: 'a destination declared in this graph', message: `${sub.address}: its destination is not declared here, so its write permission cannot be checked`, fix: 'declare the destination in the same configuration' };
  }
  // The first holder on the destination, then (BigQuery) its dataset, then the project.
  let found: Grant | undefined;
  let roles: string[];
  if (kind === 'bigquery') {
    roles = BIGQUERY_WRITE_ROLES;
    const dataset = topo.datasetOf(destination);
    found =
      holderAmong(grantsOn(ctx.graph, topo, destination, TABLE_IAM), roles, writer.matches) ??
      (dataset ? holderAmong(grantsOn(ctx.graph, topo, dataset, DATASET_IAM), roles, writer.matches) : undefined) ??
      holderAmong(projectGrants(ctx.graph), roles, writer.matches);
  } else {
    roles = STORAGE_WRITE_ROLES;
    found = holderOf(ctx.graph, topo, destination, BUCKET_IAM, roles, writer.matches);
  }
  if (!found) {
    return {
      status: 'fail',
      address: sub.address,
      observed: `${writer.label} holds no write role on ${destination.address}`,
      expected: `${writer.label} with ${roles[0]} on ${destination.address} (or its ${kind === 'bigquery' ? 'dataset' : 'project'})`,
      message: `${sub.address} cannot write ${destination.address}: every message is retried until retention drops it${topo.topicOf(sub) && topo.isDeadLetterTopic(topo.topicOf(sub)!) ? ' (these are the dead letters: the last copy of events the processor could not store)' : ''}`,
      fix: `grant ${roles[0]} on ${destination.address} to ${writer.label} (${kind === 'bigquery' ? 'google_bigquery_table_iam_member' : 'google_storage_bucket_iam_member'})`,
    };
  }
  return { status: 'pass', address: sub.address, observed: `${found.iam.address}: ${found.role}`, expected: `a write role on ${destination.address}`, message: `${sub.address} writes ${destination.address} as ${writer.label} (${found.iam.address} grants ${found.role})` };
}

export const rule: Rule = {
  id: 'export-subscription-can-write',
  title: 'BigQuery and Cloud Storage subscriptions may write their destination',
  severity: 'error',
  specItem: 'no_data_loss',
  reads: ['google_pubsub_subscription', 'google_bigquery_table_iam_member', 'google_bigquery_table_iam_binding', 'google_bigquery_dataset_iam_member', 'google_bigquery_dataset_iam_binding', 'google_storage_bucket_iam_member', 'google_storage_bucket_iam_binding', 'google_project_iam_member', 'google_project_iam_binding'],
  rationale:
    'An export subscription writes as the Pub/Sub service agent (or the service account it names). Without a write role on the table, its dataset or the project (bucket, for Cloud Storage) every write fails and Pub/Sub retries the message until retention drops it; on the dead-letter path that loses the last copy of the events the processor could not store.',
  check(ctx) {
    const topo = buildTopology(ctx.graph, ctx.model);
    const findings: Finding[] = [];
    for (const sub of topo.subscriptions) {
      const bq = readAttr(sub, 'bigquery_config');
      const gcs = readAttr(sub, 'cloud_storage_config');
      for (const [v, kind] of [[bq, 'bigquery'], [gcs, 'storage']] as const) {
        if (v === undefined || v === null) continue;
        if (isPending(v)) {
          findings.push({ status: 'unknown', address: sub.address, observed: `${kind === 'bigquery' ? 'bigquery_config' : 'cloud_storage_config'} pending`, expected: 'a destination and writer the graph names', message: `${sub.address}: its export settings are known only after apply`, fix: 'write the export settings as literals' });
          continue;
        }
        findings.push(judge(ctx, topo, sub, kind));
      }
    }
    if (findings.length === 0) findings.push({ status: 'pass', observed: 'no export subscription', expected: 'export subscriptions that can write', message: 'no BigQuery or Cloud Storage subscription in the graph' });
    return findings;
  },
};
