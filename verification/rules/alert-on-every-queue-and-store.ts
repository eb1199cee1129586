/**
 * Every queue (subscription) and store (Bigtable instance, BigQuery dataset, a bucket the
 * ingest gateway spills events to) has an alert policy watching it that notifies someone. An
 * alert counts when it is enabled, has a notification channel, and a condition names the
 * resource's monitored type and either names the resource or applies to every resource of
 * that type. A BigQuery dataset also counts as watched through alerts on the jobs that write
 * into it.
 */
import type { Finding, Rule } from '../engine/types';
import type { Resource } from '../graph/types';
import { readAttr } from '../graph/values';
import { isPending } from '../graph/types';
import { eventBuckets } from './support/event-buckets';
import { buildTopology, type Topology } from '../analyses/topology';
import { tableWritersOf } from './support/writers';
import { textOf } from './support/evidence';

const MONITORED: Record<string, RegExp> = {
  google_pubsub_subscription: /pubsub_subscription/,
  google_bigtable_instance: /bigtable_(cluster|table)|bigtable\.googleapis\.com/,
  google_bigquery_dataset: /bigquery_(dataset|project|table)/,
  google_dataflow_job: /dataflow_job/,
  google_pubsub_topic: /pubsub_topic/,
  google_bigquery_data_transfer_config: /bigquery_dts_config/,
  google_storage_bucket: /gcs_bucket|storage\.googleapis\.com\/storage/,
};

/** An alert with no channel opens an incident nobody is told about. */
function notifies(policy: Resource): boolean {
  const channels = readAttr(policy, 'notification_channels');
  if (channels === undefined || channels === null) return false;
  return isPending(channels) || (Array.isArray(channels) && channels.length > 0);
}

function nameOf(r: Resource): string | undefined {
  for (const k of ['name', 'dataset_id', 'display_name']) if (typeof r.values[k] === 'string') return r.values[k] as string;
  return undefined;
}

function conditionsOf(policy: Resource): string[] {
  const c = readAttr(policy, 'conditions');
  const list = Array.isArray(c) ? c : c === undefined ? [] : [c];
  return list.map((x) => textOf(x));
}

export function watches(policyConditions: string[], r: Resource): boolean {
  const type = MONITORED[r.type];
  if (!type) return false;
  const name = nameOf(r);
  return policyConditions.some((text) => {
    if (!type.test(text)) return false;
    if (text.includes(r.address)) return true;
    if (name && new RegExp(`["'/=]\\s*${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*["']`).test(text)) return true;
    // No per-resource label filter: the condition covers every resource of the type.
    return !/resource\.labels?\./.test(text);
  });
}

export const rule: Rule = {
  id: 'alert-on-every-queue-and-store',
  title: 'An alert policy watches every queue and store',
  severity: 'error',
  specItem: 'no_data_loss',
  reads: ['google_monitoring_alert_policy', 'google_pubsub_subscription', 'google_bigtable_instance', 'google_bigquery_dataset', 'google_storage_bucket'],
  rationale:
    'A stalled consumer loses data once its backlog outlives retention; a full or overloaded store refuses writes; spilled events the replayer does not drain are deleted by the bucket lifecycle. Only an alert that notifies someone turns those into action within the RTO: a policy without a notification channel opens incidents nobody sees, so it does not count.',
  check(ctx) {
    const topo = buildTopology(ctx.graph, ctx.model);
    const enabled = topo.ofType('google_monitoring_alert_policy').filter((p) => readAttr(p, 'enabled') !== false);
    const conditions = enabled.map((p) => ({ policy: p, texts: conditionsOf(p), notifies: notifies(p) }));
    const targets = [...topo.subscriptions, ...topo.bigtableInstances, ...topo.ofType('google_bigquery_dataset'), ...eventBuckets(topo)];
    if (targets.length === 0) return [{ status: 'pass', message: 'no queue or store in the graph', observed: 'none', expected: 'an alert per queue and store' }];
    return targets.map((r): Finding => {
      let watching = conditions.filter((c) => watches(c.texts, r)).map((c) => ({ ...c, label: c.policy.address }));
      if (watching.length === 0 && r.type === 'google_bigquery_dataset') {
        const writers = datasetWriters(topo, r);
        watching = conditions.filter((c) => writers.some((w) => watches(c.texts, w))).map((c) => ({ ...c, label: `${c.policy.address} (via writer)` }));
      }
      const by = watching.filter((c) => c.notifies).map((c) => c.label);
      const silent = watching.filter((c) => !c.notifies).map((c) => c.label);
      const ok = by.length > 0;
      return {
        status: ok ? 'pass' : 'fail',
        address: r.address,
        observed: ok ? `watched by ${by.join(', ')}` : silent.length > 0 ? `watched by ${silent.join(', ')}, which notify no channel` : 'no alert policy watches it',
        expected: 'an alert policy on it with a notification channel',
        message: ok
          ? `${r.address} is watched by ${by.join(', ')}`
          : silent.length > 0
            ? `${r.address} is watched only by ${silent.join(', ')}, with no notification channel: nobody is told`
            : `${r.address} has no alert: ${r.type === 'google_storage_bucket' ? 'spilled events the replayer does not drain would go unnoticed until the lifecycle deletes them' : 'a stall or overload would go unnoticed'}`,
        ...(ok ? {} : { fix: silent.length > 0 ? `set notification_channels on ${silent.map((x) => x.split(' ')[0]).join(', ')}` : alertFix(r) }),
      };
    });
  },
};

function datasetWriters(topo: Topology, dataset: Resource): Resource[] {
  return topo.tablesIn(dataset).flatMap((t) => tableWritersOf(topo, t));
}

function alertFix(r: Resource): string {
  switch (r.type) {
    case 'google_pubsub_subscription':
      return `add an alert on pubsub.googleapis.com/subscription/oldest_unacked_message_age for subscription_id = ${nameOf(r) ?? r.address}`;
    case 'google_bigtable_instance':
      return 'add an alert on bigtable.googleapis.com/cluster/cpu_load (and storage_utilization) for this instance';
    case 'google_storage_bucket':
      return `add an alert on storage.googleapis.com/storage/object_count (resource.type = "gcs_bucket", bucket_name = ${nameOf(r) ?? r.address}) above 0 for longer than the replayer needs: spilled events are waiting`;
    default:
      return 'add an alert on the jobs writing into this dataset (Dataflow data freshness, scheduled query failures)';
  }
}
