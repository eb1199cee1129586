/**
 * The per-GiB rate for data crossing from one region to another: network transfer between
 * regions, or BigQuery dataset replication. Rates are per continent pair in prices.json
 * (`<family>.within.<continent>`, `<family>.between.<a>.<b>` with a, b in alphabetical order);
 * a pair without an entry is unpriced, never priced at another pair's rate.
 */
import type { Price } from '../../data';
import type { AnalysisContext } from '../context';

export type TransferFamily = 'network.inter-region' | 'bigquery.replication';

export type TransferRate =
  | { kind: 'none'; why: string }
  | { kind: 'priced'; price: Price; label: string }
  | { kind: 'unpriced'; reason: string };

/** A multi-region or dual-region location (US, EU, NAM4): written in capitals in the configuration and the data files. */
function isMultiRegion(location: string): boolean {
  return location === location.toUpperCase();
}

export function transferRate(ctx: AnalysisContext, family: TransferFamily, from: string, to: string): TransferRate {
  if (from === to) return { kind: 'none', why: `both in ${from}` };
  const a = ctx.data.continent(from);
  const b = ctx.data.continent(to);
  if (!a || !b) return { kind: 'unpriced', reason: `continent of ${a ? to : from} unknown (not in regions.json), so the ${family} rate ${from} -> ${to} is unknown` };
  // A writer in a region inside a multi-region of its own continent (us-central1 -> US) is not
  // billed as inter-region transfer; a dataset replica in another location is always a copy.
  if (family === 'network.inter-region' && a === b && (isMultiRegion(from) || isMultiRegion(to))) return { kind: 'none', why: `${from} and ${to} share a location` };
  // Continent pairs are keyed in alphabetical order.
  const [first, second] = a < b ? [a, b] : [b, a];
  const id = a === b ? `${family}.within.${a}` : `${family}.between.${first}.${second}`;
  const price = ctx.data.findPrice(id, '*');
  if (!price) return { kind: 'unpriced', reason: `no ${id} rate in prices.json, so ${from} -> ${to} is unpriced` };
  return { kind: 'priced', price, label: a === b ? `within ${a}` : `${first} <-> ${second}` };
}
