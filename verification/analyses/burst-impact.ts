/**
 * What a burst does to the speed path when it is buffered rather than provisioned (the spec's
 * latency bounds are stated for the sustained rate: assumption `burst-buffered`). The speed
 * path (processor -> hot store) serves at C events/s at a burst's start (its slowest stage,
 * before any autoscaler reacts); a burst of B > C events/s for D s leaves a FIFO backlog that
 * grows at B - C and drains at the margin C - A over the average rate A:
 *
 *   peak backlog Q = (B - C) x D; drain time T = Q / (C - A)
 *   events delayed per burst = B x D + A x T (everything that arrives while the backlog is > 0)
 *   longest wait = Q / C (the event that arrives at the peak waits for Q events ahead of it)
 *   an event waits more than b when the backlog ahead of it exceeds b x C: during the fill from
 *   t = bC / (B - C) to D, during the drain until the backlog falls to bC
 *   share of the month = delayed-beyond-b per burst x bursts per month / events per month
 *
 * The count of events beyond the bound counts the queueing wait alone, so it is a lower bound.
 */
import type { BurstImpact, CapacityComponent } from '../engine/types';
import { HOURS_PER_DAY, SECONDS_PER_HOUR } from '../data';
import { analyseCapacity } from './capacity';
import { oncePerContext, type AnalysisContext } from './context';

export const speedPathBurst = oncePerContext(computeBurst);

/** What a burst does, besides the spec's burst and bound that every impact repeats. */
type BurstFigures = Omit<BurstImpact, 'burstEventsPerSecond' | 'burstSeconds' | 'boundMs' | 'warnAboveShare'>;

/** The impact with the spec's figures first, written out field by field: on Node 20 `{ ...base, more }` costs microseconds per added field. */
function impact(ctx: AnalysisContext, warnShare: number, f: BurstFigures): BurstImpact {
  return {
    burstEventsPerSecond: ctx.traffic.burstEps,
    burstSeconds: ctx.spec.workload.burstDurationSeconds,
    boundMs: ctx.spec.constraints.latencyP99Ms,
    warnAboveShare: warnShare,
    capacityEventsPerSecond: f.capacityEventsPerSecond,
    delayedPerBurst: f.delayedPerBurst,
    longestWaitSeconds: f.longestWaitSeconds,
    delayedBeyondBoundPerBurst: f.delayedBeyondBoundPerBurst,
    monthShareBeyondBound: f.monthShareBeyondBound,
    drainSeconds: f.drainSeconds,
    basis: f.basis,
  };
}

function computeBurst(ctx: AnalysisContext): BurstImpact {
  const t = ctx.traffic;
  const w = ctx.spec.workload;
  const bound = ctx.spec.constraints.latencyP99Ms;
  const warnShare = ctx.data.latencyFigure('burst.delayed-share-warning').value;
  // The slowest buffered stage on the speed path, at a burst's start.
  let slowest: CapacityComponent | undefined;
  let unknown = true;
  for (const c of analyseCapacity(ctx).components) {
    if (!c.onSpeedPath || !c.buffered) continue;
    if (c.burstEventsPerSecond === null) {
      unknown = true;
      break;
    }
    unknown = false;
    if (!slowest || c.burstEventsPerSecond < slowest.burstEventsPerSecond!) slowest = c;
  }
  if (unknown || !slowest) {
    return impact(ctx, warnShare, { capacityEventsPerSecond: null, delayedPerBurst: null, longestWaitSeconds: null, delayedBeyondBoundPerBurst: null, monthShareBeyondBound: null, drainSeconds: null, basis: 'the speed path\'s capacity at a burst\'s start is unknown' });
  }
  const C = slowest.burstEventsPerSecond!;
  const B = t.burstEps;
  const A = t.averageEps;
  const D = w.burstDurationSeconds;
  const name = `${slowest.component}${slowest.address ? ` (${slowest.address})` : ''}`;
  if (C >= B || D <= 0 || w.burstsPerDay <= 0) {
    return impact(ctx, warnShare, { capacityEventsPerSecond: C, delayedPerBurst: 0, longestWaitSeconds: 0, delayedBeyondBoundPerBurst: 0, monthShareBeyondBound: 0, drainSeconds: 0, basis: `${name} takes ${Math.round(C)} events/s at a burst's start >= ${B}: no backlog` });
  }
  const Q = (B - C) * D;
  const margin = C - A;
  if (margin <= 0) {
    return impact(ctx, warnShare, { capacityEventsPerSecond: C, delayedPerBurst: null, longestWaitSeconds: null, delayedBeyondBoundPerBurst: null, monthShareBeyondBound: null, drainSeconds: null, basis: `${name} takes ${Math.round(C)} events/s at a burst's start, no margin over the ${A} events/s average: the backlog drains only as autoscaling adds capacity (up to ${slowest.sustainedEventsPerSecond === null ? 'an unknown limit' : `${Math.round(slowest.sustainedEventsPerSecond)} events/s`}), so how long it lasts is unknown` });
  }
  const T = Q / margin;
  const b = bound / 1000;
  const threshold = b * C;
  const beyond = Q <= threshold ? 0 : B * (D - threshold / (B - C)) + A * ((Q - threshold) / margin);
  const burstsPerMonth = w.burstsPerDay * (ctx.data.secondsPerMonth / SECONDS_PER_HOUR / HOURS_PER_DAY);
  const monthEvents = t.expectedEps * ctx.data.secondsPerMonth;
  const share = (beyond * burstsPerMonth) / monthEvents;
  const delayed = B * D + A * T;
  return impact(ctx, warnShare, {
    capacityEventsPerSecond: C,
    delayedPerBurst: delayed,
    longestWaitSeconds: Q / C,
    delayedBeyondBoundPerBurst: beyond,
    monthShareBeyondBound: share,
    drainSeconds: T,
    basis:
      `${name} takes ${Math.round(C)} events/s at a burst's start: backlog (${B} - ${Math.round(C)}) x ${D} s = ${Math.round(Q)} events, drained at ${Math.round(margin)} events/s in ${Math.round(T)} s; ` +
      `${Math.round(delayed)} events arrive while it lasts; the one at the peak waits ${Math.round(Q)} / ${Math.round(C)} = ${(Q / C).toFixed(1)} s; ` +
      `${Math.round(beyond)} wait > ${bound} ms (backlog > ${Math.round(threshold)}); x ${burstsPerMonth.toFixed(2)} bursts / ${Math.round(monthEvents)} events a month = ${(share * 100).toFixed(2)}%`,
  });
}
