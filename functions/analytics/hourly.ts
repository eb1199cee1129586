/**
 * Hourly summaries and the hot/cold merge. An hour is answered by exactly one store: hours
 * starting before the boundary from the BigQuery batch view, the rest from Bigtable, so an
 * hour is never counted twice. The boundary is the first whole hour inside the hot window.
 */
import { mergeSummaries, type Summary, type WindowSummary } from '../shared/aggregates';

export const HOUR_MS = 3_600_000;

export interface HourSummary extends Summary {
  hour: string;
  hourMs: number;
  source: 'bigquery' | 'bigtable';
  /** False while the hour can still change (hot hours not yet past the watermark). */
  final: boolean;
}

/** One device_hourly row. */
export interface DeviceHourlyRow {
  hourMs: number;
  metric: string;
  eventCount: number;
  valueCount: number;
  valueSum: number;
  valueMin: number;
  valueMax: number;
}

export function hotBoundary(nowMs: number, hotWindowHours: number): number {
  return Math.ceil((nowMs - hotWindowHours * HOUR_MS) / HOUR_MS) * HOUR_MS;
}

export function fromBatchView(rows: DeviceHourlyRow[]): HourSummary[] {
  const byHour = new Map<number, HourSummary>();
  for (const r of [...rows].sort((a, b) => a.hourMs - b.hourMs || (a.metric < b.metric ? -1 : 1))) {
    let h = byHour.get(r.hourMs);
    if (!h) byHour.set(r.hourMs, (h = { hour: new Date(r.hourMs).toISOString(), hourMs: r.hourMs, source: 'bigquery', final: true, eventCount: r.eventCount, metrics: {} }));
    h.metrics[r.metric] = { count: r.valueCount, sum: r.valueSum, min: r.valueMin, max: r.valueMax };
  }
  return [...byHour.values()];
}

/**
 * Hours from finalized sliding windows: only windows starting on a multiple of the window
 * length are used, which tile time without overlap (a 60 s window sliding every 10 s: the
 * windows [00:00, 01:00), [01:00, 02:00), ...).
 */
export function fromWindows(windows: WindowSummary[], windowMs: number, finalBeforeMs: number): HourSummary[] {
  const byHour = new Map<number, HourSummary>();
  for (const w of [...windows].sort((a, b) => a.windowStartMs - b.windowStartMs)) {
    if (w.windowStartMs % windowMs !== 0) continue;
    const hourMs = Math.floor(w.windowStartMs / HOUR_MS) * HOUR_MS;
    let h = byHour.get(hourMs);
    if (!h) {
      byHour.set(hourMs, (h = { hour: new Date(hourMs).toISOString(), hourMs, source: 'bigtable', final: hourMs + HOUR_MS <= finalBeforeMs, eventCount: 0, metrics: {} }));
    }
    mergeSummaries(h, w);
  }
  return [...byHour.values()];
}

/** Keeps each hour from the store that owns it and orders the result. */
export function mergeAcrossBoundary(cold: HourSummary[], hot: HourSummary[], boundaryMs: number): HourSummary[] {
  return [...cold.filter((h) => h.hourMs < boundaryMs), ...hot.filter((h) => h.hourMs >= boundaryMs)].sort((a, b) => a.hourMs - b.hourMs);
}

export function withAverages(h: HourSummary) {
  const metrics: Record<string, { count: number; sum: number; min: number; max: number; avg: number }> = {};
  for (const name of Object.keys(h.metrics).sort()) {
    const m = h.metrics[name];
    metrics[name] = { ...m, avg: m.count > 0 ? m.sum / m.count : 0 };
  }
  return { hour: h.hour, source: h.source, final: h.final, eventCount: h.eventCount, metrics };
}

