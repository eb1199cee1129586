/**
 * Cloud Logging ingestion ($/GiB past the free GiB per project each month, applied once) of
 * the logs the workloads cause:
 * - Cloud Run request logs: one entry per HTTP request to every service, at the request rate
 *   the Cloud Run model uses (a pull subscriber serves none), unless a project exclusion
 *   drops run.googleapis.com/requests;
 * - Dataflow worker logs: per worker-hour at the job's expected workers;
 * - anything else a service or job writes (application logs): logGiBPerMonth in the usage
 *   file. The services log errors and lifecycle events only (per-request access logs are
 *   off), so without that field their application logs are not priced, and the formula says so.
 */
import type { Resource } from '../../graph/types';
import { asString, readAttr } from '../../graph/values';
import type { AnalysisContext } from '../context';
import { dataflowSizing, workersFor } from '../dataflow';
import { monthMean } from '../traffic';
import { requestRate } from './cloud-run-requests';
import { costLine, fmt, range, unitPrice, type Basis, type CostFindings, type CostState } from './types';

const MIB_PER_GIB = 1024;
const REQUEST_LOG = /run\.googleapis\.com(%2F|\/)requests/;
const FREE_TIER_KEY = 'logging.ingestion-free';
const APPLICATION_LOGS_NOTE = '; application logs: errors and lifecycle only (set logGiBPerMonth in the usage file if the service logs more)';

/** Filters of the enabled project exclusions that drop Cloud Run request logs, read once per run. */
function requestLogExclusions(ctx: AnalysisContext): string[] {
  const filters: string[] = [];
  for (const x of ctx.topology.ofType('google_logging_project_exclusion')) {
    if (readAttr(x, 'disabled') === true) continue;
    const filter = asString(readAttr(x, 'filter')) ?? '';
    if (REQUEST_LOG.test(filter)) filters.push(filter);
  }
  return filters;
}

/** An exclusion drops the service's request logs when it names no service, or names this one. */
function requestLogsExcluded(exclusions: readonly string[], svc: Resource): boolean {
  const name = typeof svc.values.name === 'string' ? svc.values.name : undefined;
  for (const filter of exclusions) if (!/service_name/.test(filter) || (name !== undefined && filter.includes(name))) return true;
  return false;
}

interface Volume {
  resource: Resource;
  item: string;
  gibAvg: number;
  gibExp: number;
  gibMax: number;
  formula: string;
  basis?: Basis;
  region?: string;
}

export function cloudLogging(ctx: AnalysisContext, state: CostState, findings: CostFindings): void {
  const volumes: Volume[] = [];
  const seconds = ctx.traffic.secondsPerMonth;
  const gibPerByte = 1 / ctx.data.bytesPerGiB;
  const entry = ctx.data.perf('logging.cloud-run-request-entry-bytes');
  const exclusions = requestLogExclusions(ctx);
  for (const svc of ctx.topology.ofType('google_cloud_run_v2_service')) {
    const usage = ctx.usageOf(svc.address).logGiBPerMonth;
    if (usage !== undefined) volumes.push({ resource: svc, item: 'application logs', gibAvg: usage, gibExp: usage, gibMax: usage, formula: `usage file: ${fmt(usage)} GiB/month`, region: svc.region });
    const rate = requestRate(ctx, svc);
    if (rate.expectedRps === 0) continue;
    if (requestLogsExcluded(exclusions, svc)) continue;
    const gibExp = rate.expectedRps * seconds * entry.value * gibPerByte;
    volumes.push({
      resource: svc,
      item: 'request logs',
      gibAvg: rate.averageRps * seconds * entry.value * gibPerByte,
      gibExp,
      gibMax: gibExp,
      formula: `${rate.basis}; ${fmt(rate.expectedRps)} requests/s x ${seconds} s x ${entry.value} B per request log entry = ${fmt(gibExp)} GiB`,
      basis: entry,
      region: svc.region,
    });
  }
  const perWorkerHour = ctx.data.perf('logging.dataflow-worker-mib-per-worker-hour');
  const hours = ctx.data.hoursPerMonth;
  for (const job of ctx.topology.dataflowJobs) {
    const usage = ctx.usageOf(job.address).logGiBPerMonth;
    if (usage !== undefined) {
      volumes.push({ resource: job, item: 'worker logs', gibAvg: usage, gibExp: usage, gibMax: usage, formula: `usage file: ${fmt(usage)} GiB/month`, region: job.region });
      continue;
    }
    const s = dataflowSizing(ctx, job);
    const t = ctx.traffic;
    const atAvg = workersFor(s, t.averageEps);
    const atBurst = workersFor(s, t.burstEps);
    if (atAvg === undefined || atBurst === undefined || s.maxWorkers === null) {
      findings.unpriced.push({ address: job.address, type: job.type, reason: `${job.address}: workers unknown (machine type or bounds pending), so its worker log volume is unknown` });
      continue;
    }
    const ceiling = s.maxWorkers ?? s.ceiling;
    // As the workers line: an unbounded job is expected at the ceiling.
    const expected = ctx.usageOf(job.address).workers ?? (s.maxWorkers === undefined ? ceiling : monthMean(t, atAvg, atBurst));
    const gibExp = (expected * hours * perWorkerHour.value) / MIB_PER_GIB;
    volumes.push({
      resource: job,
      item: 'worker logs',
      gibAvg: (atAvg * hours * perWorkerHour.value) / MIB_PER_GIB,
      gibExp,
      gibMax: (ceiling * hours * perWorkerHour.value) / MIB_PER_GIB,
      formula: `${fmt(expected)} workers x ${hours} h x ${perWorkerHour.value} MiB per worker-hour = ${fmt(gibExp)} GiB`,
      basis: perWorkerHour,
      region: job.region,
    });
  }
  if (volumes.length === 0) return;
  const price = ctx.data.price('logging.ingestion', '*')!;
  const freeTier = ctx.data.price(FREE_TIER_KEY, '*')!;
  const perGiB = `, x ${unitPrice(price)}/GiB ingested`;
  // The free GiB are the project's, taken by the volumes in graph order; each level on its own.
  let freeLeftMin = state.freeTierUsed.has(FREE_TIER_KEY) ? 0 : freeTier.value;
  let freeLeftExp = freeLeftMin;
  let freeLeftMax = freeLeftMin;
  state.freeTierUsed.add(FREE_TIER_KEY);
  for (const v of volumes) {
    const freeMin = Math.min(freeLeftMin, v.gibAvg);
    const freeExp = Math.min(freeLeftExp, v.gibExp);
    const freeMax = Math.min(freeLeftMax, v.gibMax);
    freeLeftMin -= freeMin;
    freeLeftExp -= freeExp;
    freeLeftMax -= freeMax;
    findings.lines.push(
      costLine(
        ctx,
        v.resource,
        v.item,
        range((v.gibAvg - freeMin) * price.value, (v.gibExp - freeExp) * price.value, (v.gibMax - freeMax) * price.value),
        `${v.formula}${freeExp > 0 ? ` - ${fmt(freeExp)} GiB of the project's ${freeTier.value} GiB free` : ''}${perGiB}${v.item === 'request logs' ? APPLICATION_LOGS_NOTE : ''}`,
        v.basis ? [price, freeTier, v.basis] : [price, freeTier],
        v.region,
      ),
    );
  }
}
