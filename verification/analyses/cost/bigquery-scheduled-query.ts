/**
 * google_bigquery_data_transfer_config (scheduled query): runs a month x bytes scanned per
 * run x the on-demand rate (first TiB a month free, applied once).
 */
import { str } from '../attributes';
import { runsPerDay, scanEstimate } from '../cold-store';
import { costLine, fmt, needPrice, range, usd, type PriceModel } from './types';

const DAYS_PER_MONTH_DIVISOR = 24;

export const bigqueryScheduledQueryModel: PriceModel = {
  types: ['google_bigquery_data_transfer_config'],
  price(q, ctx, state) {
    const source = str(q, 'data_source_id');
    if (source !== undefined && source !== 'scheduled_query') return { lines: [], unpriced: [`${q.address}: transfer source ${String(source)} has no price model`] };
    const perDay = runsPerDay(str(q, 'schedule'));
    if (perDay === null || perDay === undefined) return { lines: [], unpriced: [`${q.address}: schedule ${String(str(q, 'schedule'))} not understood or pending`] };
    const scan = scanEstimate(ctx, q);
    if (!scan.perRunGiB) return { lines: [], unpriced: [`${q.address}: bytes scanned unknown (${scan.basis}); set bytesScannedPerRunGiB in the usage file`] };
    const location = typeof q.values.location === 'string' ? q.values.location : q.region;
    const price = needPrice(ctx, 'bigquery.on-demand-query', location, q.address);
    if (typeof price === 'string') return { lines: [], unpriced: [price] };
    const freeTier = ctx.data.price('bigquery.on-demand-query-free', '*')!;
    const free = state.freeTierUsed.has('bigquery.on-demand-query-free') ? 0 : freeTier.value;
    state.freeTierUsed.add('bigquery.on-demand-query-free');
    const runs = perDay * (ctx.data.hoursPerMonth / DAYS_PER_MONTH_DIVISOR);
    const tib = ctx.data.gibPerTiB;
    const cost = (perRun: number) => Math.max(0, (runs * perRun) / tib - free) * price.value;
    return {
      lines: [
        costLine(
          ctx,
          q,
          'scheduled query scans',
          range(cost(scan.perRunGiB.expected), cost(scan.perRunGiB.expected), cost(scan.perRunGiB.max)),
          `${fmt(runs)} runs/month x ${fmt(scan.perRunGiB.expected)} GiB (max ${fmt(scan.perRunGiB.max)}) per run [${scan.basis}] - ${free} TiB free, x ${usd(price.value)}/TiB`,
          [price, freeTier],
          location,
        ),
      ],
    };
  },
};
