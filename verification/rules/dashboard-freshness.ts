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
    'Freshness = event processing + the dashboard\'s refresh wait + the analytics query (service + Bigtable read). For an "always" bound the worst case counts: a full refresh interval plus the p99 of the rest.',
  check(ctx) {
    const prop = ctx.spec.properties.find((p) => p.id === 'dashboard_updated');
    if (!prop) return [{ status: 'unknown', message: 'the spec has no dashboard_updated property', fix: 'add it to the spec', expected: 'a bound' }];
    const path = ctx.analyses.latency.dashboardFreshness;
    const value = prop.percentile === undefined ? path.maxMs ?? null : prop.percentile === 50 ? path.p50Ms : path.p99Ms;
    const what = prop.percentile === undefined ? 'worst case' : `p${prop.percentile}`;
    if (value === null) {
      return [{ status: 'unknown', observed: 'unknown', expected: `<= ${prop.boundMs} ms`, message: `dashboard freshness unknown: ${path.missing.join('; ')}`, fix: 'set the dashboard refresh interval (env DASHBOARD_REFRESH_SECONDS) and declare the analytics service and hot store', evidence: pathEvidence(path) }];
    }
    const ok = value <= prop.boundMs;
    const dashboard = path.hops.find((h) => /refresh/.test(h.name));
    return [
      {
        status: ok ? 'pass' : 'fail',
        address: dashboard?.address,
        observed: `${what} ${fmtNum(value, 1)} ms`,
        expected: `<= ${prop.boundMs} ms`,
        message: `dashboard lags the events by ${fmtNum(value, 1)} ms (${what}) ${ok ? '<=' : '>'} ${prop.boundMs} ms`,
        ...(ok ? {} : { fix: 'refresh the dashboard more often (shorter DASHBOARD_REFRESH_SECONDS) or push updates' }),
        evidence: { ...pathEvidence(path), maxMs: path.maxMs },
      },
    ];
  },
};
