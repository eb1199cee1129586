/**
 * no_data_loss: every consuming subscription (pull, push, BigQuery or Cloud Storage: Pub/Sub
 * retries all of them and dead-letters all of them) has a dead-letter topic that can work.
 * The Pub/Sub service agent must be allowed to publish to the dead-letter topic AND to
 * subscribe to the source subscription (else forwarding fails and messages are retried until
 * retention drops them); something must read the dead letters; ack deadline, delivery
 * attempts and retry backoff must be sane; retention must outlast the RTO.
 */
import type { Finding, Rule } from '../engine/types';
import type { Resource } from '../graph/types';
import { readAttr } from '../graph/values';
import { buildTopology } from '../analyses/topology';
import { durationSeconds, num, unsetOr } from '../analyses/attributes';
import { loadVerifierData } from '../data';
import { holderOf, PUBSUB_AGENT } from './support/iam';

const PUBLISH_ROLES = ['roles/pubsub.publisher', 'roles/pubsub.editor', 'roles/pubsub.admin', 'roles/editor', 'roles/owner'];
const SUBSCRIBE_ROLES = ['roles/pubsub.subscriber', 'roles/pubsub.editor', 'roles/pubsub.admin', 'roles/editor', 'roles/owner'];
const SECONDS_PER_MINUTE = 60;
const AGENT = 'serviceAccount:service-<project-number>@gcp-sa-pubsub.iam.gserviceaccount.com';

const TOPIC_IAM = ['google_pubsub_topic_iam_member', 'google_pubsub_topic_iam_binding'];
const SUBSCRIPTION_IAM = ['google_pubsub_subscription_iam_member', 'google_pubsub_subscription_iam_binding'];
const isAgent = (member: string) => PUBSUB_AGENT.test(member);

function fail(problems: Finding[], address: string, observed: string, expected: string, message: string, fix: string): void {
  problems.push({ status: 'fail', address, observed, expected, message, fix });
}

/** A setting the rule needs that is known only after apply (or not a value it can read): unknown, never its default. */
function pending(problems: Finding[], address: string, attribute: string, expected: string): void {
  problems.push({ status: 'unknown', address, observed: `${attribute} known only after apply (or unreadable)`, expected, message: `${address}: ${attribute} is known only after apply or is not a value the verifier reads, so it cannot be checked`, fix: `write ${attribute} as a literal` });
}

export const rule: Rule = {
  id: 'dead-letter-can-work',
  title: 'Dead-lettering can work: agent IAM, a dead-letter reader, sane delivery settings, retention over the RTO',
  severity: 'error',
  specItem: 'no_data_loss',
  reads: ['google_pubsub_subscription', 'google_pubsub_topic', 'google_pubsub_topic_iam_member', 'google_pubsub_topic_iam_binding', 'google_pubsub_subscription_iam_member', 'google_pubsub_subscription_iam_binding', 'google_project_iam_member'],
  rationale:
    'Pub/Sub forwards a message to the dead-letter topic as its service agent: without publisher on the topic and subscriber on the source subscription the forward fails silently and the message is retried until retention expires. Dead letters nobody reads are lost at the topic. A backlog must survive an outage as long as the RTO. Push and export (BigQuery, Cloud Storage) subscriptions are judged like pull ones: a refused push or write is retried and dead-lettered the same way.',
  check(ctx) {
    const data = loadVerifierData();
    const topo = buildTopology(ctx.graph, ctx.model);
    const consuming = topo.subscriptions.filter((s) => {
      const t = topo.topicOf(s);
      // Dataflow dead-letters inside the pipeline; a drain of dead letters is the end of the path.
      return !topo.dataflowJobs.some((j) => topo.inputSubscriptionOf(j) === s) && !(t && topo.isDeadLetterTopic(t));
    });
    if (consuming.length === 0) {
      return [{ status: 'unknown', message: 'no consuming subscription found, so no dead-letter path can be judged', fix: 'declare the speed-layer subscription with its dead-letter policy', expected: 'a consuming subscription with a working dead-letter topic' }];
    }
    const rtoSeconds = ctx.spec.constraints.rtoMinutes * SECONDS_PER_MINUTE;
    const findings: Finding[] = [];
    for (const sub of consuming) {
      const problems: Finding[] = [];
      const policy = readAttr(sub, 'dead_letter_policy');
      const dl = topo.deadLetterTopicOf(sub);
      // A missing policy is dead-letter-policy-present's finding; this rule judges a policy that exists.
      if (policy === undefined) {
        // nothing to judge of the dead-letter path itself; the delivery settings below still are
      } else if (!dl) {
        problems.push({ status: 'unknown', address: sub.address, observed: 'dead-letter topic not in the graph', expected: 'a dead-letter topic declared here', message: `${sub.address}: its dead-letter topic is not declared in this graph, so its IAM and readers cannot be checked`, fix: 'declare the dead-letter topic in the same configuration' });
      } else {
        if (!holderOf(ctx.graph, topo, dl, TOPIC_IAM, PUBLISH_ROLES, isAgent)) {
          fail(problems, dl.address, 'Pub/Sub service agent cannot publish', `${AGENT} with roles/pubsub.publisher on ${dl.address}`, `the Pub/Sub service agent has no publisher role on ${dl.address}: dead-lettering fails and poison messages are retried until retention drops them`, `grant roles/pubsub.publisher on ${dl.address} to ${AGENT} (google_pubsub_topic_iam_member)`);
        }
        if (!holderOf(ctx.graph, topo, sub, SUBSCRIPTION_IAM, SUBSCRIBE_ROLES, isAgent)) {
          fail(problems, sub.address, 'Pub/Sub service agent cannot subscribe', `${AGENT} with roles/pubsub.subscriber on ${sub.address}`, `the Pub/Sub service agent has no subscriber role on ${sub.address}: it cannot acknowledge the forwarded messages`, `grant roles/pubsub.subscriber on ${sub.address} to ${AGENT} (google_pubsub_subscription_iam_member)`);
        }
        const readers = topo.subscriptionsOf(dl);
        if (readers.length === 0) {
          fail(problems, dl.address, 'no subscription on the dead-letter topic', `a subscription reading ${dl.address}`, `nothing reads ${dl.address}: dead letters published there are dropped`, `add a subscription on ${dl.address} (e.g. a BigQuery subscription into a dead-letter table)`);
        }
        for (const r of readers) {
          const keep = unsetOr(durationSeconds(readAttr(r, 'message_retention_duration')), data.limit('pubsub.subscription-retention-default-seconds').value);
          if (keep === null) pending(problems, r.address, 'message_retention_duration', `>= ${rtoSeconds} s (RTO)`);
          else if (keep < rtoSeconds) fail(problems, r.address, `${keep} s retention`, `>= ${rtoSeconds} s (RTO)`, `${r.address} keeps dead letters ${keep} s, less than the RTO`, `set message_retention_duration >= ${rtoSeconds}s`);
        }
        const attempts = num(sub, 'dead_letter_policy.max_delivery_attempts');
        const minA = data.limit('pubsub.dead-letter-min-attempts').value;
        const maxA = data.limit('pubsub.dead-letter-max-attempts').value;
        if (typeof attempts === 'number' && attempts !== 0 && (attempts < minA || attempts > maxA)) {
          fail(problems, sub.address, `${attempts} attempts`, `${minA}..${maxA}`, `max_delivery_attempts ${attempts} is outside ${minA}..${maxA}`, `set max_delivery_attempts between ${minA} and ${maxA}`);
        }
      }
      const ack = unsetOr(num(sub, 'ack_deadline_seconds'), data.limit('pubsub.ack-deadline-default-seconds').value);
      const ackMax = data.limit('pubsub.ack-deadline-max-seconds').value;
      const ackMin = data.limit('pubsub.ack-deadline-min-seconds').value;
      if (ack === null) pending(problems, sub.address, 'ack_deadline_seconds', `${ackMin}..${ackMax} s`);
      else if (ack < ackMin || ack > ackMax) fail(problems, sub.address, `${ack} s`, `${ackMin}..${ackMax} s`, `ack deadline ${ack} s is outside ${ackMin}..${ackMax} s`, `set ack_deadline_seconds within ${ackMin}..${ackMax}`);
      if (readAttr(sub, 'retry_policy') === undefined) {
        fail(problems, sub.address, 'no retry_policy', 'exponential backoff', `${sub.address} redelivers failures immediately (no retry policy), ${policy === undefined ? 'retrying a failing message in a tight loop' : 'spending its delivery attempts before the dead-letter limit in a tight loop'}`, 'add retry_policy { minimum_backoff = "10s", maximum_backoff = "600s" }');
      } else {
        const lo = durationSeconds(readAttr(sub, 'retry_policy.minimum_backoff'));
        const hi = durationSeconds(readAttr(sub, 'retry_policy.maximum_backoff'));
        if (typeof lo === 'number' && typeof hi === 'number' && lo > hi) fail(problems, sub.address, `${lo} s > ${hi} s`, 'minimum <= maximum backoff', 'retry backoff minimum exceeds maximum', 'set minimum_backoff <= maximum_backoff');
      }
      const keep = unsetOr(durationSeconds(readAttr(sub, 'message_retention_duration')), data.limit('pubsub.subscription-retention-default-seconds').value);
      if (keep === null) pending(problems, sub.address, 'message_retention_duration', `>= ${rtoSeconds} s (RTO ${ctx.spec.constraints.rtoMinutes} min)`);
      else if (keep < rtoSeconds) fail(problems, sub.address, `${keep} s retention`, `>= ${rtoSeconds} s (RTO ${ctx.spec.constraints.rtoMinutes} min)`, `${sub.address} keeps an unprocessed backlog ${keep} s, less than the RTO: a processor outage that long loses events`, `set message_retention_duration >= ${rtoSeconds}s`);
      if (problems.length > 0) findings.push(...problems);
      else if (policy === undefined) findings.push({ status: 'pass', address: sub.address, observed: 'no dead-letter policy to judge', expected: 'a working dead-letter path', message: `${sub.address}: no dead-letter policy, reported by dead-letter-policy-present; its delivery settings are sane and the backlog outlasts the RTO` });
      else findings.push({ status: 'pass', address: sub.address, observed: `dead letters to ${dl?.address}, agent may publish and subscribe, read by ${topo.subscriptionsOf(dl!).map((r) => r.address).join(', ')}`, expected: 'a working dead-letter path', message: `${sub.address}: dead-lettering can work and the backlog outlasts the RTO` });
    }
    return findings;
  },
};
