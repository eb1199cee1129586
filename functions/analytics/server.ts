/**
 * The analytics API (serving layer). All times are RFC 3339 or epoch milliseconds; ranges
 * are [from, to). Lists are newest first and paged with opaque tokens.
 *
 *   GET /v1/devices/:deviceId/events?from&to&pageSize&pageToken      raw events (Bigtable)
 *   GET /v1/devices/:deviceId/aggregates?from&to&pageSize&pageToken  finalized sliding windows
 *                                                                    whose end lies in the range
 *   GET /v1/devices/:deviceId/history?from&to&pageSize&pageToken     hourly batch view (BigQuery)
 *   GET /v1/devices/:deviceId/hourly?from&to&pageSize&pageToken      hourly, merged across the hot/
 *                                                                    cold boundary (each hour from one store)
 *   GET /v1/fleet/live                                               processor figures for the dashboard
 *   GET /healthz
 *
 *   400 bad parameter (reason names it), 404 unknown path, 502/504 a store failed or timed out,
 *   503 live figures unavailable (no processor metrics endpoint configured or reachable).
 */
import Fastify from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { BigQuery } from '@google-cloud/bigquery';
import { DEVICE_ID_PATTERN } from '../shared/event-limits';
import { parseRfc3339 } from '../shared/event';
import type { RowReader } from '../shared/bigtable-read';
import { quietRequestLogs } from '../shared/http';
import { TimeLimitError, withTimeLimit } from '../shared/time-limits';
import { BadPageToken, decodePageToken, encodePageToken } from './page-token';
import { deviceEvents, deviceHourly, deviceWindows, allDeviceWindows } from './stores';
import { HOUR_MS, fromBatchView, fromWindows, hotBoundary, mergeAcrossBoundary, withAverages, type HourSummary } from './hourly';

export const MAX_PAGE_SIZE = 1000;
/** Longest range one request may ask for, per endpoint. */
export const MAX_RANGE_MS = { events: 7 * 24 * HOUR_MS, aggregates: 7 * 24 * HOUR_MS, hourly: 93 * 24 * HOUR_MS };

export interface AnalyticsOptions {
  eventsTable: RowReader;
  aggregatesTable: RowReader;
  bigquery: BigQuery;
  dataset: string;
  batchViewTable: string;
  windowMs: number;
  watermarkDelayMs: number;
  hotWindowHours: number;
  processorMetricsUrl?: string;
  queryTimeoutMs: number;
  logger: Logger;
  now?: () => number;
}

class BadRequest extends Error {}

const time = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const n = typeof v === 'number' ? v : /^\d+$/.test(v) ? Number(v) : parseRfc3339(v);
  if (!Number.isSafeInteger(n) || n < 0) {
    ctx.addIssue({ code: 'custom', message: 'must be RFC 3339 with a time zone or epoch milliseconds' });
    return z.NEVER;
  }
  return n;
});

const rangeQuery = z.strictObject({
  from: time.optional(),
  to: time.optional(),
  pageSize: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(100),
  pageToken: z.string().min(1).optional(),
});

const deviceParams = z.object({ deviceId: z.string().regex(DEVICE_ID_PATTERN, `must match ${DEVICE_ID_PATTERN.source}`) });

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new BadRequest(r.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; '));
}

function range(q: { from?: number; to?: number }, now: number, defaultSpanMs: number, maxSpanMs: number, name: string) {
  const to = q.to ?? now;
  const from = q.from ?? to - defaultSpanMs;
  if (from >= to) throw new BadRequest('from: must be before to');
  if (to - from > maxSpanMs) throw new BadRequest(`range: at most ${maxSpanMs / HOUR_MS} hours for ${name} (asked ${Math.ceil((to - from) / HOUR_MS)})`);
  return { from, to };
}

export function buildAnalyticsServer(o: AnalyticsOptions) {
  const now = o.now ?? Date.now;
  const app = Fastify({ loggerInstance: o.logger, logController: quietRequestLogs() });

  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: `no such endpoint: ${request.method} ${request.url.split('?')[0]}` }));
  app.setErrorHandler((err, request, reply) => {
    if (err instanceof BadRequest || err instanceof BadPageToken) return reply.code(400).send({ error: err.message });
    if (err instanceof TimeLimitError) return reply.code(504).send({ error: `store did not answer in time: ${err.message}` });
    request.log.error({ err: (err as Error).message }, 'analytics query failed');
    return reply.code(502).send({ error: `store query failed: ${(err as Error).message.split('\n')[0]}` });
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  const page = <T>(query: unknown, items: T[], nextCursor: string | undefined) => ({
    items,
    ...(nextCursor !== undefined ? { nextPageToken: encodePageToken(query, nextCursor) } : {}),
  });

  app.get('/v1/devices/:deviceId/events', async (request) => {
    const { deviceId } = parse(deviceParams, request.params);
    const q = parse(rangeQuery, request.query);
    const r = range(q, now(), HOUR_MS, MAX_RANGE_MS.events, 'events');
    const key = ['events', deviceId, r.from, r.to, q.pageSize];
    const result = await deviceEvents(o.eventsTable, deviceId, r.from, r.to, q.pageSize, decodePageToken(key, q.pageToken), o.queryTimeoutMs);
    return { deviceId, from: new Date(r.from).toISOString(), to: new Date(r.to).toISOString(), ...page(key, result.items, result.nextCursor) };
  });

  app.get('/v1/devices/:deviceId/aggregates', async (request) => {
    const { deviceId } = parse(deviceParams, request.params);
    const q = parse(rangeQuery, request.query);
    const r = range(q, now(), HOUR_MS, MAX_RANGE_MS.aggregates, 'aggregates');
    const key = ['aggregates', deviceId, r.from, r.to, q.pageSize];
    const result = await deviceWindows(o.aggregatesTable, deviceId, r.from, r.to, q.pageSize, decodePageToken(key, q.pageToken), o.queryTimeoutMs);
    const items = result.items.map((w) => ({
      windowStart: new Date(w.windowStartMs).toISOString(),
      windowEnd: new Date(w.windowEndMs).toISOString(),
      eventCount: w.eventCount,
      metrics: w.metrics,
    }));
    return { deviceId, from: new Date(r.from).toISOString(), to: new Date(r.to).toISOString(), ...page(key, items, result.nextCursor) };
  });

  /** Hours, newest first, one page of `pageSize` hours; the cursor is the next hour to return. */
  function pageHours(key: unknown, hours: HourSummary[], pageSize: number, token: string | undefined) {
    const newestFirst = [...hours].sort((a, b) => b.hourMs - a.hourMs);
    const cursor = decodePageToken(key, token);
    const startAt = cursor === undefined ? 0 : newestFirst.findIndex((h) => h.hourMs <= Number(cursor));
    const slice = startAt < 0 ? [] : newestFirst.slice(startAt, startAt + pageSize);
    const next = startAt >= 0 && startAt + pageSize < newestFirst.length ? String(newestFirst[startAt + pageSize].hourMs) : undefined;
    return page(key, slice.map(withAverages), next);
  }

  const hourRange = (q: { from?: number; to?: number }) => {
    const r = range(q, now(), 24 * HOUR_MS, MAX_RANGE_MS.hourly, 'hourly ranges');
    // Whole hours covering the range.
    return { from: Math.floor(r.from / HOUR_MS) * HOUR_MS, to: Math.ceil(r.to / HOUR_MS) * HOUR_MS };
  };

  app.get('/v1/devices/:deviceId/history', async (request) => {
    const { deviceId } = parse(deviceParams, request.params);
    const q = parse(rangeQuery, request.query);
    const r = hourRange(q);
    const rows = await deviceHourly(o.bigquery, o.dataset, o.batchViewTable, deviceId, r.from, r.to, o.queryTimeoutMs);
    const key = ['history', deviceId, r.from, r.to, q.pageSize];
    return { deviceId, from: new Date(r.from).toISOString(), to: new Date(r.to).toISOString(), ...pageHours(key, fromBatchView(rows), q.pageSize, q.pageToken) };
  });

  app.get('/v1/devices/:deviceId/hourly', async (request) => {
    const { deviceId } = parse(deviceParams, request.params);
    const q = parse(rangeQuery, request.query);
    const r = hourRange(q);
    const clock = now();
    const boundary = hotBoundary(clock, o.hotWindowHours);
    const coldTo = Math.min(r.to, boundary);
    const hotFrom = Math.max(r.from, boundary);
    const [cold, hot] = await Promise.all([
      r.from < coldTo ? deviceHourly(o.bigquery, o.dataset, o.batchViewTable, deviceId, r.from, coldTo, o.queryTimeoutMs).then(fromBatchView) : [],
      hotFrom < r.to
        ? allDeviceWindows(o.aggregatesTable, deviceId, hotFrom, r.to, o.queryTimeoutMs).then((w) => fromWindows(w, o.windowMs, clock - o.watermarkDelayMs - o.windowMs))
        : [],
    ]);
    const key = ['hourly', deviceId, r.from, r.to, q.pageSize, boundary];
    return {
      deviceId,
      from: new Date(r.from).toISOString(),
      to: new Date(r.to).toISOString(),
      boundary: new Date(boundary).toISOString(),
      ...pageHours(key, mergeAcrossBoundary(cold, hot, boundary), q.pageSize, q.pageToken),
    };
  });

  app.get('/v1/fleet/live', async (request, reply) => {
    if (Object.keys(request.query as object).length > 0) throw new BadRequest('query: /v1/fleet/live takes no parameters');
    if (!o.processorMetricsUrl) return reply.code(503).send({ error: 'live figures unavailable: PROCESSOR_METRICS_URL is not set' });
    let m: {
      eventsPerSecond: number;
      inFlightMessages: number;
      counters: Record<string, number>;
      latencyMs: { lastMinute: unknown };
      topDevices: { deviceId: string; events: number }[];
    };
    try {
      const res = await withTimeLimit(fetch(o.processorMetricsUrl, { signal: AbortSignal.timeout(2000) }), 2500, 'processor metrics');
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      m = await res.json();
    } catch (err) {
      return reply.code(503).send({ error: `live figures unavailable: processor metrics ${o.processorMetricsUrl}: ${(err as Error).message}` });
    }
    return {
      generatedAt: new Date(now()).toISOString(),
      eventsPerSecond: m.eventsPerSecond,
      processingLatencyMs: m.latencyMs.lastMinute,
      eventsProcessed: m.counters.eventsProcessed,
      deadLettered: m.counters.eventsDeadLettered,
      lateEvents: m.counters.eventsLate,
      inFlightMessages: m.inFlightMessages,
      // Subscription backlog comes from Cloud Monitoring (num_undelivered_messages); not known here.
      backlog: null,
      topDevices: m.topDevices,
    };
  });

  return app;
}
