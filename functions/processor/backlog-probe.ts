/**
 * The standby gate's probe on GCP: the speed-layer subscription's oldest unacked message age
 * from Cloud Monitoring (metric pubsub.googleapis.com/subscription/oldest_unacked_message_age,
 * REST projects.timeSeries.list), with the service account's credentials (google-auth-library;
 * the account needs monitoring.timeSeries.list, e.g. roles/monitoring.viewer on the project).
 *
 * Pub/Sub samples the metric every 60 s and it can take up to 120 s more to show (Cloud
 * Monitoring's metric list), so the probe asks for the last few minutes and answers the newest
 * point. No point in that window, an error or a time-out throws: the gate keeps its state.
 */
import { GoogleAuth } from 'google-auth-library';

export const OLDEST_UNACKED_AGE_METRIC = 'pubsub.googleapis.com/subscription/oldest_unacked_message_age';
const MONITORING_READ_SCOPE = 'https://www.googleapis.com/auth/monitoring.read';

/** The part of an authorised HTTP client the probe needs (GoogleAuth in production, a fake in tests). */
export interface MonitoringHttp {
  request<T>(options: { url: string; params: Record<string, string>; timeout: number; retry: boolean }): Promise<{ data: T }>;
}

interface Point {
  interval?: { endTime?: string };
  value?: { int64Value?: string | number; doubleValue?: number };
}
interface ListTimeSeriesResponse {
  timeSeries?: { points?: Point[] }[];
}

export interface BacklogProbeOptions {
  project: string;
  subscription: string;
  /** How far back to look for the newest point. @default 300 s (sampling 60 s + visibility 120 s, with margin) */
  lookbackSeconds?: number;
  timeoutMs: number;
  now?: () => number;
  http?: MonitoringHttp;
}

export function monitoringBacklogProbe(o: BacklogProbeOptions): () => Promise<number> {
  const http: MonitoringHttp = o.http ?? (new GoogleAuth({ scopes: [MONITORING_READ_SCOPE] }) as unknown as MonitoringHttp);
  const now = o.now ?? Date.now;
  const lookbackMs = (o.lookbackSeconds ?? 300) * 1000;
  const filter = `metric.type = "${OLDEST_UNACKED_AGE_METRIC}" AND resource.type = "pubsub_subscription" AND resource.labels.subscription_id = "${o.subscription}"`;
  return async () => {
    const end = now();
    const res = await http.request<ListTimeSeriesResponse>({
      url: `https://monitoring.googleapis.com/v3/projects/${encodeURIComponent(o.project)}/timeSeries`,
      params: {
        filter,
        'interval.startTime': new Date(end - lookbackMs).toISOString(),
        'interval.endTime': new Date(end).toISOString(),
        view: 'FULL',
      },
      timeout: o.timeoutMs,
      // The gate polls again soon; a retry here would only stretch one poll.
      retry: false,
    });
    return newestAge(res.data);
  };
}

/** The newest point across the series (a subscription has one), in seconds. */
export function newestAge(data: ListTimeSeriesResponse): number {
  let best: { at: number; value: number } | undefined;
  for (const series of data.timeSeries ?? []) {
    for (const p of series.points ?? []) {
      const at = Date.parse(p.interval?.endTime ?? '');
      const raw = p.value?.int64Value ?? p.value?.doubleValue;
      const value = typeof raw === 'string' ? Number(raw) : raw;
      if (!Number.isFinite(at) || typeof value !== 'number' || !Number.isFinite(value)) continue;
      if (!best || at > best.at) best = { at, value };
    }
  }
  if (!best) throw new Error(`no ${OLDEST_UNACKED_AGE_METRIC} point in the lookback window`);
  return best.value;
}
