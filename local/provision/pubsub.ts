/**
 * Pub/Sub schemas, topics and subscriptions on the emulator, created when missing, updated
 * where the API allows, and read back so the report says what the emulator actually kept.
 */
import { PubSub, SchemaTypes } from '@google-cloud/pubsub';
import type { DeclaredLocalCloud, DeclaredSubscription, DeclaredTopic } from './declared';
import { describe, differences, type Setting } from './drift';
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
      const handle = pubsub.topic(topic.name);
      const [exists] = await handle.exists();
      const schemaSettings = topic.schema && !unsupportedSchemas.has(topic.schema.name) ? { schema: topic.schema.name, encoding: topic.schema.encoding } : undefined;
      let outcome: ProvisionedItem['outcome'] = exists ? 'existing' : 'created';
      let changes: string | undefined;
      if (!exists) {
        await pubsub.createTopic({
          name: topic.name,
          labels: topic.labels,
          ...(topic.messageRetentionDuration ? { messageRetentionDuration: seconds(topic.messageRetentionDuration) } : {}),
          ...(schemaSettings ? { schemaSettings } : {}),
        });
      } else {
        const diffs = differences(topicSettings(topic, schemaSettings, (await handle.getMetadata())[0]));
        const update = diffs.filter((d) => d.remedy === 'update');
        if (update.length) {
          await handle.setMetadata({ messageRetentionDuration: topic.messageRetentionDuration ? seconds(topic.messageRetentionDuration) : null } as never);
          outcome = 'updated';
        }
        if (diffs.some((d) => d.remedy === 'report')) outcome = 'differs';
        if (diffs.length) changes = describe(diffs);
      }
      const [meta] = await handle.getMetadata();
      if (topic.schema && schemaSettings && meta.schemaSettings?.schema !== topic.schema.name) {
        notHonoured.push({ address: topic.address, feature: 'schema_settings', reason: 'the emulator did not keep the topic\'s schema settings; published messages are not validated locally' });
      }
      const schemaDetail = schemaSettings && meta.schemaSettings?.schema ? `schema ${shortName(topic.schema!.name)} (${topic.schema!.encoding})` : undefined;
      add('topic', full, topic.address, outcome, [changes, schemaDetail].filter(Boolean).join('; ') || undefined);
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
    // Pub/Sub's defaults written out, so what the emulator holds compares with the declaration.
    ...(sub.retry ? { retryPolicy: { minimumBackoff: seconds(sub.retry.minimumBackoff ?? '10s'), maximumBackoff: seconds(sub.retry.maximumBackoff ?? '600s') } } : {}),
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
  const declaredTopic = sub.topic.startsWith('projects/') ? sub.topic : `projects/${projectId}/topics/${sub.topic}`;
  const create = async () => {
    try {
      await pubsub.topic(shortName(sub.topic)).createSubscription(sub.name, subscriptionOptions(sub, true));
    } catch (err) {
      // Some emulator versions refuse filters; create without one (already reported as not honoured).
      if (!sub.filter || code(err) === ALREADY_EXISTS) throw err;
      await pubsub.topic(shortName(sub.topic)).createSubscription(sub.name, subscriptionOptions(sub, false));
    }
  };
  let outcome: ProvisionedItem['outcome'] = 'existing';
  let changes: string | undefined;
  if (!exists) {
    await create();
    outcome = 'created';
  } else {
    const diffs = differences(subscriptionSettings(sub, declaredTopic, (await subscription.getMetadata())[0]));
    if (diffs.some((d) => d.remedy === 'recreate')) {
      // What Pub/Sub cannot change on a subscription (topic, ordering, filter) terraform apply
      // replaces it for; do the same here (its queued messages go with it).
      await subscription.delete();
      await create();
      outcome = 'recreated';
      changes = `${describe(diffs)}; re-created, its queued messages dropped`;
    } else if (diffs.length) {
      const update = diffs.filter((d) => d.remedy === 'update');
      if (update.length) {
        const options = subscriptionOptions(sub, false) as Record<string, unknown>;
        const patch: Record<string, unknown> = {};
        const defaults: Record<string, unknown> = { ackDeadlineSeconds: 10, messageRetentionDuration: seconds('604800s') };
        // An option the declaration leaves out goes back to Pub/Sub's default, or away (null).
        for (const d of update) patch[UPDATE_FIELDS[d.feature]] = options[UPDATE_FIELDS[d.feature]] ?? defaults[UPDATE_FIELDS[d.feature]] ?? null;
        await subscription.setMetadata(patch as never);
        outcome = 'updated';
      }
      if (diffs.some((d) => d.remedy === 'report')) outcome = 'differs';
      changes = describe(diffs);
    }
  }
  // Read back what the emulator kept and say where it differs from the declaration.
  const [meta] = await subscription.getMetadata();
  const lost = (feature: string) => notHonoured.push({ address: sub.address, feature, reason: `declared, but the emulator did not keep it (read back as ${feature === 'filter' ? JSON.stringify(meta.filter ?? '') : 'unset'})` });
  if (sub.enableMessageOrdering && !meta.enableMessageOrdering) lost('enable_message_ordering');
  if (sub.deadLetter && meta.deadLetterPolicy?.deadLetterTopic !== sub.deadLetter.topic) lost('dead_letter_policy');
  if (sub.filter && meta.filter !== sub.filter) lost('filter');
  if (outcome !== 'differs') {
    for (const d of differences(subscriptionSettings(sub, declaredTopic, meta)).filter((x) => !['enable_message_ordering', 'dead_letter_policy', 'filter'].includes(x.feature))) {
      notHonoured.push({ address: sub.address, feature: d.feature, reason: `declared, but the emulator did not keep it: ${d.text}` });
    }
  }
  const detail = [
    changes,
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

/** Settings the emulator changes in place -> the client option that carries each. */
const UPDATE_FIELDS: Record<string, string> = {
  ack_deadline_seconds: 'ackDeadlineSeconds',
  retain_acked_messages: 'retainAckedMessages',
  message_retention_duration: 'messageRetentionDuration',
  dead_letter_policy: 'deadLetterPolicy',
  retry_policy: 'retryPolicy',
  enable_exactly_once_delivery: 'enableExactlyOnceDelivery',
};

type Meta = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const durationOf = (d: { seconds?: unknown } | null | undefined) => (d ? Number(d.seconds ?? 0) : null);
const NOT_IN_PLACE = 'the Pub/Sub emulator cannot change it in place; delete the resource on the emulator and provision again';

/** Every declared subscription setting next to what the emulator holds. Defaults are Pub/Sub's. */
export function subscriptionSettings(sub: DeclaredSubscription, declaredTopic: string, meta: Meta): Setting[] {
  const settings: Setting[] = [
    { feature: 'topic', declared: declaredTopic, actual: meta.topic, remedy: 'recreate' },
    { feature: 'enable_message_ordering', declared: sub.enableMessageOrdering, actual: Boolean(meta.enableMessageOrdering), remedy: 'recreate' },
    { feature: 'filter', declared: sub.filter ?? '', actual: meta.filter ?? '', remedy: 'recreate' },
    { feature: 'ack_deadline_seconds', declared: sub.ackDeadlineSeconds ?? 10, actual: meta.ackDeadlineSeconds, remedy: 'update' },
    { feature: 'retain_acked_messages', declared: sub.retainAckedMessages, actual: Boolean(meta.retainAckedMessages), remedy: 'update' },
    { feature: 'message_retention_duration', declared: Math.round(durationSeconds(sub.messageRetentionDuration ?? '604800s')), actual: durationOf(meta.messageRetentionDuration), remedy: 'update' },
    {
      feature: 'dead_letter_policy',
      declared: sub.deadLetter ? { topic: sub.deadLetter.topic, max_delivery_attempts: sub.deadLetter.maxDeliveryAttempts } : null,
      actual: meta.deadLetterPolicy ? { topic: meta.deadLetterPolicy.deadLetterTopic, max_delivery_attempts: meta.deadLetterPolicy.maxDeliveryAttempts } : null,
      remedy: 'update',
    },
    {
      feature: 'retry_policy',
      declared: sub.retry ? { minimum_backoff: Math.round(durationSeconds(sub.retry.minimumBackoff ?? '10s')), maximum_backoff: Math.round(durationSeconds(sub.retry.maximumBackoff ?? '600s')) } : null,
      actual: meta.retryPolicy ? { minimum_backoff: durationOf(meta.retryPolicy.minimumBackoff), maximum_backoff: durationOf(meta.retryPolicy.maximumBackoff) } : null,
      remedy: 'update',
    },
    { feature: 'enable_exactly_once_delivery', declared: sub.enableExactlyOnceDelivery, actual: Boolean(meta.enableExactlyOnceDelivery), remedy: 'update' },
    { feature: 'labels', declared: sub.labels ?? {}, actual: meta.labels ?? {}, remedy: 'report', why: NOT_IN_PLACE },
  ];
  // Unset, Pub/Sub applies its own expiry (31 days); the emulator reports none. Compared when declared.
  if (sub.expirationTtl !== undefined) {
    settings.push({
      feature: 'expiration_policy.ttl',
      declared: sub.expirationTtl === '' ? 'never' : Math.round(durationSeconds(sub.expirationTtl)),
      actual: meta.expirationPolicy ? (meta.expirationPolicy.ttl ? durationOf(meta.expirationPolicy.ttl) : 'never') : null,
      remedy: 'report',
      why: NOT_IN_PLACE,
    });
  }
  return settings;
}

/** Every declared topic setting next to what the emulator holds. */
export function topicSettings(topic: DeclaredTopic, schemaSettings: { schema: string; encoding: string } | undefined, meta: Meta): Setting[] {
  return [
    { feature: 'message_retention_duration', declared: topic.messageRetentionDuration ? Math.round(durationSeconds(topic.messageRetentionDuration)) : null, actual: durationOf(meta.messageRetentionDuration), remedy: 'update' },
    { feature: 'labels', declared: topic.labels ?? {}, actual: meta.labels ?? {}, remedy: 'report', why: NOT_IN_PLACE },
    {
      feature: 'schema_settings',
      declared: schemaSettings ? { schema: schemaSettings.schema, encoding: schemaSettings.encoding } : null,
      actual: meta.schemaSettings?.schema ? { schema: meta.schemaSettings.schema, encoding: String(meta.schemaSettings.encoding) } : null,
      remedy: 'report',
      why: NOT_IN_PLACE,
    },
  ];
}
