/** dashboard_updated: the dashboard is never more than its bound behind the events. */
import type { Rule } from '../engine/types';
import { fmtNum, pathEvidence } from './support/evidence';

export const rule: Rule = {
  id: 'dashboard-freshness',
  title: 'dashboard_updated holds: the dashboard lags the events by at most the bound',
  severity: 'error',
  specItem: 'dashboard_updated',
  reads: ['google_cloud_run_v2_service', 'google_bigtable_instance'],
  rationale:
    'The spec bounds the dashboard\'s live figures (DESIGN: "shows live metrics ... never more than 5 s behind"): event processing + the analytics service\'s fetch of the processor metrics (PROCESSOR_METRICS_URL, which it must be able to reach) + the dashboard\'s live cache + the analytics call + the refresh wait. For an "always" bound the worst case counts: every wait at its maximum plus the p99 of the rest. The per-device window series (final windows: slide + watermark + window pass) is reported beside it; it trails by construction and is not what the bound covers.',
  check(ctx) {
    const prop = ctx.spec.properties.find((p) => p.id === 'dashboard_updated');
    if (!prop) return [{ status: 'unknown', message: 'the spec has no dashboard_updated property', fix: 'add it to the spec', expected: 'a bound' }];
    const path = ctx.analyses.latency.dashboardFreshness;
    const value = prop.percentile === undefined ? path.maxMs ?? null : prop.percentile === 50 ? path.p50Ms : path.p99Ms;
    const what = prop.percentile === undefined ? 'worst case' : `p${prop.percentile}`;
    const windows = ctx.analyses.latency.windowFreshness;
    const windowText = windows && windows.maxMs != null ? `; the per-device window series trails by up to ${fmtNum(windows.maxMs)} ms (final windows, not bounded by this property)` : '';
    const windowEvidence = windows ? { windowSeries: { ...pathEvidence(windows), maxMs: windows.maxMs } } : {};
    if (value === null) {
      const url = path.missing.some((m) => /PROCESSOR_METRICS_URL/.test(m));
      return [
        {
          status: 'unknown',
          observed: 'unknown',
          expected: `<= ${prop.boundMs} ms`,
          message: `dashboard freshness (live figures) unknown: ${path.missing.join('; ')}${windowText}`,
          fix: url
            ? 'give the analytics service a processor metrics endpoint it can reach (PROCESSOR_METRICS_URL; an internal-only processor needs VPC egress from the analytics service), with figures for the whole processor fleet'
            : 'set the dashboard refresh interval (env DASHBOARD_REFRESH_SECONDS) and declare the analytics service and the processor',
          evidence: { ...pathEvidence(path), ...windowEvidence },
        },
      ];
    }
    const ok = value <= prop.boundMs;
    const dashboard = path.hops.find((h) => /refresh/.test(h.name));
    return [
      {
        status: ok ? 'pass' : 'fail',
        address: dashboard?.address,
        observed: `${what} ${fmtNum(value, 1)} ms`,
        expected: `<= ${prop.boundMs} ms`,
        message: `dashboard live figures lag the events by ${fmtNum(value, 1)} ms (${what}) ${ok ? '<=' : '>'} ${prop.boundMs} ms${windowText}`,
        ...(ok ? {} : { fix: 'refresh the dashboard more often (shorter DASHBOARD_REFRESH_SECONDS) or push updates' }),
        evidence: { ...pathEvidence(path), maxMs: path.maxMs, ...windowEvidence },
      },
    ];
  },
};
