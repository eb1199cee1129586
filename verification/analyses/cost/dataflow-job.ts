/**
 * google_dataflow_job (streaming): workers x (vCPU + memory) x hours from the machine-type
 * table, between the minimum and the max-workers bound, expected at the workers the workload
 * needs; a job without max_workers is priced at the service ceiling (expected and maximum) and
 * flagged. Streaming Engine by data processed; worker persistent disks.
 */
import { costLine, fmt, needPrice, range, unitPrice, type PriceModel } from './types';
import { dataflowSizing, workersFor } from '../dataflow';
import { monthMean } from '../traffic';

export const dataflowJobModel: PriceModel = {
  types: ['google_dataflow_job', 'google_dataflow_flex_template_job'],
  price(job, ctx, _state, out) {
    const s = dataflowSizing(ctx, job);
    const what = job.address;
    if (!s.streaming) return void out.unpriced.push(`${what}: batch Dataflow jobs have no price model (only streaming)`);
    if (s.machineTypeName === null) return void out.unpriced.push(`${what}: machine_type is pending`);
    if (!s.machine) return void out.unpriced.push(`${what}: machine type ${s.machineTypeName} is not in machine-types.json`);
    if (s.maxWorkers === null) return void out.unpriced.push(`${what}: max_workers is pending`);
    if (s.maxWorkers === undefined) {
      out.warnings.push(`${what}: streaming job without max_workers can autoscale to ${s.ceiling} workers; expected and maximum cost priced at that ceiling (set max_workers)`);
    }
    const vcpu = needPrice(ctx, 'dataflow.streaming-vcpu-hour', job.region, what);
    const mem = needPrice(ctx, 'dataflow.memory-gib-hour', job.region, what);
    const disk = needPrice(ctx, 'dataflow.pd-standard-gib-hour', job.region, what);
    if (typeof vcpu === 'string') out.unpriced.push(vcpu);
    if (typeof mem === 'string') out.unpriced.push(mem);
    if (typeof disk === 'string') out.unpriced.push(disk);
    if (typeof vcpu === 'string' || typeof mem === 'string' || typeof disk === 'string') return;

    const override = ctx.usageOf(job.address).workers;
    const t = ctx.traffic;
    const atAvg = workersFor(s, t.averageEps)!;
    const atBurst = workersFor(s, t.burstEps)!;
    const max = s.maxWorkers ?? s.ceiling;
    // Unbounded, nothing stops autoscaling at the ceiling (a backlog, a slow sink), so the
    // expected cost is the ceiling's: a budget must not pass on a bound the job does not have.
    const unbounded = s.maxWorkers === undefined;
    const expected = override ?? (unbounded ? s.ceiling : monthMean(t, atAvg, atBurst));
    const hours = ctx.data.hoursPerMonth;
    const perWorkerHour = s.machine.vcpu * vcpu.value + s.machine.memoryGiB * mem.value;
    const perVcpu = ctx.data.perf('dataflow.events-per-vcpu');
    const machineTypes = ctx.data.machineTypes;
    out.lines.push(
      costLine(
        ctx,
        job,
        `workers (${s.machineTypeName})`,
        range(s.minWorkers * perWorkerHour * hours, expected * perWorkerHour * hours, max * perWorkerHour * hours),
        `${s.minWorkers}..${max} workers${s.initialWorkers ? ` (initial ${s.initialWorkers})` : ''}${s.maxWorkers === undefined ? ' (no max_workers: service ceiling)' : ''}; ` +
          `${override !== undefined ? `usage file ${override}` : unbounded ? `${s.ceiling} (the ceiling: the workload needs ${atAvg}, bursts ${atBurst}, but nothing bounds the job)` : `${t.averageEps} events/s / (${perVcpu.value} x ${s.machine.vcpu} vCPU) -> ${atAvg}, bursts -> ${atBurst}`} expected; ` +
          `(${s.machine.vcpu} vCPU x ${unitPrice(vcpu)} + ${s.machine.memoryGiB} GiB x ${unitPrice(mem)}) x ${hours} h per worker`,
        [vcpu, mem, perVcpu, machineTypes],
        job.region,
      ),
    );
    const diskGiB = ctx.data.perf(s.streamingEngine ? 'dataflow.disk-gib.streaming-engine' : 'dataflow.disk-gib.streaming-appliance');
    const diskPerWorker = diskGiB.value * disk.value * hours;
    out.lines.push(
      costLine(
        ctx,
        job,
        'worker disks',
        range(s.minWorkers * diskPerWorker, expected * diskPerWorker, max * diskPerWorker),
        `${diskGiB.value} GiB per worker x ${unitPrice(disk)}/GiB-hour x ${hours} h`,
        [disk, diskGiB],
        job.region,
      ),
    );
    if (!s.streamingEngine) return;
    const se = needPrice(ctx, 'dataflow.streaming-engine-data', job.region, what);
    if (typeof se === 'string') return void out.unpriced.push(se);
    const gibAvg = (t.averageEps * t.eventBytes * t.secondsPerMonth) / ctx.data.bytesPerGiB;
    const gibExp = (t.expectedEps * t.eventBytes * t.secondsPerMonth) / ctx.data.bytesPerGiB;
    out.lines.push(
      costLine(
        ctx,
        job,
        'Streaming Engine data processed',
        range(gibAvg * se.value, gibExp * se.value, gibExp * se.value),
        `${fmt(gibExp)} GiB/month x ${unitPrice(se)}/GiB`,
        [se],
        job.region,
      ),
    );
  },
};
