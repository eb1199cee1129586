/** Edge bookkeeping shared by the synth and plan loaders. */
import type { Edge } from './types';

/**
 * Among the edges from index `first` on (the current resource's, a few), one to `to` at
 * `attribute`: scanned rather than keyed, since a resource has few edges.
 */
export function hasEdgeSince(edges: readonly Edge[], first: number, to: string, attribute: string): boolean {
  for (let i = first; i < edges.length; i++) if (edges[i].to === to && edges[i].attribute === attribute) return true;
  return false;
}
