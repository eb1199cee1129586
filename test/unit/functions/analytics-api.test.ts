/**
 * The analytics API over HTTP with in-memory stores: an ordered row map standing in for
 * Bigtable (range reads in key order, like ReadRows) and a BigQuery whose batch view is a
 * fixed row list. Covers page tokens (signed, bound to the query, cursors inside the query's
 * range), parameter bounds, long device ids and what a store failure may say.
 */
import pino from 'pino';
import type { BigQuery } from '@google-cloud/bigquery';
import { buildAnalyticsServer, type AnalyticsOptions } from '../../../functions/analytics/server';
import { PageTokens } from '../../../functions/analytics/page-token';
import { loadAnalyticsConfig } from '../../../functions/analytics/config';
import type { RowReader } from '../../../functions/shared/bigtable-read';
import { cellTimestampMicros, eventRowKey, paneRowKey, windowRowKey } from '../../../functions/shared/row-keys';

const H = Date.UTC(2026, 11, 3, 9, 0, 0);
const NOW = H + 30 * 60_000; // 09:30
const HOUR = 3_600_000;
const SECRET = Buffer.from('a-test-secret-of-at-least-32-bytes-long');

type Cells = Record<string, Record<string, { value: string; timestamp: number }>>;

/** Rows in key order; getRows answers one [start, end) range with an optional limit. */
class MemoryTable implements RowReader {
  rows = new Map<string, Cells>();
  reads: { start: string; end: string }[] = [];
  set(key: string, cells: Cells) {
    this.rows.set(key, cells);
  }
  getRows = (async (options: { ranges: { start: { value: string }; end: { value: string } }[]; limit?: number }) => {
    const { start, end } = { start: options.ranges[0].start.value, end: options.ranges[0].end.value };
    this.reads.push({ start, end });
    const keys = [...this.rows.keys()].filter((k) => k >= start && k < end).sort();
    const picked = options.limit !== undefined ? keys.slice(0, options.limit) : keys;
    const rows = picked.map((id) => {
      const data: Record<string, Record<string, { value: string; timestamp: number }[]>> = {};
      for (const [family, cols] of Object.entries(this.rows.get(id)!)) {
        data[family] = {};
        for (const [q, cell] of Object.entries(cols)) data[family][q] = [cell];
      }
      return { id, data };
    });
    return [rows];
  }) as unknown as RowReader['getRows'];
}

function storedEvent(deviceId: string, ms: number, eventId: string): [string, Cells] {
  const body = { eventId, deviceId, type: 'reading', eventTime: new Date(ms).toISOString(), metrics: { v: 1 }, attributes: {} };
  return [eventRowKey(deviceId, ms, eventId), { e: { event: { value: JSON.stringify(body), timestamp: cellTimestampMicros(ms) } } }];
}

function storedWindow(deviceId: string, endMs: number, count: number): [string, Cells] {
  const w = { windowStartMs: endMs - 60_000, windowEndMs: endMs, eventCount: count, metrics: { v: { count, sum: count, min: 1, max: 1 } } };
  return [windowRowKey(deviceId, endMs), { a: { summary: { value: JSON.stringify(w), timestamp: cellTimestampMicros(endMs) } } }];
}

const hourlyRows = [0, 1, 2, 3].map((k) => ({ hour: { value: new Date(H - (k + 3) * HOUR).toISOString() }, metric: 'v', event_count: k + 1, value_count: k + 1, value_sum: k + 1, value_min: 1, value_max: 1 }));
const fakeBigQuery = { timestamp: (d: Date) => d.toISOString(), query: async () => [hourlyRows] } as unknown as BigQuery;

function stores() {
  const events = new MemoryTable();
  const aggregates = new MemoryTable();
  // Three devices whose rows sit next to each other in key order: d1 < d2 < d3.
  for (const d of ['d1', 'd2', 'd3']) {
    for (let i = 1; i <= 3; i++) events.set(...storedEvent(d, H + i * 60_000, `${d}-e${i}`));
    for (let i = 1; i <= 3; i++) aggregates.set(...storedWindow(d, H + i * 60_000, i));
    // A pane row: never a window, so it must never be read as one.
    aggregates.set(paneRowKey(d, H), { a: { 'x-1': { value: '{"v":1}', timestamp: cellTimestampMicros(H) } } });
  }
  return { events, aggregates };
}

const apps: { close(): Promise<unknown> }[] = [];
afterAll(() => Promise.all(apps.map((a) => a.close())));

async function api(overrides: Partial<AnalyticsOptions> = {}) {
  const { events, aggregates } = stores();
  const app = buildAnalyticsServer({
    eventsTable: events,
    aggregatesTable: aggregates,
    bigquery: fakeBigQuery,
    dataset: 'ds',
    batchViewTable: 'device_hourly',
    windowMs: 60_000,
    slideMs: 10_000,
    watermarkDelayMs: 10_000,
    hotWindowHours: 2,
    queryTimeoutMs: 2000,
    pageTokenSecrets: [SECRET],
    logger: pino({ level: 'silent' }),
    now: () => NOW,
    ...overrides,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  apps.push(app);
  const { port } = app.server.address() as { port: number };
  const get = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: res.status, body: await res.json() };
  };
  return { get, events, aggregates };
}

const range = `from=${H}&to=${H + HOUR}`;
const ids = (body: { items: { eventId: string }[] }) => body.items.map((e) => e.eventId);

/** Rewrites the cursor inside a token, keeping everything else (what a client could forge). */
function withCursor(token: string, cursor: string): string {
  const [payload, ...rest] = token.split('.');
  const json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  json.c = cursor;
  return [Buffer.from(JSON.stringify(json)).toString('base64url'), ...rest].join('.');
}

describe('analytics API: device ids', () => {
  it('refuses a device id of dots only, which no URL can carry unresolved', async () => {
    const { get } = await api();
    // fetch itself resolves . and .. away (the very problem); three dots reach the API.
    expect(await get('/v1/devices/.../events')).toEqual({ status: 400, body: { error: 'deviceId: must not be dots only (. and .. are path segments a URL resolves away)' } });
  });
});

describe('analytics API: store time limit', () => {
  it('a store that never answers is cut at QUERY_TIMEOUT_MS, and the 504 names that limit', async () => {
    const hung: RowReader = { getRows: (() => new Promise(() => undefined)) as unknown as RowReader['getRows'] };
    const { get } = await api({ eventsTable: hung as never, queryTimeoutMs: 300 });
    // The limit named is the configured one (it was the limit plus a second of grace).
    expect(await get(`/v1/devices/d3/events?${range}`)).toEqual({ status: 504, body: { error: 'store did not answer in time: Bigtable ReadRows: no answer within 300 ms' } });
  });
});

describe('analytics API: page tokens', () => {
  it('pages a device newest first and ends with no token', async () => {
    const { get } = await api();
    const p1 = await get(`/v1/devices/d3/events?${range}&pageSize=2`);
    expect(p1.status).toBe(200);
    expect(ids(p1.body)).toEqual(['d3-e3', 'd3-e2']);
    const p2 = await get(`/v1/devices/d3/events?${range}&pageSize=2&pageToken=${p1.body.nextPageToken}`);
    expect(ids(p2.body)).toEqual(['d3-e1']);
    expect(p2.body.nextPageToken).toBeUndefined();
  });

  it('pages the default range (no from or to: the last hour until now) while the clock moves: the token keeps the first page\'s range', async () => {
    let clock = NOW;
    const { get } = await api({ now: () => clock });
    const p1 = await get('/v1/devices/d3/events?pageSize=2');
    expect(p1.status).toBe(200);
    expect(ids(p1.body)).toEqual(['d3-e3', 'd3-e2']);
    clock += 1500; // a second and a half later "now" is another instant
    const p2 = await get(`/v1/devices/d3/events?pageSize=2&pageToken=${p1.body.nextPageToken}`);
    expect(p2.status).toBe(200);
    expect(ids(p2.body)).toEqual(['d3-e1']);
    expect([p2.body.from, p2.body.to]).toEqual([p1.body.from, p1.body.to]);
    // The same for windows and for hours, whose boundary moves with the clock too.
    const a1 = await get('/v1/devices/d3/aggregates?pageSize=1');
    clock += 1500;
    expect((await get(`/v1/devices/d3/aggregates?pageSize=1&pageToken=${a1.body.nextPageToken}`)).status).toBe(200);
    const h1 = await get('/v1/devices/d3/hourly?pageSize=1');
    clock += 2 * HOUR;
    const h2 = await get(`/v1/devices/d3/hourly?pageSize=1&pageToken=${h1.body.nextPageToken}`);
    expect(h2.status).toBe(200);
    expect([h2.body.from, h2.body.to, h2.body.boundary]).toEqual([h1.body.from, h1.body.to, h1.body.boundary]);
  });

  it('refuses a token whose range was edited (a wider window than the first page resolved)', async () => {
    const { get } = await api();
    const p1 = await get('/v1/devices/d3/events?pageSize=1');
    const [payload, ...rest] = p1.body.nextPageToken.split('.');
    const json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    json.f.from -= HOUR;
    const widened = [Buffer.from(JSON.stringify(json)).toString('base64url'), ...rest].join('.');
    expect(await get(`/v1/devices/d3/events?pageSize=1&pageToken=${widened}`)).toEqual({ status: 400, body: { error: 'pageToken: not a token this API issued (signature does not match)' } });
  });

  it('refuses a token whose cursor was edited (another device`s key): 400, no other device`s rows', async () => {
    const { get } = await api();
    const p1 = await get(`/v1/devices/d3/events?${range}&pageSize=1`);
    const forged = withCursor(p1.body.nextPageToken, 'd1');
    const res = await get(`/v1/devices/d3/events?${range}&pageSize=1&pageToken=${forged}`);
    expect(res).toEqual({ status: 400, body: { error: 'pageToken: not a token this API issued (signature does not match)' } });
    const agg = await get(`/v1/devices/d3/aggregates?${range}&pageSize=1`);
    const forgedAgg = withCursor(agg.body.nextPageToken, 'd1');
    expect(await get(`/v1/devices/d3/aggregates?${range}&pageSize=1&pageToken=${forgedAgg}`)).toEqual({
      status: 400,
      body: { error: 'pageToken: not a token this API issued (signature does not match)' },
    });
  });

  it('refuses a correctly signed token whose cursor lies outside the device and range of its query', async () => {
    const { get, events, aggregates } = await api();
    expect(ids((await get(`/v1/devices/d3/events?${range}&pageSize=1`)).body)).toEqual(['d3-e3']);
    const tokens = new PageTokens([SECRET]);
    const eventsKey = (pageSize: number) => ['events', 'd3', H, H + HOUR, pageSize];
    for (const cursor of ['d1', eventRowKey('d1', H + 60_000, 'd1-e1'), eventRowKey('d3', H + 2 * HOUR, 'x'), 'd3#garbage', eventRowKey('d3', H + 60_000, 'bad#id')]) {
      const res = await get(`/v1/devices/d3/events?${range}&pageSize=1&pageToken=${tokens.encode(eventsKey(1), cursor)}`);
      expect({ cursor, ...res }).toEqual({ cursor, status: 400, body: { error: 'pageToken: cursor is not a row of this query (device and range)' } });
    }
    const aggKey = ['aggregates', 'd3', H, H + HOUR, 1];
    for (const cursor of ['d1', windowRowKey('d1', H + 60_000), paneRowKey('d3', H), windowRowKey('d3', H - 1)]) {
      const res = await get(`/v1/devices/d3/aggregates?${range}&pageSize=1&pageToken=${tokens.encode(aggKey, cursor)}`);
      expect({ cursor, ...res }).toEqual({ cursor, status: 400, body: { error: 'pageToken: cursor is not a row of this query (device and range)' } });
    }
    // Not one read reached outside d3's rows (the first page's read is the only one).
    expect(events.reads.length + aggregates.reads.length).toBe(1);
    for (const r of [...events.reads, ...aggregates.reads]) expect(r.start.startsWith('d3#')).toBe(true);
  });

  it('refuses hourly and history tokens whose cursor is not an hour of the range', async () => {
    const { get } = await api();
    const tokens = new PageTokens([SECRET]);
    const from = H - 6 * HOUR;
    const to = H;
    const ok = await get(`/v1/devices/d3/history?from=${from}&to=${to}&pageSize=2`);
    expect(ok.status).toBe(200);
    expect(ok.body.items.map((h: { eventCount: number }) => h.eventCount)).toEqual([1, 2]);
    const next = await get(`/v1/devices/d3/history?from=${from}&to=${to}&pageSize=2&pageToken=${ok.body.nextPageToken}`);
    expect(next.body.items.map((h: { eventCount: number }) => h.eventCount)).toEqual([3, 4]);
    const key = ['history', 'd3', from, to, 2];
    for (const cursor of ['abc', '', String(H - 3 * HOUR + 1), String(H + HOUR), '1e15', String(from - HOUR)]) {
      const res = await get(`/v1/devices/d3/history?from=${from}&to=${to}&pageSize=2&pageToken=${tokens.encode(key, cursor)}`);
      expect({ cursor, ...res }).toEqual({ cursor, status: 400, body: { error: 'pageToken: cursor is not an hour of this query' } });
    }
  });

  it('accepts a token on another instance with the same PAGE_TOKEN_SECRET, not with another secret', async () => {
    const a = await api();
    const b = await api();
    const c = await api({ pageTokenSecrets: [Buffer.from('another-secret-another-secret-another')] });
    const p1 = await a.get(`/v1/devices/d2/events?${range}&pageSize=2`);
    expect(ids((await b.get(`/v1/devices/d2/events?${range}&pageSize=2&pageToken=${p1.body.nextPageToken}`)).body)).toEqual(['d2-e1']);
    expect((await c.get(`/v1/devices/d2/events?${range}&pageSize=2&pageToken=${p1.body.nextPageToken}`)).status).toBe(400);
    // Rotation: an instance verifying with [new, old] accepts the old secret's tokens and signs with the new one.
    const rotated = await api({ pageTokenSecrets: [Buffer.from('another-secret-another-secret-another'), SECRET] });
    const r = await rotated.get(`/v1/devices/d2/events?${range}&pageSize=2&pageToken=${p1.body.nextPageToken}`);
    expect(ids(r.body)).toEqual(['d2-e1']);
    const fresh = await rotated.get(`/v1/devices/d2/events?${range}&pageSize=2`);
    expect((await c.get(`/v1/devices/d2/events?${range}&pageSize=2&pageToken=${fresh.body.nextPageToken}`)).status).toBe(200);
  });

  it('uses a per-process random secret when none is configured: tokens work on the issuing instance only', async () => {
    const a = await api({ pageTokenSecrets: undefined });
    const b = await api({ pageTokenSecrets: undefined });
    const p1 = await a.get(`/v1/devices/d2/events?${range}&pageSize=2`);
    expect((await a.get(`/v1/devices/d2/events?${range}&pageSize=2&pageToken=${p1.body.nextPageToken}`)).status).toBe(200);
    expect((await b.get(`/v1/devices/d2/events?${range}&pageSize=2&pageToken=${p1.body.nextPageToken}`)).body).toEqual({
      error: 'pageToken: not a token this API issued (signature does not match)',
    });
  });

  it('reads PAGE_TOKEN_SECRET as comma-separated secrets of at least 32 characters', () => {
    const base = { GOOGLE_CLOUD_PROJECT: 'p' };
    expect(loadAnalyticsConfig(base).PAGE_TOKEN_SECRET).toBeUndefined();
    expect(loadAnalyticsConfig({ ...base, PAGE_TOKEN_SECRET: `${'x'.repeat(32)}, ${'y'.repeat(40)}` }).PAGE_TOKEN_SECRET).toEqual(['x'.repeat(32), 'y'.repeat(40)]);
    expect(() => loadAnalyticsConfig({ ...base, PAGE_TOKEN_SECRET: 'short' })).toThrow(
      'bad configuration: PAGE_TOKEN_SECRET: each comma-separated secret must be at least 32 characters',
    );
  });
});

describe('analytics API: parameter bounds and store failures', () => {
  const BOUNDS = 'must lie between 2000-01-01T00:00:00.000Z and 2100-01-01T00:00:00.000Z (epoch ms 946684800000 to 4102444800000)';

  it('answers 400 naming the bounds for times outside the contract`s years', async () => {
    const { get } = await api();
    expect(await get('/v1/devices/d1/events?to=99999999999999')).toEqual({ status: 400, body: { error: `to: ${BOUNDS}` } });
    expect(await get('/v1/devices/d1/history?to=9000000000000000')).toEqual({ status: 400, body: { error: `to: ${BOUNDS}` } });
    expect(await get('/v1/devices/d1/aggregates?from=0&to=1000')).toEqual({ status: 400, body: { error: `from: ${BOUNDS}; to: ${BOUNDS}` } });
    expect(await get('/v1/devices/d1/hourly?from=2101-01-01T00:00:00Z')).toEqual({ status: 400, body: { error: `from: ${BOUNDS}` } });
    // The bounds themselves are fine: a range ending at 2100-01-01 (exclusive) and one starting at 2000-01-01.
    expect((await get('/v1/devices/d1/events?from=4102441200000&to=4102444800000')).status).toBe(200);
    expect((await get('/v1/devices/d1/events?from=946684800000&to=946688400000')).status).toBe(200);
    // The default `from` (an hour before `to`) is kept inside the bounds too.
    expect((await get('/v1/devices/d1/events?to=946684800000')).body).toEqual({ error: 'from: must be before to' });
  });

  it('takes pageSize as plain decimal digits only', async () => {
    const { get } = await api();
    for (const size of ['1e2', '0x10', '10.0', ' 5', '-1', '0']) {
      const res = await get(`/v1/devices/d1/events?${range}&pageSize=${encodeURIComponent(size)}`);
      expect({ size, status: res.status }).toEqual({ size, status: 400 });
      expect(res.body.error).toMatch(/^pageSize: /);
    }
    expect((await get(`/v1/devices/d1/events?${range}&pageSize=2`)).body.items).toHaveLength(2);
  });

  it('names the failed store and its status in a 502, never the store`s own error text', async () => {
    const bigtableDown: RowReader = {
      getRows: (() => Promise.reject(Object.assign(new Error('14 UNAVAILABLE: connect ECONNREFUSED 10.8.0.3:443 (internal host)'), { code: 14 }))) as never,
    };
    const bigqueryDown = {
      timestamp: (d: Date) => d.toISOString(),
      query: () => Promise.reject(Object.assign(new Error('Access Denied: Table secret-project:ds.device_hourly'), { code: 403, errors: [{ reason: 'accessDenied', message: 'secret-project' }] })),
    } as unknown as BigQuery;
    const bt = await api({ eventsTable: bigtableDown, aggregatesTable: bigtableDown });
    expect(await bt.get(`/v1/devices/d1/events?${range}`)).toEqual({ status: 502, body: { error: 'store query failed: Bigtable read failed (gRPC 14 UNAVAILABLE)' } });
    const bq = await api({ bigquery: bigqueryDown });
    expect(await bq.get(`/v1/devices/d1/history?from=${H - 6 * HOUR}&to=${H}`)).toEqual({ status: 502, body: { error: 'store query failed: BigQuery query failed (accessDenied)' } });
    const both = await api({ eventsTable: bigtableDown, aggregatesTable: bigtableDown, bigquery: bigqueryDown, fallback: { eventsTable: 'events_raw', maxRows: 10 } });
    expect(await both.get(`/v1/devices/d1/events?${range}`)).toEqual({
      status: 502,
      body: { error: 'store query failed: Bigtable read failed (gRPC 14 UNAVAILABLE); fallback: BigQuery query failed (accessDenied)' },
    });
    // A stored row the API cannot read (corrupt cell): the store is named, the parser's text is not.
    const { get, events } = await api();
    events.set(eventRowKey('d1', H + 30 * 60_000, 'broken'), { e: { event: { value: '{not json', timestamp: 0 } } });
    expect(await get(`/v1/devices/d1/events?${range}`)).toEqual({ status: 502, body: { error: 'store query failed: Bigtable read failed' } });
  });
});
