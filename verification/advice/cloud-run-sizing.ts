/**
 * Cloud Run sizing the way the stacks build it. One config entry per service name
 * (`ingestion.gateway`, `processing.processor`, ...) sizes the copy in the environment's
 * region; a copy in the secondary region gets the same CPU and ceiling and
 * `min(secondary.minInstances, maxInstances)` warm instances (stacks/constructs/cloud-run-service.ts,
 * regionalDeployments). Every edit here writes each copy's bounds as the constructs would for the
 * edited config, so min never exceeds max on any copy.
 */
import { loadVerifierData } from '../data';
import type { Graph, Resource } from '../graph/types';
import type { GraphChange } from './types';
import { cloudRunServices, cloudRunView, regionOf, str } from './graph-query';
import { set } from './whatif/generator';

export interface CloudRunGroup {
  /** Service name (the copies share it). */
  name: string;
  /** The copy in the environment's region: the one its config entry sizes directly. */
  primary: Resource;
  /** Copies in other regions (sized by `secondary.minInstances`). */
  secondaries: Resource[];
}

export interface CloudRunBounds {
  minInstances: number;
  maxInstances: number;
  cpu: number;
}

/**
 * Regional copies grouped by service name. The primary copy is the one in the provider's
 * default region (the stacks' `config.region`); without one, the copy with the most warm
 * instances (the one that takes the traffic).
 */
export function cloudRunGroups(graph: Graph): CloudRunGroup[] {
  const byName = new Map<string, Resource[]>();
  for (const s of cloudRunServices(graph)) {
    const key = str(s.values.name) ?? s.address;
    byName.set(key, [...(byName.get(key) ?? []), s]);
  }
  return [...byName.entries()].map(([name, copies]) => {
    const home = copies.find((c) => typeof c.provider?.region === 'string' && regionOf(c) === c.provider.region);
    const primary = home ?? [...copies].sort((a, b) => (cloudRunView(b).minInstances ?? 0) - (cloudRunView(a).minInstances ?? 0))[0];
    return { name, primary, secondaries: copies.filter((c) => c !== primary) };
  });
}

export function defaultMaxInstances(): number {
  return loadVerifierData().perf('cloudrun.default-max-instances').value;
}

export function defaultCpu(): number {
  return loadVerifierData().perf('cloudrun.default-vcpu').value;
}

/** The bounds a copy runs with, provider defaults filled in. */
export function boundsOf(service: Resource): CloudRunBounds {
  const v = cloudRunView(service);
  return { minInstances: v.minInstances ?? 0, maxInstances: v.maxInstances ?? defaultMaxInstances(), cpu: v.cpu ?? defaultCpu() };
}

/** The config's `secondary.minInstances` as the graph shows it: the most warm instances of any secondary copy. */
export function secondaryMinInstances(graph: Graph): number | undefined {
  const mins = cloudRunGroups(graph).flatMap((g) => g.secondaries.map((s) => boundsOf(s).minInstances));
  return mins.length === 0 ? undefined : Math.max(...mins);
}

/** Changes that set one copy to `to`, leaving unset attributes unset while they keep the provider default. */
function copyChanges(service: Resource, to: CloudRunBounds): GraphChange[] {
  const v = cloudRunView(service);
  const now = boundsOf(service);
  const out: GraphChange[] = [];
  if (to.cpu !== now.cpu) out.push(set(service, v.paths.cpu, String(to.cpu)));
  if (to.maxInstances !== now.maxInstances) out.push(set(service, v.paths.max, to.maxInstances));
  if (to.minInstances !== now.minInstances) out.push(set(service, v.paths.min, to.minInstances));
  return out;
}

/**
 * The edits that size a service group as the stacks would for `primary` (its config entry) and
 * `secondaryMin` (the config's `secondary.minInstances`, kept as is when undefined). Throws when
 * min > max: no config may ask for it (the scaling-bounds rule rejects it).
 */
export function groupSizingChanges(group: CloudRunGroup, primary: CloudRunBounds, secondaryMin?: number): GraphChange[] {
  if (primary.minInstances > primary.maxInstances) {
    throw new Error(`${group.name}: min instances ${primary.minInstances} above max instances ${primary.maxInstances}`);
  }
  const out = copyChanges(group.primary, primary);
  for (const s of group.secondaries) {
    const warm = secondaryMin ?? boundsOf(s).minInstances;
    out.push(...copyChanges(s, { cpu: primary.cpu, maxInstances: primary.maxInstances, minInstances: Math.min(warm, primary.maxInstances) }));
  }
  return out;
}
