/**
 * QUERY_FALLBACK on the local cloud: with Bigtable failing, events and aggregates come from
 * BigQuery events_raw with the same content, flagged degraded; with BigQuery failing, history
 * keeps the hot part from Bigtable, flagged partial; without a fallback, 502 as before.
 */
import pino from 'pino';
import { BigQuery } from '@google-cloud/bigquery';
import { buildAnalyticsServer, type AnalyticsOptions } from '../../../functions/analytics/server';
import type { RowReader } from '../../../functions/shared/bigtable-read';
import { EVENTS_RAW_SCHEMA, DEVICE_HOURLY_SCHEMA, type BigQueryField } from '../../../functions/shared/bigquery-schema';
import { summarizeWindows, windowEndsContaining } from '../../../functions/shared/aggregates';
import { windowEntry } from '../../../functions/processor/window-finalizer';
import { cellTimestampMicros, eventRowKey } from '../../../functions/shared/row-keys';
import { createTopology, clients, unique, PROJECT, type Topology } from './local-cloud';

jest.setTimeout(60_000);

function restSchema(fields: BigQueryField[]): object[] {
  const legacy: Record<string, string> = { INT64: 'INTEGER', FLOAT64: 'FLOAT' };
  return fields.map((f) => ({ name: f.name, type: legacy[f.type] ?? f.type, mode: f.mode, ...(f.fields ? { fields: restSchema(f.fields) } : {}) }));
}

const H = Date.UTC(2026, 11, 3, 9, 0, 0);
const NOW = H + 30 * 60_000; // 09:30
const spec = { windowMs: 60_000, slideMs: 10_000 };
// Six events of dev-f at 09:01:05 .. 09:01:55 every 10 s, v = 1..6.
const events = [1, 2, 3, 4, 5, 6].map((i) => ({ eventId: `f-${i}`, deviceId: 'dev-f', type: 'reading', eventTimeMs: H + 60_000 + i * 10_000 - 5000, v: i }));

describe('analytics API fallback between the stores', () => {
  const c = clients();
  const bigquery = new BigQuery({ projectId: PROJECT });
  const datasetId = unique('fallback').replace(/-/g, '_');
  let topo: Topology;
  // Shaped like the clients' errors: gRPC code on Bigtable's, error reasons on BigQuery's.
  const failingReader: RowReader = { getRows: (() => Promise.reject(Object.assign(new Error('14 UNAVAILABLE: Bigtable unreachable (injected)'), { code: 14 }))) as never };
  const failingBigQuery = Object.assign(Object.create(bigquery), {
    query: () => Promise.reject(Object.assign(new Error('backendError: BigQuery unavailable (injected)'), { code: 503, errors: [{ reason: 'backendError' }] })),
  }) as BigQuery;

  beforeAll(async () => {
    topo = await createTopology(c.pubsub, c.bigtable);
    const [dataset] = await bigquery.createDataset(datasetId);
    const [raw] = await dataset.createTable('events_raw', { schema: { fields: restSchema(EVENTS_RAW_SCHEMA) } as never });
    const [hourly] = await dataset.createTable('device_hourly', { schema: { fields: restSchema(DEVICE_HOURLY_SCHEMA) } as never });
    // The archive: every event (f-3 twice, as a best-effort insert-id dedupe could leave it).
    const rows = [...events, events[2]].map((e) => ({ event_id: e.eventId, device_id: e.deviceId, type: e.type, event_time: new Date(e.eventTimeMs).toISOString(), metrics: [{ name: 'v', value: e.v }], attributes: [] }));
    await raw.insert(rows);
    await hourly.insert([{ device_id: 'dev-f', hour: new Date(H - 3 * 3_600_000).toISOString(), metric: 'v', event_count: 2, value_count: 2, value_sum: 3, value_min: 1, value_max: 2 }]);
    // The hot store: the same events and the windows the processor would have written.
    const instance = c.bigtable.instance(topo.instanceId);
    await instance.table(topo.eventsTableId).mutate(
      events.map((e) => ({
        key: eventRowKey(e.deviceId, e.eventTimeMs, e.eventId),
        method: 'insert',
        data: { e: { event: { value: JSON.stringify({ eventId: e.eventId, deviceId: e.deviceId, type: e.type, eventTime: new Date(e.eventTimeMs).toISOString(), metrics: { v: e.v } }), timestamp: cellTimestampMicros(e.eventTimeMs) } } },
      })),
    );
    const contributions = events.map((e) => ({ eventId: e.eventId, eventTimeMs: e.eventTimeMs, metrics: { v: e.v } }));
    const ends = [...new Set(events.flatMap((e) => windowEndsContaining(e.eventTimeMs, spec)))];
    await instance.table(topo.aggregatesTableId).mutate(summarizeWindows(contributions, ends, spec).map((w) => windowEntry('dev-f', w)));
  });

  afterAll(() => c.close());

  const apps: { close(): Promise<unknown> }[] = [];
  afterAll(() => Promise.all(apps.map((a) => a.close())));

  async function api(overrides: Partial<AnalyticsOptions>) {
    const instance = c.bigtable.instance(topo.instanceId);
    const app = buildAnalyticsServer({
      eventsTable: instance.table(topo.eventsTableId),
      aggregatesTable: instance.table(topo.aggregatesTableId),
      bigquery,
      dataset: datasetId,
      batchViewTable: 'device_hourly',
      windowMs: spec.windowMs,
      slideMs: spec.slideMs,
      watermarkDelayMs: 10_000,
      hotWindowHours: 2,
      queryTimeoutMs: 10_000,
      fallback: { eventsTable: 'events_raw', maxRows: 1000 },
      logger: pino({ level: 'silent' }),
      now: () => NOW,
      ...overrides,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    apps.push(app);
    const { port } = app.server.address() as { port: number };
    return async (path: string) => {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      return { status: res.status, body: await res.json() };
    };
  }

  const range = `from=${H}&to=${H + 3_600_000}`;

  it('answers events and aggregates from BigQuery events_raw when Bigtable fails, with the same content', async () => {
    const healthy = await api({});
    const degraded = await api({ eventsTable: failingReader, aggregatesTable: failingReader });

    const ok = await healthy(`/v1/devices/dev-f/events?${range}`);
    const fb = await degraded(`/v1/devices/dev-f/events?${range}`);
    expect(ok.status).toBe(200);
    expect(fb.status).toBe(200);
    expect(ok.body.source).toBeUndefined();
    expect(fb.body).toMatchObject({ source: 'bigquery-fallback', degraded: true });
    // Same events, newest first, f-3 once; only Bigtable knows the late flag.
    expect(fb.body.items).toEqual(ok.body.items.map(({ late, ...e }: { late: boolean }) => (expect(late).toBe(false), e)));
    expect(fb.body.items.map((e: { eventId: string }) => e.eventId)).toEqual(['f-6', 'f-5', 'f-4', 'f-3', 'f-2', 'f-1']);

    // Paging in the fallback: 4 + 2, the token is a row-key cursor like Bigtable's.
    const p1 = await degraded(`/v1/devices/dev-f/events?${range}&pageSize=4`);
    const p2 = await degraded(`/v1/devices/dev-f/events?${range}&pageSize=4&pageToken=${p1.body.nextPageToken}`);
    expect([...p1.body.items, ...p2.body.items].map((e: { eventId: string }) => e.eventId)).toEqual(['f-6', 'f-5', 'f-4', 'f-3', 'f-2', 'f-1']);
    expect(p2.body.nextPageToken).toBeUndefined();

    // Windows 60 s sliding 10 s: events at 09:01:05 .. 09:01:55 -> windows ending 09:01:10 .. 09:02:50
    // every 10 s = (170 - 70) / 10 + 1 = 11 windows, holding 1,2,3,4,5,6,5,4,3,2,1 events.
    const okAgg = await healthy(`/v1/devices/dev-f/aggregates?${range}&pageSize=100`);
    const fbAgg = await degraded(`/v1/devices/dev-f/aggregates?${range}&pageSize=100`);
    expect(okAgg.body.items.map((w: { eventCount: number }) => w.eventCount)).toEqual([1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1]);
    expect(fbAgg.body).toMatchObject({ source: 'bigquery-fallback', degraded: true });
    expect(fbAgg.body.items).toEqual(okAgg.body.items);
    // The window [09:01:00, 09:02:00) holds all six: count 6, sum 1+..+6 = 21.
    expect(fbAgg.body.items.find((w: { windowStart: string }) => w.windowStart === '2026-12-03T09:01:00.000Z')).toMatchObject({ eventCount: 6, metrics: { v: { count: 6, sum: 21, min: 1, max: 6 } } });
  });

  it('answers history partially from Bigtable when BigQuery fails, and hourly with the cold part missing', async () => {
    const degraded = await api({ bigquery: failingBigQuery });
    const from = H - 3 * 3_600_000;
    const history = await degraded(`/v1/devices/dev-f/history?from=${from}&to=${H + 3_600_000}`);
    expect(history.status).toBe(200);
    // Boundary = ceil(09:30 - 2 h) = 08:00: [06:00, 08:00) is missing, 09:00 comes from Bigtable's tiling window [09:01, 09:02).
    expect(history.body).toMatchObject({
      source: 'bigtable-fallback',
      degraded: true,
      partial: true,
      missing: { from: '2026-12-03T06:00:00.000Z', to: '2026-12-03T08:00:00.000Z' },
    });
    expect(history.body.items.map((h: { hour: string; source: string; eventCount: number }) => [h.hour.slice(11, 16), h.source, h.eventCount])).toEqual([['09:00', 'bigtable', 6]]);
    const hourly = await degraded(`/v1/devices/dev-f/hourly?from=${from}&to=${H + 3_600_000}`);
    expect(hourly.body).toMatchObject({ partial: true, missing: { from: '2026-12-03T06:00:00.000Z', to: '2026-12-03T08:00:00.000Z' } });
    expect(hourly.body.items.map((h: { eventCount: number }) => h.eventCount)).toEqual([6]);
  });

  it('answers the hot hours of hourly from the archive when Bigtable fails', async () => {
    const degraded = await api({ eventsTable: failingReader, aggregatesTable: failingReader });
    const hourly = await degraded(`/v1/devices/dev-f/hourly?from=${H - 3 * 3_600_000}&to=${H + 3_600_000}`);
    expect(hourly.status).toBe(200);
    expect(hourly.body).toMatchObject({ source: 'bigquery-fallback', degraded: true });
    expect(hourly.body.items.map((h: { hour: string; source: string; eventCount: number; metrics: { v: { sum: number } } }) => [h.hour.slice(11, 16), h.source, h.eventCount, h.metrics.v.sum])).toEqual([
      ['09:00', 'bigquery', 6, 21],
      ['06:00', 'bigquery', 2, 3],
    ]);
  });

  it('answers 502 without a fallback, and 502 naming both failures when the fallback fails too', async () => {
    const none = await api({ eventsTable: failingReader, fallback: undefined });
    // The store and its status are named; the clients' own messages stay in the log.
    expect(await none(`/v1/devices/dev-f/events?${range}`)).toEqual({ status: 502, body: { error: 'store query failed: Bigtable read failed (gRPC 14 UNAVAILABLE)' } });
    const noHistory = await api({ bigquery: failingBigQuery, fallback: undefined });
    expect((await noHistory(`/v1/devices/dev-f/history?from=${H - 3 * 3_600_000}&to=${H}`)).status).toBe(502);
    const both = await api({ eventsTable: failingReader, bigquery: failingBigQuery });
    expect(await both(`/v1/devices/dev-f/events?${range}`)).toEqual({
      status: 502,
      body: { error: 'store query failed: Bigtable read failed (gRPC 14 UNAVAILABLE); fallback: BigQuery query failed (backendError)' },
    });
  });
});
