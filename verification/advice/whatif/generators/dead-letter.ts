/**
 * Dead letters that work: a dead-letter policy on every consumed subscription, the Pub/Sub
 * service agent allowed to publish to the dead-letter topic and to acknowledge the source, and
 * a subscription that keeps the dead letters (no_data_loss).
 */
import type { AttrValue, Graph, Resource } from '../../../graph/types';
import { blocks, referenceTo } from '../../graph-edit';
import { ofType, referencesOf, refersTo, str } from '../../graph-query';
import type { GraphChange } from '../../types';
import { consumersOf, isSinkSubscription } from '../../patterns/roles';
import { candidate, set, type Candidate, type ChangeGenerator } from '../generator';
import { loadVerifierData } from '../../../data';

import { memberText, SERVICE_AGENT } from '../../patterns/consumer-without-dead-letter';

/** The Pub/Sub service agent of the project: from an existing binding, else from the project number the provider will know. */
function serviceAgent(graph: Graph): AttrValue {
  for (const r of ofType(graph, 'google_pubsub_topic_iam_member', 'google_pubsub_subscription_iam_member', 'google_project_iam_member')) {
    if (SERVICE_AGENT.test(memberText(r.values.member))) return r.values.member;
  }
  return { $pending: true, reason: 'expression', expression: 'serviceAccount:service-${data.google_project.project.number}@gcp-sa-pubsub.iam.gserviceaccount.com', references: ['data.google_project.project'] };
}

function hasAgentRole(graph: Graph, target: Resource, type: string, role: string): boolean {
  return ofType(graph, type).some((m) => refersTo(graph, m, target) && str(m.values.role) === role && SERVICE_AGENT.test(memberText(m.values.member)));
}

export const deadLetter: ChangeGenerator = {
  id: 'dead-letter',
  targets: ['no_data_loss'],
  generate({ graph }) {
    const agent = serviceAgent(graph);
    const topics = ofType(graph, 'google_pubsub_topic');
    const subs = ofType(graph, 'google_pubsub_subscription');
    const named = (attribute: string) => new Set(subs.flatMap((s) => referencesOf(graph, s, attribute).map((t) => t.address)));
    const deadLetterTopics = named('dead_letter_policy.dead_letter_topic');
    const existingDl = topics.find((t) => deadLetterTopics.has(t.address)) ?? topics.find((t) => /dead.?letter/i.test(str(t.values.name) ?? t.name));
    const dlAddress = existingDl?.address ?? 'google_pubsub_topic.advice_dead_letter';
    const changes: GraphChange[] = [];
    const fixed: string[] = [];
    if (!existingDl) changes.push({ kind: 'add', address: dlAddress, type: 'google_pubsub_topic', values: { name: 'telemetry-dead-letter' } });
    const dlRef = referenceTo(dlAddress, 'id');
    const attempts = loadVerifierData().limit('pubsub.dead-letter-default-attempts').value;
    for (const sub of subs) {
      if (isSinkSubscription(sub) || consumersOf(graph, sub).length === 0) continue;
      if (blocks(sub.values, 'dead_letter_policy').length === 0) {
        changes.push(set(sub, 'dead_letter_policy', { dead_letter_topic: dlRef, max_delivery_attempts: attempts }));
        fixed.push(sub.address);
      }
      if (!hasAgentRole(graph, sub, 'google_pubsub_subscription_iam_member', 'roles/pubsub.subscriber')) {
        changes.push({ kind: 'add', address: `google_pubsub_subscription_iam_member.${sub.name}_dead_letter_subscriber`, type: 'google_pubsub_subscription_iam_member', values: { subscription: referenceTo(sub.address, 'id'), role: 'roles/pubsub.subscriber', member: agent } });
        fixed.push(`${sub.address} (service agent subscriber)`);
      }
    }
    if (fixed.length === 0) return [];
    const dl = existingDl ?? undefined;
    if (!dl || !hasAgentRole(graph, dl, 'google_pubsub_topic_iam_member', 'roles/pubsub.publisher')) {
      changes.push({ kind: 'add', address: 'google_pubsub_topic_iam_member.dead_letter_publisher', type: 'google_pubsub_topic_iam_member', values: { topic: dlRef, role: 'roles/pubsub.publisher', member: agent } });
    }
    if (!dl || !named('topic').has(dl.address)) {
      changes.push({ kind: 'add', address: 'google_pubsub_subscription.dead_letter_reader', type: 'google_pubsub_subscription', values: { name: 'telemetry-dead-letter-reader', topic: dlRef, message_retention_duration: `${loadVerifierData().limit('pubsub.subscription-retention-max-seconds').value}s` } });
    }
    return [candidate(this.id, `give ${fixed.join(', ')} a working dead-letter path via ${dlAddress} (policy, service-agent IAM, a reader)`, changes, ['no_data_loss'])] satisfies Candidate[];
  },
};
