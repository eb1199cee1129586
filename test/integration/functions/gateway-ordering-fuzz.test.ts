/**
 * Through the real gateway and the Pub/Sub emulator: per-device order survives injected
 * publish failures (paused key, re-publish first, resume), and fuzzed requests never crash
 * the gateway, reject every invalid event with a reason and store every valid one. The fuzz
 * covers broken fields, structure (non-objects), property names (__proto__ vs Object.prototype
 * names that are ordinary), nesting, and sizes on both sides of 8 KiB as published, in JSON
 * arrays and NDJSON.
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

/** Sorted copy (the published form sorts metric and attribute names). */
const sorted = (o: object) => Object.fromEntries(Object.keys(o).sort().map((k) => [k, (o as Record<string, unknown>)[k]]));

/** The event's size as the gateway publishes it: RFC 3339 time, sorted names, attributes always present. */
function publishedSize(e: Record<string, unknown>): number {
  const ms = typeof e.eventTime === 'number' ? e.eventTime : Date.parse(e.eventTime as string);
  const wire = { eventId: e.eventId, deviceId: e.deviceId, type: e.type, eventTime: new Date(ms).toISOString(), metrics: sorted(e.metrics as object), attributes: sorted((e.attributes as object) ?? {}) };
  return Buffer.byteLength(JSON.stringify(wire), 'utf8');
}

/** Adds 12 attributes p00..p11 of '€' (3 bytes, 1 character) and 'x' so the published size is `bytes`. */
function padToPublished(e: Record<string, unknown>, bytes: number): void {
  const attributes: Record<string, string> = { ...((e.attributes as Record<string, string>) ?? {}) };
  const keys = Array.from({ length: 12 }, (_, i) => `p${String(i).padStart(2, '0')}`);
  for (const key of keys) attributes[key] = '';
  e.attributes = attributes;
  let left = bytes - publishedSize(e);
  for (const key of keys) {
    const euros = Math.max(0, Math.min(256, Math.floor(left / 3)));
    const xs = Math.max(0, Math.min(256 - euros, left - euros * 3));
    attributes[key] = '€'.repeat(euros) + 'x'.repeat(xs);
    left -= euros * 3 + xs;
  }
  if (publishedSize(e) !== bytes) throw new Error(`could not pad to ${bytes} bytes (at ${publishedSize(e)})`);
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

    // Metric names include Object.prototype members: ordinary names that must aggregate like any other.
    const metricName = fc.oneof(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,15}$/), fc.constantFrom('constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf'));
    const validEvent = fc.record({
      // Valid ids: the pattern, minus ids of dots only (rejected: a URL resolves them away).
      deviceId: fc.stringMatching(/^[A-Za-z0-9._:-]{1,40}$/).filter((id) => !/^\.+$/.test(id)),
      type: fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,20}$/),
      offsetMs: fc.integer({ min: -6 * 24 * 3600_000, max: 60_000 }),
      asString: fc.boolean(),
      metrics: fc.dictionary(metricName, fc.double({ noNaN: true, noDefaultInfinity: true }), { minKeys: 1, maxKeys: 5 }),
      attributes: fc.option(fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_.-]{0,10}$/), fc.string({ maxLength: 40 }), { maxKeys: 4 }), { nil: undefined }),
      // Padded to this many bytes as published (the size the contract limits), or not padded.
      publishedBytes: fc.option(fc.integer({ min: 8000, max: 8192 }), { nil: undefined }),
    });
    const deep = (levels: number): unknown => (levels === 0 ? 1 : [deep(levels - 1)]);
    /**
     * Each breakage names the field its reason must start with; it edits the event, or returns
     * what is sent instead of it (structure breakages).
     */
    const breakages: [string, (e: Record<string, unknown>) => unknown][] = [
      ['deviceId', (e) => void (e.deviceId = 'has space')],
      ['deviceId', (e) => void (e.deviceId = '..')],
      ['deviceId', (e) => void (e.deviceId = 'x'.repeat(129))],
      ['eventId', (e) => void (e.eventId = 'hash#tag')],
      ['type', (e) => void (e.type = '')],
      ['eventTime', (e) => void (e.eventTime = now + 24 * 3600_000)],
      ['eventTime', (e) => void (e.eventTime = 'yesterday')],
      ['metrics', (e) => void (e.metrics = {})],
      ['metrics.', (e) => void (e.metrics = { ok: 1, bad: 'x' })],
      ['attributes.', (e) => void (e.attributes = { k: 'y'.repeat(300) })],
      ['extra', (e) => void (e.extra = 1)],
      // Structure: not an object at all.
      ['event: must be a JSON object', () => null],
      ['event: must be a JSON object', (e) => [e]],
      ['event: must be a JSON object', () => 'an event'],
      // Property names: __proto__ would set a prototype instead of a value.
      ['metrics.__proto__', (e) => void (e.metrics = Object.defineProperty({ ok: 1 }, '__proto__', { value: 5, enumerable: true }))],
      ['attributes.__proto__', (e) => void (e.attributes = Object.defineProperty({}, '__proto__', { value: 'v', enumerable: true }))],
      // Nesting beyond MAX_NESTING_DEPTH.
      ['event: nested more than 16 levels', (e) => void (e.attributes = { a: deep(40) })],
      // Just over 8 KiB as published.
      ['event: 8', (e) => void padToPublished(e, 8193 + (counter % 100))],
    ];
    const item = fc.oneof(
      validEvent.map((v) => ({ broken: undefined as number | undefined, v })),
      fc.tuple(validEvent, fc.integer({ min: 0, max: breakages.length - 1 })).map(([v, b]) => ({ broken: b as number | undefined, v })),
    );

    try {
      await fc.assert(
        fc.asyncProperty(fc.array(item, { minLength: 1, maxLength: 8 }), fc.boolean(), async (items, ndjson) => {
          const body = items.map(({ broken, v }) => {
            const e: Record<string, unknown> = {
              eventId: `fz-${++counter}`,
              deviceId: v.deviceId,
              type: v.type,
              eventTime: v.asString ? new Date(now + v.offsetMs).toISOString() : now + v.offsetMs,
              metrics: v.metrics,
              ...(v.attributes ? { attributes: v.attributes } : {}),
            };
            if (v.publishedBytes !== undefined) padToPublished(e, v.publishedBytes);
            if (broken === undefined) return e;
            const replaced = breakages[broken][1](e);
            return replaced === undefined ? e : replaced;
          });
          const text = ndjson ? body.map((b) => JSON.stringify(b)).join('\n') : JSON.stringify(body);
          const res = await fetch(`${ingest.address}/v1/events`, {
            method: 'POST',
            headers: { ...headers, 'content-type': ndjson ? 'application/x-ndjson' : 'application/json' },
            body: text,
          });
          const invalid = items.filter((i) => i.broken !== undefined).length;
          expect(res.status).toBe(invalid === 0 ? 200 : invalid === items.length ? 400 : 207);
          const json = await res.json();
          items.forEach((it, i) => {
            const r = json.results[i];
            if (it.broken === undefined) {
              expect(r).toEqual({ index: i, eventId: (body[i] as { eventId: string }).eventId, status: 'accepted' });
              accepted.add((body[i] as { eventId: string }).eventId);
            } else {
              expect(r.status).toBe('rejected');
              // The diff shows the whole reason when it does not start with the field.
              expect(r.reason.startsWith(breakages[it.broken][0]) ? breakages[it.broken][0] : r.reason).toBe(breakages[it.broken][0]);
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
      // Nothing the gateway accepted was dead-lettered downstream.
      expect(processor.metrics.counters.eventsDeadLettered).toBe(0);
    } finally {
      await Promise.all([ingest.stop(), processor.stop()]);
    }
  });
});
