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

export function grantsOn(graph: Graph, topology: Topology, target: Resource, iamTypes: string[]): Grant[] {
  const out: Grant[] = [];
  for (const iam of graph.resources) {
    if (!iamTypes.includes(iam.type)) continue;
    if (!topology.refersTo(iam, target)) continue;
    out.push(grantOf(iam));
  }
  return out;
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
