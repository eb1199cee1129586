/**
 * The dashboard service with a fake source (no analytics API, no browser): the page and its
 * assets, the proxy endpoints, errors with reasons, the shared cache, and the mapping of the
 * analytics API's answers to the page's view.
 */
import pino from 'pino';
import { buildDashboardServer, type DashboardSource } from '../../../functions/dashboard/server';
import { toDeviceSeries, toLiveView, type FleetLiveAnswer } from '../../../functions/dashboard/analytics-client';
import type { DeviceSeries, LiveView } from '../../../functions/dashboard/view';

const live: LiveView = {
  asOf: '2026-12-03T12:00:00.000Z',
  fetchedAt: '2026-12-03T12:00:00.100Z',
  eventsPerSecond: 9876,
  latencyMs: { p50: 12.5, p99: 80.25 },
  backlog: { messages: null, inFlightMessages: 40, oldestAgeSeconds: null },
  deadLetters: 3,
  eventsProcessed: 123456,
  topDevices: [{ deviceId: 'd1', events: 600 }],
  warnings: [],
};

function fakeSource(overrides: Partial<DashboardSource> = {}) {
  const calls = { live: 0, series: [] as string[] };
  const source: DashboardSource = {
    live: async () => {
      calls.live++;
      return live;
    },
    deviceSeries: async (deviceId: string): Promise<DeviceSeries> => {
      calls.series.push(deviceId);
      return { deviceId, metric: 'temperature', points: [], asOf: live.asOf };
    },
    ...overrides,
  };
  return { source, calls };
}

const open: { close(): Promise<unknown> }[] = [];
afterAll(async () => {
  for (const app of open) await app.close();
});

/** Real HTTP on a loopback port (fastify's inject pulls an ESM-only dependency Jest cannot load on Node 20). */
function server(source: DashboardSource, now: () => number = () => 0) {
  const app = buildDashboardServer({ source, refreshIntervalMs: 2000, liveCacheMs: 1000, logger: pino({ level: 'silent' }), now });
  open.push(app);
  const ready = app.listen({ port: 0, host: '127.0.0.1' });
  return {
    async inject(req: { method: 'GET'; url: string }) {
      const base = await ready;
      const res = await fetch(`${base}${req.url}`);
      const body = await res.text();
      return { statusCode: res.status, headers: { 'content-type': res.headers.get('content-type') ?? '', 'content-security-policy': res.headers.get('content-security-policy') ?? '' } as Record<string, string>, body, json: () => JSON.parse(body) };
    },
  };
}

describe('dashboard service', () => {
  it('serves a self-contained page: same-origin assets only, under a strict CSP', async () => {
    const app = server(fakeSource().source);
    const page = await app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['content-security-policy']).toContain("connect-src 'self'");
    // No absolute URL to anywhere: every src/href is a path on this origin.
    expect(page.body).not.toMatch(/(src|href)="(https?:)?\/\//);
    for (const id of ['events-per-second', 'p50', 'p99', 'backlog', 'dead-letters', 'top-devices', 'device-chart', 'as-of']) {
      expect(page.body).toContain(`id="${id}"`);
    }
    const js = await app.inject({ method: 'GET', url: '/dashboard.js' });
    expect(js.statusCode).toBe(200);
    expect(js.body).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect((await app.inject({ method: 'GET', url: '/api/config' })).json()).toEqual({ refreshIntervalMs: 2000 });
  });

  it('proxies live figures and lets viewers within the cache window share one call', async () => {
    const { source, calls } = fakeSource();
    let t = 10_000;
    const app = server(source, () => t);
    const first = await app.inject({ method: 'GET', url: '/api/live' });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual(live);
    t += 999; // within liveCacheMs 1000
    await app.inject({ method: 'GET', url: '/api/live' });
    expect(calls.live).toBe(1);
    t += 1; // 1000 ms after the first call: a fresh one
    await app.inject({ method: 'GET', url: '/api/live' });
    expect(calls.live).toBe(2);
  });

  it('answers 502 with the reason when the analytics API fails, and does not cache the failure', async () => {
    let fail = true;
    const { source } = fakeSource({
      live: async () => {
        if (fail) throw new Error('no answer within 3000 ms');
        return live;
      },
    });
    const app = server(source);
    const res = await app.inject({ method: 'GET', url: '/api/live' });
    expect(res.statusCode).toBe(502);
    expect(res.json()).toEqual({ error: 'analytics API: no answer within 3000 ms' });
    fail = false;
    expect((await app.inject({ method: 'GET', url: '/api/live' })).statusCode).toBe(200);
  });

  it('checks the device id before asking the analytics API', async () => {
    const { source, calls } = fakeSource();
    const app = server(source);
    const bad = await app.inject({ method: 'GET', url: '/api/devices/bad%23id/series' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/^deviceId: must match/);
    expect(calls.series).toEqual([]);
    const ok = await app.inject({ method: 'GET', url: '/api/devices/dev-7/series' });
    expect(ok.statusCode).toBe(200);
    expect(calls.series).toEqual(['dev-7']);
  });
});

describe('analytics answers to the view', () => {
  it('maps /v1/fleet/live, keeping unknown figures unknown', () => {
    const answer: FleetLiveAnswer = {
      generatedAt: '2026-12-03T12:00:00.000Z',
      eventsPerSecond: 10_000,
      processingLatencyMs: { count: 5, p50: 11, p90: 20, p99: 42, max: 50 },
      eventsProcessed: 600_000,
      deadLettered: 2,
      inFlightMessages: 17,
      backlog: null,
      topDevices: Array.from({ length: 12 }, (_, i) => ({ deviceId: `d${i}`, events: 100 - i })),
    };
    const view = toLiveView(answer, new Date('2026-12-03T12:00:00.250Z'));
    expect(view).toMatchObject({
      asOf: '2026-12-03T12:00:00.000Z',
      fetchedAt: '2026-12-03T12:00:00.250Z',
      eventsPerSecond: 10_000,
      latencyMs: { p50: 11, p99: 42 },
      backlog: { messages: null, inFlightMessages: 17, oldestAgeSeconds: null },
      deadLetters: 2,
      eventsProcessed: 600_000,
    });
    expect(view.topDevices).toHaveLength(10);
    expect(view.warnings[0]).toMatch(/Cloud Monitoring/);
    // An empty histogram has no percentiles (not 0 ms).
    expect(toLiveView({ ...answer, processingLatencyMs: { count: 0, p50: 0, p90: 0, p99: 0, max: 0 } }, new Date()).latencyMs).toEqual({ p50: null, p99: null });
  });

  it('turns aggregates (newest first) into a chart series, oldest first, with the temperature mean', () => {
    const series = toDeviceSeries(
      {
        deviceId: 'd1',
        items: [
          // sum 45 over 2 events: mean 22.5
          { windowStart: '2026-12-03T11:59:10Z', windowEnd: '2026-12-03T12:00:10Z', eventCount: 2, metrics: { temperature: { count: 2, sum: 45, min: 20, max: 25 }, humidity: { count: 2, sum: 80, min: 40, max: 40 } } },
          { windowStart: '2026-12-03T11:59:00Z', windowEnd: '2026-12-03T12:00:00Z', eventCount: 1, metrics: { temperature: { count: 1, sum: 21, min: 21, max: 21 } } },
        ],
      },
      new Date('2026-12-03T12:00:20Z'),
    );
    expect(series).toEqual({
      deviceId: 'd1',
      metric: 'temperature',
      points: [
        { t: Date.parse('2026-12-03T12:00:00Z'), events: 1, mean: 21 },
        { t: Date.parse('2026-12-03T12:00:10Z'), events: 2, mean: 22.5 },
      ],
      asOf: '2026-12-03T12:00:20.000Z',
    });
  });
});
