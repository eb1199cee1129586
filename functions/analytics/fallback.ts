/**
 * Degraded answers from the other store (QUERY_FALLBACK=bigquery).
 *
 * Bigtable unavailable: recent events, windows and hot hours come from the archive table
 * `events_raw` (every event the archive path wrote), with aggregates computed by the same
 * sliding-window code the processor uses. The archive trails Pub/Sub by the streaming
 * insert delay, and BigQuery does not know which events the processor flagged late, so such
 * answers are marked `degraded`. Page cursors are the Bigtable row keys of the last item, so
 * a client can page on across a switch between stores.
 */
import type { BigQuery, Query } from '@google-cloud/bigquery';
import { summarizeWindows, type Contribution, type WindowSummary } from '../shared/aggregates';
import { eventRowKey, parseEventRowKey, parseTimedRowKey, windowRowKey } from '../shared/row-keys';
import { withTimeLimit } from '../shared/time-limits';
import { timestampMs, type Page, type StoredEvent } from './stores';

export interface ArchiveTable {
  bigquery: BigQuery;
  dataset: string;
  table: string;
  limitMs: number;
  /** Most rows one fallback aggregate may read (beyond it: 502 naming the limit). */
  maxRows: number;
}

/** The fallback would read more archived rows than FALLBACK_MAX_ROWS (the message is for the caller). */
export class FallbackLimit extends Error {}

type RawRow = { event_id: string; device_id: string; type: string; event_time: unknown; metrics: { name: string; value: number }[]; attributes?: { key: string; value: string }[] };

async function query(t: ArchiveTable, sql: string, params: Record<string, unknown>): Promise<RawRow[]> {
  const options: Query = { query: sql, params, jobTimeoutMs: t.limitMs };
  const [rows] = await withTimeLimit(t.bigquery.query(options), t.limitMs, `BigQuery query on ${t.table}`);
  return rows as RawRow[];
}

function toStoredEvent(r: RawRow): Omit<StoredEvent, 'late'> {
  const attributes = Object.fromEntries((r.attributes ?? []).map((a) => [a.key, a.value]));
  return {
    eventId: r.event_id,
    deviceId: r.device_id,
    type: r.type,
    eventTime: new Date(timestampMs(r.event_time)).toISOString(),
    metrics: Object.fromEntries((r.metrics ?? []).map((m) => [m.name, Number(m.value)])),
    ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
  };
}

/** A device's archived events in [fromMs, toMs), newest first (the Bigtable key order), paged. */
export async function archivedEvents(t: ArchiveTable, deviceId: string, fromMs: number, toMs: number, pageSize: number, cursor: string | undefined): Promise<Page<Omit<StoredEvent, 'late'>>> {
  const after = cursor !== undefined ? parseEventRowKey(cursor) : undefined;
  const params: Record<string, unknown> = { deviceId, from: t.bigquery.timestamp(new Date(fromMs)), to: t.bigquery.timestamp(new Date(toMs)) };
  if (after) Object.assign(params, { cursorTime: t.bigquery.timestamp(new Date(after.eventTimeMs)), cursorId: after.eventId });
  const rows = await query(
    t,
    `SELECT event_id, device_id, type, event_time, metrics, attributes
       FROM \`${t.dataset}.${t.table}\`
      WHERE device_id = @deviceId AND event_time >= @from AND event_time < @to
      ${after ? 'AND (event_time < @cursorTime OR (event_time = @cursorTime AND event_id > @cursorId))' : ''}
      ORDER BY event_time DESC, event_id
      LIMIT ${pageSize + 1}`,
    params,
  );
  // The archive may hold an event twice (insert-id de-duplication is best effort): keep one.
  const seen = new Set<string>();
  const unique = rows.map(toStoredEvent).filter((e) => !seen.has(e.eventId) && seen.add(e.eventId));
  const items = unique.slice(0, pageSize);
  const more = rows.length > pageSize && items.length > 0;
  const last = items[items.length - 1];
  return { items, nextCursor: more ? eventRowKey(deviceId, Date.parse(last.eventTime), last.eventId) : undefined };
}

/** Every archived event of a device in [fromMs, toMs) as aggregate contributions, one per event id. */
async function contributions(t: ArchiveTable, deviceId: string, fromMs: number, toMs: number): Promise<Contribution[]> {
  const rows = await query(
    t,
    `SELECT event_id, device_id, type, event_time, metrics
       FROM \`${t.dataset}.${t.table}\`
      WHERE device_id = @deviceId AND event_time >= @from AND event_time < @to
      ORDER BY event_time, event_id
      LIMIT ${t.maxRows + 1}`,
    { deviceId, from: t.bigquery.timestamp(new Date(fromMs)), to: t.bigquery.timestamp(new Date(toMs)) },
  );
  if (rows.length > t.maxRows) throw new FallbackLimit(`fallback: more than ${t.maxRows} archived events in the range; ask for a shorter range`);
  const byId = new Map<string, Contribution>();
  for (const r of rows) {
    const e = toStoredEvent(r);
    if (!byId.has(e.eventId)) byId.set(e.eventId, { eventId: e.eventId, eventTimeMs: Date.parse(e.eventTime), metrics: e.metrics });
  }
  return [...byId.values()];
}

export interface WindowFallback {
  windowMs: number;
  slideMs: number;
}

/** Window ends, multiples of the slide, in [fromEndMs, toEndMs) and at most `finalBeforeMs`. */
function windowEnds(fromEndMs: number, toEndMs: number, finalBeforeMs: number, stepMs: number): number[] {
  const ends: number[] = [];
  for (let end = Math.ceil(fromEndMs / stepMs) * stepMs; end < toEndMs && end <= finalBeforeMs; end += stepMs) ends.push(end);
  return ends;
}

/**
 * Sliding windows whose END lies in [fromMs, toMs), final by `finalBeforeMs`, newest first and
 * paged like the Bigtable path (cursor = the window row key of the last item).
 */
export async function archivedWindows(t: ArchiveTable, spec: WindowFallback, deviceId: string, fromMs: number, toMs: number, finalBeforeMs: number, pageSize: number, cursor: string | undefined): Promise<Page<WindowSummary>> {
  const upTo = cursor !== undefined ? Math.min(toMs, parseTimedRowKey(cursor).timeMs) : toMs;
  const ends = windowEnds(fromMs, upTo, finalBeforeMs, spec.slideMs);
  if (ends.length === 0) return { items: [] };
  const events = await contributions(t, deviceId, ends[0] - spec.windowMs, ends[ends.length - 1]);
  const windows = summarizeWindows(events, ends, spec).sort((a, b) => b.windowEndMs - a.windowEndMs);
  const items = windows.slice(0, pageSize);
  return { items, nextCursor: windows.length > pageSize ? windowRowKey(deviceId, items[items.length - 1].windowEndMs) : undefined };
}

/** The final tiling windows (starts on multiples of the window) of [fromMs, toMs), for hourly totals. */
export async function archivedTilingWindows(t: ArchiveTable, spec: WindowFallback, deviceId: string, fromMs: number, toMs: number, finalBeforeMs: number): Promise<WindowSummary[]> {
  const ends = windowEnds(fromMs + spec.windowMs, toMs + 1, finalBeforeMs, spec.windowMs);
  if (ends.length === 0) return [];
  const events = await contributions(t, deviceId, ends[0] - spec.windowMs, ends[ends.length - 1]);
  return summarizeWindows(events, ends, spec);
}
