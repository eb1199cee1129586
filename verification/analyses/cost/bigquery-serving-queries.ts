/**
 * On-demand BigQuery queries the serving layer runs: every analytics service that reads a
 * batch-view table answers its cold queries (history, hourly ranges older than the hot
 * window) from it. The rate is the usage file's bigQueryQueriesPerSecond for the service, or
 * the spec's coldQueryShare of queryRatePerSecond; without either it is unknown (unpriced,
 * never $0). A standby region serves none until a failover.
 *
 * Bytes per query: the API's cold endpoints read one device (/v1/devices/:id/...). On a
 * table clustered on the device column the query reads about that device's rows, far less
 * than the 10 MiB minimum BigQuery bills per table referenced, so each query bills the
 * minimum (or that device's rows for the table's whole retention, when larger). An
 * unclustered table is read by partition and the bytes depend on the range asked for: give
 * bigQueryGiBPerQuery in the usage file. Cached results (free) are not credited.
 * Archive tables the service reads only as a fallback (QUERY_FALLBACK) are left to the
 * warning: they are queried during a hot-store outage.
 */
import type { Resource } from '../../graph/types';
import { asList, asString, readAttr } from '../../graph/values';
import type { AnalysisContext } from '../context';
import { isStandby } from '../cloud-run';
import { tableLoad, type TableLoad } from '../cold-store';
import { costLine, fmt, needPrice, range, unitPrice, type CostFindings, type CostState } from './types';

const DEVICE_COLUMN = /device/i;
const FREE_TIER_KEY = 'bigquery.on-demand-query-free';

/** The column a table is clustered on first, if any. */
function firstClusteringColumn(table: Resource): string | undefined {
  return asString(asList(readAttr(table, 'clustering'))[0]);
}

export function bigqueryServingQueries(ctx: AnalysisContext, state: CostState, findings: CostFindings): void {
  const unpriced = (svc: Resource, reason: string) => findings.unpriced.push({ address: svc.address, type: svc.type, reason });
  const w = ctx.spec.workload;
  const seconds = ctx.traffic.secondsPerMonth;
  const minimum = ctx.data.price('bigquery.minimum-bytes-per-table-per-query', '*')!;
  for (const svc of ctx.topology.services('analytics')) {
    const read = ctx.topology.targetsAmong(svc, ctx.topology.bigQueryTables);
    const views: TableLoad[] = [];
    let fallback = '';
    for (const t of read) {
      const l = tableLoad(ctx, t);
      if (l.role === 'batch-view') views.push(l);
      else if (l.role === 'archive') fallback += `${fallback === '' ? '' : ', '}${t.address}`;
    }
    if (fallback !== '') findings.warnings.push(`${svc.address}: fallback queries on ${fallback} (run only while the hot store fails) are not priced`);
    if (views.length === 0) continue;
    const usage = ctx.usageOf(svc.address);
    const standby = isStandby(ctx, svc);
    let qps: number;
    let basis: string;
    if (usage.bigQueryQueriesPerSecond !== undefined) {
      qps = usage.bigQueryQueriesPerSecond;
      basis = `usage file: ${qps} BigQuery queries/s`;
    } else if (standby) {
      qps = 0;
      basis = 'standby region: 0 queries/s until a failover';
    } else if (w.coldQueryShare !== undefined) {
      qps = w.coldQueryShare * w.queryRatePerSecond;
      basis = `${fmt(w.coldQueryShare * 100)}% of ${w.queryRatePerSecond} queries/s answered from BigQuery (spec coldQueryShare) = ${fmt(qps)} queries/s`;
    } else {
      unpriced(
        svc,
        `${svc.address} queries ${views.map((l) => l.table.address).join(', ')} in BigQuery, but the share of its ${w.queryRatePerSecond} queries/s that do is unknown (each bills at least ${minimum.value / 2 ** 20} MiB per table); set workload.coldQueryShare in the spec or bigQueryQueriesPerSecond for the service in the usage file`,
      );
      continue;
    }
    // Every serving query answered from BigQuery: the ceiling of the line.
    const qpsMax = usage.bigQueryQueriesPerSecond ?? (standby ? 0 : w.queryRatePerSecond);
    for (const l of views) {
      const location = l.location;
      const price = needPrice(ctx, 'bigquery.on-demand-query', location, `${svc.address} queries on ${l.table.address}`);
      if (typeof price === 'string') {
        unpriced(svc, price);
        continue;
      }
      let expectedGiB: number;
      let maxGiB: number;
      let bytesBasis: string;
      const minGiB = minimum.value / ctx.data.bytesPerGiB;
      const clustering = firstClusteringColumn(l.table);
      if (usage.bigQueryGiBPerQuery !== undefined) {
        expectedGiB = maxGiB = usage.bigQueryGiBPerQuery;
        bytesBasis = `usage file: ${fmt(usage.bigQueryGiBPerQuery, 4)} GiB per query`;
      } else if (clustering !== undefined && DEVICE_COLUMN.test(clustering) && l.expectedRowsPerDay !== null) {
        const deviceDayGiB = (l.expectedRowsPerDay * l.rowBytes) / ctx.data.bytesPerGiB / w.deviceCount;
        const days = typeof l.expiryDays === 'number' ? l.expiryDays : ctx.spec.constraints.retentionDays;
        expectedGiB = Math.max(minGiB, deviceDayGiB);
        maxGiB = Math.max(minGiB, deviceDayGiB * days);
        bytesBasis = `one device's rows (${fmt(deviceDayGiB * 2 ** 20, 1)} KiB a day, clustered on ${clustering}) bill the ${fmt(minGiB * 1024)} MiB per-table minimum`;
      } else {
        unpriced(svc, `${l.table.address} is not clustered on the device column, so the bytes one serving query reads depend on its range; set bigQueryGiBPerQuery for ${svc.address} in the usage file`);
        continue;
      }
      const tib = ctx.data.gibPerTiB;
      const freeTier = ctx.data.price(FREE_TIER_KEY, '*')!;
      // The billing account's free TiB goes to the first line that scans anything.
      const free = qps === 0 || state.freeTierUsed.has(FREE_TIER_KEY) ? 0 : freeTier.value;
      if (qps > 0) state.freeTierUsed.add(FREE_TIER_KEY);
      const expectedUsd = Math.max(0, (qps * seconds * expectedGiB) / tib - free) * price.value;
      const maxUsd = Math.max(0, (qpsMax * seconds * maxGiB) / tib - free) * price.value;
      findings.lines.push(
        costLine(
          ctx,
          svc,
          `BigQuery serving queries (${asString(l.table.values.table_id) ?? l.table.address})`,
          range(expectedUsd, expectedUsd, maxUsd),
          `${basis}; ${bytesBasis}: ${fmt(qps)} x ${seconds} s x ${fmt(expectedGiB * 1024, 2)} MiB = ${fmt((qps * seconds * expectedGiB) / tib)} TiB - ${free} TiB free, x ${unitPrice(price)}/TiB (max: all ${fmt(qpsMax)} queries/s from BigQuery; cached results not credited)`,
          [price, minimum, freeTier],
          location,
        ),
      );
    }
  }
}
