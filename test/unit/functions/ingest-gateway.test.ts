import pino from 'pino';
import { buildIngestServer, packMessages } from '../../../functions/ingest/server';
import { loadIngestConfig } from '../../../functions/ingest/config';
import { OrderedPublisher, type PublishTarget } from '../../../functions/ingest/ordered-publisher';
import { ApiKeyVerifier } from '../../../functions/ingest/auth';
import { validateEvent } from '../../../functions/shared/event';

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);
const KEY = 'secret-key-1';

/** Mimics the Pub/Sub client with ordering: a failure pauses the key until resumePublishing. */
class FakeTopic implements PublishTarget {
  published: { key: string; data: string; attributes: Record<string, string> }[] = [];
  paused = new Set<string>();
  failNext = 0;
  /** While set, publishes wait on it (Pub/Sub slow to confirm). */
  gate?: Promise<void>;
  resumed: string[] = [];
  async publishMessage(m: { data: Buffer; orderingKey: string; attributes: Record<string, string> }): Promise<string> {
    await Promise.resolve();
    if (this.gate) await this.gate;
    if (this.paused.has(m.orderingKey)) throw new Error(`Unable to publish for key "${m.orderingKey}". Call resumePublishing`);
    if (this.failNext > 0) {
      this.failNext--;
      this.paused.add(m.orderingKey);
      throw new Error('14 UNAVAILABLE: injected');
    }
    this.published.push({ key: m.orderingKey, data: m.data.toString('utf8'), attributes: m.attributes });
    return String(this.published.length);
  }
  resumePublishing(key: string) {
    this.paused.delete(key);
    this.resumed.push(key);
  }
  async flush() {}
}

function server(topic: FakeTopic, overrides: Partial<Parameters<typeof buildIngestServer>[0]> = {}) {
  return buildIngestServer({
    publisher: new OrderedPublisher(topic),
    apiKeyDigests: [ApiKeyVerifier.sha256Hex('other-key'), ApiKeyVerifier.sha256Hex(KEY)],
    eventsPerMessage: 1,
    maxBodyBytes: 64 * 1024,
    maxEventsPerRequest: 10,
    maxInFlightEvents: 100,
    publishTimeoutMs: 2000,
    logger: pino({ level: 'silent' }),
    now: () => NOW,
    ...overrides,
  });
}

type App = ReturnType<typeof server>;
const opened: App[] = [];
afterAll(async () => {
  await Promise.all(opened.map((a) => a.close()));
});

/** Real HTTP on a loopback port (fastify's inject pulls an ESM-only dependency Jest cannot load on Node 20). */
async function call(app: App, opts: { method: string; url: string; headers?: Record<string, string>; payload?: unknown }) {
  if (!opened.includes(app)) {
    await app.listen({ port: 0, host: '127.0.0.1' });
    opened.push(app);
  }
  const { port } = app.server.address() as { port: number };
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  let body: string | Uint8Array | undefined;
  if (opts.payload !== undefined) {
    const raw = typeof opts.payload === 'string' || Buffer.isBuffer(opts.payload);
    body = raw ? (typeof opts.payload === 'string' ? opts.payload : new Uint8Array(opts.payload as Buffer)) : JSON.stringify(opts.payload);
    if (!raw && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  }
  const res = await fetch(`http://127.0.0.1:${port}${opts.url}`, { method: opts.method, headers, body: body as BodyInit | undefined });
  const text = await res.text();
  return { statusCode: res.status, headers: { "retry-after": res.headers.get("retry-after") ?? undefined }, json: () => JSON.parse(text) };
}

const ev = (i: number, deviceId = 'dev-1') => ({ eventId: `e-${i}`, deviceId, type: 'reading', eventTime: NOW - 1000 + i, metrics: { v: i } });
const auth = { authorization: `Bearer ${KEY}` };

describe('ingest gateway', () => {
  it('rejects missing and wrong keys with 401 before reading the body, accepts either header', async () => {
    const app = server(new FakeTopic());
    const none = await call(app, { method: 'POST', url: '/v1/events', payload: ev(1) });
    expect(none.statusCode).toBe(401);
    expect(none.json().error).toMatch(/missing or invalid API key/);
    expect((await call(app, { method: 'POST', url: '/v1/events', headers: { 'x-api-key': 'nope' }, payload: ev(1) })).statusCode).toBe(401);
    expect((await call(app, { method: 'POST', url: '/v1/events', headers: { 'x-api-key': KEY }, payload: ev(1) })).statusCode).toBe(200);
    expect((await call(app, { method: 'POST', url: '/v1/events', headers: auth, payload: ev(2) })).statusCode).toBe(200);
    expect((await call(app, { method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok', inFlightEvents: 0, activeOrderingKeys: 0 });
  });

  it('requires the key on every path that routes to the ingest handler (percent-encoded, query string)', async () => {
    const topic = new FakeTopic();
    const app = server(topic);
    for (const url of ['/v1/%65vents', '/%761/events', '/v1/event%73', '/v1/events?x=1', '/v1%2Fevents']) {
      const res = await call(app, { method: 'POST', url, payload: ev(1) });
      // Refused (401) or not the endpoint at all (404); never accepted without a key.
      expect({ url, refused: [401, 404].includes(res.statusCode) }).toEqual({ url, refused: true });
    }
    // Every encoded spelling the router sends to the handler is refused without a key.
    expect((await call(app, { method: 'POST', url: '/v1/%65vents', payload: ev(1) })).statusCode).toBe(401);
    expect((await call(app, { method: 'POST', url: '/%761/events', payload: ev(1) })).statusCode).toBe(401);
    expect(topic.published).toHaveLength(0);
    // With the key the same spelling works (it is the same endpoint).
    expect((await call(app, { method: 'POST', url: '/v1/%65vents', headers: auth, payload: ev(1) })).statusCode).toBe(200);
    expect(topic.published).toHaveLength(1);
  });

  it('answers unknown paths 404 in the same {error} shape as every other error', async () => {
    const res = await call(server(new FakeTopic()), { method: 'GET', url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'no such endpoint: GET /nope' });
  });

  it('publishes one event with ordering key = device and the event id attribute, answering 200', async () => {
    const topic = new FakeTopic();
    const res = await call(server(topic), { method: 'POST', url: '/v1/events', headers: auth, payload: ev(1) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ accepted: 1, rejected: 0, failed: 0, results: [{ index: 0, eventId: 'e-1', status: 'accepted' }] });
    expect(topic.published).toEqual([
      {
        key: 'dev-1',
        attributes: { eventId: 'e-1', eventCount: '1' },
        data: JSON.stringify({ eventId: 'e-1', deviceId: 'dev-1', type: 'reading', eventTime: '2026-12-03T11:59:59.001Z', metrics: { v: 1 }, attributes: {} }), // attributes always sent: the AVRO schema requires the field
      },
    ]);
  });

  it('answers 207 with a reason per rejected item and publishes the valid ones (NDJSON)', async () => {
    const topic = new FakeTopic();
    const body = [JSON.stringify(ev(1)), '{oops', '', JSON.stringify({ ...ev(3), deviceId: 'bad#id' })].join('\n');
    const res = await call(server(topic), { method: 'POST', url: '/v1/events', headers: { ...auth, 'content-type': 'application/x-ndjson' }, payload: body });
    expect(res.statusCode).toBe(207);
    expect(res.json()).toEqual({
      accepted: 1,
      rejected: 2,
      failed: 0,
      results: [
        { index: 0, eventId: 'e-1', status: 'accepted' },
        { index: 1, status: 'rejected', reason: 'line 2: not valid JSON' },
        { index: 2, eventId: 'e-3', status: 'rejected', reason: 'deviceId: must match ^[A-Za-z0-9._:-]{1,128}$' },
      ],
    });
    expect(topic.published).toHaveLength(1);
  });

  it('answers 400, 413 and 415 naming the problem and the limit', async () => {
    const app = server(new FakeTopic());
    const bad = await call(app, { method: 'POST', url: '/v1/events', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"a":' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/^body: not valid JSON/);
    const allInvalid = await call(app, { method: 'POST', url: '/v1/events', headers: auth, payload: [{ ...ev(1), metrics: {} }] });
    expect(allInvalid.statusCode).toBe(400);
    expect(allInvalid.json().results[0].reason).toBe('metrics: at least 1 metric required');
    const tooMany = await call(app, { method: 'POST', url: '/v1/events', headers: auth, payload: Array.from({ length: 11 }, (_, i) => ev(i)) });
    expect(tooMany.statusCode).toBe(413);
    expect(tooMany.json().error).toBe('batch of 11 events exceeds MAX_EVENTS_PER_REQUEST 10');
    const tooBig = await call(app, { method: 'POST', url: '/v1/events', headers: { ...auth, 'content-type': 'application/json' }, payload: 'x'.repeat(64 * 1024 + 1) });
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.json().error).toBe('body exceeds MAX_BODY_BYTES 65536');
    const text = await call(app, { method: 'POST', url: '/v1/events', headers: { ...auth, 'content-type': 'text/plain' }, payload: 'hi' });
    expect(text.statusCode).toBe(415);
    expect(text.json().error).toBe('Content-Type text/plain not supported; use application/json or application/x-ndjson');
  });

  it('rejects a deeply nested event with a reason and still publishes the valid one beside it (207, not 500)', async () => {
    const topic = new FakeTopic();
    const levels = 12_000; // JSON.parse copes; a recursive JSON.stringify of it overflows the stack
    const nested = JSON.stringify({ ...ev(2), attributes: { a: 'PLACEHOLDER' } }).replace('"PLACEHOLDER"', '['.repeat(levels) + ']'.repeat(levels));
    const body = `[${JSON.stringify(ev(1))},${nested}]`;
    const res = await call(server(topic), { method: 'POST', url: '/v1/events', headers: { ...auth, 'content-type': 'application/json' }, payload: body });
    expect(res.statusCode).toBe(207);
    expect(res.json().results).toEqual([
      { index: 0, eventId: 'e-1', status: 'accepted' },
      { index: 1, eventId: 'e-2', status: 'rejected', reason: 'event: nested more than 16 levels deep (MAX_NESTING_DEPTH)' },
    ]);
    expect(topic.published.map((p) => JSON.parse(p.data).eventId)).toEqual(['e-1']);
    // NDJSON too (the line is measured differently, the nesting rule is the same).
    const nd = await call(server(new FakeTopic()), { method: 'POST', url: '/v1/events', headers: { ...auth, 'content-type': 'application/x-ndjson' }, payload: nested });
    expect(nd.statusCode).toBe(400);
    expect(nd.json().results[0].reason).toBe('event: nested more than 16 levels deep (MAX_NESTING_DEPTH)');
  });

  it('rejects a __proto__ metric or attribute name with a reason instead of accepting and dropping it', async () => {
    const topic = new FakeTopic();
    const body = `[{"eventId":"p1","deviceId":"d","type":"t","eventTime":${NOW},"metrics":{"__proto__":5}},` +
      `{"eventId":"p2","deviceId":"d","type":"t","eventTime":${NOW},"metrics":{"x":1},"attributes":{"__proto__":"secret"}},` +
      `{"eventId":"p3","deviceId":"d","type":"t","eventTime":${NOW},"metrics":{"constructor":1,"toString":2}}]`;
    const res = await call(server(topic), { method: 'POST', url: '/v1/events', headers: { ...auth, 'content-type': 'application/json' }, payload: body });
    expect(res.statusCode).toBe(207);
    expect(res.json().results).toEqual([
      { index: 0, eventId: 'p1', status: 'rejected', reason: 'metrics.__proto__: name is reserved (it sets the prototype of a JavaScript object)' },
      { index: 1, eventId: 'p2', status: 'rejected', reason: 'attributes.__proto__: key is reserved (it sets the prototype of a JavaScript object)' },
      { index: 2, eventId: 'p3', status: 'accepted' },
    ]);
    expect(JSON.parse(topic.published[0].data).metrics).toEqual({ constructor: 1, toString: 2 });
  });

  it('rejects a repeated event id of the same device within one request, naming the first index', async () => {
    const topic = new FakeTopic();
    const body = [
      { ...ev(1), metrics: {} }, // invalid: does not claim the id
      ev(1),
      ev(1), // the same event again
      { ...ev(1), eventTime: NOW - 5000 }, // the same id for another time: it would become a second row
      ev(1, 'dev-2'), // another device: another event
    ];
    const res = await call(server(topic), { method: 'POST', url: '/v1/events', headers: auth, payload: body });
    expect(res.statusCode).toBe(207);
    expect(res.json().results).toEqual([
      { index: 0, eventId: 'e-1', status: 'rejected', reason: 'metrics: at least 1 metric required' },
      { index: 1, eventId: 'e-1', status: 'accepted' },
      { index: 2, eventId: 'e-1', status: 'rejected', reason: 'eventId: duplicate of index 1 (same device and event id in one request)' },
      { index: 3, eventId: 'e-1', status: 'rejected', reason: 'eventId: duplicate of index 1 (same device and event id in one request)' },
      { index: 4, eventId: 'e-1', status: 'accepted' },
    ]);
    expect(topic.published.map((p) => p.key)).toEqual(['dev-1', 'dev-2']);
  });

  it('answers 400 for a body that is not valid UTF-8 or an attribute with an unpaired surrogate, instead of storing altered text', async () => {
    const topic = new FakeTopic();
    const app = server(topic);
    const json = { ...auth, 'content-type': 'application/json' };
    const bytes = Buffer.concat([Buffer.from(JSON.stringify([{ ...ev(1), attributes: { a: 'X' } }]).replace('"X"', '"')), Buffer.from([0xff, 0xfe]), Buffer.from('"}}]')]);
    const bad = await call(app, { method: 'POST', url: '/v1/events', headers: json, payload: bytes });
    expect([bad.statusCode, bad.json()]).toEqual([400, { error: 'body: not valid UTF-8 (send the events as UTF-8 JSON)' }]);
    const ndjson = await call(app, { method: 'POST', url: '/v1/events', headers: { ...auth, 'content-type': 'application/x-ndjson' }, payload: bytes });
    expect(ndjson.statusCode).toBe(400);
    const surrogate = await call(app, { method: 'POST', url: '/v1/events', headers: json, payload: JSON.stringify([{ ...ev(2), attributes: { a: 'ok' } }, { ...ev(3), attributes: { a: 'x' } }]).replace('"x"', '"\\ud800"') });
    expect(surrogate.statusCode).toBe(207);
    expect(surrogate.json().results[1]).toEqual({ index: 1, eventId: 'e-3', status: 'rejected', reason: 'attributes.a: holds an unpaired UTF-16 surrogate (not valid Unicode text)' });
    // A paired surrogate (an emoji) is ordinary text; a UTF-8 byte-order mark is ignored.
    const emoji = await call(app, { method: 'POST', url: '/v1/events', headers: json, payload: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify([{ ...ev(4), attributes: { a: '\u{1F600}' } }]))]) });
    expect(emoji.statusCode).toBe(200);
    expect(topic.published.map((p) => JSON.parse(p.data)).flat().map((e: { eventId: string }) => e.eventId)).toEqual(['e-2', 'e-4']);
  });

  it('answers 415 for a compressed body or a charset other than UTF-8 instead of misreading it', async () => {
    const topic = new FakeTopic();
    const app = server(topic);
    const gz = await call(app, { method: 'POST', url: '/v1/events', headers: { ...auth, 'content-type': 'application/json', 'content-encoding': 'gzip' }, payload: JSON.stringify(ev(1)) });
    expect(gz.statusCode).toBe(415);
    expect(gz.json()).toEqual({ error: 'Content-Encoding gzip not supported; send the body uncompressed' });
    const latin1 = await call(app, { method: 'POST', url: '/v1/events', headers: { ...auth, 'content-type': 'application/json; charset=latin1' }, payload: JSON.stringify(ev(1)) });
    expect(latin1.statusCode).toBe(415);
    expect(latin1.json()).toEqual({ error: 'Content-Type charset latin1 not supported; use utf-8' });
    expect(topic.published).toHaveLength(0);
    const utf8 = await call(app, { method: 'POST', url: '/v1/events', headers: { ...auth, 'content-type': 'application/x-ndjson; charset="UTF-8"', 'content-encoding': 'identity' }, payload: JSON.stringify(ev(1)) });
    expect(utf8.statusCode).toBe(200);
    // Without a key the answer is still 401 (authentication comes first).
    expect((await call(app, { method: 'POST', url: '/v1/events', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, payload: '{}' })).statusCode).toBe(401);
  });

  it('answers 429 naming the in-flight limit while Pub/Sub has not confirmed earlier events', async () => {
    const topic = new FakeTopic();
    let release = () => {};
    topic.gate = new Promise<void>((r) => (release = r));
    const app = server(topic, { maxInFlightEvents: 3, publishTimeoutMs: 60_000 });
    const first = call(app, { method: 'POST', url: '/v1/events', headers: auth, payload: [ev(1), ev(2)] });
    for (let i = 0; i < 100 && app.inFlightEvents() === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(app.inFlightEvents()).toBe(2);
    const second = await call(app, { method: 'POST', url: '/v1/events', headers: auth, payload: [ev(3), ev(4)] });
    expect(second.statusCode).toBe(429);
    expect(second.headers['retry-after']).toBe('1');
    expect(second.json().error).toBe('gateway busy: 2 events awaiting Pub/Sub, this request adds 2 (MAX_IN_FLIGHT_EVENTS 3)');
    release();
    expect((await first).statusCode).toBe(200);
    expect(app.inFlightEvents()).toBe(0);
  });

  it('answers 503 with failed items when Pub/Sub keeps failing past the deadline', async () => {
    const topic = new FakeTopic();
    topic.failNext = Number.POSITIVE_INFINITY;
    const res = await call(server(topic, { publishTimeoutMs: 200 }), { method: 'POST', url: '/v1/events', headers: auth, payload: [ev(1)] });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({
      accepted: 0,
      rejected: 0,
      failed: 1,
      results: [{ index: 0, eventId: 'e-1', status: 'failed', reason: 'not published: Pub/Sub did not confirm the publish before the deadline: 14 UNAVAILABLE: injected' }],
    });
    expect(topic.published).toHaveLength(0);
  });

  it('re-publishes a failed message before later ones of its key, then resumes the key', async () => {
    const topic = new FakeTopic();
    topic.failNext = 1;
    const app = server(topic, { eventsPerMessage: 2 });
    // dev-1 gets 5 events -> messages [1,2] [3,4] [5]; dev-2 gets 1 event.
    const payload = [ev(1), ev(2), ev(10, 'dev-2'), ev(3), ev(4), ev(5)];
    const res = await call(app, { method: 'POST', url: '/v1/events', headers: auth, payload });
    expect(res.statusCode).toBe(200);
    expect(res.json().accepted).toBe(6);
    const order = (key: string) =>
      topic.published.filter((p) => p.key === key).flatMap((p) => {
        const body = JSON.parse(p.data);
        return (body.events ?? [body]).map((e: { eventId: string }) => e.eventId);
      });
    expect(order('dev-1')).toEqual(['e-1', 'e-2', 'e-3', 'e-4', 'e-5']);
    expect(order('dev-2')).toEqual(['e-10']);
    expect(topic.resumed.length).toBe(1);
  });

  it('packs events per device in request order into messages of EVENTS_PER_MESSAGE', () => {
    const events = [ev(1), ev(2, 'b'), ev(3), ev(4), ev(5, 'b')].map((raw, index) => {
      const r = validateEvent(raw);
      if (!r.ok) throw new Error(r.reason);
      return { index, event: r.event };
    });
    expect(packMessages(events, 2).map((m) => [m.deviceId, m.items.map((i) => i.index)])).toEqual([
      ['dev-1', [0, 2]],
      ['dev-1', [3]],
      ['b', [1, 4]],
    ]);
  });
});

describe('ingest gateway configuration', () => {
  const base = { GOOGLE_CLOUD_PROJECT: 'p', INGEST_API_KEY_SHA256: 'a'.repeat(64) };
  it('refuses an in-flight limit below the request limit: a full request would be answered 429 forever', () => {
    expect(() => loadIngestConfig({ ...base, MAX_IN_FLIGHT_EVENTS: '5', MAX_EVENTS_PER_REQUEST: '6' })).toThrow(
      'bad configuration: MAX_IN_FLIGHT_EVENTS: must be at least MAX_EVENTS_PER_REQUEST (a request of that many events could never be accepted)',
    );
    expect(loadIngestConfig({ ...base, MAX_IN_FLIGHT_EVENTS: '6', MAX_EVENTS_PER_REQUEST: '6' }).MAX_IN_FLIGHT_EVENTS).toBe(6);
  });
});
