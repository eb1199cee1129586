/** batch_job_complete: every batch-view run finishes within the bound. */
import type { Finding, Rule } from '../engine/types';
import { MS_PER_SECOND, SECONDS_PER_HOUR, MINUTES_PER_HOUR } from '../data';
import { fmtNum } from './support/evidence';

const MS_PER_MINUTE = (MS_PER_SECOND * SECONDS_PER_HOUR) / MINUTES_PER_HOUR;

export const rule: Rule = {
  id: 'batch-job-within-bound',
  title: 'batch_job_complete holds: each batch-view run completes within the bound',
  severity: 'error',
  specItem: 'batch_job_complete',
  reads: ['google_bigquery_data_transfer_config', 'google_bigquery_table'],
  rationale:
    'A scheduled query\'s run time = scheduling overhead + bytes it scans / scan rate (verification/data/performance.json). Bytes scanned follow the tables its SQL names and their partitioning.',
  check(ctx) {
    const prop = ctx.spec.properties.find((p) => p.id === 'batch_job_complete');
    if (!prop) return [{ status: 'unknown', message: 'the spec has no batch_job_complete property', fix: 'add it to the spec', expected: 'a bound' }];
    const minutes = ctx.analyses.latency.batchJobMinutes;
    const boundMin = prop.boundMs / MS_PER_MINUTE;
    const basis = ctx.analyses.latency.batchJobBasis ?? '';
    const address = ctx.graph.resources.find((r) => r.type === 'google_bigquery_data_transfer_config')?.address;
    if (minutes === null) {
      return [{ status: 'unknown', address, observed: 'unknown', expected: `<= ${boundMin} min`, message: `batch job duration unknown: ${basis}`, fix: 'declare the scheduled query with literal SQL naming its tables, or give bytesScannedPerRunGiB in the usage file' }];
    }
    const ok = minutes <= boundMin;
    const finding: Finding = {
      status: ok ? 'pass' : 'fail',
      address,
      observed: `${fmtNum(minutes, 1)} min`,
      expected: `<= ${fmtNum(boundMin)} min`,
      message: `batch view run takes ${fmtNum(minutes, 1)} min ${ok ? '<=' : '>'} ${fmtNum(boundMin)} min (${basis}; scan rate is an estimate, U)`,
      evidence: { basis, scanRate: ctx.analyses.latency.batchJobBasis },
    };
    if (!ok) finding.fix = 'scan less per run: partition the source table by HOUR or cluster it by event time, or query only the new hour';
    return [finding];
  },
};
