/** Shared shape of the latency rules: a percentile of the processing path against a bound. */
import type { Finding, LatencyHop, LatencyPath, LatencyResult, Rule, RuleContext } from '../../engine/types';
import type { Spec, SpecItemId } from '../../spec/spec';
import { fmtNum, pathEvidence } from './evidence';

export interface LatencyRuleOptions {
  id: string;
  title: string;
  specItem: SpecItemId;
  /** 'property': the percentile the event_processed property states (99 or 50). */
  percentile: 'p50' | 'p99' | 'property';
  bound: (spec: Spec) => number | undefined;
}

export function latencyRule(o: LatencyRuleOptions): Rule {
  return {
    id: o.id,
    title: o.title,
    severity: 'error',
    specItem: o.specItem,
    reads: ['google_cloud_run_v2_service', 'google_pubsub_topic', 'google_pubsub_subscription', 'google_bigtable_instance', 'google_bigtable_app_profile'],
    rationale:
      'Each hop of the event path (gateway, Pub/Sub publish and delivery, processor, Bigtable write by storage type and CPU) is a lognormal fitted to its p50/p99 from verification/data/latency.json, plus a cross-region penalty between hops in different regions; the path percentile is that of the sum (the hop distributions convolved numerically), not a sum of percentiles.',
    check(ctx) {
      const path = ctx.analyses.latency.processing;
      const bound = o.bound(ctx.spec);
      let which: 'p50' | 'p99' = o.percentile === 'property' ? 'p99' : o.percentile;
      if (o.percentile === 'property') {
        const prop = ctx.spec.properties.find((p) => p.id === 'event_processed');
        which = prop?.percentile === 50 ? 'p50' : 'p99';
      }
      if (bound === undefined) {
        return [{ status: 'unknown', message: 'the spec states no bound for this item', fix: 'add the bound to the spec', expected: 'a bound in the spec' }];
      }
      const value = which === 'p50' ? path.p50Ms : path.p99Ms;
      const burst = ctx.analyses.latency.burst;
      const { evidence, rate } = shared(ctx, path, burst);
      if (value === null) {
        return [
          {
            status: 'unknown',
            observed: 'not computable',
            expected: `${which} <= ${bound} ms`,
            message: `${which} of the event path unknown: ${path.missing.join('; ')}`,
            fix: 'declare the missing hops (gateway, topic, speed subscription, processor, Bigtable) with literal sizes',
            evidence,
          },
        ];
      }
      const worst = largestHop(path.hops, which);
      const finding: Finding = {
        status: value <= bound ? 'pass' : 'fail',
        address: worst?.address,
        observed: `${which} ${fmtNum(value, 1)} ms`,
        expected: `<= ${bound} ms`,
        message:
          value <= bound
            ? `event path ${which} ${fmtNum(value, 1)} ms <= ${bound} ms ${rate} (${path.hops.length} hops${evidence.unconfirmed && (evidence.unconfirmed as string[]).length > 0 ? `; unconfirmed (U) figures: ${(evidence.unconfirmed as string[]).join(', ')}` : ''})`
            : `event path ${which} ${fmtNum(value, 1)} ms > ${bound} ms ${rate}; largest hop: ${worst?.name} (${which} ${which === 'p50' ? worst?.p50Ms : worst?.p99Ms} ms)`,
        evidence,
      };
      if (finding.status === 'fail') {
        finding.fix = /HDD/.test(worst?.name ?? '')
          ? 'use SSD storage for the hot store (HDD writes are an order of magnitude slower)'
          : /CPU/.test(worst?.name ?? '')
            ? 'add Bigtable nodes or lower the autoscaling CPU target so the cluster runs below 70% CPU'
            : /cross-region|\(via /.test(worst?.name ?? '') || path.hops.some((h) => /cross-region/.test(h.name))
              ? 'place consecutive hops in one region (processor next to a hot-store cluster, gateway next to the processor); a standby processor in another region that pulls at the sustained rate takes a share of the events across regions: gate it on the backlog age (STANDBY_BACKLOG_AGE_SECONDS above the longest burst wait, its warm instances pull only when the primary falls behind)'
              : /Pub\/Sub/.test(worst?.name ?? '')
                ? `the largest hop, ${worst?.name}, is Pub/Sub's own latency, which no setting shortens: shorten the hops you control (${path.hops.filter((h) => !/Pub\/Sub/.test(h.name)).map((h) => h.name).join(', ')}), or the bound is below what a Pub/Sub path reaches`
                : `shorten the largest hop: ${worst?.name}`;
      }
      return [finding];
    },
  };
}

/**
 * The evidence and the rate clause of the three latency rules are the same for one path and
 * burst: built once per verification (kept per rule context, which the engine hands every rule)
 * and shared by their findings.
 */
interface Shared {
  path: LatencyPath;
  burst: RuleContextBurst;
  evidence: Record<string, unknown>;
  rate: string;
}
const sharedPerContext = new WeakMap<RuleContext, Shared>();

function shared(ctx: RuleContext, path: LatencyPath, burst: RuleContextBurst): Shared {
  let entry = sharedPerContext.get(ctx);
  if (!entry || entry.path !== path || entry.burst !== burst) {
    const evidence: Record<string, unknown> = pathEvidence(path);
    if (burst) evidence.burst = burst;
    entry = { path, burst, evidence, rate: `at the sustained rate (spec assumption burst-buffered${burstText(burst)})` };
    sharedPerContext.set(ctx, entry);
  }
  return entry;
}

/** The hop a stable sort by the percentile (largest first) puts first: the first of the largest. */
function largestHop(hops: readonly LatencyHop[], which: 'p50' | 'p99'): LatencyHop | undefined {
  // A comparator cannot order figures that are not finite numbers consistently: sort those as before.
  if (!hops.every((h) => Number.isFinite(figure(h, which)))) return [...hops].sort((a, b) => figure(b, which) - figure(a, which))[0];
  let largest: LatencyHop | undefined;
  hops.forEach((h) => {
    if (largest === undefined || figure(h, which) > figure(largest, which)) largest = h;
  });
  return largest;
}

function figure(h: LatencyHop, which: 'p50' | 'p99'): number {
  return which === 'p50' ? h.p50Ms : h.p99Ms;
}

/** "; bursts: 4,114,286 events delayed each, longest wait 65 s, 1.88% of the month's events beyond 100 ms". */
export function burstText(burst: RuleContextBurst): string {
  if (!burst) return '';
  if (burst.delayedPerBurst === null) return `; burst effect unknown: ${burst.basis}`;
  if (burst.delayedPerBurst === 0) return '; bursts are served without a backlog';
  const joining = (burst.standbys ?? []).filter((x) => x.pullsDuringBursts === true);
  const mix = burst.processingWhileStandbyPulls;
  const standby =
    joining.length > 0
      ? `; the gated standby ${joining.map((x) => `${x.address} (${x.region ?? '?'}, threshold ${x.thresholdSeconds} s)`).join(', ')} pulls during bursts (backlog up to ${fmtNum(burst.longestWaitSeconds ?? 0, 1)} s old)${mix?.p99Ms != null ? `, processing p99 ${fmtNum(mix.p99Ms, 1)} ms while it does` : ''}`
      : '';
  return `; each burst delays ${fmtNum(burst.delayedPerBurst)} events, the longest by ${fmtNum(burst.longestWaitSeconds ?? 0, 1)} s, ${fmtNum((burst.monthShareBeyondBound ?? 0) * 100, 2)}% of the month's events beyond ${burst.boundMs} ms${standby}`;
}

type RuleContextBurst = LatencyResult['burst'];
