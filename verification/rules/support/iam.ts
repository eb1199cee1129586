/** IAM grants in the graph: who holds which role on which resource (member, binding, project level). */
import type { AttrValue, Graph, Resource } from '../../graph/types';
import { readAttr } from '../../graph/values';
import type { Topology } from '../../analyses/topology';
import { joinedText } from './text';

export interface Grant {
  iam: Resource;
  role: string;
  /** Member text (pending expressions included). */
  members: string[];
}

/**
 * Per graph, read once and shared by the rules that ask (dead letters, export subscriptions, spill
 * buckets): each IAM resource's grant, the project-level grants, and the IAM resources of some types.
 */
interface IamIndex {
  resources: readonly Resource[];
  count: number;
  grants: Map<Resource, Grant>;
  project?: readonly Grant[];
  /** Resources of some types in graph order (so the topology can index them), by the caller's type list. */
  lists: Map<readonly string[], Resource[]>;
}

const indexes = new WeakMap<Graph, IamIndex>();

function indexOf(graph: Graph): IamIndex {
  let index = indexes.get(graph);
  // A graph changed in place (resources added) is read again rather than stale.
  if (!index || index.resources !== graph.resources || index.count !== graph.resources.length) {
    index = { resources: graph.resources, count: graph.resources.length, grants: new Map(), lists: new Map() };
    indexes.set(graph, index);
  }
  return index;
}

/** `types` should be a constant of the caller: the list is kept under that array. */
function ofTypes(index: IamIndex, types: readonly string[]): Resource[] {
  let list = index.lists.get(types);
  if (!list) {
    list = index.resources.filter((r) => types.includes(r.type));
    index.lists.set(types, list);
  }
  return list;
}

function cachedGrant(index: IamIndex, iam: Resource): Grant {
  let grant = index.grants.get(iam);
  if (!grant) index.grants.set(iam, (grant = grantOf(iam)));
  return grant;
}

export function grantsOn(graph: Graph, topology: Topology, target: Resource, iamTypes: readonly string[]): Grant[] {
  const index = indexOf(graph);
  return topology.referrersAmong(target, ofTypes(index, iamTypes)).map((iam) => cachedGrant(index, iam));
}

/** textOf of a role or member value (a literal string is itself). */
function text(v: AttrValue | undefined): string {
  return typeof v === 'string' ? v : joinedText(v);
}

export function grantOf(iam: Resource): Grant {
  const role = text(readAttr(iam, 'role'));
  const members = iam.type.endsWith('_binding') ? [text(readAttr(iam, 'members'))] : [text(readAttr(iam, 'member'))];
  return { iam, role, members };
}

/** Project-level grants (members and bindings), in graph order. */
export function projectGrants(graph: Graph): readonly Grant[] {
  const index = indexOf(graph);
  if (!index.project) {
    index.project = index.resources.filter((r) => r.type === 'google_project_iam_member' || r.type === 'google_project_iam_binding').map((r) => cachedGrant(index, r));
  }
  return index.project;
}

/**
 * The first grant, among those on the target (its IAM resources of `iamTypes`) and then the
 * project-level ones, of one of `roles` to a member `matches` accepts.
 */
export function holderOf(graph: Graph, topology: Topology, target: Resource, iamTypes: readonly string[], roles: readonly string[], matches: (member: string) => boolean): Grant | undefined {
  return holderAmong(grantsOn(graph, topology, target, iamTypes), roles, matches) ?? holderAmong(projectGrants(graph), roles, matches);
}

/** The first of the grants of one of `roles` to a member `matches` accepts. */
export function holderAmong(grants: readonly Grant[], roles: readonly string[], matches: (member: string) => boolean): Grant | undefined {
  return grants.find((g) => roles.includes(g.role) && g.members.some(matches));
}

export const PUBSUB_AGENT = /gcp-sa-pubsub\.iam\.gserviceaccount\.com/;
