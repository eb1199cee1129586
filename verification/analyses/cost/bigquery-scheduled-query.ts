/**
 * google_bigquery_data_transfer_config (scheduled query): runs a month x bytes scanned per
 * run x the on-demand rate (first TiB a month free, applied once).
 */
import { str } from '../attributes';
import { runsPerDay, scanEstimate } from '../cold-store';
import { costLine, fmt, needPrice, range, unitPrice, type PriceModel } from './types';

const DAYS_PER_MONTH_DIVISOR = 24;
const FREE_TIER_KEY = 'bigquery.on-demand-query-free';

export const bigqueryScheduledQueryModel: PriceModel = {
  types: ['google_bigquery_data_transfer_config'],
  price(q, ctx, state, out) {
    const source = str(q, 'data_source_id');
    if (source !== undefined && source !== 'scheduled_query') return void out.unpriced.push(`${q.address}: transfer source ${String(source)} has no price model`);
    const perDay = runsPerDay(str(q, 'schedule'));
    if (perDay === null || perDay === undefined) return void out.unpriced.push(`${q.address}: schedule ${String(str(q, 'schedule'))} not understood or pending`);
    const scan = scanEstimate(ctx, q);
    if (!scan.perRunGiB) return void out.unpriced.push(`${q.address}: bytes scanned unknown (${scan.basis}); set bytesScannedPerRunGiB in the usage file`);
    const location = typeof q.values.location === 'string' ? q.values.location : q.region;
    const price = needPrice(ctx, 'bigquery.on-demand-query', location, q.address);
    if (typeof price === 'string') return void out.unpriced.push(price);
    const freeTier = ctx.data.price(FREE_TIER_KEY, '*')!;
    const free = state.freeTierUsed.has(FREE_TIER_KEY) ? 0 : freeTier.value;
    state.freeTierUsed.add(FREE_TIER_KEY);
    const runs = perDay * (ctx.data.hoursPerMonth / DAYS_PER_MONTH_DIVISOR);
    const tib = ctx.data.gibPerTiB;
    const { expected, max } = scan.perRunGiB;
    const expectedUsd = Math.max(0, (runs * expected) / tib - free) * price.value;
    const maxUsd = Math.max(0, (runs * max) / tib - free) * price.value;
    out.lines.push(
      costLine(
        ctx,
        q,
        'scheduled query scans',
        range(expectedUsd, expectedUsd, maxUsd),
        `${fmt(runs)} runs/month x ${fmt(expected)} GiB (max ${fmt(max)}) per run [${scan.basis}] - ${free} TiB free, x ${unitPrice(price)}/TiB`,
        [price, freeTier],
        location,
      ),
    );
  },
};
