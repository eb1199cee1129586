/**
 * What the gateway accepts, the processor stores and the archive UDF archives: the gateway
 * measures an event as it publishes it (the canonical wire JSON), downstream checks the same
 * form, and no downstream check depends on how long the message took to be published (a spill
 * replay can publish days later). Gateway over HTTP with a recording topic; its messages go
 * to a processor with in-memory tables and to the built UDF.
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import pino from 'pino';
import fc from 'fast-check';
import { buildIngestServer } from '../../../functions/ingest/server';
import { OrderedPublisher, type PublishTarget } from '../../../functions/ingest/ordered-publisher';
import { ApiKeyVerifier } from '../../../functions/ingest/auth';
import { ProcessorMetrics } from '../../../functions/processor/metrics';
import { SpeedLayerProcessor, type IncomingMessage } from '../../../functions/processor/speed-layer';
import type { RowEntry } from '../../../functions/processor/durable-writes';
import type { WindowFinalizer } from '../../../functions/processor/window-finalizer';
import { buildUdf } from '../../../functions/udf/build';
import { loadUdf, type Transform } from '../../../functions/archive-worker/udf-runner';
import { MAX_EVENT_AGE_MS, MAX_EVENT_BYTES, MAX_FUTURE_SKEW_MS } from '../../../functions/shared/event-limits';

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);
const KEY = 'agreement-key';
const DAY = 24 * 3600_000;

class RecordingTopic implements PublishTarget {
  published: { data: Buffer; attributes: Record<string, string> }[] = [];
  async publishMessage(m: { data: Buffer; orderingKey: string; attributes: Record<string, string> }) {
    this.published.push({ data: m.data, attributes: m.attributes });
    return String(this.published.length);
  }
  resumePublishing() {}
  async flush() {}
}

let udf: Transform;
const topic = new RecordingTopic();
const gateway = buildIngestServer({
  publisher: new OrderedPublisher(topic),
  apiKeyDigests: [ApiKeyVerifier.sha256Hex(KEY)],
  eventsPerMessage: 1,
  maxBodyBytes: 1024 * 1024,
  maxEventsPerRequest: 100,
  maxInFlightEvents: 1000,
  publishTimeoutMs: 2000,
  logger: pino({ level: 'silent' }),
  now: () => NOW,
});
let port = 0;
beforeAll(async () => {
  udf = loadUdf(buildUdf(join(mkdtempSync(join(tmpdir(), 'udf-')), 'transform.js')));
  await gateway.listen({ port: 0, host: '127.0.0.1' });
  port = (gateway.server.address() as { port: number }).port;
}, 60_000);
afterAll(() => gateway.close());

async function ingest(body: string, contentType = 'application/json') {
  const res = await fetch(`http://127.0.0.1:${port}/v1/events`, { method: 'POST', headers: { 'content-type': contentType, 'x-api-key': KEY }, body });
  return { status: res.status, body: await res.json() };
}

/** Runs published messages through a processor; returns the stored event ids and the dead letters. */
async function process(messages: { data: Buffer; attributes: Record<string, string> }[], publishTimeMs: number) {
  const stored: string[] = [];
  const dead: string[] = [];
  const table = { mutate: async (entries: RowEntry[]) => void stored.push(...entries.filter((e) => e.data.e).map((e) => e.key.split('#')[2])) };
  const processor = new SpeedLayerProcessor({
    eventsTable: table,
    aggregatesTable: { mutate: async () => undefined },
    deadLetter: { publish: async (_data, attributes) => (dead.push(attributes.deadLetterReason), 'dl') },
    finalizer: { isTooLate: () => false, observe: () => false, finalize: async () => undefined } as unknown as WindowFinalizer,
    metrics: new ProcessorMetrics(),
    logger: pino({ level: 'silent' }),
    slideMs: 10_000,
    batchDeadlineMs: 500,
  });
  messages.forEach((m, i) => {
    const msg: IncomingMessage = { id: `m-${i}`, data: m.data, attributes: m.attributes, orderingKey: 'd', publishTimeMs, receivedAtNs: process_hr(), ack: () => undefined, nack: () => undefined };
    processor.handle(msg);
  });
  await processor.drain();
  return { stored, dead };
}
const process_hr = () => globalThis.process.hrtime.bigint();

/** `bytes` of UTF-8 in 16 attribute values of at most 256 characters: `char` repeated, topped up with 'x'. */
function padding(bytes: number, char: string): Record<string, string> {
  const charBytes = Buffer.byteLength(char, 'utf8');
  const attributes: Record<string, string> = {};
  let left = bytes;
  for (let i = 0; i < 16; i++) {
    let v = '';
    while (v.length + char.length <= 256 && left >= charBytes) (v += char), (left -= charBytes);
    while (v.length < 256 && left > 0 && left < charBytes) (v += 'x'), left--;
    attributes[`a${String(i).padStart(2, '0')}`] = v;
  }
  if (left > 0) throw new Error(`cannot pad ${bytes} bytes`);
  return attributes;
}

/** An event with epoch-ms time whose published form is exactly `wireBytes` long. */
function eventOfWireSize(eventId: string, wireBytes: number, char = 'é') {
  const eventTime = NOW - 1000;
  const base = { eventId, deviceId: 'dev-size', type: 'reading', eventTime, metrics: { v: 1 }, attributes: padding(0, char) };
  // Published: the time as a 24-character RFC 3339 string ("...Z", 26 with quotes) instead of 13 digits.
  const wireOverhead = Buffer.byteLength(JSON.stringify({ ...base, eventTime: new Date(eventTime).toISOString() }), 'utf8');
  return { ...base, attributes: padding(wireBytes - wireOverhead, char) };
}

describe('gateway, processor and archive UDF agree on the contract', () => {
  it('measures the size on the published form: exactly MAX_EVENT_BYTES passes everywhere, one byte more is rejected at the gateway', async () => {
    topic.published = [];
    const fits = eventOfWireSize('fits', MAX_EVENT_BYTES);
    const over = eventOfWireSize('over', MAX_EVENT_BYTES + 1);
    // As sent, both are smaller than the limit (13 digits of time instead of a 26-character string).
    expect(Buffer.byteLength(JSON.stringify(over), 'utf8')).toBe(MAX_EVENT_BYTES + 1 - 13);
    const res = await ingest(JSON.stringify([fits, over]));
    expect(res.status).toBe(207);
    expect(res.body.results).toEqual([
      { index: 0, eventId: 'fits', status: 'accepted' },
      { index: 1, eventId: 'over', status: 'rejected', reason: 'event: 8193 bytes as published exceeds MAX_EVENT_BYTES 8192' },
    ]);
    expect(topic.published.map((m) => m.data.length)).toEqual([MAX_EVENT_BYTES]);
    // NDJSON measures the same thing (not the line as sent).
    const nd = await ingest([JSON.stringify(fits), JSON.stringify(over)].join('\n'), 'application/x-ndjson');
    expect(nd.body.results.map((r: { status: string }) => r.status)).toEqual(['accepted', 'rejected']);
    const { stored, dead } = await process(topic.published, NOW);
    // Two messages of the same event (array and NDJSON request) in one batch: one row.
    expect({ stored, dead }).toEqual({ stored: ['fits'], dead: [] });
    for (const m of topic.published) expect(JSON.parse(udf(m.data.toString('utf8'))).event_id).toBe('fits');
  });

  it('stores an accepted event however late it is published (a spill replayed days later) and with Pub/Sub`s clock behind the gateway`s', async () => {
    topic.published = [];
    const old = { eventId: 'old', deviceId: 'dev-age', type: 'reading', eventTime: NOW - MAX_EVENT_AGE_MS + 1000, metrics: { v: 1 } };
    const ahead = { eventId: 'ahead', deviceId: 'dev-age', type: 'reading', eventTime: NOW + MAX_FUTURE_SKEW_MS, metrics: { v: 1 } };
    expect((await ingest(JSON.stringify([old, ahead]))).status).toBe(200);
    // Replayed from the spill store 3 days later: the old event is now 10 days older than its publish time.
    expect(await process(topic.published, NOW + 3 * DAY)).toEqual({ stored: ['old', 'ahead'], dead: [] });
    // Published by a Pub/Sub whose clock is 30 s behind the gateway's.
    expect(await process(topic.published, NOW - 30_000)).toEqual({ stored: ['old', 'ahead'], dead: [] });
  });

  it('still dead-letters an event far ahead of its publish time downstream', async () => {
    const message = { data: Buffer.from(JSON.stringify({ eventId: 'future', deviceId: 'd', type: 't', eventTime: new Date(NOW + DAY).toISOString(), metrics: { v: 1 }, attributes: {} })), attributes: { eventCount: '1' } };
    expect(await process([message], NOW)).toEqual({ stored: [], dead: ['eventTime: more than 360000 ms (MAX_FUTURE_SKEW_MS + PUBLISH_CLOCK_MARGIN_MS) ahead of the publish time'] });
  });

  it('on generated events near 8 KiB: every event the gateway accepts is stored and archived, every rejection has a reason', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            bytes: fc.integer({ min: MAX_EVENT_BYTES - 40, max: MAX_EVENT_BYTES + 40 }),
            asString: fc.boolean(),
            char: fc.constantFrom('é', '😀', '€'),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        async (specs) => {
          topic.published = [];
          const events = specs.map((s, i) => {
            // Multi-byte characters: the limit counts UTF-8 bytes, not characters.
            const e = eventOfWireSize(`g-${i}`, s.bytes, s.char);
            // Half as RFC 3339 with an offset and nanoseconds (longer as sent than as published).
            return s.asString ? { ...e, eventTime: '2026-12-03T13:59:59.000000001+02:00' } : e;
          });
          const res = await ingest(JSON.stringify(events));
          const accepted = res.body.results.filter((r: { status: string }) => r.status === 'accepted').map((r: { eventId: string }) => r.eventId);
          for (const r of res.body.results) if (r.status === 'rejected') expect(r.reason).toMatch(/^event: \d+ bytes as published exceeds MAX_EVENT_BYTES 8192$/);
          const { stored, dead } = await process(topic.published, NOW + 8 * DAY);
          expect(dead).toEqual([]);
          expect(stored).toEqual(accepted);
          for (const m of topic.published) expect(() => udf(m.data.toString('utf8'))).not.toThrow();
          for (const m of topic.published) expect(m.data.length).toBeLessThanOrEqual(MAX_EVENT_BYTES);
        },
      ),
      { numRuns: 60 },
    );
  });
});
