/**
 * Cloud Run service sizing shared by cost, capacity and availability: role, vCPU and memory
 * per instance (all containers), instance bounds, billing mode and the events one instance
 * handles.
 */
import type { Resource } from '../graph/types';
import { blocks, field, fieldBool, fieldNum, fieldStr, num, parseCpu, parseMemoryGiB, unsetOr, type Maybe } from './attributes';
import type { AnalysisContext } from './context';
import { oncePerResource } from './context';
import type { ServiceRole } from './topology';
import { monthMean } from './traffic';

export interface ServiceSizing {
  service: Resource;
  role: ServiceRole;
  vcpu: number | null;
  memoryGiB: number | null;
  minInstances: number | null;
  maxInstances: number | null;
  /** CPU always allocated: instance-based billing. */
  instanceBased: boolean;
  concurrency: number | null;
  /** Events/s one instance handles (gateway, processor), from per-vCPU figures. */
  eventsPerInstance?: number;
}

/** The number at the first of `paths` that is set (pending counts as set). */
function firstNum(svc: Resource, paths: readonly string[]): Maybe<number> {
  for (const path of paths) {
    const x = num(svc, path);
    if (x !== undefined) return x;
  }
  return undefined;
}

// v2 services scale under template.scaling, v1 services under scaling.
const MIN_INSTANCES = ['template.scaling.min_instance_count', 'scaling.min_instance_count'];
const MAX_INSTANCES = ['template.scaling.max_instance_count', 'scaling.max_instance_count'];

export const serviceSizing = oncePerResource(function serviceSizing(ctx: AnalysisContext, svc: Resource): ServiceSizing {
  const role = ctx.topology.roleOf(svc);
  const containers = blocks(svc, 'template.containers');
  let vcpu: number | null = 0;
  let mem: number | null = 0;
  let instanceBased = false;
  const defaultCpu = ctx.data.perf('cloudrun.default-vcpu').value;
  const defaultMem = ctx.data.perf('cloudrun.default-memory-gib').value;
  for (const c of containers.length > 0 ? containers : [{}]) {
    const cpu = parseCpu(fieldStr(c, 'resources.limits.cpu'));
    const m = parseMemoryGiB(fieldStr(c, 'resources.limits.memory'));
    vcpu = vcpu === null || cpu === null ? null : vcpu + (cpu ?? defaultCpu);
    mem = mem === null || m === null ? null : mem + (m ?? defaultMem);
    if (fieldBool(c, 'resources.cpu_idle') === false) instanceBased = true;
  }
  // v1 services: CPU throttling annotation false means always allocated.
  const throttling = field(blocks(svc, 'template.metadata')[0], 'annotations.run.googleapis.com/cpu-throttling');
  if (throttling === 'false') instanceBased = true;
  // Unset takes Cloud Run's default; pending stays unknown.
  const minInstances = unsetOr(firstNum(svc, MIN_INSTANCES), 0);
  const maxInstances = unsetOr(firstNum(svc, MAX_INSTANCES), ctx.data.perf('cloudrun.default-max-instances').value);
  const concurrency = num(svc, 'template.max_instance_request_concurrency') ?? fieldNum(blocks(svc, 'template')[0], 'container_concurrency') ?? null;
  const perVcpuId = role === 'processor' ? 'processor.events-per-vcpu' : role === 'ingest-gateway' ? 'ingest-gateway.events-per-vcpu' : undefined;
  const eventsPerInstance = perVcpuId && typeof vcpu === 'number' ? ctx.data.perf(perVcpuId).value * vcpu : undefined;
  return { service: svc, role, vcpu, memoryGiB: mem, minInstances, maxInstances, instanceBased, concurrency, eventsPerInstance };
});

/** Instances needed for an event rate, within bounds. */
export function instancesFor(s: ServiceSizing, eventsPerSecond: number): number | undefined {
  if (!s.eventsPerInstance || s.minInstances === null || s.maxInstances === null) return undefined;
  return Math.min(s.maxInstances, Math.max(s.minInstances, Math.ceil(eventsPerSecond / s.eventsPerInstance)));
}

/**
 * A service is a standby when its role is also deployed earlier in the graph (another
 * region): clients and subscribers use the first deployment and fail over to the others,
 * which run at their minimum until then. The usage file overrides either.
 */
export function isStandby(ctx: AnalysisContext, svc: Resource): boolean {
  const same = ctx.topology.services(ctx.topology.roleOf(svc));
  return same.length > 1 && same[0].address !== svc.address;
}

/** Month-mean instances for the event roles; min instances for the others and for standbys. */
export function expectedInstances(ctx: AnalysisContext, s: ServiceSizing): { min: number; expected: number; max: number } | undefined {
  if (s.minInstances === null || s.maxInstances === null) return undefined;
  const override = ctx.usageOf(s.service.address).instances;
  if (isStandby(ctx, s.service)) return { min: s.minInstances, expected: override ?? s.minInstances, max: s.maxInstances };
  const t = ctx.traffic;
  const atAvg = instancesFor(s, t.averageEps);
  const atBurst = instancesFor(s, t.burstEps);
  if (atAvg !== undefined && atBurst !== undefined) {
    return { min: atAvg, expected: override ?? monthMean(t, atAvg, atBurst), max: s.maxInstances };
  }
  return { min: s.minInstances, expected: override ?? s.minInstances, max: s.maxInstances };
}
