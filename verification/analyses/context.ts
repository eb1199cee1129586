/** What every analysis reads: the graph, the model, the spec, data, usage and the derived traffic. */
import type { ArchitectureModel, ComponentId } from '../engine/types';
import type { Graph, Resource } from '../graph/types';
import type { Spec } from '../spec/spec';
import { loadVerifierData, type VerifierData } from '../data';
import { deriveTraffic, type Traffic } from './traffic';
import { buildTopology, type Topology } from './topology';
import { NO_USAGE, usageFor, type UsageEntry, type UsageOverrides } from './usage';

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
  return {
    graph: input.graph,
    model: input.model,
    spec: input.spec,
    usage,
    data,
    traffic: deriveTraffic(input.spec, data),
    topology: buildTopology(input.graph, input.model),
    usageOf: (address) => usageFor(usage, address),
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
