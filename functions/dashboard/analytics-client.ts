/**
 * The dashboard's source: the analytics API (`ANALYTICS_URL`), mapped to the page's view.
 *
 *   live()             GET /v1/fleet/live
 *   deviceSeries(id)   GET /v1/devices/:id/aggregates over the last SERIES_MINUTES
 *
 * Every call has a time limit; an error answer becomes an Error carrying the API's reason.
 */
import type { DashboardSource } from './server';
import type { DevicePoint, DeviceSeries, LiveView } from './view';

/** How far back the per-device chart reaches. */
export const SERIES_MINUTES = 10;

interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** GET /v1/fleet/live (functions/analytics/fleet-live.ts). */
export interface FleetLiveAnswer {
  /** The figures hold as of this moment: the oldest processor snapshot merged. */
  asOf?: string;
  generatedAt: string;
  eventsPerSecond: number;
  processingLatencyMs: LatencySummary;
  eventsProcessed: number;
  deadLettered: number;
  lateEvents?: number;
  inFlightMessages: number;
  backlog: number | null;
  topDevices: { deviceId: string; events: number }[];
  /** Processor instances merged: total, pulling, warm standbys. */
  instances?: { total: number; pulling: number; standby: number };
  /** Snapshots the API left out (stale, unreadable). */
  warnings?: string[];
}

/** GET /v1/devices/:id/aggregates (newest first). */
export interface AggregatesAnswer {
  deviceId: string;
  items: { windowStart: string; windowEnd: string; eventCount: number; metrics: Record<string, { count: number; sum: number; min: number; max: number }> }[];
  nextPageToken?: string;
}

const finite = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function toLiveView(answer: FleetLiveAnswer, fetchedAt: Date): LiveView {
  const latency = answer.processingLatencyMs;
  const warnings: string[] = Array.isArray(answer.warnings) ? answer.warnings.filter((w) => typeof w === 'string') : [];
  if (answer.backlog === null) warnings.push('backlog depth comes from Cloud Monitoring (num_undelivered_messages); showing messages in flight in the processors');
  return {
    // As of the processors' snapshots, not of the API's answer: the lag the page shows includes the snapshot interval.
    asOf: answer.asOf ?? answer.generatedAt,
    fetchedAt: fetchedAt.toISOString(),
    eventsPerSecond: finite(answer.eventsPerSecond),
    latencyMs: { p50: latency && latency.count > 0 ? latency.p50 : null, p99: latency && latency.count > 0 ? latency.p99 : null },
    backlog: { messages: finite(answer.backlog), inFlightMessages: finite(answer.inFlightMessages), oldestAgeSeconds: null },
    deadLetters: finite(answer.deadLettered),
    eventsProcessed: finite(answer.eventsProcessed),
    topDevices: Array.isArray(answer.topDevices) ? answer.topDevices.slice(0, 10) : [],
    warnings,
  };
}

/** Windows oldest first, with the mean of `temperature` (or the first metric) per window. */
export function toDeviceSeries(answer: AggregatesAnswer, asOf: Date): DeviceSeries {
  const items = [...answer.items].sort((a, b) => Date.parse(a.windowEnd) - Date.parse(b.windowEnd));
  const names = new Set<string>();
  for (const item of items) for (const name of Object.keys(item.metrics ?? {})) names.add(name);
  const metric = names.has('temperature') ? 'temperature' : ([...names].sort()[0] ?? null);
  const points: DevicePoint[] = items.map((item) => {
    const stats = metric ? item.metrics?.[metric] : undefined;
    return { t: Date.parse(item.windowEnd), events: item.eventCount, mean: stats && stats.count > 0 ? stats.sum / stats.count : null };
  });
  return { deviceId: answer.deviceId, metric, points, asOf: asOf.toISOString() };
}

export class AnalyticsSource implements DashboardSource {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private async get<T>(path: string): Promise<T> {
    const url = new URL(path, this.baseUrl);
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      const e = err as Error;
      throw new Error(e.name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : e.message);
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`HTTP ${res.status}: not JSON`);
    }
    if (!res.ok) throw new Error((body as { error?: string })?.error ?? `HTTP ${res.status}`);
    return body as T;
  }

  async live(): Promise<LiveView> {
    return toLiveView(await this.get<FleetLiveAnswer>('/v1/fleet/live'), new Date(this.now()));
  }

  async deviceSeries(deviceId: string): Promise<DeviceSeries> {
    const to = this.now();
    const from = to - SERIES_MINUTES * 60_000;
    const answer = await this.get<AggregatesAnswer>(`/v1/devices/${encodeURIComponent(deviceId)}/aggregates?from=${from}&to=${to}&pageSize=1000`);
    return toDeviceSeries(answer, new Date(to));
  }
}
