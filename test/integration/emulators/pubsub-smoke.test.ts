import { PubSub } from '@google-cloud/pubsub';

describe('Pub/Sub emulator smoke test', () => {
  const pubsub = new PubSub({ projectId: 'smoke-test' });
  afterAll(() => pubsub.close());

  it('round-trips an ordered message through a topic and subscription', async () => {
    expect(process.env.PUBSUB_EMULATOR_HOST).toMatch(/^127\.0\.0\.1:\d+$/);
    const [topic] = await pubsub.createTopic(`smoke-${Date.now()}`);
    const [sub] = await topic.createSubscription(`${topic.name.split('/').pop()}-sub`, { enableMessageOrdering: true });
    const payload = { eventId: 'e-1', deviceId: 'dev-7', value: 21.5 };
    const messageId = await topic.publishMessage({ json: payload, orderingKey: 'dev-7', attributes: { eventId: 'e-1' } });
    expect(messageId).toMatch(/\S+/);

    const received = await new Promise<{ data: unknown; key: string; attrs: Record<string, string> }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no message within 15 s')), 15_000);
      sub.on('message', (m) => {
        clearTimeout(timer);
        m.ack();
        resolve({ data: JSON.parse(m.data.toString('utf8')), key: m.orderingKey ?? '', attrs: m.attributes });
      });
      sub.on('error', reject);
    });
    await sub.close();
    expect(received.data).toEqual(payload);
    expect(received.key).toBe('dev-7');
    expect(received.attrs.eventId).toBe('e-1');
  });
});
