/**
 * Every subscription a consumer drains (pull, push, BigQuery or Cloud Storage) has a
 * dead-letter policy, so a message that keeps failing is set aside instead of being
 * redelivered until retention drops it.
 */
import { isPending } from '../graph/types';
import { asNumber, asRecord, asString, readAttr } from '../graph/values';
import type { Finding, Rule } from '../engine/types';
import type { Graph, Resource } from '../graph/types';
import { buildTopology, type Topology } from '../analyses/topology';
import { loadVerifierData } from '../data';

const SUBSCRIPTION = 'google_pubsub_subscription';
const DATAFLOW = ['google_dataflow_job', 'google_dataflow_flex_template_job'];

/** Delivery attempts Pub/Sub accepts, and the default for 0 or unset (limits.json). */
function attemptLimits(): { min: number; max: number; fallback: number } {
  const data = loadVerifierData();
  return { min: data.limit('pubsub.dead-letter-min-attempts').value, max: data.limit('pubsub.dead-letter-max-attempts').value, fallback: data.limit('pubsub.dead-letter-default-attempts').value };
}

const FIX =
  'add dead_letter_policy { dead_letter_topic = <dead-letter topic id>, max_delivery_attempts = 5 } and let the Pub/Sub service agent publish to that topic and subscribe to this subscription';

export const rule: Rule = {
  id: 'dead-letter-policy-present',
  title: 'Every consuming subscription has a dead-letter policy',
  severity: 'error',
  specItem: 'no_data_loss',
  reads: [SUBSCRIPTION, ...DATAFLOW],
  rationale:
    'Without a dead-letter topic a message its consumer cannot process is redelivered until the subscription\'s retention expires, then dropped: a silent loss. That holds for push, BigQuery and Cloud Storage subscriptions too: Pub/Sub retries a failed push or a write the table refuses (schema, permissions) and supports dead-letter topics on them. A subscription that drains a dead-letter topic passes (a policy there would only move failures one hop further); its write permission and alert are judged by export-subscription-can-write and alert-on-every-queue-and-store. Subscriptions read by Dataflow pass with a note: Dataflow acknowledges a message once it is durably checkpointed, so a Pub/Sub dead-letter topic never sees the pipeline\'s failures (Google documents Pub/Sub dead-letter topics as not fully supported with Dataflow); failed elements go to the template\'s own dead-letter output. A topic created in the same plan (pending until apply) counts as present.',
  check(ctx) {
    const topo = buildTopology(ctx.graph, ctx.model);
    const subscriptions = topo.subscriptions;
    const jobs = ctx.graph.resources.filter((r) => DATAFLOW.includes(r.type));
    const readByJob = jobReaders(ctx.graph, topo, jobs);
    const deadLetterTopics = new Set<string>();
    for (const s of subscriptions) {
      const t = readAttr(s, 'dead_letter_policy.dead_letter_topic');
      if (t !== undefined && isPending(t)) t.references.forEach((a) => deadLetterTopics.add(a));
      else if (typeof t === 'string') deadLetterTopics.add(t);
    }
    const findings: Finding[] = [];
    for (const s of subscriptions) {
      const f = judge(s, readByJob, deadLetterTopics, ctx.graph.byAddress);
      if (f) findings.push(f);
    }
    return findings;
  },
};

/** The job each resource is read by: of the jobs' reference edges to it, the last in the graph's edge order. */
function jobReaders(graph: Graph, topo: Topology, jobs: readonly Resource[]): Map<string, string> {
  const readByJob = new Map<string, string>();
  if (jobs.length === 1) {
    // One job (the usual case): its own edges, which keep the graph's edge order.
    topo.edgesFrom(jobs[0]).forEach((e) => readByJob.set(e.to, e.from));
  } else if (jobs.length > 1) {
    const jobAddresses = new Set(jobs.map((j) => j.address));
    for (const e of graph.edges) if (jobAddresses.has(e.from)) readByJob.set(e.to, e.from);
  }
  return readByJob;
}

function judge(s: Resource, readByJob: Map<string, string>, deadLetterTopics: Set<string>, byAddress: ReadonlyMap<string, Resource>): Finding | undefined {
  const delivery = deliveryKind(s);
  if (delivery === 'pending') {
    return {
      status: 'unknown',
      address: s.address,
      observed: 'delivery type pending',
      expected: 'a subscription with a dead-letter policy',
      message: 'cannot tell how this subscription delivers: its push/BigQuery/Cloud Storage settings are known only after apply',
      fix: 'write the delivery settings as literals',
    };
  }
  const job = readByJob.get(s.address);
  if (job) {
    return {
      status: 'pass',
      address: s.address,
      observed: `read by ${job}`,
      message: `read by Dataflow job ${job}, which dead-letters failed elements inside the pipeline (Pub/Sub dead-letter topics are not fully supported with Dataflow)`,
    };
  }
  if (drainsDeadLetterTopic(s, deadLetterTopics, byAddress)) {
    return {
      status: 'pass',
      address: s.address,
      observed: 'drains a dead-letter topic',
      message: 'drains a dead-letter topic; a dead-letter policy here would only move failures one hop further',
    };
  }

  const policy = readAttr(s, 'dead_letter_policy');
  if (policy !== undefined && isPending(policy)) {
    return {
      status: 'unknown',
      address: s.address,
      observed: 'dead_letter_policy pending',
      expected: 'dead_letter_policy with a topic',
      message: 'the dead-letter policy block as a whole is known only after apply',
      fix: FIX,
    };
  }
  const block = asRecord(policy);
  if (!block) {
    return {
      status: 'fail',
      address: s.address,
      observed: 'no dead_letter_policy',
      expected: 'dead_letter_policy with a topic',
      message: `no dead-letter policy: a message that keeps failing${delivery === 'pull' ? '' : delivery === 'push' ? ' (its push endpoint refuses it)' : ' (the destination refuses the write)'} is redelivered until retention (${describeRetention(s)}) expires and is then lost`,
      fix: FIX,
    };
  }

  const attempts = readAttr(s, 'dead_letter_policy.max_delivery_attempts');
  const { min: MIN_ATTEMPTS, max: MAX_ATTEMPTS, fallback: DEFAULT_ATTEMPTS } = attemptLimits();
  const n = attempts === undefined || attempts === null || asNumber(attempts) === 0 ? DEFAULT_ATTEMPTS : asNumber(attempts);
  if (attempts !== undefined && isPending(attempts)) {
    // Fall through: the attempt count is pending, the policy still exists.
  } else if (n === undefined || n < MIN_ATTEMPTS || n > MAX_ATTEMPTS) {
    return {
      status: 'fail',
      address: s.address,
      observed: `max_delivery_attempts ${String(attempts)}`,
      expected: `${MIN_ATTEMPTS}..${MAX_ATTEMPTS}`,
      message: `max_delivery_attempts ${String(attempts)} is outside the ${MIN_ATTEMPTS}..${MAX_ATTEMPTS} Pub/Sub accepts`,
      fix: `set max_delivery_attempts between ${MIN_ATTEMPTS} and ${MAX_ATTEMPTS} (${DEFAULT_ATTEMPTS} is the default)`,
    };
  }
  const attemptsText = attempts !== undefined && isPending(attempts) ? 'attempt count pending' : `max ${n} delivery attempts`;

  const topic = readAttr(s, 'dead_letter_policy.dead_letter_topic');
  if (topic !== undefined && isPending(topic)) {
    return {
      status: 'pass',
      address: s.address,
      observed: { deadLetterTopic: 'pending', references: topic.references },
      expected: 'a dead-letter topic',
      message: `dead-letter present, topic pending (${attemptsText})`,
    };
  }
  const topicName = asString(topic);
  if (!topicName) {
    return {
      status: 'fail',
      address: s.address,
      observed: `dead_letter_topic ${topic === undefined ? 'not set' : JSON.stringify(topic)}`,
      expected: 'a dead-letter topic',
      message: 'the dead-letter policy names no topic, so nothing is dead-lettered',
      fix: FIX,
    };
  }
  return {
    status: 'pass',
    address: s.address,
    observed: { deadLetterTopic: topicName },
    expected: 'a dead-letter topic',
    message: `dead-letter present, topic ${topicName} (${attemptsText})`,
  };
}

/** pull, push, export (BigQuery / Cloud Storage), or pending when the settings are not known yet. */
const DELIVERY_SETTINGS = [
  ['push_config', 'push'],
  ['bigquery_config', 'export'],
  ['cloud_storage_config', 'export'],
] as const;

function deliveryKind(s: Resource): 'pull' | 'push' | 'export' | 'pending' {
  for (let i = 0; i < DELIVERY_SETTINGS.length; i++) {
    const [key, kind] = DELIVERY_SETTINGS[i];
    const v = readAttr(s, key);
    if (v === undefined || v === null) continue;
    if (isPending(v)) return 'pending';
    if (asRecord(v)) return kind;
  }
  return 'pull';
}

function drainsDeadLetterTopic(s: Resource, deadLetterTopics: Set<string>, byAddress: ReadonlyMap<string, Resource>): boolean {
  const topic = readAttr(s, 'topic');
  if (topic === undefined || topic === null) return false;
  if (isPending(topic)) return topic.references.some((a) => deadLetterTopics.has(a));
  if (typeof topic !== 'string') return false;
  if (deadLetterTopics.has(topic)) return true;
  const tail = topic.split('/').pop();
  return [...deadLetterTopics].some((a) => {
    const t = byAddress.get(a);
    return t !== undefined && asString(t.values.name) === tail;
  });
}

function describeRetention(s: Resource): string {
  const v = readAttr(s, 'message_retention_duration');
  return typeof v === 'string' ? v : 'default 7 days';
}
