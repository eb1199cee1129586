/**
 * Reads for the analytics API: recent events and finalized windows from Bigtable (newest
 * first, paged by row key), and the hourly batch view from BigQuery.
 */
import type { BigQuery, Query } from '@google-cloud/bigquery';
import { readRange, type RowReader } from '../shared/bigtable-read';
import type { WindowSummary } from '../shared/aggregates';
import {
  AGGREGATES_FAMILY,
  EVENTS_FAMILY,
  EVENT_COLUMN,
  LATE_COLUMN,
  WINDOW_COLUMN,
  deviceEventsRange,
  deviceWindowsRange,
  type KeyRange,
} from '../shared/row-keys';
import { withTimeLimit } from '../shared/time-limits';
import type { DeviceHourlyRow } from './hourly';

export interface Page<T> {
  items: T[];
  /** Row key after which the next page starts. */
  nextCursor?: string;
}

async function pageOf(table: RowReader, range: KeyRange, pageSize: number, cursor: string | undefined, limitMs: number) {
  // Keys after the cursor: the smallest key greater than `cursor` is cursor + '\0'.
  const start = cursor !== undefined ? cursor + '\u0000' : range.start;
  const rows = await readRange(table, { start, end: range.end }, pageSize + 1, limitMs);
  const more = rows.length > pageSize;
  const page = more ? rows.slice(0, pageSize) : rows;
  return { rows: page, nextCursor: more ? page[page.length - 1].key : undefined };
}

export interface StoredEvent {
  eventId: string;
  deviceId: string;
  type: string;
  eventTime: string;
  metrics: Record<string, number>;
  attributes?: Record<string, string>;
  late: boolean;
}

export async function deviceEvents(table: RowReader, deviceId: string, fromMs: number, toMs: number, pageSize: number, cursor: string | undefined, limitMs: number): Promise<Page<StoredEvent>> {
  const { rows, nextCursor } = await pageOf(table, deviceEventsRange(deviceId, fromMs, toMs), pageSize, cursor, limitMs);
  const items = rows.map((r) => {
    const cells = r.cells[EVENTS_FAMILY] ?? {};
    return { ...(JSON.parse(cells[EVENT_COLUMN].value) as Omit<StoredEvent, 'late'>), late: cells[LATE_COLUMN]?.value === '1' };
  });
  return { items, nextCursor };
}

/** Finalized windows whose END lies in [fromMs, toMs), newest first. */
export async function deviceWindows(table: RowReader, deviceId: string, fromMs: number, toMs: number, pageSize: number, cursor: string | undefined, limitMs: number): Promise<Page<WindowSummary>> {
  const { rows, nextCursor } = await pageOf(table, deviceWindowsRange(deviceId, fromMs, toMs), pageSize, cursor, limitMs);
  return { items: rows.map((r) => JSON.parse(r.cells[AGGREGATES_FAMILY][WINDOW_COLUMN].value) as WindowSummary), nextCursor };
}

/** Every finalized window ending in (fromMs, toMs] (for hourly totals; bounded by the caller's range limit). */
export async function allDeviceWindows(table: RowReader, deviceId: string, fromMs: number, toMs: number, limitMs: number): Promise<WindowSummary[]> {
  const rows = await readRange(table, deviceWindowsRange(deviceId, fromMs + 1, toMs + 1), undefined, limitMs);
  return rows.map((r) => JSON.parse(r.cells[AGGREGATES_FAMILY][WINDOW_COLUMN].value) as WindowSummary);
}

export function timestampMs(value: unknown): number {
  // The client returns TIMESTAMP as BigQueryTimestamp { value: '2026-...Z' } or a string/number.
  const v = (value as { value?: unknown })?.value ?? value;
  if (typeof v === 'number') return v;
  const ms = Date.parse(String(v));
  if (!Number.isNaN(ms)) return ms;
  const micros = Number(v);
  if (Number.isFinite(micros)) return Math.floor(micros / 1000);
  throw new Error(`unreadable TIMESTAMP from BigQuery: ${String(v)}`);
}

export async function deviceHourly(bigquery: BigQuery, dataset: string, table: string, deviceId: string, fromMs: number, toMs: number, limitMs: number): Promise<DeviceHourlyRow[]> {
  const options: Query = {
    query: `SELECT hour, metric, event_count, value_count, value_sum, value_min, value_max
              FROM \`${dataset}.${table}\`
              WHERE device_id = @deviceId AND hour >= @from AND hour < @to
              ORDER BY hour, metric`,
    params: { deviceId, from: bigquery.timestamp(new Date(fromMs)), to: bigquery.timestamp(new Date(toMs)) },
    jobTimeoutMs: limitMs,
  };
  const [rows] = await withTimeLimit(
    bigquery.query(options),
    limitMs,
    'BigQuery query on the batch view',
  );
  return (rows as Record<string, unknown>[]).map((r) => ({
    hourMs: timestampMs(r.hour),
    metric: String(r.metric),
    eventCount: Number(r.event_count),
    valueCount: Number(r.value_count),
    valueSum: Number(r.value_sum),
    valueMin: Number(r.value_min),
    valueMax: Number(r.value_max),
  }));
}
