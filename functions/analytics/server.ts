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
 *   GET /v1/fleet/live                                               the processor fleet's live figures,
 *                                                                    merged from the fleet table (fleet-live.ts)
 *   GET /healthz
 *
 *   400 bad parameter (reason names it), 404 unknown path, 502/504 a store failed or timed out,
 *   503 live figures unavailable (no fresh processor snapshot in the fleet table).
 *
 * With QUERY_FALLBACK=bigquery (see fallback.ts):
 *   - events, aggregates, and the hot hours of hourly: when Bigtable fails or times out, the
 *     same request is answered from BigQuery `events_raw` (aggregates computed from it), with
 *     `source: "bigquery-fallback", degraded: true` in the body (status 200);
 *   - history, and the cold hours of hourly: when BigQuery fails, the part of the range
 *     inside the hot window is answered from Bigtable with `source: "bigtable-fallback",
 *     degraded: true, partial: true, missing: {from, to}` (what could not be answered); when
 *     no part of the range is in the hot window, 502/504 as without a fallback.
 *   If the fallback store fails too, 502/504 naming both failures.
 */
import Fastify from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { BigQuery } from '@google-cloud/bigquery';
import { DEVICE_ID_PATTERN, EVENT_ID_PATTERN, MAX_EPOCH_MS, MIN_EPOCH_MS } from '../shared/event-limits';
import { ONLY_DOTS, ONLY_DOTS_RULE, parseRfc3339 } from '../shared/event';
import type { RowReader } from '../shared/bigtable-read';
import { DEVICE_PATH_ROUTER_OPTIONS, quietRequestLogs } from '../shared/http';
import { TimeLimitError, withTimeLimit } from '../shared/time-limits';
import { BadPageToken, PageTokens, type DecodedPageToken, type PageFrame } from './page-token';
import { deviceEvents, deviceHourly, deviceWindows, allDeviceWindows } from './stores';
import { parseEventRowKey, parseTimedRowKey } from '../shared/row-keys';
import { FallbackLimit, archivedEvents, archivedTilingWindows, archivedWindows, type ArchiveTable } from './fallback';
import { readFleetSnapshots, type FleetReader } from '../shared/fleet-read';
import { DEFAULT_FLEET_SNAPSHOT_MAX_AGE_SECONDS, mergeFleet } from './fleet-live';
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
  /** The fleet table: one metrics snapshot per processor instance (shared/fleet-snapshot.ts); absent: /v1/fleet/live answers 503. */
  fleetTable?: FleetReader;
  /** Snapshots older than this are left out of /v1/fleet/live. @default 10 */
  fleetMaxAgeSeconds?: number;
  /**
   * The clock snapshot freshness is judged by: the processors stamp snapshots with their wall
   * clock, so this is the wall clock too (Date.now), not `now`, which tests pin to fixed
   * instants for the query ranges.
   */
  fleetClock?: () => number;
  queryTimeoutMs: number;
  /** Bigtable read limit (defaults to queryTimeoutMs); short with a fallback, so it answers in time. */
  bigtableTimeoutMs?: number;
  /** Window slide (for aggregates computed from the archive); defaults to the window. */
  slideMs?: number;
  /** QUERY_FALLBACK=bigquery: the archive table and its row limit. */
  fallback?: { eventsTable: string; maxRows: number };
  /** Page-token HMAC secrets (PAGE_TOKEN_SECRET): the first signs, all verify. Absent: a random one per process. */
  pageTokenSecrets?: Buffer[];
  logger: Logger;
  now?: () => number;
}

class BadRequest extends Error {}

/** Both stores failed: the message names each failure; a time-out on both answers 504. */
class BothStoresFailed extends Error {
  constructor(
    readonly primary: unknown,
    readonly secondary: unknown,
  ) {
    super(`${firstLine(primary)}; fallback: ${firstLine(secondary)}`);
  }
}

const firstLine = (err: unknown) => (err instanceof Error ? err.message.split('\n')[0] : String(err));

/**
 * A store call that failed. The message names the store and, where known, its status (gRPC
 * code, BigQuery error reason), never the store's own text, which can carry hosts, project or
 * table names; the cause is logged.
 */
class StoreFailure extends Error {
  constructor(
    store: 'Bigtable' | 'BigQuery',
    override readonly cause: unknown,
  ) {
    super(`${store} ${store === 'Bigtable' ? 'read' : 'query'} failed${storeStatus(store, cause)}`);
  }
}

/** gRPC status names (Bigtable answers with these codes). */
const GRPC_STATUS = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED'];

function storeStatus(store: 'Bigtable' | 'BigQuery', err: unknown): string {
  const e = err as { code?: unknown; errors?: { reason?: unknown }[] } | undefined;
  if (store === 'Bigtable' && typeof e?.code === 'number' && GRPC_STATUS[e.code]) return ` (gRPC ${e.code} ${GRPC_STATUS[e.code]})`;
  const reason = Array.isArray(e?.errors) ? e.errors[0]?.reason : undefined;
  if (store === 'BigQuery' && typeof reason === 'string' && /^[A-Za-z]{1,40}$/.test(reason)) return ` (${reason})`;
  if (store === 'BigQuery' && typeof e?.code === 'number') return ` (HTTP ${e.code})`;
  return '';
}

/** Errors that already say only what a caller may read (ours), passed through unchanged. */
const isOwnError = (err: unknown) => err instanceof BadRequest || err instanceof BadPageToken || err instanceof TimeLimitError || err instanceof StoreFailure || err instanceof FallbackLimit;

const onStore =
  (store: 'Bigtable' | 'BigQuery') =>
  <T>(work: () => Promise<T>) =>
  async (): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      throw isOwnError(err) ? err : new StoreFailure(store, err);
    }
  };
const bigtable = onStore('Bigtable');
const bigquery = onStore('BigQuery');

const BOUNDS = `must lie between ${new Date(MIN_EPOCH_MS).toISOString()} and ${new Date(MAX_EPOCH_MS).toISOString()} (epoch ms ${MIN_EPOCH_MS} to ${MAX_EPOCH_MS})`;

const time = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const digits = typeof v === 'string' && /^\d+$/.test(v);
  const n = typeof v === 'number' ? v : digits ? Number(v) : parseRfc3339(v);
  if (Number.isNaN(n) || !Number.isInteger(n)) {
    ctx.addIssue({ code: 'custom', message: 'must be RFC 3339 with a time zone or epoch milliseconds' });
    return z.NEVER;
  }
  // The contract's years: beyond them row keys, Date and BigQuery timestamps stop working.
  if (!(n >= MIN_EPOCH_MS && n <= MAX_EPOCH_MS)) {
    ctx.addIssue({ code: 'custom', message: BOUNDS });
    return z.NEVER;
  }
  return n;
});

const rangeQuery = z.strictObject({
  from: time.optional(),
  to: time.optional(),
  // Decimal digits only: Number() would also take 1e2 or 0x10.
  pageSize: z.string().regex(/^\d+$/, 'must be decimal digits, e.g. 100').transform(Number).pipe(z.number().int().min(1).max(MAX_PAGE_SIZE)).default(100),
  pageToken: z.string().min(1).optional(),
});

const deviceParams = z.object({
  deviceId: z
    .string()
    .regex(DEVICE_ID_PATTERN, `must match ${DEVICE_ID_PATTERN.source}`)
    .refine((id) => !ONLY_DOTS.test(id), ONLY_DOTS_RULE),
});

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new BadRequest(r.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; '));
}

const NOT_A_ROW = 'pageToken: cursor is not a row of this query (device and range)';

/** A cursor read back as a row key; anything that is not one is a bad page token. */
function cursorKey<T>(parse: (key: string) => T, cursor: string): T {
  try {
    return parse(cursor);
  } catch {
    throw new BadPageToken(NOT_A_ROW);
  }
}

/**
 * Cursors are checked although tokens are signed: a cursor becomes the start key of a range
 * read, so it must be a row key of this device inside the query's range, whatever signed it.
 */
function eventCursor(deviceId: string, r: { from: number; to: number }, cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const k = cursorKey(parseEventRowKey, cursor);
  if (k.deviceId !== deviceId || !EVENT_ID_PATTERN.test(k.eventId) || k.eventTimeMs < r.from || k.eventTimeMs >= r.to) throw new BadPageToken(NOT_A_ROW);
  return cursor;
}

/** A window row key of this device whose window END lies in the range. */
function windowCursor(deviceId: string, r: { from: number; to: number }, cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const k = cursorKey(parseTimedRowKey, cursor);
  if (k.deviceId !== deviceId || k.kind !== 'w' || k.timeMs < r.from || k.timeMs >= r.to) throw new BadPageToken(NOT_A_ROW);
  return cursor;
}

/** An hour (epoch ms, on the hour) inside the range. */
function hourCursor(r: { from: number; to: number }, cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const hourMs = /^\d{1,16}$/.test(cursor) ? Number(cursor) : NaN;
  if (!Number.isSafeInteger(hourMs) || hourMs % HOUR_MS !== 0 || hourMs < r.from || hourMs >= r.to) throw new BadPageToken('pageToken: cursor is not an hour of this query');
  return hourMs;
}

function range(q: { from?: number; to?: number }, now: number, defaultSpanMs: number, maxSpanMs: number, name: string) {
  const to = q.to ?? now;
  const from = q.from ?? Math.max(MIN_EPOCH_MS, to - defaultSpanMs);
  if (from >= to) throw new BadRequest('from: must be before to');
  if (to - from > maxSpanMs) throw new BadRequest(`range: at most ${maxSpanMs / HOUR_MS} hours for ${name} (asked ${Math.ceil((to - from) / HOUR_MS)})`);
  return { from, to };
}

export function buildAnalyticsServer(o: AnalyticsOptions) {
  const now = o.now ?? Date.now;
  const tokens = new PageTokens(o.pageTokenSecrets);
  const app = Fastify({ loggerInstance: o.logger, logController: quietRequestLogs(), routerOptions: DEVICE_PATH_ROUTER_OPTIONS });

  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: `no such endpoint: ${request.method} ${request.url.split('?')[0]}` }));
  app.setErrorHandler((err, request, reply) => {
    if (err instanceof BadRequest || err instanceof BadPageToken) return reply.code(400).send({ error: err.message });
    if (err instanceof TimeLimitError) return reply.code(504).send({ error: `store did not answer in time: ${err.message}` });
    if (err instanceof BothStoresFailed && err.primary instanceof TimeLimitError && err.secondary instanceof TimeLimitError) {
      return reply.code(504).send({ error: `stores did not answer in time: ${err.message}` });
    }
    if (err instanceof StoreFailure || err instanceof BothStoresFailed || err instanceof FallbackLimit) {
      const causes = err instanceof BothStoresFailed ? [err.primary, err.secondary] : [err instanceof StoreFailure ? err.cause : err];
      request.log.error({ err: err.message, causes: causes.map((c) => firstLine(c instanceof StoreFailure ? c.cause : c)) }, 'analytics query failed');
      return reply.code(502).send({ error: `store query failed: ${err.message}` });
    }
    const status = (err as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) return reply.code(status).send({ error: firstLine(err) });
    request.log.error({ err: firstLine(err) }, 'analytics request failed');
    return reply.code(500).send({ error: 'internal error' });
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  const btMs = o.bigtableTimeoutMs ?? o.queryTimeoutMs;
  const archive: ArchiveTable | undefined = o.fallback
    ? { bigquery: o.bigquery, dataset: o.dataset, table: o.fallback.eventsTable, limitMs: o.queryTimeoutMs, maxRows: o.fallback.maxRows }
    : undefined;
  const windowSpec = { windowMs: o.windowMs, slideMs: o.slideMs ?? o.windowMs };
  const DEGRADED_FROM_BIGQUERY = { source: 'bigquery-fallback', degraded: true } as const;

  /**
   * Runs `primary`; if it fails and a fallback is configured, answers with `fallback` instead
   * (logged). Bad requests never fall back.
   */
  async function orFallback<T, F>(what: string, primary: () => Promise<T>, fallback: (() => Promise<F>) | undefined): Promise<{ ok: T } | { fallback: F; cause: unknown }> {
    try {
      return { ok: await primary() };
    } catch (err) {
      if (!fallback || err instanceof BadRequest || err instanceof BadPageToken) throw err;
      o.logger.warn({ err: firstLine(err), what }, 'store failed; answering from the fallback store (degraded)');
      try {
        return { fallback: await fallback(), cause: err };
      } catch (second) {
        if (second instanceof BadRequest || second instanceof BadPageToken) throw second;
        throw new BothStoresFailed(err, second);
      }
    }
  }

  const page = <T>(query: unknown, items: T[], nextCursor: string | undefined, frame: PageFrame) => ({
    items,
    ...(nextCursor !== undefined ? { nextPageToken: tokens.encode(query, nextCursor, frame) } : {}),
  });

  /**
   * The query as the client gave it (what a token belongs to) and the range it resolved to:
   * the token's on later pages, so a default `to` of "now" does not move between pages.
   */
  const resolve = (name: string, deviceId: string, q: { from?: number; to?: number; pageSize: number; pageToken?: string }, fresh: () => { from: number; to: number }) => {
    const key = [name, deviceId, q.from ?? null, q.to ?? null, q.pageSize];
    const token = tokens.decode(key, q.pageToken);
    const f = token?.frame;
    const r = f && typeof f.from === 'number' && typeof f.to === 'number' ? { from: f.from, to: f.to } : fresh();
    return { key, token, r, frame: f };
  };

  app.get('/v1/devices/:deviceId/events', async (request) => {
    const { deviceId } = parse(deviceParams, request.params);
    const q = parse(rangeQuery, request.query);
    const { key, token, r } = resolve('events', deviceId, q, () => range(q, now(), HOUR_MS, MAX_RANGE_MS.events, 'events'));
    const cursor = eventCursor(deviceId, r, token?.cursor);
    const result = await orFallback(
      'events',
      bigtable(() => deviceEvents(o.eventsTable, deviceId, r.from, r.to, q.pageSize, cursor, btMs)),
      archive && bigquery(() => archivedEvents(archive, deviceId, r.from, r.to, q.pageSize, cursor)),
    );
    const head = { deviceId, from: new Date(r.from).toISOString(), to: new Date(r.to).toISOString() };
    if ('ok' in result) return { ...head, ...page(key, result.ok.items, result.ok.nextCursor, r) };
    // `late` is only known to Bigtable; archived events carry no flag.
    return { ...head, ...DEGRADED_FROM_BIGQUERY, ...page(key, result.fallback.items, result.fallback.nextCursor, r) };
  });

  app.get('/v1/devices/:deviceId/aggregates', async (request) => {
    const { deviceId } = parse(deviceParams, request.params);
    const q = parse(rangeQuery, request.query);
    const { key, token, r } = resolve('aggregates', deviceId, q, () => range(q, now(), HOUR_MS, MAX_RANGE_MS.aggregates, 'aggregates'));
    const cursor = windowCursor(deviceId, r, token?.cursor);
    const finalBefore = now() - o.watermarkDelayMs;
    const outcome = await orFallback(
      'aggregates',
      bigtable(() => deviceWindows(o.aggregatesTable, deviceId, r.from, r.to, q.pageSize, cursor, btMs)),
      archive && bigquery(() => archivedWindows(archive, windowSpec, deviceId, r.from, r.to, finalBefore, q.pageSize, cursor)),
    );
    const result = 'ok' in outcome ? outcome.ok : outcome.fallback;
    const items = result.items.map((w) => ({
      windowStart: new Date(w.windowStartMs).toISOString(),
      windowEnd: new Date(w.windowEndMs).toISOString(),
      eventCount: w.eventCount,
      metrics: w.metrics,
    }));
    return {
      deviceId,
      from: new Date(r.from).toISOString(),
      to: new Date(r.to).toISOString(),
      ...('ok' in outcome ? {} : DEGRADED_FROM_BIGQUERY),
      ...page(key, items, result.nextCursor, r),
    };
  });

  /** Hours of the range, newest first, one page of `pageSize` hours; the cursor is the next hour to return. */
  /** `frame` is the range (and, for hourly, the boundary) the token carries to the next page. */
  function pageHours(key: unknown, frame: PageFrame & { from: number; to: number }, hours: HourSummary[], pageSize: number, token: DecodedPageToken | undefined) {
    const newestFirst = hours.filter((h) => h.hourMs >= frame.from && h.hourMs < frame.to).sort((a, b) => b.hourMs - a.hourMs);
    const cursor = hourCursor(frame, token?.cursor);
    const startAt = cursor === undefined ? 0 : newestFirst.findIndex((h) => h.hourMs <= cursor);
    const slice = startAt < 0 ? [] : newestFirst.slice(startAt, startAt + pageSize);
    const next = startAt >= 0 && startAt + pageSize < newestFirst.length ? String(newestFirst[startAt + pageSize].hourMs) : undefined;
    return page(key, slice.map(withAverages), next, frame);
  }

  const hourRange = (q: { from?: number; to?: number }) => {
    const r = range(q, now(), 24 * HOUR_MS, MAX_RANGE_MS.hourly, 'hourly ranges');
    // Whole hours covering the range.
    return { from: Math.floor(r.from / HOUR_MS) * HOUR_MS, to: Math.ceil(r.to / HOUR_MS) * HOUR_MS };
  };

  /** Hot hours from Bigtable's tiling windows. */
  const hotHours = async (deviceId: string, fromMs: number, toMs: number, clock: number) =>
    fromWindows(await allDeviceWindows(o.aggregatesTable, deviceId, fromMs, toMs, btMs), o.windowMs, clock - o.watermarkDelayMs - o.windowMs);

  /** Hot hours computed from the archive (Bigtable down). */
  const archivedHotHours = async (deviceId: string, fromMs: number, toMs: number, clock: number) =>
    fromWindows(await archivedTilingWindows(archive!, windowSpec, deviceId, fromMs, toMs, clock - o.watermarkDelayMs), o.windowMs, clock - o.watermarkDelayMs - o.windowMs).map(
      (h) => ({ ...h, source: 'bigquery' as const }),
    );

  /** Marks an answer that lacks [fromMs, toMs) because BigQuery failed. */
  const partialFromBigtable = (fromMs: number, toMs: number) => ({
    source: 'bigtable-fallback',
    degraded: true,
    partial: true,
    missing: { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() },
  });

  app.get('/v1/devices/:deviceId/history', async (request) => {
    const { deviceId } = parse(deviceParams, request.params);
    const q = parse(rangeQuery, request.query);
    const { key, token, r } = resolve('history', deviceId, q, () => hourRange(q));
    const clock = now();
    const boundary = hotBoundary(clock, o.hotWindowHours);
    const hotFrom = Math.max(r.from, boundary);
    const outcome = await orFallback(
      'history',
      bigquery(async () => fromBatchView(await deviceHourly(o.bigquery, o.dataset, o.batchViewTable, deviceId, r.from, r.to, o.queryTimeoutMs))),
      archive && hotFrom < r.to ? bigtable(() => hotHours(deviceId, hotFrom, r.to, clock)) : undefined,
    );
    const head = { deviceId, from: new Date(r.from).toISOString(), to: new Date(r.to).toISOString() };
    if ('ok' in outcome) return { ...head, ...pageHours(key, r, outcome.ok, q.pageSize, token) };
    return { ...head, ...partialFromBigtable(r.from, hotFrom), ...pageHours(key, r, outcome.fallback, q.pageSize, token) };
  });

  app.get('/v1/devices/:deviceId/hourly', async (request) => {
    const { deviceId } = parse(deviceParams, request.params);
    const q = parse(rangeQuery, request.query);
    const { key, token, r, frame } = resolve('hourly', deviceId, q, () => hourRange(q));
    const clock = now();
    // The hot/cold boundary moves with the clock: later pages keep the first page's, so the
    // merged hours do not shift under the cursor.
    const boundary = typeof frame?.boundary === 'number' ? frame.boundary : hotBoundary(clock, o.hotWindowHours);
    const coldTo = Math.min(r.to, boundary);
    const hotFrom = Math.max(r.from, boundary);
    // Each part falls back on its own: cold hours to nothing (partial), hot hours to the archive.
    const [cold, hot] = await Promise.all([
      r.from < coldTo
        ? orFallback('hourly (cold hours)', bigquery(async () => fromBatchView(await deviceHourly(o.bigquery, o.dataset, o.batchViewTable, deviceId, r.from, coldTo, o.queryTimeoutMs))), archive && (async () => [] as HourSummary[]))
        : { ok: [] as HourSummary[] },
      hotFrom < r.to ? orFallback('hourly (hot hours)', bigtable(() => hotHours(deviceId, hotFrom, r.to, clock)), archive && bigquery(() => archivedHotHours(deviceId, hotFrom, r.to, clock))) : { ok: [] as HourSummary[] },
    ]);
    const coldMissing = !('ok' in cold);
    const hotDegraded = !('ok' in hot);
    return {
      deviceId,
      from: new Date(r.from).toISOString(),
      to: new Date(r.to).toISOString(),
      boundary: new Date(boundary).toISOString(),
      ...(hotDegraded ? DEGRADED_FROM_BIGQUERY : {}),
      ...(coldMissing ? partialFromBigtable(r.from, coldTo) : {}),
      ...pageHours(key, { ...r, boundary }, mergeAcrossBoundary('ok' in cold ? cold.ok : [], 'ok' in hot ? hot.ok : hot.fallback, boundary), q.pageSize, token),
    };
  });

  app.get('/v1/fleet/live', async (request, reply) => {
    if (Object.keys(request.query as object).length > 0) throw new BadRequest('query: /v1/fleet/live takes no parameters');
    const table = o.fleetTable;
    if (!table) return reply.code(503).send({ error: 'live figures unavailable: no fleet table configured' });
    const read = await bigtable(() => readFleetSnapshots(table, btMs))();
    const merged = mergeFleet(read, (o.fleetClock ?? Date.now)(), o.fleetMaxAgeSeconds ?? DEFAULT_FLEET_SNAPSHOT_MAX_AGE_SECONDS);
    if (!merged.ok) return reply.code(503).send({ error: `live figures unavailable: ${merged.reason}` });
    for (const u of read.unreadable) request.log.warn({ row: u.key, reason: u.reason }, 'unreadable fleet row');
    return reply.header('cache-control', 'no-store').send(merged.live);
  });

  return app;
}
