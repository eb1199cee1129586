/** The services of a pipeline role, listed once per topology (several rules ask for the same role). */
import type { Resource } from '../../graph/types';
import type { ServiceRole, Topology } from '../../analyses/topology';

const perTopology = new WeakMap<Topology, Map<ServiceRole, readonly Resource[]>>();

/** `topo.services(role)` (home region first), kept per topology; never mutate the list. */
export function servicesOf(topo: Topology, role: ServiceRole): readonly Resource[] {
  let byRole = perTopology.get(topo);
  if (!byRole) perTopology.set(topo, (byRole = new Map()));
  let services = byRole.get(role);
  if (!services) byRole.set(role, (services = topo.services(role)));
  return services;
}
