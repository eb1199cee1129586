/**
 * Consumers without dead letters: a subscription that code consumes has no dead-letter topic
 * (a poison message is redelivered forever or dropped by its consumer), or has one that cannot
 * work (the Pub/Sub service agent may not publish to it or acknowledge the source) or that
 * nothing reads.
 */
import type { AttrValue, Graph, Resource } from '../../graph/types';
import { isPending } from '../../graph/types';
import type { PatternDetector, PatternEvidence } from '../types';
import { blocks, getAttr } from '../graph-edit';
import { ofType, referencesOf, refersTo, str } from '../graph-query';
import { consumersOf, isSinkSubscription } from './roles';

/** The Pub/Sub service agent, literal or with the project number still pending. */
export const SERVICE_AGENT = /^serviceAccount:service-(?:\d+|\$\{[^}]+\})@gcp-sa-pubsub\.iam\.gserviceaccount\.com$/;

/** A member as text: the literal, or the expression of a pending value. */
export function memberText(v: AttrValue | undefined): string {
  if (typeof v === 'string') return v;
  return isPending(v) ? (v.expression ?? '') : '';
}

function agentHasRole(graph: Graph, target: Resource, iamType: string, role: string): boolean {
  return ofType(graph, iamType).some((m) => refersTo(graph, m, target) && str(m.values.role) === role && SERVICE_AGENT.test(memberText(m.values.member)));
}

/** A Dataflow template with a dead-letter table parameter keeps failed records itself. */
function deadLetterTableOf(consumer: Resource): AttrValue | undefined {
  if (!consumer.type.startsWith('google_dataflow')) return undefined;
  return getAttr(consumer.values, 'parameters.outputDeadletterTable') ?? getAttr(consumer.values, 'parameters.outputDeadLetterTable');
}

function agentBinding(graph: Graph, target: Resource, iamType: string, role: string): boolean {
  const bindingType = iamType.replace('_member', '_binding');
  return ofType(graph, bindingType).some((b) => {
    if (!refersTo(graph, b, target) || str(b.values.role) !== role) return false;
    const members = b.values.members;
    return Array.isArray(members) && members.some((m) => SERVICE_AGENT.test(memberText(m)));
  });
}

export const consumerWithoutDeadLetter: PatternDetector = {
  id: 'consumer-without-dead-letter',
  name: 'Consumer without a working dead-letter path',
  kind: 'anti-pattern',
  description: 'A consumed subscription has no dead-letter policy, or one the Pub/Sub service agent cannot use, or one nothing reads.',
  detect({ graph }) {
    const matches = [];
    const subscriptions = ofType(graph, 'google_pubsub_subscription');
    // topic address -> the subscriptions whose `topic` names it, built on first use
    let readersOf: Map<string, Resource[]> | undefined;
    const readersOfTopic = (topic: Resource): Resource[] => {
      if (!readersOf) {
        readersOf = new Map();
        for (const s of subscriptions) for (const t of referencesOf(graph, s, 'topic')) readersOf.set(t.address, [...(readersOf.get(t.address) ?? []), s]);
      }
      return readersOf.get(topic.address) ?? [];
    };
    for (const sub of subscriptions) {
      if (isSinkSubscription(sub)) continue;
      const consumers = consumersOf(graph, sub);
      if (consumers.length === 0) continue;
      const policy = blocks(sub.values, 'dead_letter_policy')[0];
      const evidence: PatternEvidence[] = [];
      if (!policy) {
        const handled = consumers.filter((c) => deadLetterTableOf(c) !== undefined);
        if (handled.length === consumers.length) continue;
        evidence.push({ address: sub.address, attribute: 'dead_letter_policy', value: null, note: `consumed by ${consumers.map((c) => c.address).join(', ')} with no dead-letter policy` });
      } else {
        const dlTopic = referencesOf(graph, sub, 'dead_letter_policy.dead_letter_topic').find((t) => t.mode === 'managed' && t.type === 'google_pubsub_topic');
        if (!dlTopic) {
          evidence.push({ address: sub.address, attribute: 'dead_letter_policy.dead_letter_topic', value: policy.dead_letter_topic ?? null, note: 'the dead-letter topic is not in the graph' });
        } else {
          const publisher = 'roles/pubsub.publisher';
          const subscriber = 'roles/pubsub.subscriber';
          if (!agentHasRole(graph, dlTopic, 'google_pubsub_topic_iam_member', publisher) && !agentBinding(graph, dlTopic, 'google_pubsub_topic_iam_member', publisher)) {
            evidence.push({ address: dlTopic.address, note: `the Pub/Sub service agent has no ${publisher} on ${dlTopic.address}: dead-lettering fails and messages keep redelivering` });
          }
          if (!agentHasRole(graph, sub, 'google_pubsub_subscription_iam_member', subscriber) && !agentBinding(graph, sub, 'google_pubsub_subscription_iam_member', subscriber)) {
            evidence.push({ address: sub.address, note: `the Pub/Sub service agent has no ${subscriber} on ${sub.address}: it cannot acknowledge forwarded messages` });
          }
          const readers = readersOfTopic(dlTopic).filter((s) => s !== sub);
          if (readers.length === 0) evidence.push({ address: dlTopic.address, note: 'no subscription reads the dead-letter topic: dead letters expire unseen' });
        }
      }
      if (evidence.length === 0) continue;
      matches.push({
        id: this.id,
        name: this.name,
        kind: this.kind,
        summary: `${sub.address}: ${policy ? 'dead-letter policy cannot work' : 'no dead-letter policy'}`,
        evidence,
        risks: ['no_data_loss' as const],
      });
    }
    return matches;
  },
};
