/** One price model per billed resource type. */
import type { CostLine, CostResult, Range } from '../../engine/types';
import type { Resource } from '../../graph/types';
import type { FreeResource, Price } from '../../data';
import type { AnalysisContext } from '../context';
import { formatNumber, formatSignificant } from '../number-format';

/**
 * Where a model puts what it finds about one resource. Lines and warnings go straight into
 * the run's result (no per-resource arrays to copy); `unpriced` collects the resource's
 * reasons, which the caller files under the resource.
 */
export interface PriceOutput {
  lines: CostLine[];
  /** Why (part of) the resource could not be priced; blocks a pass. */
  unpriced: string[];
  warnings: string[];
}

export interface PriceModel {
  /** Resource types this model prices. */
  types: readonly string[];
  price(resource: Resource, ctx: AnalysisContext, state: CostState, out: PriceOutput): void;
}

/**
 * The run's lines, unpriced entries and warnings as they accumulate. Usage priced outside a
 * resource's own model (transfer, serving queries, logs) adds to it directly.
 */
export type CostFindings = Omit<CostResult, 'monthlyUsd'>;

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

/** A figure or price a line rests on: its confidence and source. */
export interface Basis {
  confidence: 'V' | 'S' | 'U';
  source: string;
}

/**
 * A cost line; its confidence is the weakest of the prices and figures behind it, its
 * sources theirs without repeats. The line takes `monthlyUsd` as its own and rounds it to
 * cents in place: pass a fresh range (`range(...)`, `flat(...)`), never one kept elsewhere.
 */
export function costLine(
  ctx: AnalysisContext,
  r: Resource,
  item: string,
  monthlyUsd: Range,
  formula: string,
  basis: readonly Basis[],
  region?: string,
): CostLine {
  let confidence: 'V' | 'S' | 'U' = 'V';
  for (const b of basis) if (CONFIDENCE_ORDER[b.confidence] > CONFIDENCE_ORDER[confidence]) confidence = b.confidence;
  let sources = basis.map(sourceOf);
  if (hasRepeats(sources)) sources = sources.filter(isFirstOccurrence);
  monthlyUsd.min = roundToCents(monthlyUsd.min);
  monthlyUsd.expected = roundToCents(monthlyUsd.expected);
  monthlyUsd.max = roundToCents(monthlyUsd.max);
  return {
    address: r.address,
    type: r.type,
    component: ctx.componentOf(r.address),
    region: region ?? r.region ?? 'global',
    item,
    monthlyUsd,
    formula,
    confidence,
    sources,
  };
}

/** A $0 line for a resource of a type the data files name free, citing why (most resources of a graph). */
export function noChargeLine(ctx: AnalysisContext, r: Resource, free: FreeResource): CostLine {
  return {
    address: r.address,
    type: r.type,
    component: ctx.componentOf(r.address),
    region: r.region ?? 'global',
    item: 'no charge',
    monthlyUsd: flat(0),
    formula: free.reason,
    confidence: free.confidence,
    sources: [free.source],
  };
}

function sourceOf(b: Basis): string {
  return b.source;
}

/** Most lines cite distinct sources: check before building a filtered copy. */
function hasRepeats(xs: readonly string[]): boolean {
  for (let i = 1; i < xs.length; i++) if (xs.lastIndexOf(xs[i], i - 1) !== -1) return true;
  return false;
}

function isFirstOccurrence(x: string, i: number, xs: readonly string[]): boolean {
  return xs.indexOf(x) === i;
}

export function roundToCents(x: number): number {
  return Math.round(x * 100) / 100;
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

function usd(x: number): string {
  return `$${Math.abs(x) < 1 ? formatSignificant(x, PRICE_SIGNIFICANT_DIGITS) : formatNumber(x, 2)}`;
}

/** The prices of the data files print the same every run: each is formatted once per process. */
const UNIT_PRICE_TEXT = new WeakMap<Price, string>();

/** A unit price of the data files as formulas print it: "$0.000024". */
export function unitPrice(price: Price): string {
  let text = UNIT_PRICE_TEXT.get(price);
  if (text === undefined) {
    text = usd(price.value);
    UNIT_PRICE_TEXT.set(price, text);
  }
  return text;
}

export function fmt(x: number, digits = 2): string {
  return formatNumber(x, digits);
}
