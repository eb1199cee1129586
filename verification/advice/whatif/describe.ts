/**
 * Words and shapes for changes and their effects: the ChangeView the report carries, and the
 * one-line summary ("set max nodes of ... to 6: burst capacity 58,800 events/s, +$1,420/month,
 * cost still within budget").
 */
import type { Graph } from '../../graph/types';
import { isPending } from '../../graph/types';
import type { SpecItemId } from '../../spec/spec';
import { configEditsOf } from '../config-mapping';
import { ITEM_METRICS } from '../evaluation';
import type { ChangeView, GraphChange, MetricSnapshot, RecommendationEffect } from '../types';

export function changeView(graph: Graph, change: GraphChange, description: string): ChangeView {
  const mapped = configEditsOf(graph, change);
  const base =
    mapped?.kind === 'derived'
      ? { derivedFrom: mapped.from }
      : mapped?.kind === 'field' && mapped.edits.length === 1
        ? { configKey: mapped.edits[0].configKey, configFrom: mapped.edits[0].from, configTo: mapped.edits[0].to }
        : mapped?.kind === 'field' && mapped.edits.length > 1
          ? { configKey: mapped.edits.map((e) => e.configKey).join(', ') }
          : {};
  switch (change.kind) {
    case 'set':
      return { action: 'set', address: change.address, attribute: change.attribute, from: change.from ?? null, to: change.to ?? null, ...base, description };
    case 'add':
      return { action: 'add', address: change.address, attribute: '', from: null, to: change.values, description };
    case 'remove':
      return { action: 'remove', address: change.address, attribute: '', from: graph.byAddress.get(change.address)?.values ?? null, to: null, description };
    case 'spec':
      return { action: 'spec', address: 'spec', attribute: change.path, from: change.from, to: change.to, ...base, description };
  }
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

export function formatMetric(metric: keyof MetricSnapshot, value: number | null): string {
  if (value === null) return 'unknown';
  switch (metric) {
    case 'availability':
      return `${(value * 100).toFixed(value >= 0.9999 ? 3 : 2)}%`;
    case 'monthlyUsdExpected':
    case 'monthlyUsdMax':
      return `$${integer.format(value)}/month`;
    case 'latencyP50Ms':
    case 'latencyP99Ms':
    case 'dashboardFreshnessP99Ms':
      return `${oneDecimal.format(value)} ms`;
    case 'sustainedEventsPerSecond':
    case 'burstEventsPerSecond':
      return `${integer.format(value)} events/s`;
    case 'batchJobMinutes':
    case 'rpoMinutes':
    case 'rtoMinutes':
      return `${oneDecimal.format(value)} min`;
    case 'retentionDays':
      return `${oneDecimal.format(value)} days`;
  }
}

export function formatUsdDelta(delta: number | null): string {
  if (delta === null) return 'cost unknown';
  const sign = delta >= 0 ? '+' : '-';
  return `${sign}$${integer.format(Math.abs(delta))}/month`;
}

/** The metrics that matter for the items a change targets, before -> after. */
function metricWords(items: SpecItemId[], before: MetricSnapshot, after: MetricSnapshot): string[] {
  const seen = new Set<string>();
  const words: string[] = [];
  for (const item of items) {
    const m = ITEM_METRICS[item];
    if (!m || m.metric === 'monthlyUsdExpected' || seen.has(m.metric)) continue;
    seen.add(m.metric);
    const b = before[m.metric];
    const a = after[m.metric];
    if (a === b) continue;
    words.push(`${m.label} ${formatMetric(m.metric, a)} (was ${formatMetric(m.metric, b)})`);
  }
  return words;
}

export function summarise(description: string, items: SpecItemId[], effect: RecommendationEffect): string {
  const parts = metricWords(items, effect.before, effect.after);
  parts.push(formatUsdDelta(effect.costDeltaUsd));
  if (effect.withinBudget === true) parts.push(effect.costDeltaUsd !== null && effect.costDeltaUsd > 0 ? 'cost still within budget' : 'within budget');
  else if (effect.withinBudget === false) parts.push('over budget');
  if (effect.regressions.length > 0) parts.push(`breaks ${effect.regressions.join(', ')}`);
  parts.push(effect.verdict === 'pass' ? 'design passes' : 'design still fails');
  return `${description}: ${parts.join(', ')}`;
}

/** Plain JSON for change values (pending references shown as their expression). */
export function plain(v: unknown): unknown {
  if (isPending(v)) return v.expression ?? `(pending: ${v.references.join(', ')})`;
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}
