/**
 * google_cloud_run_v2_service: instance-based billing (CPU always allocated) prices running
 * instances x (vCPU + memory) x seconds; request-based billing prices busy instance time plus
 * requests. Minimum instances are priced at the active rate (conservative: idle instances
 * bill less).
 */
import { costLine, fmt, needPrice, range, unitPrice, type Basis, type PriceModel } from './types';
import { expectedInstances, isStandby, serviceSizing } from '../cloud-run';
import { requestRate } from './cloud-run-requests';

const REQUESTS_PER_MILLION = 1e6;
const UNIT_PRICE_IDS = {
  instance: { vcpu: 'cloudrun.instance.vcpu-second', memory: 'cloudrun.instance.gib-second' },
  request: { vcpu: 'cloudrun.request.vcpu-second', memory: 'cloudrun.request.gib-second' },
} as const;

export const cloudRunServiceModel: PriceModel = {
  types: ['google_cloud_run_v2_service'],
  price(svc, ctx, _state, out) {
    const s = serviceSizing(ctx, svc);
    const what = svc.address;
    if (s.vcpu === null || s.memoryGiB === null) return void out.unpriced.push(`${what}: CPU or memory limit pending`);
    const bounds = expectedInstances(ctx, s);
    if (!bounds) return void out.unpriced.push(`${what}: min or max instance count pending`);
    const ids = UNIT_PRICE_IDS[s.instanceBased ? 'instance' : 'request'];
    const vcpuPrice = needPrice(ctx, ids.vcpu, svc.region, what);
    const memPrice = needPrice(ctx, ids.memory, svc.region, what);
    if (typeof vcpuPrice === 'string') out.unpriced.push(vcpuPrice);
    if (typeof memPrice === 'string') out.unpriced.push(memPrice);
    if (typeof vcpuPrice === 'string' || typeof memPrice === 'string') return;
    const seconds = ctx.traffic.secondsPerMonth;
    const perInstanceSecond = s.vcpu * vcpuPrice.value + s.memoryGiB * memPrice.value;
    const perVcpu = s.role === 'processor' ? ctx.data.perf('processor.events-per-vcpu') : s.role === 'ingest-gateway' ? ctx.data.perf('ingest-gateway.events-per-vcpu') : undefined;
    const basis: Basis[] = perVcpu ? [vcpuPrice, memPrice, perVcpu] : [vcpuPrice, memPrice];
    if (s.instanceBased) {
      out.lines.push(
        costLine(
          ctx,
          svc,
          'instances (CPU always allocated)',
          range(bounds.min * perInstanceSecond * seconds, bounds.expected * perInstanceSecond * seconds, bounds.max * perInstanceSecond * seconds),
          `${isStandby(ctx, svc) ? 'standby region (takes traffic after a failover): ' : ''}${fmt(bounds.min)}..${fmt(bounds.max)} instances (expected ${fmt(bounds.expected)}) x (${s.vcpu} vCPU x ${unitPrice(vcpuPrice)} + ${fmt(s.memoryGiB)} GiB x ${unitPrice(memPrice)}) x ${seconds} s`,
          basis,
          svc.region,
        ),
      );
      return;
    }
    const requestPrice = needPrice(ctx, 'cloudrun.request.per-million', svc.region, what);
    if (typeof requestPrice === 'string') return void out.unpriced.push(requestPrice);
    if (s.role === 'processor') out.warnings.push(`${what}: a pull subscriber with request-based CPU is throttled between requests; set cpu_idle = false`);
    const rate = requestRate(ctx, svc);
    const duration = ctx.data.perf('cloudrun.request-duration-seconds');
    if (rate.assumedZero || s.role === 'processor') out.warnings.push(`${what}: request volume assumed 0 beyond min instances; set requestsPerSecond in the usage file`);
    // Busy instance time: at least the minimum instances, else the requests' busy seconds.
    const minInstances = s.minInstances ?? 0;
    const computeAvg = Math.max(minInstances, rate.averageRps * rate.busySecondsPerRequest) * perInstanceSecond * seconds;
    const computeExp = Math.max(minInstances, rate.expectedRps * rate.busySecondsPerRequest) * perInstanceSecond * seconds;
    // The ceiling: every allowed instance busy the whole month (what max_instance_count permits).
    const atCeiling = Math.max(computeExp, bounds.max * perInstanceSecond * seconds);
    const millionsAvg = (rate.averageRps * seconds) / REQUESTS_PER_MILLION;
    const millionsExp = (rate.expectedRps * seconds) / REQUESTS_PER_MILLION;
    basis.push(duration);
    out.lines.push(
      costLine(
        ctx,
        svc,
        'instance time (request-based)',
        range(computeAvg, computeExp, atCeiling),
        `${rate.basis}; max(${s.minInstances} min instances, requests/s x ${fmt(rate.busySecondsPerRequest, 4)} s busy) x (${s.vcpu} vCPU x ${unitPrice(vcpuPrice)} + ${fmt(s.memoryGiB)} GiB x ${unitPrice(memPrice)}) x ${seconds} s; max: ${fmt(bounds.max)} max instances busy all month`,
        basis,
        svc.region,
      ),
      costLine(
        ctx,
        svc,
        'requests',
        range(millionsAvg * requestPrice.value, millionsExp * requestPrice.value, millionsExp * requestPrice.value),
        `${fmt(millionsExp)} M requests x ${unitPrice(requestPrice)}/M (max: the same demand; requests are not bounded by scaling)`,
        [requestPrice],
        svc.region,
      ),
    );
  },
};
