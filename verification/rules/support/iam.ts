/** IAM grants in the graph: who holds which role on which resource (member, binding, project level). */
import type { Graph, Resource } from '../../graph/types';
import { readAttr } from '../../graph/values';
import type { Topology } from '../../analyses/topology';
import { textOf } from './evidence';

export interface Grant {
  iam: Resource;
  role: string;
  /** Member text (pending expressions included). */
  members: string[];
}

/** Resources of some types in graph order, listed once per graph (so the topology can index them). */
const ofTypesCache = new WeakMap<Graph, { resources: Resource[]; count: number; lists: Map<string, Resource[]> }>();
function ofTypes(graph: Graph, types: string[]): Resource[] {
  let perGraph = ofTypesCache.get(graph);
  if (!perGraph || perGraph.resources !== graph.resources || perGraph.count !== graph.resources.length) {
    perGraph = { resources: graph.resources, count: graph.resources.length, lists: new Map() };
    ofTypesCache.set(graph, perGraph);
  }
  const key = types.join('\n');
  let list = perGraph.lists.get(key);
  if (!list) {
    list = graph.resources.filter((r) => types.includes(r.type));
    perGraph.lists.set(key, list);
  }
  return list;
}

export function grantsOn(graph: Graph, topology: Topology, target: Resource, iamTypes: string[]): Grant[] {
  return topology.referrersAmong(target, ofTypes(graph, iamTypes)).map(grantOf);
}

export function grantOf(iam: Resource): Grant {
  const role = textOf(readAttr(iam, 'role'));
  const members = iam.type.endsWith('_binding') ? [textOf(readAttr(iam, 'members'))] : [textOf(readAttr(iam, 'member'))];
  return { iam, role, members };
}

export function projectGrants(graph: Graph): Grant[] {
  return graph.resources.filter((r) => r.type === 'google_project_iam_member' || r.type === 'google_project_iam_binding').map(grantOf);
}

export const PUBSUB_AGENT = /gcp-sa-pubsub\.iam\.gserviceaccount\.com/;
