/**
 * One config section's share of the sizing space: its dimensions (one per EnvironmentConfig
 * field, the field's path as the id), the graph edits that build an assignment as the stacks'
 * constructs would, and the config diff that a person would type. Every dimension has a config
 * key by construction: nothing the search changes can drop out of the printed diff.
 */
import type { Graph } from '../../../graph/types';
import type { Spec, SpecItemId } from '../../../spec/spec';
import type { ConfigDiffEntry, GraphChange } from '../../types';
import type { Assignment, Dimension, Value } from '../search';

export interface Part {
  dims: Dimension[];
  /** Graph edits of the full assignment, made on `graph` (the graph as the earlier parts left it). */
  build(a: Assignment, graph: Graph, spec: Spec): GraphChange[];
  /** Config edits of the full assignment, in the config's units, in the order they apply. */
  diff(a: Assignment): ConfigDiffEntry[];
}

/** Performance items: capacity, latency and the timed properties. */
export const PERFORMANCE: readonly SpecItemId[] = ['throughput_sustained', 'throughput_burst', 'latency_p99', 'latency_p50', 'event_processed', 'dashboard_updated', 'batch_job_complete'];
/** Items a region or replica changes. */
export const RESILIENCE: readonly SpecItemId[] = ['availability', 'rpo', 'rto'];
/** Items a retention window changes. */
export const RETENTION: readonly SpecItemId[] = ['retention', 'rpo', 'rto', 'no_data_loss'];

export function sortedUnique(values: number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

export const numberOf = (a: Assignment, id: string, fallback: number): number => (a[id] === undefined ? fallback : Number(a[id]));
export const stringOf = (a: Assignment, id: string, fallback: string): string => (a[id] === undefined ? fallback : String(a[id]));

/** One diff entry per dimension whose value differs from the current one. */
export function plainDiff(dims: readonly Dimension[], a: Assignment, toConfig: (d: Dimension, v: Value) => unknown = (_d, v) => v): ConfigDiffEntry[] {
  return dims
    .filter((d) => a[d.id] !== undefined && a[d.id] !== d.current)
    .map((d) => ({ configKey: d.id, from: toConfig(d, d.current), to: toConfig(d, a[d.id]) }));
}

/** JSON with sorted keys, to compare attribute values regardless of key order. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v as object).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}
