/**
 * Pub/Sub schemas, topics and subscriptions on the emulator, created when missing, updated
 * where the API allows, and read back so the report says what the emulator actually kept.
 */
import { PubSub, SchemaTypes } from '@google-cloud/pubsub';
import type { DeclaredLocalCloud, DeclaredSubscription } from './declared';
import { durationSeconds } from './declared';
import type { NotHonoured, ProvisionedItem } from './report';

const NOT_FOUND = 5;
const ALREADY_EXISTS = 6;
const UNIMPLEMENTED = 12;

const code = (err: unknown) => (err as { code?: number }).code;
const seconds = (duration: string) => ({ seconds: Math.round(durationSeconds(duration)) });
const shortName = (full: string) => full.split('/').pop()!;

export async function provisionPubSub(decl: DeclaredLocalCloud, endpoint: string, items: ProvisionedItem[], notHonoured: NotHonoured[]): Promise<void> {
  const pubsub = new PubSub({ projectId: decl.projectId, apiEndpoint: endpoint });
  const add = (kind: string, name: string, address: string, outcome: ProvisionedItem['outcome'], detail?: string) =>
    items.push({ service: 'pubsub', kind, name, address, outcome, ...(detail ? { detail } : {}) });
  try {
    const unsupportedSchemas = new Set<string>();
    for (const schema of decl.schemas) {
      const full = `projects/${decl.projectId}/schemas/${schema.name}`;
      try {
        await pubsub.schema(schema.name).get();
        add('schema', full, schema.address, 'existing');
      } catch (err) {
        if (code(err) === UNIMPLEMENTED) {
          unsupportedSchemas.add(full);
          notHonoured.push({ address: schema.address, feature: 'schema', reason: 'the Pub/Sub emulator has no schema service; messages are not validated against it locally' });
          continue;
        }
        if (code(err) !== NOT_FOUND) throw err;
        await pubsub.createSchema(schema.name, schema.type === 'AVRO' ? SchemaTypes.Avro : SchemaTypes.ProtocolBuffer, schema.definition);
        add('schema', full, schema.address, 'created', schema.type);
      }
    }

    for (const topic of decl.topics) {
      const full = `projects/${decl.projectId}/topics/${topic.name}`;
      const [exists] = await pubsub.topic(topic.name).exists();
      const schemaSettings = topic.schema && !unsupportedSchemas.has(topic.schema.name) ? { schema: topic.schema.name, encoding: topic.schema.encoding } : undefined;
      if (!exists) {
        await pubsub.createTopic({
          name: topic.name,
          labels: topic.labels,
          ...(topic.messageRetentionDuration ? { messageRetentionDuration: seconds(topic.messageRetentionDuration) } : {}),
          ...(schemaSettings ? { schemaSettings } : {}),
        });
      }
      const [meta] = await pubsub.topic(topic.name).getMetadata();
      if (topic.schema && schemaSettings && meta.schemaSettings?.schema !== topic.schema.name) {
        notHonoured.push({ address: topic.address, feature: 'schema_settings', reason: 'the emulator did not keep the topic\'s schema settings; published messages are not validated locally' });
      }
      add('topic', full, topic.address, exists ? 'existing' : 'created', schemaSettings && meta.schemaSettings?.schema ? `schema ${shortName(topic.schema!.name)} (${topic.schema!.encoding})` : undefined);
    }

    for (const sub of decl.subscriptions) await provisionSubscription(pubsub, decl.projectId, sub, add, notHonoured);
  } finally {
    await pubsub.close();
  }
}

function subscriptionOptions(sub: DeclaredSubscription, withFilter: boolean) {
  return {
    ...(sub.ackDeadlineSeconds !== undefined ? { ackDeadlineSeconds: sub.ackDeadlineSeconds } : {}),
    enableMessageOrdering: sub.enableMessageOrdering,
    enableExactlyOnceDelivery: sub.enableExactlyOnceDelivery,
    retainAckedMessages: sub.retainAckedMessages,
    ...(sub.messageRetentionDuration ? { messageRetentionDuration: seconds(sub.messageRetentionDuration) } : {}),
    ...(sub.deadLetter ? { deadLetterPolicy: { deadLetterTopic: sub.deadLetter.topic, maxDeliveryAttempts: sub.deadLetter.maxDeliveryAttempts } } : {}),
    ...(sub.retry
      ? { retryPolicy: { ...(sub.retry.minimumBackoff ? { minimumBackoff: seconds(sub.retry.minimumBackoff) } : {}), ...(sub.retry.maximumBackoff ? { maximumBackoff: seconds(sub.retry.maximumBackoff) } : {}) } }
      : {}),
    ...(sub.expirationTtl !== undefined ? { expirationPolicy: sub.expirationTtl === '' ? {} : { ttl: seconds(sub.expirationTtl) } } : {}),
    ...(sub.labels ? { labels: sub.labels } : {}),
    ...(withFilter && sub.filter ? { filter: sub.filter } : {}),
  };
}

async function provisionSubscription(
  pubsub: PubSub,
  projectId: string,
  sub: DeclaredSubscription,
  add: (kind: string, name: string, address: string, outcome: ProvisionedItem['outcome'], detail?: string) => void,
  notHonoured: NotHonoured[],
): Promise<void> {
  const full = `projects/${projectId}/subscriptions/${sub.name}`;
  const subscription = pubsub.subscription(sub.name);
  const [exists] = await subscription.exists();
  let outcome: ProvisionedItem['outcome'] = 'existing';
  if (!exists) {
    try {
      await pubsub.topic(shortName(sub.topic)).createSubscription(sub.name, subscriptionOptions(sub, true));
    } catch (err) {
      // Some emulator versions refuse filters; create without one (already reported as not honoured).
      if (!sub.filter || code(err) === ALREADY_EXISTS) throw err;
      await pubsub.topic(shortName(sub.topic)).createSubscription(sub.name, subscriptionOptions(sub, false));
    }
    outcome = 'created';
  } else {
    const [meta] = await subscription.getMetadata();
    const declaredTopic = sub.topic.startsWith('projects/') ? sub.topic : `projects/${projectId}/topics/${sub.topic}`;
    if (meta.topic !== declaredTopic) throw new Error(`subscription ${full} exists on ${meta.topic}, but ${sub.address} declares ${declaredTopic}; delete it on the emulator to re-create`);
    const drift = meta.ackDeadlineSeconds !== (sub.ackDeadlineSeconds ?? meta.ackDeadlineSeconds) || (meta.deadLetterPolicy?.maxDeliveryAttempts ?? 0) !== (sub.deadLetter?.maxDeliveryAttempts ?? 0);
    if (drift) {
      const { enableMessageOrdering: _o, enableExactlyOnceDelivery: _e, ...mutable } = subscriptionOptions(sub, false);
      await subscription.setMetadata(mutable);
      outcome = 'updated';
    }
  }
  // Read back what the emulator kept and say where it differs from the declaration.
  const [meta] = await subscription.getMetadata();
  const lost = (feature: string) => notHonoured.push({ address: sub.address, feature, reason: `declared, but the emulator did not keep it (read back as ${feature === 'filter' ? JSON.stringify(meta.filter ?? '') : 'unset'})` });
  if (sub.enableMessageOrdering && !meta.enableMessageOrdering) lost('enable_message_ordering');
  if (sub.deadLetter && meta.deadLetterPolicy?.deadLetterTopic !== sub.deadLetter.topic) lost('dead_letter_policy');
  if (sub.filter && meta.filter !== sub.filter) lost('filter');
  const detail = [
    `topic ${shortName(sub.topic)}`,
    meta.enableMessageOrdering ? 'ordered' : undefined,
    meta.ackDeadlineSeconds ? `ack ${meta.ackDeadlineSeconds}s` : undefined,
    meta.deadLetterPolicy?.deadLetterTopic ? `dead letter -> ${shortName(meta.deadLetterPolicy.deadLetterTopic)} after ${meta.deadLetterPolicy.maxDeliveryAttempts}` : undefined,
    sub.bigqueryTable ? 'pull (BigQuery subscription not emulated)' : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  add('subscription', full, sub.address, outcome, detail);
}
