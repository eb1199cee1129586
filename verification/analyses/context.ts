/** What every analysis reads: the graph, the model, the spec, data, usage and the derived traffic. */
import type { ArchitectureModel, ComponentId } from '../engine/types';
import type { Graph, Resource } from '../graph/types';
import type { Spec } from '../spec/spec';
import { loadVerifierData, type VerifierData } from '../data';
import { deriveTraffic, type Traffic } from './traffic';
import { buildTopology, type Topology } from './topology';
import { NO_USAGE, usageLookup, type UsageEntry, type UsageOverrides } from './usage';

export interface AnalysisInput {
  graph: Graph;
  model: ArchitectureModel;
  spec: Spec;
  usage?: UsageOverrides;
}

export interface AnalysisContext {
  graph: Graph;
  model: ArchitectureModel;
  spec: Spec;
  usage: UsageOverrides;
  data: VerifierData;
  traffic: Traffic;
  topology: Topology;
  usageOf(address: string): UsageEntry;
  componentOf(address: string): ComponentId | 'shared';
}

export function createContext(input: AnalysisInput, data: VerifierData = loadVerifierData()): AnalysisContext {
  const usage = input.usage ?? NO_USAGE;
  const usageOf = usageLookup(usage);
  return {
    graph: input.graph,
    model: input.model,
    spec: input.spec,
    usage,
    data,
    traffic: deriveTraffic(input.spec, data),
    topology: buildTopology(input.graph, input.model),
    usageOf,
    componentOf: (address) => input.model.membership.get(address)?.component ?? 'shared',
  };
}

/** A resource's region as the loader resolved it; undefined when pending or unknown. */
export function regionOf(r: Resource): string | undefined {
  return r.region;
}

/** Regions of a zone list or location string: `us-central1-b` -> `us-central1`. */
export function zoneRegion(zone: string): string {
  const m = /^([a-z]+-[a-z]+\d+)-[a-z]$/.exec(zone);
  return m ? m[1] : zone;
}

/**
 * A derived figure computed once per verification: the analyses and rules read the same loads
 * and sizings many times (a hot store's load feeds cost, latency, capacity and DR). Keyed on the
 * context (and resource), so an edited graph (the advice stage) gets a fresh one. The result is
 * shared: callers must not modify it.
 */
export function oncePerContext<R>(compute: (ctx: AnalysisContext) => R): (ctx: AnalysisContext) => R {
  const cache = new WeakMap<AnalysisContext, R>();
  return (ctx) => {
    const cached = cache.get(ctx);
    if (cached !== undefined || cache.has(ctx)) return cached as R;
    const value = compute(ctx);
    cache.set(ctx, value);
    return value;
  };
}

export function oncePerResource<R>(compute: (ctx: AnalysisContext, r: Resource) => R): (ctx: AnalysisContext, r: Resource) => R {
  // The per-resource map lives as long as its context (the WeakMap's value), so it need not be weak itself.
  const cache = new WeakMap<AnalysisContext, Map<Resource, R>>();
  return (ctx, r) => {
    let byResource = cache.get(ctx);
    if (!byResource) {
      byResource = new Map();
      cache.set(ctx, byResource);
    }
    const cached = byResource.get(r);
    if (cached !== undefined || byResource.has(r)) return cached as R;
    const value = compute(ctx, r);
    byResource.set(r, value);
    return value;
  };
}
