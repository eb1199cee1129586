/**
 * Helpers for the data-plane integration tests: unique topics, subscriptions and Bigtable
 * tables on the emulators the Jest global setup started, env for the services, polling.
 */
import { randomBytes } from 'node:crypto';
import { PubSub, type Message } from '@google-cloud/pubsub';
import { Bigtable } from '@google-cloud/bigtable';
import { toReadRow, type ReadRow } from '../../../functions/shared/bigtable-read';

export const PROJECT = 'it-functions';

export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export function clients() {
  const pubsub = new PubSub({ projectId: PROJECT });
  const bigtable = new Bigtable({ projectId: PROJECT, metricsEnabled: false } as ConstructorParameters<typeof Bigtable>[0]);
  return { pubsub, bigtable, close: async () => Promise.all([pubsub.close(), bigtable.close()]) };
}

export interface Topology {
  env: NodeJS.ProcessEnv;
  topicName: string;
  subscriptionName: string;
  deadLetterTopicName: string;
  deadLetterSubscriptionName: string;
  instanceId: string;
  eventsTableId: string;
  aggregatesTableId: string;
  /** The processors' fleet snapshots (one row per instance), read by /v1/fleet/live. */
  fleetTableId: string;
}

/** A fresh topic + ordered subscription, dead-letter topic + subscription, and the three tables. */
export async function createTopology(pubsub: PubSub, bigtable: Bigtable, extraEnv: NodeJS.ProcessEnv = {}): Promise<Topology> {
  const topicName = unique('telemetry');
  const deadLetterTopicName = unique('telemetry-dead-letter');
  const [topic] = await pubsub.createTopic(topicName);
  const [dlTopic] = await pubsub.createTopic(deadLetterTopicName);
  const subscriptionName = `${topicName}-speed`;
  const deadLetterSubscriptionName = `${deadLetterTopicName}-sub`;
  await topic.createSubscription(subscriptionName, { enableMessageOrdering: true, ackDeadlineSeconds: 10 });
  await dlTopic.createSubscription(deadLetterSubscriptionName, { ackDeadlineSeconds: 10 });
  const instanceId = 'iot-hot';
  const eventsTableId = unique('events');
  const aggregatesTableId = unique('aggregates');
  const instance = bigtable.instance(instanceId);
  await instance.createTable(eventsTableId, { families: ['e'] });
  await instance.createTable(aggregatesTableId, { families: ['a'] });
  const fleetTableId = unique('fleet');
  await instance.createTable(fleetTableId, { families: ['m'] });
  const env: NodeJS.ProcessEnv = {
    GOOGLE_CLOUD_PROJECT: PROJECT,
    PUBSUB_EMULATOR_HOST: process.env.PUBSUB_EMULATOR_HOST,
    BIGTABLE_EMULATOR_HOST: process.env.BIGTABLE_EMULATOR_HOST,
    TELEMETRY_TOPIC: topicName,
    SPEED_SUBSCRIPTION: subscriptionName,
    DEAD_LETTER_TOPIC: deadLetterTopicName,
    BIGTABLE_INSTANCE: instanceId,
    BIGTABLE_EVENTS_TABLE: eventsTableId,
    BIGTABLE_AGGREGATES_TABLE: aggregatesTableId,
    BIGTABLE_FLEET_TABLE: fleetTableId,
    PORT: '0',
    LOG_LEVEL: 'silent',
    ...extraEnv,
  };
  return { env, topicName, subscriptionName, deadLetterTopicName, deadLetterSubscriptionName, instanceId, eventsTableId, aggregatesTableId, fleetTableId };
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}

export async function allRows(bigtable: Bigtable, instanceId: string, tableId: string): Promise<ReadRow[]> {
  const [rows] = await bigtable.instance(instanceId).table(tableId).getRows({ filter: [{ column: { cellLimit: 1 } }] });
  return rows.map(toReadRow);
}

/** Collects messages from a subscription until `count` arrived (acking them). */
export async function collect(pubsub: PubSub, subscriptionName: string, count: number, timeoutMs = 20_000): Promise<Message[]> {
  const sub = pubsub.subscription(subscriptionName);
  const got: Message[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${got.length} of ${count} messages within ${timeoutMs} ms`)), timeoutMs);
      sub.on('message', (m: Message) => {
        m.ack();
        got.push(m);
        if (got.length >= count) {
          clearTimeout(timer);
          resolve();
        }
      });
      sub.on('error', reject);
    });
  } finally {
    await sub.close();
  }
  return got;
}
