/** The model stage: components and data flows from a graph, with no CDK in sight. */
import type { Graph } from '../graph/types';
import { COMPONENT_IDS, type ArchitectureModel, type ComponentId } from '../engine/types';
import type { Resource } from '../graph/types';
import { classify } from './classify';
import { deriveFlows, type FlowRoles } from './flows';
import { Wiring } from './wiring';

export interface BuiltModel extends ArchitectureModel {
  /** Resources found for each role in the flows (processor, speed subscription, ...). */
  roles: FlowRoles;
  /** Cloud Run services with the role they play and why. */
  serviceRoles: Map<string, { role: string; evidence: string }>;
}

export function buildModel(graph: Graph): BuiltModel {
  const wiring = new Wiring(graph);
  const { membership, serviceRoles } = classify(graph, wiring);
  const components = new Map<ComponentId, Resource[]>();
  for (const c of COMPONENT_IDS) components.set(c, []);
  for (const r of graph.resources) {
    const c = membership.get(r.address)?.component;
    if (c && c !== 'shared') components.get(c)!.push(r);
  }
  const { flows, roles } = deriveFlows(wiring, serviceRoles);
  return { components, membership, flows, roles, serviceRoles };
}

export { Wiring } from './wiring';
export { serviceAccountValue, matchesLiteral } from './wiring';
export { indexGraph, type GraphIndex } from './graph-index';
export type { FlowRoles } from './flows';
