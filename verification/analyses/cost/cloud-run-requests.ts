/**
 * HTTP requests a Cloud Run service serves, from the usage file or the spec workload: the
 * ingest gateway takes the events in requests of `eventsPerIngestRequest`, the analytics API
 * the spec's query rate; a standby region takes none until a failover; a pull subscriber
 * serves no requests. Shared by the request-based price and the request logs.
 */
import type { Resource } from '../../graph/types';
import { oncePerResource, type AnalysisContext } from '../context';
import { isStandby, serviceSizing } from '../cloud-run';
import { monthMean } from '../traffic';
import { fmt } from './types';

export interface RequestRate {
  /** Requests/s outside bursts and month-mean with bursts. */
  averageRps: number;
  expectedRps: number;
  /** Billable instance seconds per request. */
  busySecondsPerRequest: number;
  basis: string;
  /** Set when the rate is an assumption the spec does not back. */
  assumedZero?: boolean;
}

/** Read by the service's price and its request logs: computed once. */
export const requestRate = oncePerResource(function requestRate(ctx: AnalysisContext, svc: Resource): RequestRate {
  const s = serviceSizing(ctx, svc);
  const w = ctx.spec.workload;
  const t = ctx.traffic;
  const duration = ctx.data.perf('cloudrun.request-duration-seconds').value;
  const override = ctx.usageOf(svc.address).requestsPerSecond;
  if (override !== undefined) return { averageRps: override, expectedRps: override, busySecondsPerRequest: duration, basis: `usage file: ${override} requests/s` };
  if (isStandby(ctx, svc)) {
    return {
      averageRps: 0,
      expectedRps: 0,
      busySecondsPerRequest: duration,
      basis: 'standby region: clients use the first regional endpoint and fail over to this one (0 requests/s until then; set requestsPerSecond in the usage file otherwise)',
    };
  }
  if (s.role === 'ingest-gateway' && s.eventsPerInstance) {
    const averageRps = t.averageEps / w.eventsPerIngestRequest;
    const expectedRps = monthMean(t, averageRps, t.burstEps / w.eventsPerIngestRequest);
    return { averageRps, expectedRps, busySecondsPerRequest: w.eventsPerIngestRequest / s.eventsPerInstance, basis: `${fmt(expectedRps)} requests/s (${w.eventsPerIngestRequest} events each)` };
  }
  if (s.role === 'analytics') return { averageRps: w.queryRatePerSecond, expectedRps: w.queryRatePerSecond, busySecondsPerRequest: duration, basis: `${w.queryRatePerSecond} queries/s (spec workload)` };
  if (s.role === 'processor') return { averageRps: 0, expectedRps: 0, busySecondsPerRequest: duration, basis: 'pull subscriber: it serves no requests (health checks aside)' };
  return {
    averageRps: 0,
    expectedRps: 0,
    busySecondsPerRequest: duration,
    basis: 'no request volume in the spec for this service (0 assumed beyond min instances; set requestsPerSecond in the usage file)',
    assumedZero: true,
  };
});
