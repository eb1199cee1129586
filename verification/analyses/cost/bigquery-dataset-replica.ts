/**
 * google_bigquery_job declaring a cross-region dataset replica (ALTER SCHEMA ... ADD REPLICA):
 * the DDL itself is a metadata statement, but the replica bills its storage in the secondary
 * location (a separate copy) and every GiB replicated to it
 * (https://docs.cloud.google.com/bigquery/docs/data-replication, "Pricing"). Storage follows
 * each table of the dataset to its expiry; replication carries what the tables take in a month.
 * Other query jobs have no price model (their scan is unknown).
 */
import { tableLoad } from '../cold-store';
import type { Resource } from '../../graph/types';
import type { AnalysisContext } from '../context';
import { datasetReplicas, isReplicaDdlJob, type DatasetReplica } from '../cold-store-replica';
import { costLine, fmt, needPrice, range, unitPrice, type PriceModel } from './types';
import { transferRate } from './transfer-rate';

const HOURS_PER_DAY = 24;

export const bigqueryDatasetReplicaModel: PriceModel = {
  types: ['google_bigquery_job'],
  price(job, ctx, _state, out) {
    if (!isReplicaDdlJob(job)) {
      return void out.unpriced.push(`${job.address}: a query job other than replica DDL has no price model (its scan is unknown)`);
    }
    const replicas = replicasDeclaredBy(ctx, job);
    if (replicas.length === 0) return void out.unpriced.push(`${job.address}: replica DDL for a dataset that is not in the graph`);
    const daysPerMonth = ctx.data.hoursPerMonth / HOURS_PER_DAY;
    const longTermAfter = ctx.data.limit('bigquery.long-term-after-days').value;
    for (const replica of replicas) {
      const where = replica.location;
      const active = needPrice(ctx, 'bigquery.active-storage', where, job.address);
      const longTerm = needPrice(ctx, 'bigquery.long-term-storage', where, job.address);
      if (typeof active === 'string' || typeof longTerm === 'string') {
        if (typeof active === 'string') out.unpriced.push(active);
        if (typeof longTerm === 'string') out.unpriced.push(longTerm);
        continue;
      }
      if (!replica.primaryLocation || !where) {
        out.unpriced.push(`${job.address}: location of the dataset (${replica.primaryLocation ?? '?'}) or its replica (${where ?? '?'}) unknown, so the replication rate is unknown`);
        continue;
      }
      const transfer = transferRate(ctx, 'bigquery.replication', replica.primaryLocation, where);
      if (transfer.kind === 'unpriced') {
        out.unpriced.push(`${job.address}: ${transfer.reason}`);
        continue;
      }
      let storedExp = 0;
      let storedMin = 0;
      let monthlyGiBExp = 0;
      let monthlyGiBAvg = 0;
      let tables = '';
      for (const table of ctx.topology.tablesIn(replica.dataset)) {
        const load = tableLoad(ctx, table);
        if (load.expectedRowsPerDay === null || load.averageRowsPerDay === null || load.expiryDays === null) {
          out.unpriced.push(`${job.address}: volume or expiry of ${table.address} unknown (${load.basis})`);
          continue;
        }
        const days = load.expiryDays ?? ctx.spec.constraints.retentionDays;
        const gibPerDay = (load.expectedRowsPerDay * load.rowBytes) / ctx.data.bytesPerGiB;
        const gibPerDayAvg = (load.averageRowsPerDay * load.rowBytes) / ctx.data.bytesPerGiB;
        const activeDays = Math.min(days, longTermAfter);
        const longDays = Math.max(0, days - longTermAfter);
        storedExp += gibPerDay * (activeDays * active.value + longDays * longTerm.value);
        storedMin += gibPerDayAvg * Math.min(days, daysPerMonth) * active.value;
        monthlyGiBExp += gibPerDay * daysPerMonth;
        monthlyGiBAvg += gibPerDayAvg * daysPerMonth;
        if (gibPerDay > 0) tables += `${tables === '' ? '' : ' + '}${table.address} ${fmt(gibPerDay)} GiB/day x ${fmt(days)} d`;
      }
      // Any unknown table (of this replica or an earlier one) leaves the replica unpriced.
      if (out.unpriced.length > 0) continue;
      out.lines.push(
        costLine(
          ctx,
          job,
          `replica storage (${where})`,
          range(storedMin, storedExp, storedExp),
          `a separate copy in ${where}: ${tables || 'no data'} at ${unitPrice(active)} active / ${unitPrice(longTerm)} long-term per GiB-month (min: first month)`,
          [active, longTerm],
          where,
        ),
      );
      // A replica declared in the primary's own location copies nothing across regions.
      if (transfer.kind === 'priced') {
        const rate = transfer.price;
        out.lines.push(
          costLine(
            ctx,
            job,
            `replication ${replica.primaryLocation} -> ${where}`,
            range(monthlyGiBAvg * rate.value, monthlyGiBExp * rate.value, monthlyGiBExp * rate.value),
            `${fmt(monthlyGiBExp)} GiB written a month replicated x ${unitPrice(rate)}/GiB (${transfer.label})`,
            [rate],
            where,
          ),
        );
      }
    }
  },
};

/** The replicas `job` declares, over every dataset of the graph. */
function replicasDeclaredBy(ctx: AnalysisContext, job: Resource): DatasetReplica[] {
  const declared: DatasetReplica[] = [];
  for (const dataset of ctx.topology.ofType('google_bigquery_dataset')) {
    for (const replica of datasetReplicas(ctx, dataset)) if (replica.job.address === job.address) declared.push(replica);
  }
  return declared;
}
