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
import type { CostLine } from '../../engine/types';
import type { Resource } from '../../graph/types';
import { asString, readAttr } from '../../graph/values';
import type { AnalysisContext } from '../context';
import { serviceSizing } from '../cloud-run';
import { dataflowSizing, workersFor } from '../dataflow';
import { monthMean } from '../traffic';
import { requestRate } from './cloud-run-requests';
import { costLine, fmt, range, usd, type CostState } from './types';

const REQUEST_LOG = /run\.googleapis\.com(%2F|\/)requests/;
const FREE_TIER_KEY = 'logging.ingestion-free';

/** A project exclusion filter that drops Cloud Run request logs (of every service, or the one it names). */
function requestLogsExcluded(ctx: AnalysisContext, svc: Resource): boolean {
  return ctx.topology.ofType('google_logging_project_exclusion').some((x) => {
    if (readAttr(x, 'disabled') === true) return false;
    const filter = asString(readAttr(x, 'filter')) ?? '';
    if (!REQUEST_LOG.test(filter)) return false;
    const name = typeof svc.values.name === 'string' ? svc.values.name : undefined;
    return !/service_name/.test(filter) || (name !== undefined && filter.includes(name));
  });
}

interface Volume {
  resource: Resource;
  item: string;
  gibAvg: number;
  gibExp: number;
  gibMax: number;
  formula: string;
  basis: { confidence: 'V' | 'S' | 'U'; source: string }[];
  region?: string;
}

export function cloudLogging(ctx: AnalysisContext, state: CostState): { lines: CostLine[]; unpriced: { address: string; reason: string }[] } {
  const volumes: Volume[] = [];
  const unpriced: { address: string; reason: string }[] = [];
  const seconds = ctx.traffic.secondsPerMonth;
  const gibPerByte = 1 / ctx.data.bytesPerGiB;
  const entry = ctx.data.perf('logging.cloud-run-request-entry-bytes');
  for (const svc of ctx.topology.ofType('google_cloud_run_v2_service')) {
    const usage = ctx.usageOf(svc.address).logGiBPerMonth;
    if (usage !== undefined) volumes.push({ resource: svc, item: 'application logs', gibAvg: usage, gibExp: usage, gibMax: usage, formula: `usage file: ${fmt(usage)} GiB/month`, basis: [], region: svc.region });
    const s = serviceSizing(ctx, svc);
    const rate = requestRate(ctx, svc, s);
    if (rate.expectedRps === 0) continue;
    if (requestLogsExcluded(ctx, svc)) continue;
    const gib = (rps: number) => rps * seconds * entry.value * gibPerByte;
    volumes.push({
      resource: svc,
      item: 'request logs',
      gibAvg: gib(rate.averageRps),
      gibExp: gib(rate.expectedRps),
      gibMax: gib(rate.expectedRps),
      formula: `${rate.basis}; ${fmt(rate.expectedRps)} requests/s x ${seconds} s x ${entry.value} B per request log entry = ${fmt(gib(rate.expectedRps))} GiB`,
      basis: [entry],
      region: svc.region,
    });
  }
  const perWorkerHour = ctx.data.perf('logging.dataflow-worker-mib-per-worker-hour');
  const hours = ctx.data.hoursPerMonth;
  for (const job of ctx.topology.dataflowJobs) {
    const usage = ctx.usageOf(job.address).logGiBPerMonth;
    if (usage !== undefined) {
      volumes.push({ resource: job, item: 'worker logs', gibAvg: usage, gibExp: usage, gibMax: usage, formula: `usage file: ${fmt(usage)} GiB/month`, basis: [], region: job.region });
      continue;
    }
    const s = dataflowSizing(ctx, job);
    const t = ctx.traffic;
    const atAvg = workersFor(s, t.averageEps);
    const atBurst = workersFor(s, t.burstEps);
    if (atAvg === undefined || atBurst === undefined || s.maxWorkers === null) {
      unpriced.push({ address: job.address, reason: `${job.address}: workers unknown (machine type or bounds pending), so its worker log volume is unknown` });
      continue;
    }
    const ceiling = s.maxWorkers ?? s.ceiling;
    // As the workers line: an unbounded job is expected at the ceiling.
    const expected = ctx.usageOf(job.address).workers ?? (s.maxWorkers === undefined ? ceiling : monthMean(t, atAvg, atBurst));
    const gib = (workers: number) => (workers * hours * perWorkerHour.value) / 1024;
    volumes.push({
      resource: job,
      item: 'worker logs',
      gibAvg: gib(atAvg),
      gibExp: gib(expected),
      gibMax: gib(ceiling),
      formula: `${fmt(expected)} workers x ${hours} h x ${perWorkerHour.value} MiB per worker-hour = ${fmt(gib(expected))} GiB`,
      basis: [perWorkerHour],
      region: job.region,
    });
  }
  if (volumes.length === 0) return { lines: [], unpriced };
  const price = ctx.data.price('logging.ingestion', '*')!;
  const freeTier = ctx.data.price(FREE_TIER_KEY, '*')!;
  // The free GiB are the project's, taken by the volumes in graph order; each level on its own.
  const lines: CostLine[] = [];
  const left = { min: state.freeTierUsed.has(FREE_TIER_KEY) ? 0 : freeTier.value, expected: 0, max: 0 };
  left.expected = left.max = left.min;
  state.freeTierUsed.add(FREE_TIER_KEY);
  for (const v of volumes) {
    const billed = (gib: number, level: 'min' | 'expected' | 'max') => {
      const freeHere = Math.min(left[level], gib);
      left[level] -= freeHere;
      return { usd: (gib - freeHere) * price.value, free: freeHere };
    };
    const lo = billed(v.gibAvg, 'min');
    const ex = billed(v.gibExp, 'expected');
    const hi = billed(v.gibMax, 'max');
    lines.push(
      costLine(
        ctx,
        v.resource,
        v.item,
        range(lo.usd, ex.usd, hi.usd),
        `${v.formula}${ex.free > 0 ? ` - ${fmt(ex.free)} GiB of the project's ${freeTier.value} GiB free` : ''}, x ${usd(price.value)}/GiB ingested${v.item === 'request logs' ? '; application logs: errors and lifecycle only (set logGiBPerMonth in the usage file if the service logs more)' : ''}`,
        [price, freeTier, ...v.basis],
        v.region,
      ),
    );
  }
  return { lines, unpriced };
}
