/**
 * google_cloud_run_v2_service: instance-based billing (CPU always allocated) prices running
 * instances x (vCPU + memory) x seconds; request-based billing prices busy instance time plus
 * requests. Minimum instances are priced at the active rate (conservative: idle instances
 * bill less).
 */
import { costLine, fmt, needPrice, range, usd, type PriceModel } from './types';
import { expectedInstances, isStandby, serviceSizing } from '../cloud-run';
import { requestRate } from './cloud-run-requests';

const REQUESTS_PER_MILLION = 1e6;

export const cloudRunServiceModel: PriceModel = {
  types: ['google_cloud_run_v2_service'],
  price(svc, ctx) {
    const s = serviceSizing(ctx, svc);
    const what = svc.address;
    if (s.vcpu === null || s.memoryGiB === null) return { lines: [], unpriced: [`${what}: CPU or memory limit pending`] };
    const bounds = expectedInstances(ctx, s);
    if (!bounds) return { lines: [], unpriced: [`${what}: min or max instance count pending`] };
    const mode = s.instanceBased ? 'instance' : 'request';
    const vcpuPrice = needPrice(ctx, `cloudrun.${mode}.vcpu-second`, svc.region, what);
    const memPrice = needPrice(ctx, `cloudrun.${mode}.gib-second`, svc.region, what);
    const unpriced = [vcpuPrice, memPrice].filter((p): p is string => typeof p === 'string');
    if (typeof vcpuPrice === 'string' || typeof memPrice === 'string') return { lines: [], unpriced };
    const seconds = ctx.traffic.secondsPerMonth;
    const perInstanceSecond = s.vcpu * vcpuPrice.value + s.memoryGiB * memPrice.value;
    const warnings: string[] = [];
    const perVcpu = s.role === 'processor' ? ctx.data.perf('processor.events-per-vcpu') : s.role === 'ingest-gateway' ? ctx.data.perf('ingest-gateway.events-per-vcpu') : undefined;
    const basis = [vcpuPrice, memPrice, ...(perVcpu ? [perVcpu] : [])];
    if (s.instanceBased) {
      return {
        lines: [
          costLine(
            ctx,
            svc,
            'instances (CPU always allocated)',
            range(bounds.min * perInstanceSecond * seconds, bounds.expected * perInstanceSecond * seconds, bounds.max * perInstanceSecond * seconds),
            `${isStandby(ctx, svc) ? 'standby region (takes traffic after a failover): ' : ''}${fmt(bounds.min)}..${fmt(bounds.max)} instances (expected ${fmt(bounds.expected)}) x (${s.vcpu} vCPU x ${usd(vcpuPrice.value)} + ${fmt(s.memoryGiB)} GiB x ${usd(memPrice.value)}) x ${seconds} s`,
            basis,
            svc.region,
          ),
        ],
      };
    }
    if (s.role === 'processor') warnings.push(`${what}: a pull subscriber with request-based CPU is throttled between requests; set cpu_idle = false`);
    const requestPrice = needPrice(ctx, 'cloudrun.request.per-million', svc.region, what);
    if (typeof requestPrice === 'string') return { lines: [], unpriced: [requestPrice] };
    const rate = requestRate(ctx, svc, s);
    const { averageRps: rpsAvg, expectedRps: rpsExp, busySecondsPerRequest: busyPerRequest, basis: rpsBasis } = rate;
    const duration = ctx.data.perf('cloudrun.request-duration-seconds');
    if (rate.assumedZero || s.role === 'processor') warnings.push(`${what}: request volume assumed 0 beyond min instances; set requestsPerSecond in the usage file`);
    const busy = (rps: number) => Math.max(s.minInstances ?? 0, rps * busyPerRequest);
    const compute = (rps: number) => busy(rps) * perInstanceSecond * seconds;
    // The ceiling: every allowed instance busy the whole month (what max_instance_count permits).
    const atCeiling = Math.max(compute(rpsExp), bounds.max * perInstanceSecond * seconds);
    const requests = (rps: number) => ((rps * seconds) / REQUESTS_PER_MILLION) * requestPrice.value;
    return {
      lines: [
        costLine(
          ctx,
          svc,
          'instance time (request-based)',
          range(compute(rpsAvg), compute(rpsExp), atCeiling),
          `${rpsBasis}; max(${s.minInstances} min instances, requests/s x ${fmt(busyPerRequest, 4)} s busy) x (${s.vcpu} vCPU x ${usd(vcpuPrice.value)} + ${fmt(s.memoryGiB)} GiB x ${usd(memPrice.value)}) x ${seconds} s; max: ${fmt(bounds.max)} max instances busy all month`,
          [...basis, duration],
          svc.region,
        ),
        costLine(
          ctx,
          svc,
          'requests',
          range(requests(rpsAvg), requests(rpsExp), requests(rpsExp)),
          `${fmt((rpsExp * seconds) / REQUESTS_PER_MILLION)} M requests x ${usd(requestPrice.value)}/M (max: the same demand; requests are not bounded by scaling)`,
          [requestPrice],
          svc.region,
        ),
      ],
      warnings,
    };
  },
};
