/**
 * Where a second copy of something goes: regions on the same continent first (cheaper
 * replication traffic, shorter failover hop), then the rest, from the data files' region list.
 */
import { loadVerifierData } from '../data';

export function candidateRegions(current: string[]): string[] {
  const data = loadVerifierData();
  const regions = Object.keys(data.regions.regions).filter((r) => r === r.toLowerCase() && !current.includes(r));
  const home = current[0] ? data.continent(current[0]) : undefined;
  return [...regions.filter((r) => data.continent(r) === home), ...regions.filter((r) => data.continent(r) !== home)];
}
