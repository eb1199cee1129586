/** dashboard_updated: the dashboard is never more than its bound behind the events. */
import type { Finding, LatencyPath, Rule } from '../engine/types';
import { fmtNum, pathEvidence } from './support/evidence';

export const rule: Rule = {
  id: 'dashboard-freshness',
  title: 'dashboard_updated holds: the dashboard lags the events by at most the bound',
  severity: 'error',
  specItem: 'dashboard_updated',
  reads: ['google_cloud_run_v2_service', 'google_bigtable_instance'],
  rationale:
    'The spec bounds the dashboard\'s live figures (DESIGN: "shows live metrics ... never more than 5 s behind"): event processing + the wait for the processor\'s next fleet snapshot (FLEET_METRICS_SECONDS) + its Bigtable write + the analytics service\'s read of the fleet table (/v1/fleet/live) + the dashboard\'s live cache (LIVE_CACHE_MS) + the refresh wait. Every processor and the analytics service must name one fleet table declared in the graph\'s Bigtable instance (BIGTABLE_FLEET_TABLE), and the analytics service must keep snapshots longer than they are written (FLEET_SNAPSHOT_MAX_AGE_SECONDS); a missing link is unknown. For an "always" bound the worst case counts: every wait at its maximum plus the p99 of the rest. The per-device window series (final windows: slide + watermark + window pass) is reported beside it; it trails by construction and is not what the bound covers.',
  check(ctx) {
    const prop = ctx.spec.properties.find((p) => p.id === 'dashboard_updated');
    if (!prop) return [{ status: 'unknown', message: 'the spec has no dashboard_updated property', fix: 'add it to the spec', expected: 'a bound' }];
    const path = ctx.analyses.latency.dashboardFreshness;
    const value = prop.percentile === undefined ? path.maxMs ?? null : prop.percentile === 50 ? path.p50Ms : path.p99Ms;
    const what = prop.percentile === undefined ? 'worst case' : `p${prop.percentile}`;
    const windows = ctx.analyses.latency.windowFreshness;
    const windowText = windows && windows.maxMs != null ? `; the per-device window series trails by up to ${fmtNum(windows.maxMs)} ms (final windows, not bounded by this property)` : '';
    if (value === null) {
      const fleet = path.missing.filter((m) => /BIGTABLE_FLEET_TABLE|FLEET_METRICS_SECONDS|FLEET_SNAPSHOT_MAX_AGE_SECONDS|Bigtable instance of the graph|reads google_bigtable_table/.test(m));
      return [
        {
          status: 'unknown',
          observed: 'unknown',
          expected: `<= ${prop.boundMs} ms`,
          message: `dashboard freshness (live figures) unknown: ${path.missing.join('; ')}${windowText}`,
          fix:
            fleet.length > 0
              ? `link the live figures through one Bigtable fleet table: ${fleet.join('; ')} (declare the table, e.g. \'fleet\' with family m, in the hot-storage instance; set BIGTABLE_FLEET_TABLE to it on every processor and on the analytics service, FLEET_METRICS_SECONDS as a literal, FLEET_SNAPSHOT_MAX_AGE_SECONDS above it)`
              : 'set the dashboard refresh interval (env DASHBOARD_REFRESH_SECONDS) and declare the analytics service and the processor',
          evidence: withWindowSeries(pathEvidence(path), windows),
        },
      ];
    }
    const ok = value <= prop.boundMs;
    const dashboard = path.hops.find((h) => /refresh/.test(h.name));
    const lag = fmtNum(value, 1);
    const evidence = pathEvidence(path);
    evidence.maxMs = path.maxMs;
    withWindowSeries(evidence, windows);
    const finding: Finding = {
      status: ok ? 'pass' : 'fail',
      address: dashboard?.address,
      observed: `${what} ${lag} ms`,
      expected: `<= ${prop.boundMs} ms`,
      message: `dashboard live figures lag the events by ${lag} ms (${what}) ${ok ? '<=' : '>'} ${prop.boundMs} ms at the sustained rate${burstLag(ctx.analyses.latency.burst?.dashboardLagMs)}${windowText}`,
      evidence,
    };
    if (!ok) {
      // Only a failure names the waits.
      const uniform = path.hops.filter((h) => /^(wait for|dashboard live cache|dashboard refresh)/.test(h.name));
      const waits = uniform.reduce((sum, h) => sum + Math.round(h.p99Ms / 0.99), 0);
      const waitNames = uniform.map((h) => h.name).join(', ');
      finding.fix = `shorten the waits, which add up to ${fmtNum(waits)} ms of the ${lag} ms (${waitNames}): a shorter FLEET_METRICS_SECONDS, LIVE_CACHE_MS or DASHBOARD_REFRESH_SECONDS, or push updates`;
    }
    return [finding];
  },
};

/** Adds the per-device window series (reported beside the verdict, not bounded by it) to the evidence. */
function withWindowSeries(evidence: Record<string, unknown>, windows: LatencyPath | undefined): Record<string, unknown> {
  if (windows) {
    const series = pathEvidence(windows);
    series.maxMs = windows.maxMs;
    evidence.windowSeries = series;
  }
  return evidence;
}

/** What a buffered burst does to the dashboard, said beside the verdict, which holds at the sustained rate. */
function burstLag(lagMs: number | null | undefined): string {
  if (lagMs === null || lagMs === undefined) return '';
  return ` (spec assumption burst-buffered; during a burst the live figures fall up to ${fmtNum(lagMs)} ms behind)`;
}
