/**
 * Helpers the model and invariant rules share: number formatting and the provenance of the
 * figures behind a verdict (source and confidence next to every number).
 */
import type { CostLine, LatencyPath } from '../../engine/types';
import type { Resource } from '../../graph/types';
import { textOf } from '../../graph/values';

export { textOf };
import { formatNumber } from '../../analyses/number-format';
import { formatFraction } from '../../analyses/percent-format';

export function fmtNum(n: number, digits = 0): string {
  return formatNumber(n, digits, digits);
}

export function fmtUsd(n: number): string {
  return `$${fmtNum(n, 0)}`;
}

/** Enough digits to tell a figure from its target (99.99995%, never 100.000%). */
export function fmtPct(a: number): string {
  return formatFraction(a);
}

/** The hops of a latency path with their figures' provenance. */
export function pathEvidence(path: LatencyPath): Record<string, unknown> {
  return {
    path: path.name,
    method: path.method,
    hops: path.hops.map((h) => ({ hop: h.name, address: h.address, region: h.region, p50Ms: h.p50Ms, p99Ms: h.p99Ms, confidence: h.confidence, source: h.source })),
    p50Ms: path.p50Ms,
    p99Ms: path.p99Ms,
    unconfirmed: path.hops.filter((h) => h.confidence === 'U').map((h) => h.name),
  };
}

export function costLineEvidence(l: CostLine): Record<string, unknown> {
  return { address: l.address, item: l.item, region: l.region, monthlyUsd: l.monthlyUsd, formula: l.formula, confidence: l.confidence, sources: l.sources };
}

export function managed(resources: Resource[], ...types: string[]): Resource[] {
  return resources.filter((r) => r.mode === 'managed' && types.includes(r.type));
}
