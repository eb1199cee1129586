/**
 * Gateway -> Pub/Sub -> processor -> Bigtable on the emulators: raw rows under device-led
 * keys with microsecond cell timestamps on millisecond boundaries, and exact sliding-window
 * aggregates once the watermark passes.
 */
import { createTopology, clients, waitFor, allRows, type Topology } from './local-cloud';
import { startIngest } from '../../../functions/ingest/main';
import { startProcessor } from '../../../functions/processor/main';
import { ApiKeyVerifier } from '../../../functions/ingest/auth';
import { eventRowKey, parseTimedRowKey } from '../../../functions/shared/row-keys';

jest.setTimeout(60_000);

const KEY = 'integration-key';
const base = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000; // a minute boundary, 10 min ago
const at = (s: number) => base + s * 1000;

describe('publish to Bigtable round trip', () => {
  const c = clients();
  let topo: Topology;
  let ingest: Awaited<ReturnType<typeof startIngest>>;
  let processor: Awaited<ReturnType<typeof startProcessor>>;

  beforeAll(async () => {
    topo = await createTopology(c.pubsub, c.bigtable, {
      INGEST_API_KEY_SHA256: ApiKeyVerifier.sha256Hex(KEY),
      WATERMARK_DELAY_SECONDS: '1',
      ALLOWED_LATENESS_SECONDS: '60',
    });
    ingest = await startIngest(topo.env, { host: '127.0.0.1' });
    processor = await startProcessor(topo.env, { host: '127.0.0.1' });
  });

  afterAll(async () => {
    await Promise.all([ingest?.stop(), processor?.stop()]);
    await c.close();
  });

  it('stores every event and computes the windows exactly', async () => {
    const events = [
      { eventId: 'a-1', deviceId: 'dev-a', type: 'reading', eventTime: at(5), metrics: { temp: 10 } },
      { eventId: 'b-1', deviceId: 'dev-b', type: 'reading', eventTime: new Date(at(1)).toISOString(), metrics: { temp: 1.5 } },
      { eventId: 'a-2', deviceId: 'dev-a', type: 'reading', eventTime: at(15), metrics: { temp: 20 } },
      { eventId: 'b-2', deviceId: 'dev-b', type: 'reading', eventTime: at(2), metrics: { temp: 2.5 }, attributes: { fw: '1.0' } },
      { eventId: 'a-3', deviceId: 'dev-a', type: 'reading', eventTime: at(65), metrics: { temp: 30 } },
      // Closing events move each device's watermark to base+299 s (delay 1 s).
      { eventId: 'a-close', deviceId: 'dev-a', type: 'reading', eventTime: at(300), metrics: { temp: 0 } },
      { eventId: 'b-close', deviceId: 'dev-b', type: 'reading', eventTime: at(300), metrics: { temp: 0 } },
    ];
    const res = await fetch(`${ingest.address}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify(events),
    });
    expect(res.status).toBe(200);
    expect((await res.json()).accepted).toBe(7);

    const rows = await waitFor('7 event rows', async () => {
      const r = await allRows(c.bigtable, topo.instanceId, topo.eventsTableId);
      return r.length === 7 && r;
    });
    const a1 = rows.find((r) => r.key === eventRowKey('dev-a', at(5), 'a-1'))!;
    expect(a1.cells.e.event.timestampMicros).toBe(at(5) * 1000);
    expect(JSON.parse(a1.cells.e.event.value)).toEqual({
      eventId: 'a-1',
      deviceId: 'dev-a',
      type: 'reading',
      eventTime: new Date(at(5)).toISOString(),
      metrics: { temp: 10 },
      attributes: {},
    });
    expect(a1.cells.e.late).toBeUndefined();
    // Device-led keys: all of dev-a's rows are contiguous and newest first.
    expect(rows.filter((r) => r.key.startsWith('dev-a#')).map((r) => r.key.split('#')[2])).toEqual(['a-close', 'a-3', 'a-2', 'a-1']);

    // dev-a: events at 5 s (10), 15 s (20), 65 s (30). Windows [E-60 s, E) for E = 10..290 s close;
    // non-empty ones: E=10 {5}; E=20..60 {5,15}; E=70 {15,65}; E=80..120 {65} -> 12 windows.
    // dev-b: events at 1 s (1.5), 2 s (2.5): E=10..60 -> 6 windows, each count 2, sum 4.
    const windows = await waitFor('18 window rows', async () => {
      const agg = await allRows(c.bigtable, topo.instanceId, topo.aggregatesTableId);
      const w = agg.filter((r) => r.key.includes('#w#'));
      return w.length === 18 && w;
    });
    const byKey = new Map(windows.map((w) => [`${parseTimedRowKey(w.key).deviceId}@${(parseTimedRowKey(w.key).timeMs - base) / 1000}`, w]));
    const summary = (k: string) => JSON.parse(byKey.get(k)!.cells.a.summary.value);
    expect(summary('dev-a@10')).toEqual({ windowStartMs: at(-50), windowEndMs: at(10), eventCount: 1, metrics: { temp: { count: 1, sum: 10, min: 10, max: 10 } } });
    expect(summary('dev-a@60')).toEqual({ windowStartMs: at(0), windowEndMs: at(60), eventCount: 2, metrics: { temp: { count: 2, sum: 30, min: 10, max: 20 } } });
    expect(summary('dev-a@70')).toEqual({ windowStartMs: at(10), windowEndMs: at(70), eventCount: 2, metrics: { temp: { count: 2, sum: 50, min: 20, max: 30 } } });
    expect(summary('dev-a@120')).toEqual({ windowStartMs: at(60), windowEndMs: at(120), eventCount: 1, metrics: { temp: { count: 1, sum: 30, min: 30, max: 30 } } });
    expect(byKey.has('dev-a@130')).toBe(false);
    expect(summary('dev-b@30').metrics.temp).toEqual({ count: 2, sum: 4, min: 1.5, max: 2.5 });
    expect(byKey.get('dev-b@30')!.cells.a.summary.timestampMicros).toBe(at(30) * 1000);

    const metrics = await (await fetch(`${processor.address}/metrics`)).json();
    expect(metrics.counters.eventsProcessed).toBe(7);
    expect(metrics.counters.eventsDeadLettered).toBe(0);
    expect(metrics.latencyMs.sinceStart.count).toBeGreaterThan(0);
  });
});
