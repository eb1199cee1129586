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
import { joinedText } from './support/text';

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

function conditionsOf(policy: Resource): Condition[] {
  const c = readAttr(policy, 'conditions');
  const list = Array.isArray(c) ? c : c === undefined ? [] : [c];
  return list.map((x) => ({ text: joinedText(x), testedTypes: 0, namedTypes: 0 }));
}

/**
 * A condition's text (every string in it), and which monitored types it names: each type tested
 * when first asked and kept as a bit (by its index in MONITORED_TYPES), as the same condition is
 * asked about every resource of a type.
 */
interface Condition {
  text: string;
  testedTypes: number;
  namedTypes: number;
  labelFiltered?: boolean;
}

const MONITORED_TYPES = Object.keys(MONITORED);

/** Whether the condition names the monitored type of MONITORED_TYPES[index]. */
function namesType(c: Condition, index: number): boolean {
  const bit = 1 << index;
  if ((c.testedTypes & bit) === 0) {
    c.testedTypes |= bit;
    if (MONITORED[MONITORED_TYPES[index]].test(c.text)) c.namedTypes |= bit;
  }
  return (c.namedTypes & bit) !== 0;
}

const LABEL_FILTER = /resource\.labels?\./;

/** A condition with no per-resource label filter covers every resource of the type it names. */
function coversEveryResource(c: Condition): boolean {
  c.labelFiltered ??= LABEL_FILTER.test(c.text);
  return !c.labelFiltered;
}

/**
 * Whether the text names the resource in a filter: `["'/=]\s*NAME\s*["']`, e.g.
 * subscription_id = "speed". Matched by hand (each occurrence of the name, then the nearest
 * non-space character on each side), so no RegExp is compiled per resource name.
 */
function namesInFilter(text: string, name: string): boolean {
  for (let at = text.indexOf(name); at !== -1; at = text.indexOf(name, at + 1)) {
    let before = at - 1;
    while (before >= 0 && isRegExpSpace(text.charCodeAt(before))) before--;
    if (before < 0 || !OPENERS.includes(text[before])) continue;
    let after = at + name.length;
    while (after < text.length && isRegExpSpace(text.charCodeAt(after))) after++;
    if (after < text.length && CLOSERS.includes(text[after])) return true;
  }
  return false;
}

const OPENERS = '"\'/=';
const CLOSERS = '"\'';

/** The characters RegExp `\s` matches. */
function isRegExpSpace(c: number): boolean {
  return (
    (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}

/**
 * A condition watches a resource when it names the resource's monitored type and either names
 * the resource (address or name) or has no per-resource label filter (it covers every resource
 * of that type).
 */
export function watches(policyConditions: string[], r: Resource): boolean {
  const type = MONITORED[r.type];
  return type !== undefined && policyConditions.some((text) => type.test(text) && namesOrCovers({ text, testedTypes: 0, namedTypes: 0 }, r));
}

/** For a condition that names the resource's monitored type: it names the resource, or covers every one. */
function namesOrCovers(c: Condition, r: Resource): boolean {
  if (c.text.includes(r.address)) return true;
  const name = nameOf(r);
  if (name && namesInFilter(c.text, name)) return true;
  return coversEveryResource(c);
}

interface Policy {
  address: string;
  conditions: Condition[];
  notifies: boolean;
}

/** A policy watches a resource when one of its conditions names the resource's type and it. */
function policyWatches(p: Policy, r: Resource, typeIndex: number): boolean {
  for (let i = 0; i < p.conditions.length; i++) if (namesType(p.conditions[i], typeIndex) && namesOrCovers(p.conditions[i], r)) return true;
  return false;
}

/** The enabled policies that watch a resource. */
function watchersOf(policies: readonly Policy[], r: Resource): Policy[] {
  const watching: Policy[] = [];
  const typeIndex = MONITORED_TYPES.indexOf(r.type);
  if (typeIndex !== -1) for (let i = 0; i < policies.length; i++) if (policyWatches(policies[i], r, typeIndex)) watching.push(policies[i]);
  return watching;
}

/** The policies that watch any of the writers, in policy order. */
function watchersOfAny(policies: readonly Policy[], writers: readonly Resource[]): Policy[] {
  const typeIndexes = writers.map((w) => MONITORED_TYPES.indexOf(w.type));
  return policies.filter((p) => writers.some((w, i) => typeIndexes[i] !== -1 && policyWatches(p, w, typeIndexes[i])));
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
    const targets = [...topo.subscriptions, ...topo.bigtableInstances, ...topo.ofType('google_bigquery_dataset'), ...eventBuckets(topo)];
    if (targets.length === 0) return [{ status: 'pass', message: 'no queue or store in the graph', observed: 'none', expected: 'an alert per queue and store' }];
    const policies: Policy[] = topo
      .ofType('google_monitoring_alert_policy')
      .filter((p) => readAttr(p, 'enabled') !== false)
      .map((p) => ({ address: p.address, conditions: conditionsOf(p), notifies: notifies(p) }));

    return targets.map((r): Finding => {
      let watching = watchersOf(policies, r);
      let via = '';
      if (watching.length === 0 && r.type === 'google_bigquery_dataset') {
        watching = watchersOfAny(policies, datasetWriters(topo, r));
        via = ' (via writer)';
      }
      const by = labels(watching, true, via);
      const ok = by !== '';
      const finding: Finding = { status: ok ? 'pass' : 'fail', address: r.address, observed: '', expected: 'an alert policy on it with a notification channel', message: '' };
      if (ok) {
        finding.observed = `watched by ${by}`;
        finding.message = `${r.address} is watched by ${by}`;
        return finding;
      }
      const silent = watching.filter((p) => !p.notifies).map((p) => `${p.address}${via}`);
      if (silent.length > 0) {
        finding.observed = `watched by ${silent.join(', ')}, which notify no channel`;
        finding.message = `${r.address} is watched only by ${silent.join(', ')}, with no notification channel: nobody is told`;
        finding.fix = `set notification_channels on ${silent.map((x) => x.split(' ')[0]).join(', ')}`;
      } else {
        finding.observed = 'no alert policy watches it';
        finding.message = `${r.address} has no alert: ${r.type === 'google_storage_bucket' ? 'spilled events the replayer does not drain would go unnoticed until the lifecycle deletes them' : 'a stall or overload would go unnoticed'}`;
        finding.fix = alertFix(r);
      }
      return finding;
    });
  },
};

/** "a, b (via writer)": the addresses of the policies that notify (or not), each with `via`. */
function labels(policies: readonly Policy[], notifying: boolean, via: string): string {
  let text = '';
  policies.forEach((p) => {
    if (p.notifies === notifying) text += `${text === '' ? '' : ', '}${p.address}${via}`;
  });
  return text;
}

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
