/**
 * Turning a verification report into the figures the advice compares, and the evaluator that
 * re-runs the models on an edited graph. Every recommendation and every synthesis candidate is
 * judged by an Evaluator; production uses the engine's verifyGraph, unit tests a stand-in.
 */
import type { Graph } from '../graph/types';
import type { Spec, SpecItemId } from '../spec/spec';
import type { Status, VerificationReport } from '../engine/types';
import type { Evaluation, Evaluator, MetricSnapshot } from './types';

function finite(n: number | null | undefined): number | null {
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}

function minOf(values: (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : Math.min(...known);
}

function maxOf(values: (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : Math.max(...known);
}

export function metricsOf(report: VerificationReport): MetricSnapshot {
  const unpriced = report.cost.unpriced.length > 0;
  return {
    monthlyUsdExpected: unpriced ? null : finite(report.cost.monthlyUsd.expected),
    monthlyUsdMax: unpriced ? null : finite(report.cost.monthlyUsd.max),
    latencyP50Ms: finite(report.latency.p50Ms),
    latencyP99Ms: finite(report.latency.p99Ms),
    dashboardFreshnessP99Ms: finite(report.latency.dashboardFreshness.p99Ms),
    batchJobMinutes: finite(report.latency.batchJobMinutes),
    sustainedEventsPerSecond: finite(report.capacity.sustainedEventsPerSecond),
    burstEventsPerSecond: finite(report.capacity.burstEventsPerSecond),
    availability: minOf(report.availability.planes.map((p) => finite(p.availability))),
    rpoMinutes: maxOf(report.dr.scenarios.map((s) => finite(s.rpoMinutes))),
    rtoMinutes: maxOf(report.dr.scenarios.map((s) => finite(s.rtoMinutes))),
    retentionDays: minOf(report.retention.entries.map((e) => finite(e.retentionDays))),
  };
}

export function evaluationFromReport(report: VerificationReport): Evaluation {
  const items: Partial<Record<SpecItemId, Status>> = {};
  const summaries: Partial<Record<SpecItemId, string>> = {};
  for (const v of report.specItems) {
    items[v.item] = v.status;
    summaries[v.item] = v.summary;
  }
  const metrics = metricsOf(report);
  return {
    verdict: report.verdict,
    items,
    summaries,
    // priced lines only when something is unpriced: two designs with the same unpriced lines
    // still compare correctly, and the unpriced lines keep the cost item from passing
    objectiveUsd: finite(report.cost.monthlyUsd.expected) ?? Number.POSITIVE_INFINITY,
    monthlyUsd: report.cost.unpriced.length > 0 ? null : report.cost.monthlyUsd,
    metrics,
    failingRules: [...new Set(report.results.filter((r) => r.status === 'fail' || r.status === 'unknown').map((r) => `${r.specItem}:${r.rule}@${r.address ?? ''}`))].sort(),
  };
}

/** An evaluator over any `verify(graph, spec) -> report` function (the engine's verifyGraph). */
export function evaluatorFromVerify(verify: (graph: Graph, spec: Spec) => VerificationReport): Evaluator {
  return (graph, spec) => evaluationFromReport(verify(graph, spec));
}

/** Spec items that are not passing (fail, unknown, or an expired waiver's failure). */
export function openItems(e: Evaluation): SpecItemId[] {
  return (Object.entries(e.items) as [SpecItemId, Status][]).filter(([, s]) => s === 'fail' || s === 'unknown').map(([i]) => i);
}

/** Which metric tells how far an item is from its bound, and which way is better. */
export interface ItemMetric {
  metric: keyof MetricSnapshot;
  better: 'lower' | 'higher';
  label: string;
  unit: string;
}

export const ITEM_METRICS: Partial<Record<SpecItemId, ItemMetric>> = {
  latency_p99: { metric: 'latencyP99Ms', better: 'lower', label: 'p99 latency', unit: 'ms' },
  latency_p50: { metric: 'latencyP50Ms', better: 'lower', label: 'p50 latency', unit: 'ms' },
  event_processed: { metric: 'latencyP99Ms', better: 'lower', label: 'p99 processing latency', unit: 'ms' },
  dashboard_updated: { metric: 'dashboardFreshnessP99Ms', better: 'lower', label: 'dashboard freshness', unit: 'ms' },
  batch_job_complete: { metric: 'batchJobMinutes', better: 'lower', label: 'batch job duration', unit: 'min' },
  throughput_sustained: { metric: 'sustainedEventsPerSecond', better: 'higher', label: 'sustained capacity', unit: 'events/s' },
  throughput_burst: { metric: 'burstEventsPerSecond', better: 'higher', label: 'burst capacity', unit: 'events/s' },
  monthly_cost: { metric: 'monthlyUsdExpected', better: 'lower', label: 'expected cost', unit: 'USD/month' },
  availability: { metric: 'availability', better: 'higher', label: 'availability', unit: '' },
  retention: { metric: 'retentionDays', better: 'higher', label: 'shortest retention', unit: 'days' },
  rpo: { metric: 'rpoMinutes', better: 'lower', label: 'worst RPO', unit: 'min' },
  rto: { metric: 'rtoMinutes', better: 'lower', label: 'worst RTO', unit: 'min' },
};

/** +1 when `after` is better than `before` for the item's metric, -1 when worse, 0 otherwise. */
export function metricDirection(item: SpecItemId, before: MetricSnapshot, after: MetricSnapshot): number {
  const m = ITEM_METRICS[item];
  if (!m) return 0;
  const b = before[m.metric];
  const a = after[m.metric];
  if (a === null) return b === null ? 0 : -1;
  if (b === null) return 1;
  if (a === b) return 0;
  return (m.better === 'lower' ? a < b : a > b) ? 1 : -1;
}

/** Failing (or unknown) rule results that serve an item. */
export function failingRuleCount(e: Evaluation, item: SpecItemId): number {
  return e.failingRules.filter((r) => r.startsWith(`${item}:`)).length;
}

/** Distance of an item whose figure is unknown: farther than any measured miss the searches meet. */
const UNKNOWN_DISTANCE = 100;

/**
 * How far an open item is from passing, >= 0, comparable across items (a fraction of its bound);
 * items without a metric count their failing rules. Guides the greedy search when no single
 * change fixes an item: each step must bring the design closer.
 */
export function distance(item: SpecItemId, e: Evaluation, spec: Spec): number {
  if (e.items[item] === 'pass' || e.items[item] === 'waived') return 0;
  const m = e.metrics;
  const c = spec.constraints;
  const rel = (value: number | null, bound: number, better: 'lower' | 'higher'): number | null => {
    if (value === null) return null;
    const gap = better === 'lower' ? value - bound : bound - value;
    return Math.max(gap, 0) / Math.max(Math.abs(bound), Number.EPSILON);
  };
  let d: number | null = null;
  switch (item) {
    case 'monthly_cost':
      d = Math.max(rel(m.monthlyUsdExpected, c.monthlyBudgetUsd, 'lower') ?? -1, rel(m.monthlyUsdMax, c.monthlyBudgetUsd, 'lower') ?? -1);
      d = d < 0 ? null : d;
      break;
    case 'latency_p99':
    case 'event_processed':
      d = rel(m.latencyP99Ms, c.latencyP99Ms, 'lower');
      break;
    case 'latency_p50':
      d = rel(m.latencyP50Ms, c.latencyP50Ms, 'lower');
      break;
    case 'throughput_sustained':
      d = rel(m.sustainedEventsPerSecond, c.sustainedEventsPerSecond, 'higher');
      break;
    case 'throughput_burst':
      d = rel(m.burstEventsPerSecond, c.burstEventsPerSecond, 'higher');
      break;
    case 'availability':
      // in "nines": the unavailability ratio
      d = m.availability === null ? null : Math.max(0, (1 - m.availability) / Math.max(1 - c.availability, Number.EPSILON) - 1);
      break;
    case 'retention':
      d = rel(m.retentionDays, c.retentionDays, 'higher');
      break;
    case 'rpo':
      d = rel(m.rpoMinutes, c.rpoMinutes, 'lower');
      break;
    case 'rto':
      d = rel(m.rtoMinutes, c.rtoMinutes, 'lower');
      break;
    default:
      d = null;
  }
  // an unknown is never closer to passing than a measured miss: it weighs like a large gap
  if (d === null && e.items[item] === 'unknown') return UNKNOWN_DISTANCE + failingRuleCount(e, item) * 1e-3;
  // an open item with no measurable gap still counts as one failing rule at least
  return (d ?? 0) + Math.max(1, failingRuleCount(e, item)) * 1e-3;
}

/** Caches evaluations by a key of the candidate, so a search never runs the models twice on one configuration. */
export class EvaluationCache {
  private readonly cache = new Map<string, Evaluation>();
  runs = 0;
  constructor(private readonly evaluate: Evaluator) {}
  has(key: string): boolean {
    return this.cache.has(key);
  }
  get(key: string, make: () => { graph: Graph; spec: Spec }): Evaluation {
    const hit = this.cache.get(key);
    if (hit) return hit;
    const { graph, spec } = make();
    const e = this.evaluate(graph, spec);
    this.runs++;
    this.cache.set(key, e);
    return e;
  }
}
