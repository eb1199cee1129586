/**
 * A single-region stateful store under a multi-region availability target: the spec asks for
 * more than any single-region configuration of the store is contracted to give, so one
 * regional outage breaks the target.
 *
 * SLA figures come from verification/data/slas.json. A store whose SLA has no figure there is
 * reported with the SLA unknown (it is confined to one region and nothing shows that it meets
 * the target); a figure is never assumed.
 */
import { DataFileError, loadVerifierData } from '../../data';
import type { Graph, Resource } from '../../graph/types';
import type { PatternDetector, PatternEvidence, PatternMatch } from '../types';
import { getAttr } from '../graph-edit';
import { bigtableClusters, multiClusterProfiles, ofType, refersTo, str } from '../graph-query';
import { isCodeBucket } from './roles';

interface SlaFigure {
  id: string;
  value?: number;
  source?: string;
}

function sla(id: string): SlaFigure {
  try {
    const f = loadVerifierData().sla(id);
    return { id, value: f.value, source: f.source };
  } catch (e) {
    if (e instanceof DataFileError) return { id };
    throw e;
  }
}

/** The SLA note: the figure with its source, or unknown when slas.json has none. */
function slaNote(target: number, figure: SlaFigure, what: string): string {
  return figure.value === undefined
    ? `spec availability ${target}; the ${what} SLA is unknown (no '${figure.id}' figure in verification/data/slas.json), so nothing shows a store in one region meets it`
    : `spec availability ${target} > ${figure.value}, the ${what} SLA (${figure.source})`;
}

/** Whether the target is out of the store's reach: above its SLA figure, or the figure is unknown. */
function breaks(target: number, figure: SlaFigure): boolean {
  return figure.value === undefined || target > figure.value;
}

/** A location naming one region (us-central1, EUROPE-WEST1), not a multi-region (US, EU) or dual-region (NAM4). */
export function isSingleRegionLocation(location: string | undefined): location is string {
  return location !== undefined && /^[a-z]+-[a-z]+\d+$/i.test(location);
}

function locationOf(r: Resource, ...keys: string[]): string | undefined {
  for (const k of keys) {
    const v = str(getAttr(r.values, k));
    if (v) return v;
  }
  return undefined;
}

const RISKS = ['availability' as const, 'rto' as const];

function bigtableMatches(graph: Graph, target: number, base: Omit<PatternMatch, 'summary' | 'evidence'>): PatternMatch[] {
  const single = sla('bigtable.single-cluster');
  if (!breaks(target, single)) return [];
  const matches: PatternMatch[] = [];
  for (const instance of ofType(graph, 'google_bigtable_instance')) {
    const clusters = bigtableClusters(instance);
    const regions = [...new Set(clusters.map((c) => c.region).filter((r): r is string => r !== undefined))];
    const profiles = multiClusterProfiles(graph, instance);
    if (regions.length >= 2 && profiles.length > 0) continue;
    const evidence: PatternEvidence[] = [
      {
        address: instance.address,
        attribute: 'cluster',
        value: clusters.map((c) => c.zone ?? null),
        note: `${clusters.length} cluster${clusters.length === 1 ? '' : 's'} in ${regions.length === 1 ? `one region (${regions[0]})` : `${regions.length} regions`}`,
      },
      { note: slaNote(target, single, 'single-cluster Bigtable') },
    ];
    if (regions.length >= 2) {
      evidence.push({ address: instance.address, note: 'no app profile with multi_cluster_routing_use_any: requests stay on one cluster, SLA stays at the single-cluster figure' });
    }
    matches.push({
      ...base,
      summary: `${instance.address} cannot meet availability ${target}: ${regions.length <= 1 ? 'all clusters in one region' : 'no multi-cluster routing'}`,
      evidence,
      risks: RISKS,
    });
  }
  return matches;
}

function cloudSqlMatches(graph: Graph, target: number, base: Omit<PatternMatch, 'summary' | 'evidence'>): PatternMatch[] {
  const matches: PatternMatch[] = [];
  const instances = ofType(graph, 'google_sql_database_instance');
  for (const db of instances) {
    if (getAttr(db.values, 'master_instance_name') !== undefined) continue; // a replica, judged with its primary
    const region = locationOf(db, 'region') ?? db.provider?.region ?? undefined;
    const replicaRegions = instances
      .filter((r) => r !== db && refersTo(graph, r, db) && getAttr(r.values, 'master_instance_name') !== undefined)
      .map((r) => locationOf(r, 'region'))
      .filter((r): r is string => r !== undefined && r !== region);
    if (replicaRegions.length > 0) continue; // a cross-region replica can take over
    const availabilityType = str(getAttr(db.values, 'settings.availability_type')) ?? 'ZONAL';
    const figure = sla(availabilityType === 'REGIONAL' ? 'cloud-sql.regional' : 'cloud-sql.zonal');
    if (!breaks(target, figure)) continue;
    matches.push({
      ...base,
      summary: `${db.address} (Cloud SQL, ${availabilityType}) is confined to ${region ?? 'one region'} under availability ${target} (SLA ${figure.value ?? 'unknown'})`,
      evidence: [
        {
          address: db.address,
          attribute: 'settings.availability_type',
          value: availabilityType,
          note:
            availabilityType === 'REGIONAL'
              ? `high availability across zones of ${region ?? 'its region'} only: a regional outage takes the instance down, and no cross-region replica exists`
              : `one zone of ${region ?? 'its region'}, no cross-region replica`,
        },
        { note: slaNote(target, figure, `Cloud SQL ${availabilityType}`) },
      ],
      risks: RISKS,
    });
  }
  return matches;
}

function locatedMatches(
  graph: Graph,
  target: number,
  base: Omit<PatternMatch, 'summary' | 'evidence'>,
  type: string,
  keys: string[],
  slaId: string,
  what: string,
  skip: (r: Resource) => boolean = () => false,
): PatternMatch[] {
  const matches: PatternMatch[] = [];
  for (const store of ofType(graph, type)) {
    if (skip(store)) continue;
    const attribute = keys.find((k) => str(getAttr(store.values, k)) !== undefined);
    // a Spanner instance config names its region as regional-<region>
    const location = attribute ? str(getAttr(store.values, attribute))?.replace(/^regional-/, '') : undefined;
    if (!attribute || !isSingleRegionLocation(location)) continue;
    const figure = sla(slaId);
    if (!breaks(target, figure)) continue;
    matches.push({
      ...base,
      summary: `${store.address} (${what}) is confined to ${location} under availability ${target} (SLA ${figure.value ?? 'unknown'})`,
      evidence: [
        { address: store.address, attribute, value: location, note: `${what} in the single region ${location}: a regional outage makes its data unavailable` },
        { note: slaNote(target, figure, what) },
      ],
      risks: RISKS,
    });
  }
  return matches;
}

export const singleRegionStore: PatternDetector = {
  id: 'single-region-store',
  name: 'Single-region stateful store under a multi-region availability target',
  kind: 'anti-pattern',
  description:
    'The availability target exceeds the SLA of a store confined to one region (Bigtable without clusters in two regions and multi-cluster routing, Cloud SQL without a cross-region replica, a BigQuery dataset, bucket, Spanner instance or Firestore database in one region), or that SLA is unknown.',
  detect({ graph, spec }) {
    const target = spec.constraints.availability;
    const base = { id: this.id, name: this.name, kind: this.kind };
    return [
      ...bigtableMatches(graph, target, base),
      ...cloudSqlMatches(graph, target, base),
      ...locatedMatches(graph, target, base, 'google_bigquery_dataset', ['location'], 'bigquery', 'BigQuery dataset'),
      ...locatedMatches(graph, target, base, 'google_storage_bucket', ['location'], 'cloud-storage.regional', 'Cloud Storage bucket', (b) => isCodeBucket(graph, b)),
      ...locatedMatches(graph, target, base, 'google_spanner_instance', ['config'], 'spanner.regional', 'Spanner instance'),
      ...locatedMatches(graph, target, base, 'google_firestore_database', ['location_id'], 'firestore.regional', 'Firestore database'),
    ];
  },
};
