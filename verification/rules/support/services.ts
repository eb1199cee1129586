/** The services of a pipeline role, listed once per topology (several rules ask for the same role). */
import type { Resource } from '../../graph/types';
import type { ServiceRole, Topology } from '../../analyses/topology';
import { isGatedStandby } from '../../analyses/standby';

const perTopology = new WeakMap<Topology, Map<ServiceRole, readonly Resource[]>>();

/** `topo.services(role)` (home region first), kept per topology; never mutate the list. */
export function servicesOf(topo: Topology, role: ServiceRole): readonly Resource[] {
  let byRole = perTopology.get(topo);
  if (!byRole) perTopology.set(topo, (byRole = new Map()));
  let services = byRole.get(role);
  if (!services) byRole.set(role, (services = topo.services(role)));
  return services;
}

const gatedPerTopology = new WeakMap<Topology, Map<Resource, boolean>>();

/** `isGatedStandby(svc)` (STANDBY_BACKLOG_AGE_SECONDS set), read once per service and topology: it builds the env map. */
export function isGated(topo: Topology, svc: Resource): boolean {
  let gated = gatedPerTopology.get(topo);
  if (!gated) gatedPerTopology.set(topo, (gated = new Map()));
  let is = gated.get(svc);
  if (is === undefined) gated.set(svc, (is = isGatedStandby(svc)));
  return is;
}
