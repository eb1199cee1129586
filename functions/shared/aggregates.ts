/**
 * Sliding-window aggregation math, pure. Windows are `windowMs` long and start every
 * `slideMs` (windowMs is a multiple of slideMs), so time is cut into panes of `slideMs`:
 * a window is the union of windowMs/slideMs consecutive panes, and windows whose start is a
 * multiple of windowMs tile the time axis (that is how hourly totals are built without
 * double counting overlapping windows).
 */
export interface MetricStats {
  count: number;
  sum: number;
  min: number;
  max: number;
}

export interface Summary {
  eventCount: number;
  metrics: Record<string, MetricStats>;
}

export interface WindowSpec {
  windowMs: number;
  slideMs: number;
}

export interface WindowSummary extends Summary {
  windowStartMs: number;
  windowEndMs: number;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** A metric's stats if `summary` has them as its own entry (a name like `constructor` must not find Object's). */
function ownStats(metrics: Record<string, MetricStats>, name: string): MetricStats | undefined {
  return hasOwn.call(metrics, name) ? metrics[name] : undefined;
}

export function checkWindowSpec(spec: WindowSpec): void {
  if (!(spec.slideMs > 0) || !(spec.windowMs > 0) || spec.windowMs % spec.slideMs !== 0) {
    throw new RangeError(`window ${spec.windowMs} ms must be a positive multiple of the slide ${spec.slideMs} ms`);
  }
}

export function paneStart(ms: number, slideMs: number): number {
  return Math.floor(ms / slideMs) * slideMs;
}

/** Ends of every window containing time `ms`, ascending. */
export function windowEndsContaining(ms: number, spec: WindowSpec): number[] {
  const first = paneStart(ms, spec.slideMs) + spec.slideMs;
  const ends: number[] = [];
  for (let end = first; end <= first - spec.slideMs + spec.windowMs; end += spec.slideMs) ends.push(end);
  return ends;
}

export function emptySummary(): Summary {
  return { eventCount: 0, metrics: {} };
}

/** Adds one event's metrics. Callers add in a fixed order so float sums are reproducible. */
export function addToSummary(summary: Summary, metrics: Record<string, number>): void {
  summary.eventCount += 1;
  for (const name of Object.keys(metrics).sort()) {
    const value = metrics[name];
    const stats = ownStats(summary.metrics, name);
    if (!stats) summary.metrics[name] = { count: 1, sum: value, min: value, max: value };
    else {
      stats.count += 1;
      stats.sum += value;
      if (value < stats.min) stats.min = value;
      if (value > stats.max) stats.max = value;
    }
  }
}

export function mergeSummaries(target: Summary, other: Summary): void {
  target.eventCount += other.eventCount;
  for (const name of Object.keys(other.metrics).sort()) {
    const o = other.metrics[name];
    const t = ownStats(target.metrics, name);
    if (!t) target.metrics[name] = { ...o };
    else {
      t.count += o.count;
      t.sum += o.sum;
      t.min = Math.min(t.min, o.min);
      t.max = Math.max(t.max, o.max);
    }
  }
}

/** One event's contribution to its pane, as stored in a pane row. */
export interface Contribution {
  eventId: string;
  eventTimeMs: number;
  metrics: Record<string, number>;
}

/**
 * Summaries of the windows ending at `windowEnds`, from the (deduplicated) contributions.
 * Each pane is summed in (time, eventId) order and windows merge their panes in time order,
 * so the same set of contributions always gives the same floating-point results however
 * often, and in whatever order, it was written or read. Windows with no events are omitted.
 */
export function summarizeWindows(contributions: Contribution[], windowEnds: number[], spec: WindowSpec): WindowSummary[] {
  const ordered = [...contributions].sort(
    (a, b) => a.eventTimeMs - b.eventTimeMs || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0),
  );
  const panes = new Map<number, Summary>();
  for (const c of ordered) {
    const start = paneStart(c.eventTimeMs, spec.slideMs);
    let pane = panes.get(start);
    if (!pane) panes.set(start, (pane = emptySummary()));
    addToSummary(pane, c.metrics);
  }
  const out: WindowSummary[] = [];
  for (const end of [...new Set(windowEnds)].sort((a, b) => a - b)) {
    const summary = emptySummary();
    for (let start = end - spec.windowMs; start < end; start += spec.slideMs) {
      const pane = panes.get(start);
      if (pane) mergeSummaries(summary, pane);
    }
    if (summary.eventCount > 0) out.push({ windowStartMs: end - spec.windowMs, windowEndMs: end, ...summary });
  }
  return out;
}
