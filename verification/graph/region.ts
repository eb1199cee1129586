/**
 * Where a resource runs: its own `region`, `location` or `zone` (zones reduced to their
 * region), Bigtable clusters' zones, else the region of the provider configuration it uses.
 */
import { isPending, type AttrValue, type ProviderRef, type Resource } from './types';
import { asList, asRecord, asString } from './values';

/** `us-central1-b` -> `us-central1`; regions and multi-regions (`US`, `eur4`) are unchanged. */
export function regionOfLocation(location: string): string {
  return ZONE.test(location) ? location.slice(0, -2) : location;
}

const ZONE = /^[a-z]+-[a-z]+\d+-[a-z]$/;

function literal(v: AttrValue | undefined): string | undefined {
  const s = asString(v);
  return s !== undefined && s !== '' ? s : undefined;
}

/** Sets `region` and `regions` on a resource from its values and provider (left unset when unknown). */
export function assignRegion(resource: Resource, provider: ProviderRef | undefined): void {
  const { type, values } = resource;
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
    if (regions.length > 0) {
      resource.region = regions[0];
      resource.regions = regions;
      return;
    }
    if (pendingZone) return;
  }
  for (let i = 0; i < LOCATION_KEYS.length; i++) {
    const v = values[LOCATION_KEYS[i]];
    if (v === undefined || v === null) continue;
    const s = literal(v);
    if (s) return setSingleRegion(resource, s);
    if (isPending(v)) return;
  }
  const fromProvider = literal(provider?.region);
  if (fromProvider) setSingleRegion(resource, fromProvider);
}

const LOCATION_KEYS = ['region', 'location', 'zone'] as const;

function setSingleRegion(resource: Resource, location: string): void {
  const region = regionOfLocation(location);
  resource.region = region;
  resource.regions = [region];
}
