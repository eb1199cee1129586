/**
 * Where a resource runs: its own `region`, `location` or `zone` (zones reduced to their
 * region), Bigtable clusters' zones, else the region of the provider configuration it uses.
 */
import { isPending, type AttrValue, type ProviderRef } from './types';
import { asList, asRecord, asString } from './values';

/** `us-central1-b` -> `us-central1`; regions and multi-regions (`US`, `eur4`) are unchanged. */
export function regionOfLocation(location: string): string {
  const zone = /^([a-z]+-[a-z]+\d+)-[a-z]$/.exec(location);
  return zone ? zone[1] : location;
}

function literal(v: AttrValue | undefined): string | undefined {
  const s = asString(v);
  return s !== undefined && s !== '' ? s : undefined;
}

export interface RegionResult {
  region?: string;
  regions?: string[];
}

export function resolveRegion(type: string, values: Record<string, AttrValue>, provider?: ProviderRef): RegionResult {
  if (type === 'google_bigtable_instance') {
    const zones: string[] = [];
    let pendingZone = false;
    for (const cluster of asList(values.cluster)) {
      const zone = asRecord(cluster)?.zone;
      const z = literal(zone);
      if (z) zones.push(regionOfLocation(z));
      else if (zone !== undefined && isPending(zone)) pendingZone = true;
    }
    const regions = [...new Set(zones)];
    if (regions.length > 0) return { region: regions[0], regions };
    if (pendingZone) return {};
  }
  for (const key of ['region', 'location', 'zone'] as const) {
    const v = values[key];
    if (v === undefined || v === null) continue;
    const s = literal(v);
    if (s) return { region: regionOfLocation(s), regions: [regionOfLocation(s)] };
    if (isPending(v)) return {};
  }
  const fromProvider = literal(provider?.region);
  if (fromProvider) return { region: regionOfLocation(fromProvider), regions: [regionOfLocation(fromProvider)] };
  return {};
}
