/**
 * google_bigquery_table: active and long-term logical storage growing to the partition
 * expiry (partitions untouched for 90 days bill at the long-term rate), and streaming
 * ingest: the Storage Write API (first 2 TiB a month free) or legacy insertAll (1 KB
 * minimum per row).
 */
import { readAttr } from '../../graph/values';
import type { AnalysisContext } from '../context';
import { tableLoad, type TableLoad } from '../cold-store';
import { costLine, fmt, needPrice, range, unitPrice, type CostState, type PriceModel, type PriceOutput } from './types';
import type { Resource } from '../../graph/types';

const DAYS_PER_MONTH_DIVISOR = 24;
const WRITE_API_FREE_TIER_KEY = 'bigquery.storage-write-api-free';

export const bigqueryTableModel: PriceModel = {
  types: ['google_bigquery_table'],
  price(table, ctx, state, out) {
    if (readAttr(table, 'view') !== undefined || readAttr(table, 'materialized_view') !== undefined) {
      return void out.unpriced.push(`${table.address}: views have no price model (their queries are billed as scans)`);
    }
    const load = tableLoad(ctx, table);
    const storageOverride = ctx.usageOf(table.address).storageGiB;
    const what = table.address;
    const active = needPrice(ctx, 'bigquery.active-storage', load.location, what);
    const longTerm = needPrice(ctx, 'bigquery.long-term-storage', load.location, what);
    if (typeof active === 'string') out.unpriced.push(active);
    if (typeof longTerm === 'string') out.unpriced.push(longTerm);
    if (typeof active === 'string' || typeof longTerm === 'string') return;
    const longTermAfter = ctx.data.limit('bigquery.long-term-after-days').value;

    if (storageOverride !== undefined) {
      const cost = storageOverride * active.value;
      out.lines.push(costLine(ctx, table, 'active storage', range(cost, cost, cost), `usage file: ${fmt(storageOverride)} GiB x ${unitPrice(active)}/GiB-month`, [active], load.location));
      priceIngest(ctx, table, load, state, out);
      return;
    }
    if (load.averageRowsPerDay === null || load.expectedRowsPerDay === null) {
      return void out.unpriced.push(`${what}: ${load.basis}, so its storage is unknown; set eventsPerSecond or storageGiB in the usage file`);
    }
    if (load.expiryDays === null) return void out.unpriced.push(`${what}: partition expiry is pending`);
    let days = load.expiryDays;
    if (days === undefined) {
      days = ctx.spec.constraints.retentionDays;
      out.warnings.push(`${what}: no partition or table expiry, so storage grows without bound; priced at the spec retention of ${days} days`);
    }
    const activeDays = Math.min(days, longTermAfter);
    const longDays = Math.max(0, days - longTermAfter);
    const gibPerDay = gibOfRows(ctx, load, load.expectedRowsPerDay);
    const steady = gibPerDay * (activeDays * active.value + longDays * longTerm.value);
    const firstMonth = gibOfRows(ctx, load, load.averageRowsPerDay) * Math.min(days, daysPerMonth(ctx)) * active.value;
    out.lines.push(
      costLine(
        ctx,
        table,
        'storage (active + long-term)',
        range(firstMonth, steady, steady),
        `${load.basis}; ${fmt(gibPerDay)} GiB/day kept ${fmt(days)} days: ${fmt(activeDays)} d active x ${unitPrice(active)} + ${fmt(longDays)} d long-term x ${unitPrice(longTerm)} per GiB-month (min: first month)`,
        [active, longTerm],
        load.location,
      ),
    );
    priceIngest(ctx, table, load, state, out);
  },
};

function daysPerMonth(ctx: AnalysisContext): number {
  return ctx.data.hoursPerMonth / DAYS_PER_MONTH_DIVISOR;
}

/** GiB a number of the table's rows takes. */
function gibOfRows(ctx: AnalysisContext, load: TableLoad, rows: number): number {
  return (rows * load.rowBytes) / ctx.data.bytesPerGiB;
}

/** Ingest is billed on what flows in, whatever the usage file says is stored. */
function priceIngest(ctx: AnalysisContext, table: Resource, load: TableLoad, state: CostState, out: PriceOutput): void {
  if (load.role !== 'archive' || !load.writer || load.averageRowsPerDay === null || load.expectedRowsPerDay === null) return;
  const writer = load.writer;
  if (writer.type === 'google_pubsub_subscription') return; // billed as the subscription's delivery
  const location = load.location;
  const gibAvg = gibOfRows(ctx, load, load.averageRowsPerDay) * daysPerMonth(ctx);
  const gibExp = gibOfRows(ctx, load, load.expectedRowsPerDay) * daysPerMonth(ctx);
  const params = readAttr(writer, 'parameters') as Record<string, unknown> | undefined;
  const writeApi = params && String(params.useStorageWriteApi) === 'true';
  if (writeApi) {
    const price = needPrice(ctx, 'bigquery.storage-write-api', location, table.address);
    if (typeof price === 'string') return void out.unpriced.push(price);
    const freeTier = ctx.data.price(WRITE_API_FREE_TIER_KEY, '*')!;
    const free = state.freeTierUsed.has(WRITE_API_FREE_TIER_KEY) ? 0 : freeTier.value;
    state.freeTierUsed.add(WRITE_API_FREE_TIER_KEY);
    out.lines.push(
      costLine(
        ctx,
        table,
        'Storage Write API ingest',
        range(Math.max(0, gibAvg - free) * price.value, Math.max(0, gibExp - free) * price.value, Math.max(0, gibExp - free) * price.value),
        `(${fmt(gibExp)} GiB/month - ${fmt(free)} GiB free) x ${unitPrice(price)}/GiB`,
        [price, freeTier],
        location,
      ),
    );
    return;
  }
  const price = needPrice(ctx, 'bigquery.streaming-insert', location, table.address);
  if (typeof price === 'string') return void out.unpriced.push(price);
  const minRow = ctx.data.price('bigquery.streaming-insert-minimum-row-bytes', '*')!;
  const factor = Math.max(minRow.value, ctx.traffic.eventBytes) / ctx.traffic.eventBytes;
  out.lines.push(
    costLine(
      ctx,
      table,
      'streaming inserts (insertAll)',
      range(gibAvg * factor * price.value, gibExp * factor * price.value, gibExp * factor * price.value),
      `${fmt(gibExp * factor)} GiB/month billed (min ${minRow.value} B/row) x ${unitPrice(price)}/GiB`,
      [price, minRow],
      location,
    ),
  );
}
