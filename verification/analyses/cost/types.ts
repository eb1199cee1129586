/** One price model per billed resource type. */
import type { CostLine, Range } from '../../engine/types';
import type { Resource } from '../../graph/types';
import type { Price } from '../../data';
import type { AnalysisContext } from '../context';
import { formatNumber, formatSignificant } from '../number-format';

export interface PriceOutcome {
  lines: CostLine[];
  /** Why (part of) the resource could not be priced; blocks a pass. */
  unpriced?: string[];
  warnings?: string[];
}

export interface PriceModel {
  /** Resource types this model prices. */
  types: readonly string[];
  price(resource: Resource, ctx: AnalysisContext, state: CostState): PriceOutcome;
}

/** Shared across models during one run: free tiers and volume tiers are per billing account, applied once. */
export interface CostState {
  freeTierUsed: Set<string>;
  /** Volume already priced per tiered SKU (e.g. Monitoring MiB), so the next resource continues up the tiers. */
  tierUsage: Map<string, number>;
}

const CONFIDENCE_ORDER = { V: 0, S: 1, U: 2 } as const;

export function range(min: number, expected: number, max: number): Range {
  return { min, expected, max };
}

export function flat(value: number): Range {
  return { min: value, expected: value, max: value };
}

export function scale(r: Range, factor: number): Range {
  return { min: r.min * factor, expected: r.expected * factor, max: r.max * factor };
}

export function addRanges(a: Range, b: Range): Range {
  return { min: a.min + b.min, expected: a.expected + b.expected, max: a.max + b.max };
}

/** A cost line; its confidence is the weakest of the prices and figures behind it. */
export function costLine(
  ctx: AnalysisContext,
  r: Resource,
  item: string,
  monthlyUsd: Range,
  formula: string,
  basis: { confidence: 'V' | 'S' | 'U'; source: string }[],
  region?: string,
): CostLine {
  let confidence: 'V' | 'S' | 'U' = 'V';
  for (const b of basis) if (CONFIDENCE_ORDER[b.confidence] > CONFIDENCE_ORDER[confidence]) confidence = b.confidence;
  return {
    address: r.address,
    type: r.type,
    component: ctx.componentOf(r.address),
    region: region ?? r.region ?? 'global',
    item,
    monthlyUsd: roundRange(monthlyUsd),
    formula,
    confidence,
    sources: [...new Set(basis.map((b) => b.source))],
  };
}

function roundRange(r: Range): Range {
  const round = (x: number) => Math.round(x * 100) / 100;
  return { min: round(r.min), expected: round(r.expected), max: round(r.max) };
}

/** Look up a price or say why the resource is unpriced. */
export function needPrice(ctx: AnalysisContext, id: string, region: string | undefined, what: string): Price | string {
  if (!region) return `${what}: region unknown (pending or not set), so no price applies`;
  const p = ctx.data.price(id, region);
  if (!p) return `${what}: no ${id} price for region ${region} (priced in ${ctx.data.pricedRegions(id).join(', ')})`;
  return p;
}

/** Unit prices keep every significant digit the data file gives (up to 6); amounts of $1 or more show cents. */
const PRICE_SIGNIFICANT_DIGITS = 6;

export function usd(x: number): string {
  return `$${Math.abs(x) < 1 ? formatSignificant(x, PRICE_SIGNIFICANT_DIGITS) : formatNumber(x, 2)}`;
}

export function fmt(x: number, digits = 2): string {
  return formatNumber(x, digits);
}
