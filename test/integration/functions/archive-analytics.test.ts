/**
 * The archive path end to end (Pub/Sub -> built UDF -> BigQuery-compatible server, with
 * dead letters and insertId de-duplication) and the analytics API across both stores.
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { BigQuery } from '@google-cloud/bigquery';
import { buildUdf } from '../../../functions/udf/build';
import { startArchiveWorker } from '../../../functions/archive-worker/main';
import { startAnalytics } from '../../../functions/analytics/main';
import { startProcessor } from '../../../functions/processor/main';
import { EVENTS_RAW_SCHEMA, ARCHIVE_ERROR_RECORDS_SCHEMA, DEVICE_HOURLY_SCHEMA, type BigQueryField } from '../../../functions/shared/bigquery-schema';
import { windowEntry } from '../../../functions/processor/window-finalizer';
import { eventRowKey } from '../../../functions/shared/row-keys';
import { createTopology, clients, waitFor, unique, PROJECT, type Topology } from './local-cloud';

jest.setTimeout(90_000);

/** REST schema with the legacy type names every BigQuery endpoint accepts. */
function restSchema(fields: BigQueryField[]): object[] {
  const legacy: Record<string, string> = { INT64: 'INTEGER', FLOAT64: 'FLOAT' };
  return fields.map((f) => ({ name: f.name, type: legacy[f.type] ?? f.type, mode: f.mode, ...(f.fields ? { fields: restSchema(f.fields) } : {}) }));
}

describe('archive path and analytics across the stores', () => {
  const c = clients();
  const bigquery = new BigQuery({ projectId: PROJECT });
  const datasetId = unique('iot_analytics').replace(/-/g, '_');
  let topo: Topology;
  let udfPath: string;

  beforeAll(async () => {
    expect(process.env.BIGQUERY_EMULATOR_HOST).toMatch(/^https?:\/\/[^\s/]+(\/\S*)?$/);
    udfPath = buildUdf(join(mkdtempSync(join(tmpdir(), 'udf-')), 'transform.js'));
    topo = await createTopology(c.pubsub, c.bigtable, { BIGQUERY_EMULATOR_HOST: process.env.BIGQUERY_EMULATOR_HOST, BIGQUERY_DATASET: datasetId });
    await c.pubsub.topic(topo.topicName).createSubscription(`${topo.topicName}-archive`, { ackDeadlineSeconds: 10 });
    const [dataset] = await bigquery.createDataset(datasetId);
    await dataset.createTable('events_raw', { schema: { fields: restSchema(EVENTS_RAW_SCHEMA) } as never });
    await dataset.createTable('events_raw_error_records', { schema: { fields: restSchema(ARCHIVE_ERROR_RECORDS_SCHEMA) } as never });
    await dataset.createTable('device_hourly', { schema: { fields: restSchema(DEVICE_HOURLY_SCHEMA) } as never });
  });

  afterAll(() => c.close());

  it('archives valid events once, dead-letters what the UDF rejects with the reason', async () => {
    const worker = await startArchiveWorker({ ...topo.env, ARCHIVE_SUBSCRIPTION: `${topo.topicName}-archive`, UDF_PATH: udfPath }, { host: '127.0.0.1' });
    try {
      const topic = c.pubsub.topic(topo.topicName);
      const t = Date.UTC(2026, 11, 3, 10, 0, 0);
      const ev = (id: string, v: number) => ({ eventId: id, deviceId: 'dev-arc', type: 'reading', eventTime: new Date(t + v).toISOString(), metrics: { temp: v }, attributes: { site: 'lab' } });
      const publish = (body: unknown) => topic.publishMessage({ data: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) });
      await publish(ev('arc-1', 1));
      await publish(ev('arc-2', 2));
      await publish(ev('arc-1', 1)); // the same event again (a gateway retry): one row
      await publish({ ...ev('arc-bad', 3), deviceId: 'bad device' });
      await publish({ events: [ev('arc-3', 3), ev('arc-4', 4)] });
      await publish('{ not json');

      const ds = bigquery.dataset(datasetId);
      await waitFor('the archive worker to settle 6 messages', async () => worker.archiver.counters.acked >= 6, 30_000);
      const [raw] = await ds.table('events_raw').query(`SELECT event_id, device_id, type, event_time, metrics, attributes FROM \`${datasetId}.events_raw\` ORDER BY event_id`);
      expect(raw.map((r: { event_id: string }) => r.event_id)).toEqual(['arc-1', 'arc-2']);
      expect(raw[0]).toMatchObject({ device_id: 'dev-arc', type: 'reading', metrics: [{ name: 'temp', value: 1 }], attributes: [{ key: 'site', value: 'lab' }] });
      expect(new Date((raw[0].event_time as { value: string }).value ?? raw[0].event_time).getTime()).toBe(t + 1);
      const [dead] = await ds.table('events_raw_error_records').query(`SELECT payloadString, errorMessage FROM \`${datasetId}.events_raw_error_records\` ORDER BY errorMessage`);
      expect(dead.map((d: { errorMessage: string }) => d.errorMessage)).toEqual([
        'deviceId: must match ^[A-Za-z0-9._:-]{1,128}$',
        'payload: holds 2 events; the archive template writes one row per message, so publish with EVENTS_PER_MESSAGE=1',
        'payload: not valid JSON',
      ]);
      expect(dead[2].payloadString).toBe('{ not json');
      expect(worker.archiver.counters).toMatchObject({ messages: 6, acked: 6, nacked: 0, deadLettered: 3 });
    } finally {
      await worker.stop();
    }
  });

  it('answers one hourly range across BigQuery (old hours) and Bigtable (hot hours) without double counting', async () => {
    const H = Date.UTC(2026, 11, 3, 9, 0, 0); // the current hour
    const now = H + 30 * 60_000; // 09:30; HOT_WINDOW_HOURS=2 -> boundary = ceil(07:30) = 08:00
    const hour = (k: number) => H + k * 3_600_000;
    const ds = bigquery.dataset(datasetId);
    const hourly = (k: number, count: number, sum: number) => ({
      device_id: 'dev-h', hour: new Date(hour(k)).toISOString(), metric: 'temp', event_count: count, value_count: count, value_sum: sum, value_min: 1, value_max: 9,
    });
    // Batch view: 06:00 (3 events), 07:00 (4), and 08:00 (999 - must NOT be used: 08:00 is hot).
    await ds.table('device_hourly').insert([hourly(-3, 3, 15), hourly(-2, 4, 20), hourly(-1, 999, 999)]);

    // Hot store: windows of dev-h. Aligned ones (start on a minute) tile time; the others overlap them.
    const w = (startMs: number, count: number, sum: number) => ({ windowStartMs: startMs, windowEndMs: startMs + 60_000, eventCount: count, metrics: { temp: { count, sum, min: 2, max: 8 } } });
    const windows = [
      w(hour(-1), 2, 10), w(hour(-1) + 60_000, 3, 12), w(hour(-1) + 10_000, 50, 500), // 08:00 -> 2+3 = 5 events, sum 22
      w(hour(0), 7, 35), w(hour(0) + 20_000, 40, 400), // 09:00 -> 7 events, sum 35
    ];
    await c.bigtable.instance(topo.instanceId).table(topo.aggregatesTableId).mutate(windows.map((x) => windowEntry('dev-h', x)));
    // Raw events for paging: five events of dev-h at 09:01..09:05.
    await c.bigtable.instance(topo.instanceId).table(topo.eventsTableId).mutate(
      [1, 2, 3, 4, 5].map((i) => ({
        key: eventRowKey('dev-h', hour(0) + i * 60_000, `h-${i}`),
        method: 'insert',
        data: { e: { event: { value: JSON.stringify({ eventId: `h-${i}`, deviceId: 'dev-h', type: 'reading', eventTime: new Date(hour(0) + i * 60_000).toISOString(), metrics: { temp: i } }), timestamp: (hour(0) + i * 60_000) * 1000 } } },
      })),
    );

    const processor = await startProcessor({ ...topo.env }, { host: '127.0.0.1' });
    const api = await startAnalytics(
      // /v1/fleet/live reads the processor's snapshots from the fleet table (topo.env names it).
      { ...topo.env, HOT_WINDOW_HOURS: '2' },
      { host: '127.0.0.1', now: () => now },
    );
    const get = async (path: string) => {
      const res = await fetch(`${api.address}${path}`);
      return { status: res.status, body: await res.json() };
    };
    try {
      const merged = await get(`/v1/devices/dev-h/hourly?from=${new Date(hour(-3)).toISOString()}&to=${hour(1)}`);
      expect(merged.status).toBe(200);
      expect(merged.body.boundary).toBe(new Date(hour(-1)).toISOString());
      expect(merged.body.items.map((h: { hour: string; source: string; eventCount: number; metrics: { temp: { sum: number } } }) => [h.hour.slice(11, 16), h.source, h.eventCount, h.metrics.temp.sum])).toEqual([
        ['09:00', 'bigtable', 7, 35],
        ['08:00', 'bigtable', 5, 22],
        ['07:00', 'bigquery', 4, 20],
        ['06:00', 'bigquery', 3, 15],
      ]);
      expect(merged.body.items[1].metrics.temp).toEqual({ count: 5, sum: 22, min: 2, max: 8, avg: 4.4 });
      expect(merged.body.items[0].final).toBe(false);

      // Paged: two hours per page, same answer.
      const p1 = await get(`/v1/devices/dev-h/hourly?from=${hour(-3)}&to=${hour(1)}&pageSize=2`);
      const p2 = await get(`/v1/devices/dev-h/hourly?from=${hour(-3)}&to=${hour(1)}&pageSize=2&pageToken=${p1.body.nextPageToken}`);
      expect([...p1.body.items, ...p2.body.items].map((h: { hour: string }) => h.hour)).toEqual(merged.body.items.map((h: { hour: string }) => h.hour));
      expect(p2.body.nextPageToken).toBeUndefined();

      const history = await get(`/v1/devices/dev-h/history?from=${hour(-3)}&to=${hour(0)}`);
      expect(history.body.items.map((h: { eventCount: number }) => h.eventCount)).toEqual([999, 4, 3]);

      // Raw events, newest first, two per page.
      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const r = await get(`/v1/devices/dev-h/events?from=${hour(0)}&to=${hour(1)}&pageSize=2${token ? `&pageToken=${token}` : ''}`);
        expect(r.status).toBe(200);
        seen.push(...r.body.items.map((e: { eventId: string }) => e.eventId));
        token = r.body.nextPageToken;
        pages++;
      } while (token);
      expect(seen).toEqual(['h-5', 'h-4', 'h-3', 'h-2', 'h-1']);
      expect(pages).toBe(3);

      const aggregates = await get(`/v1/devices/dev-h/aggregates?from=${hour(0)}&to=${hour(1)}`);
      // Windows whose END lies in [09:00, 10:00), newest first: ends 09:01:20 and 09:01:00.
      expect(aggregates.body.items.map((a: { windowStart: string; eventCount: number }) => [a.windowStart.slice(11, 19), a.eventCount])).toEqual([
        ['09:00:20', 40],
        ['09:00:00', 7],
      ]);

      // Reasons for bad input.
      expect(await get('/v1/devices/bad%23id/events')).toEqual({ status: 400, body: { error: 'deviceId: must match ^[A-Za-z0-9._:-]{1,128}$' } });
      expect(await get(`/v1/devices/dev-h/events?from=${hour(1)}&to=${hour(0)}`)).toEqual({ status: 400, body: { error: 'from: must be before to' } });
      expect((await get(`/v1/devices/dev-h/events?from=${hour(0)}&to=${hour(1)}&pageToken=${p1.body.nextPageToken}`)).body.error).toBe(
        'pageToken: belongs to a different query (same path and parameters required)',
      );
      expect((await get('/v1/devices/dev-h/events?pageSize=5000')).body.error).toBe('pageSize: Too big: expected number to be <=1000');
      expect((await get('/v1/devices/dev-h/events?from=yesterday')).body.error).toBe('from: must be RFC 3339 with a time zone or epoch milliseconds');
      expect((await get('/v1/nope')).status).toBe(404);

      // The speed subscription of the same topic holds the six messages published above:
      // 5 valid events (arc-1 twice, arc-2, and arc-3/arc-4 in one batch) and 2 dead letters.
      const live = await waitFor('the processor to take the backlog', async () => {
        const r = await get('/v1/fleet/live');
        return r.status === 200 && r.body.eventsProcessed === 5 && r.body.deadLettered === 2 && r;
      });
      expect(live.body).toMatchObject({ eventsProcessed: 5, deadLettered: 2, lateEvents: 0, backlog: null, topDevices: [{ deviceId: 'dev-arc', events: 5 }] });
      expect(typeof live.body.eventsPerSecond).toBe('number');
      expect(live.body.processingLatencyMs.count).toBeGreaterThan(0);
    } finally {
      await api.stop();
      await processor.stop();
    }
  });
});
