import pino from 'pino';
import { mergeFleet } from '../../../functions/analytics/fleet-live';
import { OLDEST_UNACKED_AGE_METRIC, monitoringBacklogProbe, newestAge, type MonitoringHttp } from '../../../functions/processor/backlog-probe';
import { FleetSnapshotWriter } from '../../../functions/processor/fleet-writer';
import type { RowMutator } from '../../../functions/processor/durable-writes';
import { FLEET_SNAPSHOT_VERSION, fleetRowKey, parseFleetSnapshot, type FleetSnapshot } from '../../../functions/shared/fleet-snapshot';
import { encodeLatencyHistogram, newLatencyHistogram } from '../../../functions/shared/latency-histogram';

const NOW = Date.parse('2026-12-04T10:00:00Z');

/** An encoded last-minute histogram holding these latencies (milliseconds). */
function latencies(ms: number[]): string {
  const h = newLatencyHistogram();
  for (const v of ms) h.recordValue(Math.round(v * 1000));
  const encoded = encodeLatencyHistogram(h);
  h.destroy();
  return encoded;
}

function snapshot(over: Partial<FleetSnapshot> = {}): FleetSnapshot {
  return {
    version: FLEET_SNAPSHOT_VERSION,
    instanceId: 'rev-1-aaaa',
    region: 'us-central1',
    takenAtMs: NOW - 1000,
    startedAtMs: NOW - 3_600_000,
    intervalSeconds: 2,
    pulling: true,
    standby: false,
    counters: { eventsProcessed: 100, eventsDeadLettered: 1, eventsLate: 2 },
    eventsPerSecond: 10,
    inFlightMessages: 3,
    latencyLastMinute: latencies(Array.from({ length: 100 }, () => 10)),
    topDevices: [{ deviceId: 'd1', events: 50 }],
    ...over,
  };
}

describe('newestAge (Cloud Monitoring timeSeries.list answer)', () => {
  test('the newest point across series and points, int64 as a string or a double', () => {
    expect(
      newestAge({
        timeSeries: [
          { points: [{ interval: { endTime: '2026-12-04T10:02:00Z' }, value: { int64Value: '42' } }, { interval: { endTime: '2026-12-04T10:01:00Z' }, value: { int64Value: '400' } }] },
          { points: [{ interval: { endTime: '2026-12-04T10:03:00Z' }, value: { doubleValue: 7.5 } }] },
        ],
      }),
    ).toBe(7.5);
    expect(newestAge({ timeSeries: [{ points: [{ interval: { endTime: '2026-12-04T10:00:00Z' }, value: { int64Value: 301 } }] }] })).toBe(301);
  });

  test('skips points without a time or a number; none left (or no series) throws', () => {
    expect(
      newestAge({
        timeSeries: [
          {
            points: [
              { interval: { endTime: 'not a time' }, value: { int64Value: '999' } },
              { interval: { endTime: '2026-12-04T10:05:00Z' }, value: { int64Value: 'NaN' } },
              { interval: { endTime: '2026-12-04T10:04:00Z' }, value: {} },
              { interval: { endTime: '2026-12-04T10:01:00Z' }, value: { int64Value: '12' } },
            ],
          },
        ],
      }),
    ).toBe(12);
    expect(() => newestAge({})).toThrow(`no ${OLDEST_UNACKED_AGE_METRIC} point in the lookback window`);
    expect(() => newestAge({ timeSeries: [{ points: [] }] })).toThrow(/no .* point/);
    expect(() => newestAge({ timeSeries: [{ points: [{ value: { int64Value: '5' } }] }] })).toThrow(/no .* point/);
  });

  test('the probe asks for the subscription metric over the lookback window, without retries', async () => {
    const requests: Parameters<MonitoringHttp['request']>[0][] = [];
    const http: MonitoringHttp = {
      request: async <T>(options: Parameters<MonitoringHttp['request']>[0]) => {
        requests.push(options);
        return { data: { timeSeries: [{ points: [{ interval: { endTime: '2026-12-04T09:59:00Z' }, value: { int64Value: '17' } }] }] } as T };
      },
    };
    const probe = monitoringBacklogProbe({ project: 'iot-pipeline-prod', subscription: 'telemetry-speed-layer', timeoutMs: 5000, now: () => NOW, http });
    expect(await probe()).toBe(17);
    expect(requests).toEqual([
      {
        url: 'https://monitoring.googleapis.com/v3/projects/iot-pipeline-prod/timeSeries',
        params: {
          filter: `metric.type = "${OLDEST_UNACKED_AGE_METRIC}" AND resource.type = "pubsub_subscription" AND resource.labels.subscription_id = "telemetry-speed-layer"`,
          'interval.startTime': '2026-12-04T09:55:00.000Z',
          'interval.endTime': '2026-12-04T10:00:00.000Z',
          view: 'FULL',
        },
        timeout: 5000,
        retry: false,
      },
    ]);
    const failing = monitoringBacklogProbe({ project: 'p', subscription: 's', timeoutMs: 10, http: { request: async () => Promise.reject(new Error('403')) } });
    await expect(failing()).rejects.toThrow('403');
  });
});

describe('fleet snapshots', () => {
  test('row keys are <region>#<instanceId>; parts outside the pattern are refused', () => {
    expect(fleetRowKey('europe-west1', 'speed-processor-00042-abc-1a2b3c4d')).toBe('europe-west1#speed-processor-00042-abc-1a2b3c4d');
    expect(() => fleetRowKey('us#central', 'x')).toThrow(RangeError);
    expect(() => fleetRowKey('us-central1', '')).toThrow(RangeError);
  });

  test('parse checks the stored JSON and names what is wrong', () => {
    expect(parseFleetSnapshot(JSON.stringify(snapshot()))).toEqual({ ok: true, snapshot: snapshot() });
    expect(parseFleetSnapshot('{not json')).toEqual({ ok: false, reason: 'not JSON' });
    expect(parseFleetSnapshot(JSON.stringify({ ...snapshot(), version: 2 }))).toMatchObject({ ok: false, reason: expect.stringMatching(/^version: /) });
    expect(parseFleetSnapshot(JSON.stringify({ ...snapshot(), extra: 1 }))).toMatchObject({ ok: false });
    expect(parseFleetSnapshot(JSON.stringify({ ...snapshot(), eventsPerSecond: -1 }))).toMatchObject({ ok: false, reason: expect.stringMatching(/^eventsPerSecond: /) });
  });
});

describe('mergeFleet (GET /v1/fleet/live)', () => {
  test('two instances: rates and counters summed, HDR histograms merged, top devices summed per device', () => {
    const a = snapshot({
      instanceId: 'a',
      takenAtMs: NOW - 3000,
      eventsPerSecond: 1000.04,
      inFlightMessages: 5,
      counters: { eventsProcessed: 1000, eventsDeadLettered: 2, eventsLate: 1 },
      latencyLastMinute: latencies(Array.from({ length: 90 }, () => 10)),
      topDevices: [{ deviceId: 'd1', events: 30 }, { deviceId: 'd2', events: 20 }],
    });
    const b = snapshot({
      instanceId: 'b',
      region: 'europe-west1',
      takenAtMs: NOW - 1000,
      pulling: false,
      standby: true,
      eventsPerSecond: 500.02,
      inFlightMessages: 0,
      counters: { eventsProcessed: 500, eventsDeadLettered: 0 },
      latencyLastMinute: latencies(Array.from({ length: 10 }, () => 100)),
      topDevices: [{ deviceId: 'd2', events: 25 }, { deviceId: 'd3', events: 1 }],
    });
    const merged = mergeFleet({ snapshots: [a, b], unreadable: [] }, NOW, 10);
    if (!merged.ok) throw new Error(merged.reason);
    const live = merged.live;
    expect(live).toMatchObject({
      asOf: new Date(NOW - 3000).toISOString(),
      newestSnapshotAt: new Date(NOW - 1000).toISOString(),
      generatedAt: new Date(NOW).toISOString(),
      maxSnapshotAgeSeconds: 10,
      instances: {
        total: 2,
        pulling: 1,
        standby: 1,
        regions: [
          { region: 'europe-west1', instances: 1, pulling: 0 },
          { region: 'us-central1', instances: 1, pulling: 1 },
        ],
      },
      eventsPerSecond: 1500.1,
      eventsProcessed: 1500,
      deadLettered: 2,
      lateEvents: 1,
      inFlightMessages: 5,
      backlog: null,
      topDevices: [
        { deviceId: 'd2', events: 45 },
        { deviceId: 'd1', events: 30 },
        { deviceId: 'd3', events: 1 },
      ],
      warnings: [],
    });
    // 90 samples at 10 ms and 10 at 100 ms: the merged p50 is 10, p99 100 (no percentile of percentiles).
    expect(live.processingLatencyMs.count).toBe(100);
    expect(live.processingLatencyMs.p50).toBeCloseTo(10, 1);
    expect(live.processingLatencyMs.p99).toBeCloseTo(100, 0);
    expect(live.processingLatencyMs.max).toBeCloseTo(100, 0);
  });

  test('stale snapshots (and clocks too far ahead) are left out with a warning; unreadable rows are named', () => {
    const fresh = snapshot({ instanceId: 'fresh', takenAtMs: NOW - 10_000 }); // exactly at the bound: kept
    const stale = snapshot({ instanceId: 'stale', takenAtMs: NOW - 10_001, counters: { eventsProcessed: 1_000_000 } });
    const ahead = snapshot({ instanceId: 'ahead', takenAtMs: NOW + 60_000 });
    const badHistogram = snapshot({ instanceId: 'bad-hdr', latencyLastMinute: 'bm90IGEgaGlzdG9ncmFt' });
    const merged = mergeFleet({ snapshots: [fresh, stale, ahead, badHistogram], unreadable: [{ key: 'us-central1#junk', reason: 'not JSON' }] }, NOW, 10);
    if (!merged.ok) throw new Error(merged.reason);
    expect(merged.live.instances.total).toBe(1);
    expect(merged.live.eventsProcessed).toBe(100);
    expect(merged.live.warnings).toEqual([
      '2 processor snapshot(s) older than 10 s left out (instances stopped, crashed or unable to write)',
      '2 unreadable fleet row(s) left out (us-central1#junk: not JSON)',
    ]);
  });

  test('none fresh: not ok, with the reason (the API answers 503 with it)', () => {
    expect(mergeFleet({ snapshots: [], unreadable: [] }, NOW, 10)).toEqual({ ok: false, reason: 'no processor snapshot newer than 10 s in the fleet table (0 stale, 0 unreadable)' });
    expect(mergeFleet({ snapshots: [snapshot({ takenAtMs: NOW - 60_000 })], unreadable: [{ key: 'k', reason: 'no m:snapshot cell' }] }, NOW, 10)).toEqual({
      ok: false,
      reason: 'no processor snapshot newer than 10 s in the fleet table (1 stale, 1 unreadable)',
    });
  });

  test('top devices: the ten largest after summing, ties by device id', () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ deviceId: `d${String(i).padStart(2, '0')}`, events: 5 }));
    const merged = mergeFleet({ snapshots: [snapshot({ topDevices: many })], unreadable: [] }, NOW, 10);
    if (!merged.ok) throw new Error(merged.reason);
    expect(merged.live.topDevices.map((d) => d.deviceId)).toEqual(many.slice(0, 10).map((d) => d.deviceId));
  });
});

describe('FleetSnapshotWriter', () => {
  const logger = pino({ level: 'silent' });

  function writer(table: RowMutator, deleteRow: (key: string) => Promise<unknown> = async () => undefined, intervalMs = 1000) {
    const counts = { written: 0, failed: 0 };
    let n = 0;
    const w = new FleetSnapshotWriter({
      table,
      deleteRow,
      rowKey: 'us-central1#i-1',
      intervalMs,
      snapshot: () => snapshot({ instanceId: 'i-1', takenAtMs: NOW + n++ * 1000 }),
      logger,
      onWritten: () => void counts.written++,
      onFailed: () => void counts.failed++,
    });
    return { w, counts };
  }

  test('writes one cell m:snapshot at the row key, timestamped with the snapshot time', async () => {
    const entries: unknown[] = [];
    const { w, counts } = writer({ mutate: async (e) => void entries.push(...e) });
    await w.tick();
    expect(counts).toEqual({ written: 1, failed: 0 });
    expect(entries).toHaveLength(1);
    const entry = entries[0] as { key: string; method: string; data: { m: { snapshot: { value: string; timestamp: number } } } };
    expect(entry.key).toBe('us-central1#i-1');
    expect(entry.method).toBe('insert');
    expect(entry.data.m.snapshot.timestamp).toBe(NOW * 1000);
    expect(parseFleetSnapshot(entry.data.m.snapshot.value)).toMatchObject({ ok: true, snapshot: { instanceId: 'i-1', takenAtMs: NOW } });
  });

  test('a failed write is counted and the next tick tries again', async () => {
    let fail = true;
    const { w, counts } = writer({
      mutate: async () => {
        if (fail) throw new Error('UNAVAILABLE');
      },
    });
    await w.tick();
    await w.tick();
    expect(counts).toEqual({ written: 0, failed: 2 });
    fail = false;
    await w.tick();
    expect(counts).toEqual({ written: 1, failed: 2 });
  });

  test('a write that outlasts the interval counts as failed', async () => {
    const { w, counts } = writer({ mutate: () => new Promise(() => undefined) }, undefined, 50);
    await w.tick();
    expect(counts).toEqual({ written: 0, failed: 1 });
  });

  test('ticks never overlap: a tick while a write runs joins it', async () => {
    let calls = 0;
    let release: () => void = () => undefined;
    const { w, counts } = writer({
      mutate: () => {
        calls++;
        return new Promise<void>((r) => (release = r));
      },
    });
    const first = w.tick();
    const second = w.tick();
    expect(second).toBe(first);
    release();
    await first;
    expect(calls).toBe(1);
    expect(counts.written).toBe(1);
  });

  test('start writes at once and every interval; stop(true) waits for the write, then deletes the row; stop(false) leaves it', async () => {
    jest.useFakeTimers();
    try {
      const deleted: string[] = [];
      let writes = 0;
      const { w } = writer({ mutate: async () => void writes++ }, async (key) => void deleted.push(key), 2000);
      w.start();
      await jest.advanceTimersByTimeAsync(0);
      expect(writes).toBe(1);
      await jest.advanceTimersByTimeAsync(4000);
      expect(writes).toBe(3);
      await w.stop(true);
      expect(deleted).toEqual(['us-central1#i-1']);
      await jest.advanceTimersByTimeAsync(10_000);
      expect(writes).toBe(3);

      const kept: string[] = [];
      const other = writer({ mutate: async () => undefined }, async (key) => void kept.push(key));
      other.w.start();
      await other.w.stop(false);
      expect(kept).toEqual([]);
    } finally {
      jest.useRealTimers();
    }
  });

  test('a delete that fails or hangs does not fail the stop', async () => {
    const failing = writer({ mutate: async () => undefined }, async () => Promise.reject(new Error('NOT_FOUND')));
    await expect(failing.w.stop(true)).resolves.toBeUndefined();
    const hanging = writer({ mutate: async () => undefined }, () => new Promise(() => undefined));
    await expect(hanging.w.stop(true, 20)).resolves.toBeUndefined();
  });
});
