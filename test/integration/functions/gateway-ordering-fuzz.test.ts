/**
 * Through the real gateway and the Pub/Sub emulator: per-device order survives injected
 * publish failures (paused key, re-publish first, resume), and fuzzed requests never crash
 * the gateway, reject every invalid event with a reason and store every valid one.
 */
import fc from 'fast-check';
import type { Message } from '@google-cloud/pubsub';
import { createTopology, clients, waitFor, allRows, unique, type Topology } from './local-cloud';
import { startIngest } from '../../../functions/ingest/main';
import { startProcessor } from '../../../functions/processor/main';
import { ApiKeyVerifier } from '../../../functions/ingest/auth';
import type { PublishTarget } from '../../../functions/ingest/ordered-publisher';

jest.setTimeout(120_000);

const KEY = 'fuzz-key';
const headers = { 'content-type': 'application/json', 'x-api-key': KEY };

/**
 * Fails chosen publish calls the way the Pub/Sub client does with ordering on: the key is
 * paused, and every later publish of that key fails until resumePublishing(key).
 */
function failingEvery(nth: number) {
  return (topic: PublishTarget): PublishTarget & { injected: number } => {
    const paused = new Set<string>();
    let calls = 0;
    const wrapper = {
      injected: 0,
      publishMessage(m: Parameters<PublishTarget['publishMessage']>[0]) {
        calls++;
        if (paused.has(m.orderingKey)) return Promise.reject(new Error(`Unable to publish for key "${m.orderingKey}"`));
        if (calls % nth === 0) {
          wrapper.injected++;
          paused.add(m.orderingKey);
          return Promise.reject(Object.assign(new Error('14 UNAVAILABLE: injected'), { code: 14 }));
        }
        return topic.publishMessage(m);
      },
      resumePublishing(key: string) {
        paused.delete(key);
        topic.resumePublishing(key);
      },
      flush: () => topic.flush(),
    };
    return wrapper;
  };
}

describe('gateway on the emulator', () => {
  const c = clients();
  afterAll(() => c.close());

  it('keeps each device’s events in order across injected publish failures', async () => {
    const topo: Topology = await createTopology(c.pubsub, c.bigtable, { INGEST_API_KEY_SHA256: ApiKeyVerifier.sha256Hex(KEY), EVENTS_PER_MESSAGE: '3' });
    const verify = unique('verify');
    await c.pubsub.topic(topo.topicName).createSubscription(verify, { enableMessageOrdering: true });
    let wrapped: ReturnType<ReturnType<typeof failingEvery>> | undefined;
    const ingest = await startIngest(topo.env, { host: '127.0.0.1', wrapTopic: (t) => (wrapped = failingEvery(5)(t)) });
    const devices = ['ord-a', 'ord-b', 'ord-c', 'ord-d'];
    const now = Date.now();
    try {
      // Each device sends 8 requests of 5 events, one after the other; devices run concurrently.
      await Promise.all(
        devices.map(async (d) => {
          for (let r = 0; r < 8; r++) {
            const events = Array.from({ length: 5 }, (_, i) => ({ eventId: `${d}-${r * 5 + i}`, deviceId: d, type: 'seq', eventTime: now - 10_000 + r * 5 + i, metrics: { n: r * 5 + i } }));
            const res = await fetch(`${ingest.address}/v1/events`, { method: 'POST', headers, body: JSON.stringify(events) });
            expect(res.status).toBe(200);
          }
        }),
      );
      expect(wrapped!.injected).toBeGreaterThanOrEqual(5);
      const seen = new Map<string, number[]>();
      const sub = c.pubsub.subscription(verify);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('not all 160 events arrived')), 30_000);
        let total = 0;
        sub.on('message', (m: Message) => {
          m.ack();
          const body = JSON.parse(m.data.toString());
          for (const e of body.events ?? [body]) {
            const list = seen.get(e.deviceId) ?? [];
            list.push(e.metrics.n);
            seen.set(e.deviceId, list);
            total++;
          }
          if (total >= 160) {
            clearTimeout(timer);
            resolve();
          }
        });
        sub.on('error', reject);
      });
      await sub.close();
      // Per device, exactly 0..39 in order (a re-published message is never overtaken).
      for (const d of devices) expect(seen.get(d)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    } finally {
      await ingest.stop();
    }
  });

  it('survives fuzzed batches: invalid events rejected with reasons, valid ones stored', async () => {
    const topo = await createTopology(c.pubsub, c.bigtable, { INGEST_API_KEY_SHA256: ApiKeyVerifier.sha256Hex(KEY) });
    const ingest = await startIngest(topo.env, { host: '127.0.0.1' });
    const processor = await startProcessor(topo.env, { host: '127.0.0.1' });
    const now = Date.now();
    let counter = 0;
    const accepted = new Set<string>();

    const validEvent = fc.record({
      deviceId: fc.stringMatching(/^[A-Za-z0-9._:-]{1,40}$/),
      type: fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,20}$/),
      offsetMs: fc.integer({ min: -6 * 24 * 3600_000, max: 60_000 }),
      asString: fc.boolean(),
      metrics: fc.dictionary(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,15}$/), fc.double({ noNaN: true, noDefaultInfinity: true }), { minKeys: 1, maxKeys: 5 }),
      attributes: fc.option(fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_.-]{0,10}$/), fc.string({ maxLength: 40 }), { maxKeys: 4 }), { nil: undefined }),
    });
    // Each breakage names the field its reason must start with.
    const breakages: [string, (e: Record<string, unknown>) => void][] = [
      ['deviceId', (e) => (e.deviceId = 'has space')],
      ['deviceId', (e) => (e.deviceId = 'x'.repeat(129))],
      ['eventId', (e) => (e.eventId = 'hash#tag')],
      ['type', (e) => (e.type = '')],
      ['eventTime', (e) => (e.eventTime = now + 24 * 3600_000)],
      ['eventTime', (e) => (e.eventTime = 'yesterday')],
      ['metrics', (e) => (e.metrics = {})],
      ['metrics.', (e) => (e.metrics = { ok: 1, bad: 'x' })],
      ['attributes.', (e) => (e.attributes = { k: 'y'.repeat(300) })],
      ['extra', (e) => (e.extra = 1)],
    ];
    const item = fc.oneof(
      validEvent.map((v) => ({ broken: undefined as string | undefined, v })),
      fc.tuple(validEvent, fc.integer({ min: 0, max: breakages.length - 1 })).map(([v, b]) => ({ broken: String(b), v })),
    );

    try {
      await fc.assert(
        fc.asyncProperty(fc.array(item, { minLength: 1, maxLength: 8 }), async (items) => {
          const body = items.map(({ broken, v }) => {
            const e: Record<string, unknown> = {
              eventId: `fz-${++counter}`,
              deviceId: v.deviceId,
              type: v.type,
              eventTime: v.asString ? new Date(now + v.offsetMs).toISOString() : now + v.offsetMs,
              metrics: v.metrics,
              ...(v.attributes ? { attributes: v.attributes } : {}),
            };
            if (broken !== undefined) breakages[Number(broken)][1](e);
            return e;
          });
          const res = await fetch(`${ingest.address}/v1/events`, { method: 'POST', headers, body: JSON.stringify(body) });
          const invalid = items.filter((i) => i.broken !== undefined).length;
          expect(res.status).toBe(invalid === 0 ? 200 : invalid === items.length ? 400 : 207);
          const json = await res.json();
          items.forEach((it, i) => {
            const r = json.results[i];
            if (it.broken === undefined) {
              expect(r).toEqual({ index: i, eventId: body[i].eventId, status: 'accepted' });
              accepted.add(body[i].eventId as string);
            } else {
              expect(r.status).toBe('rejected');
              expect(r.reason.startsWith(breakages[Number(it.broken)][0])).toBe(true);
            }
          });
        }),
        { numRuns: 40 },
      );
      const health = await fetch(`${ingest.address}/healthz`);
      expect(health.status).toBe(200);
      const stored = await waitFor(`${accepted.size} valid events stored`, async () => {
        const rows = await allRows(c.bigtable, topo.instanceId, topo.eventsTableId);
        return rows.length >= accepted.size && rows;
      }, 30_000, 250);
      expect(new Set(stored.map((r) => r.key.split('#')[2]))).toEqual(accepted);
    } finally {
      await Promise.all([ingest.stop(), processor.stop()]);
    }
  });
});
