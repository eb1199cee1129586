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
import type { CostLine } from '../../engine/types';
import type { Resource } from '../../graph/types';
import { asList, asString, readAttr } from '../../graph/values';
import type { AnalysisContext } from '../context';
import { isStandby } from '../cloud-run';
import { tableLoad } from '../cold-store';
import { costLine, fmt, needPrice, range, usd, type CostState } from './types';

const DEVICE_COLUMN = /device/i;

function clusteredByDevice(table: Resource): boolean {
  const first = asList(readAttr(table, 'clustering'))[0];
  return typeof asString(first) === 'string' && DEVICE_COLUMN.test(asString(first)!);
}

export function bigqueryServingQueries(ctx: AnalysisContext, state: CostState): { lines: CostLine[]; unpriced: { address: string; reason: string }[]; warnings: string[] } {
  const lines: CostLine[] = [];
  const unpriced: { address: string; reason: string }[] = [];
  const warnings: string[] = [];
  const w = ctx.spec.workload;
  const seconds = ctx.traffic.secondsPerMonth;
  const minimum = ctx.data.price('bigquery.minimum-bytes-per-table-per-query', '*')!;
  for (const svc of ctx.topology.services('analytics')) {
    const read = ctx.topology.targetsAmong(svc, ctx.topology.bigQueryTables);
    const loads = read.map((t) => tableLoad(ctx, t));
    const views = loads.filter((l) => l.role === 'batch-view');
    const fallback = loads.filter((l) => l.role === 'archive');
    if (fallback.length > 0) {
      warnings.push(`${svc.address}: fallback queries on ${fallback.map((l) => l.table.address).join(', ')} (run only while the hot store fails) are not priced`);
    }
    if (views.length === 0) continue;
    const usage = ctx.usageOf(svc.address);
    let qps: number;
    let basis: string;
    if (usage.bigQueryQueriesPerSecond !== undefined) {
      qps = usage.bigQueryQueriesPerSecond;
      basis = `usage file: ${qps} BigQuery queries/s`;
    } else if (isStandby(ctx, svc)) {
      qps = 0;
      basis = 'standby region: 0 queries/s until a failover';
    } else if (w.coldQueryShare !== undefined) {
      qps = w.coldQueryShare * w.queryRatePerSecond;
      basis = `${fmt(w.coldQueryShare * 100)}% of ${w.queryRatePerSecond} queries/s answered from BigQuery (spec coldQueryShare) = ${fmt(qps)} queries/s`;
    } else {
      unpriced.push({
        address: svc.address,
        reason: `${svc.address} queries ${views.map((l) => l.table.address).join(', ')} in BigQuery, but the share of its ${w.queryRatePerSecond} queries/s that do is unknown (each bills at least ${minimum.value / 2 ** 20} MiB per table); set workload.coldQueryShare in the spec or bigQueryQueriesPerSecond for the service in the usage file`,
      });
      continue;
    }
    // Every serving query answered from BigQuery: the ceiling of the line.
    const qpsMax = usage.bigQueryQueriesPerSecond ?? (isStandby(ctx, svc) ? 0 : w.queryRatePerSecond);
    for (const l of views) {
      const location = l.location;
      const price = needPrice(ctx, 'bigquery.on-demand-query', location, `${svc.address} queries on ${l.table.address}`);
      if (typeof price === 'string') {
        unpriced.push({ address: svc.address, reason: price });
        continue;
      }
      let gibPerQuery: { expected: number; max: number };
      let bytesBasis: string;
      const minGiB = minimum.value / ctx.data.bytesPerGiB;
      if (usage.bigQueryGiBPerQuery !== undefined) {
        gibPerQuery = { expected: usage.bigQueryGiBPerQuery, max: usage.bigQueryGiBPerQuery };
        bytesBasis = `usage file: ${fmt(usage.bigQueryGiBPerQuery, 4)} GiB per query`;
      } else if (clusteredByDevice(l.table) && l.expectedRowsPerDay !== null) {
        const deviceDayGiB = (l.expectedRowsPerDay * l.rowBytes) / ctx.data.bytesPerGiB / w.deviceCount;
        const days = typeof l.expiryDays === 'number' ? l.expiryDays : ctx.spec.constraints.retentionDays;
        gibPerQuery = { expected: Math.max(minGiB, deviceDayGiB), max: Math.max(minGiB, deviceDayGiB * days) };
        bytesBasis = `one device's rows (${fmt(deviceDayGiB * 2 ** 20, 1)} KiB a day, clustered on ${asString(asList(readAttr(l.table, 'clustering'))[0])}) bill the ${fmt(minGiB * 1024)} MiB per-table minimum`;
      } else {
        unpriced.push({ address: svc.address, reason: `${l.table.address} is not clustered on the device column, so the bytes one serving query reads depend on its range; set bigQueryGiBPerQuery for ${svc.address} in the usage file` });
        continue;
      }
      const tib = ctx.data.gibPerTiB;
      const freeTier = ctx.data.price('bigquery.on-demand-query-free', '*')!;
      // The billing account's free TiB goes to the first line that scans anything.
      const free = qps === 0 || state.freeTierUsed.has(freeTier.id) ? 0 : freeTier.value;
      if (qps > 0) state.freeTierUsed.add(freeTier.id);
      const cost = (rate: number, gib: number) => Math.max(0, (rate * seconds * gib) / tib - free) * price.value;
      lines.push(
        costLine(
          ctx,
          svc,
          `BigQuery serving queries (${asString(l.table.values.table_id) ?? l.table.address})`,
          range(cost(qps, gibPerQuery.expected), cost(qps, gibPerQuery.expected), cost(qpsMax, gibPerQuery.max)),
          `${basis}; ${bytesBasis}: ${fmt(qps)} x ${seconds} s x ${fmt(gibPerQuery.expected * 1024, 2)} MiB = ${fmt((qps * seconds * gibPerQuery.expected) / tib)} TiB - ${free} TiB free, x ${usd(price.value)}/TiB (max: all ${fmt(qpsMax)} queries/s from BigQuery; cached results not credited)`,
          [price, minimum, freeTier],
          location,
        ),
      );
    }
  }
  return { lines, unpriced, warnings };
}
