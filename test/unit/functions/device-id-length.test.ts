/**
 * Device ids may be 128 characters (DEVICE_ID_PATTERN), and a client may percent-encode
 * them: both HTTP services that take a device id in the path must route every such id
 * (Fastify's default maxParamLength of 100 answered 414 for ids of 101-128 characters).
 */
import pino from 'pino';
import type { BigQuery } from '@google-cloud/bigquery';
import { buildAnalyticsServer } from '../../../functions/analytics/server';
import { buildDashboardServer } from '../../../functions/dashboard/server';
import type { RowReader } from '../../../functions/shared/bigtable-read';
import type { DeviceSeries, LiveView } from '../../../functions/dashboard/view';

const NOW = Date.UTC(2026, 11, 3, 9, 30, 0);
const emptyTable: RowReader = { getRows: (async () => [[]]) as never };
const longId = 'd'.repeat(128);
// Every character percent-encoded: 3 x 128 characters in the path.
const encodedId = [...longId].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('');

const apps: { close(): Promise<unknown> }[] = [];
afterAll(() => Promise.all(apps.map((a) => a.close())));

async function base(app: { listen(o: { port: number; host: string }): Promise<string>; close(): Promise<unknown> }) {
  apps.push(app);
  return app.listen({ port: 0, host: '127.0.0.1' });
}

describe('device ids of up to 128 characters in paths', () => {
  it('analytics API answers for a 128-character id, plain and percent-encoded, and 400 (not 414) beyond', async () => {
    const app = buildAnalyticsServer({
      eventsTable: emptyTable,
      aggregatesTable: emptyTable,
      bigquery: {} as BigQuery,
      dataset: 'ds',
      batchViewTable: 'device_hourly',
      windowMs: 60_000,
      watermarkDelayMs: 10_000,
      hotWindowHours: 2,
      queryTimeoutMs: 1000,
      logger: pino({ level: 'silent' }),
      now: () => NOW,
    });
    const url = await base(app);
    for (const id of [longId, encodedId]) {
      const res = await fetch(`${url}/v1/devices/${id}/events`);
      expect(res.status).toBe(200);
      expect((await res.json()).deviceId).toBe(longId);
    }
    const tooLong = await fetch(`${url}/v1/devices/${longId}d/events`);
    expect(tooLong.status).toBe(400);
    expect(await tooLong.json()).toEqual({ error: 'deviceId: must match ^[A-Za-z0-9._:-]{1,128}$' });
  });

  it('dashboard proxies the series of a 128-character id', async () => {
    const seen: string[] = [];
    const app = buildDashboardServer({
      source: {
        live: async () => ({}) as LiveView,
        deviceSeries: async (deviceId: string): Promise<DeviceSeries> => (seen.push(deviceId), { deviceId, metric: 'temperature', points: [], asOf: '' }),
      },
      refreshIntervalMs: 2000,
      liveCacheMs: 1000,
      logger: pino({ level: 'silent' }),
    });
    const url = await base(app);
    expect((await fetch(`${url}/api/devices/${longId}/series`)).status).toBe(200);
    expect((await fetch(`${url}/api/devices/${encodedId}/series`)).status).toBe(200);
    expect(seen).toEqual([longId, longId]);
  });
});
