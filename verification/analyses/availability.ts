/**
 * Availability per user-facing plane from published SLAs, composed in series (a * b) and in
 * parallel (1 - (1 - a)(1 - b)) for the same role deployed in several regions. Pub/Sub is
 * an asynchronous buffer: ingest ends at Pub/Sub, and processing failures delay freshness
 * rather than refusing events. SLAs are credit commitments, not measured availability.
 */
import type { AvailabilityPlane, AvailabilityResult } from '../engine/types';
import type { Resource } from '../graph/types';
import type { Figure } from '../data';
import type { AnalysisContext } from './context';
import { clustersOf } from './hot-store';
import type { ServiceRole } from './topology';

interface Term {
  name: string;
  availability: number;
  text: string;
  confidence: string;
}

const MULTI_CLUSTER_REGION_THRESHOLD = 3;

function serviceTerm(ctx: AnalysisContext, role: ServiceRole, label: string): Term | string {
  const services = ctx.topology.services(role);
  if (services.length === 0) return `${label} service not found`;
  const sla = ctx.data.sla('cloud-run');
  const regions = [...new Set(services.map((s) => s.region ?? s.address))];
  const a = 1 - Math.pow(1 - sla.value, regions.length);
  const text = regions.length > 1 ? `${label} in ${regions.length} regions in parallel: 1 - (1 - ${sla.value})^${regions.length}` : `${label} (Cloud Run, one region) ${sla.value}`;
  return { name: `${label} (${services.map((s) => s.address).join(', ')})`, availability: a, text, confidence: sla.confidence };
}

export function bigtableSla(ctx: AnalysisContext, instance: Resource): Figure {
  const clusters = clustersOf(ctx, instance);
  const regions = new Set(clusters.map((c) => c.region));
  const multi = ctx.topology.appProfilesOf(instance).some((p) => p.values.multi_cluster_routing_use_any === true);
  if (clusters.length <= 1) return ctx.data.sla('bigtable.single-cluster');
  if (!multi) return ctx.data.sla('bigtable.replicated-single-cluster-routing');
  return ctx.data.sla(regions.size >= MULTI_CLUSTER_REGION_THRESHOLD ? 'bigtable.multi-cluster-routing-3-plus-regions' : 'bigtable.multi-cluster-routing-under-3-regions');
}

function hotStoreTerm(ctx: AnalysisContext): Term | string {
  const instance = ctx.topology.bigtableInstances[0];
  if (!instance) return 'hot store (Bigtable) not found';
  const sla = bigtableSla(ctx, instance);
  return { name: `hot store (${instance.address})`, availability: sla.value, text: `Bigtable ${sla.id} ${sla.value}`, confidence: sla.confidence };
}

function pubsubTerm(ctx: AnalysisContext): Term | string {
  const topic = ctx.topology.sourceTopics[0];
  if (!topic) return 'telemetry topic not found';
  const sla = ctx.data.sla('pubsub');
  // A spill bucket the gateway falls back to when Pub/Sub refuses runs in parallel with it.
  const gateway = ctx.topology.services('ingest-gateway')[0];
  const spill = gateway ? ctx.topology.ofType('google_storage_bucket').find((b) => ctx.topology.refersTo(gateway, b)) : undefined;
  if (spill) {
    const gcs = ctx.data.sla('cloud-storage.regional');
    const a = 1 - (1 - sla.value) * (1 - gcs.value);
    return { name: `Pub/Sub (${topic.address}) || spill bucket (${spill.address})`, availability: a, text: `Pub/Sub ${sla.value} in parallel with the spill bucket ${gcs.value}`, confidence: gcs.confidence };
  }
  return { name: `Pub/Sub (${topic.address})`, availability: sla.value, text: `Pub/Sub ${sla.value}`, confidence: sla.confidence };
}

function plane(name: AvailabilityPlane['plane'], terms: (Term | string)[]): AvailabilityPlane {
  const missing = terms.filter((t): t is string => typeof t === 'string');
  const known = terms.filter((t): t is Term => typeof t !== 'string');
  if (missing.length > 0) return { plane: name, availability: null, cappedBy: null, composition: `unknown: ${missing.join('; ')}` };
  const a = known.reduce((p, t) => p * t.availability, 1);
  const cap = known.reduce((w, t) => (t.availability < w.availability ? t : w));
  return {
    plane: name,
    availability: Math.round(a * 1e8) / 1e8,
    cappedBy: cap.name,
    composition: `series: ${known.map((t) => `${t.text}${t.confidence === 'V' ? '' : ` (${t.confidence})`}`).join(' x ')} = ${(a * 100).toFixed(4)}%`,
  };
}

export function analyseAvailability(ctx: AnalysisContext): AvailabilityResult {
  const usesBigQuery = ctx.topology.services('analytics').some((s) => ctx.topology.ofType('google_bigquery_dataset').some((d) => ctx.topology.refersTo(s, d)));
  const bigquery: Term = { name: 'cold store (BigQuery)', availability: ctx.data.sla('bigquery').value, text: `BigQuery ${ctx.data.sla('bigquery').value}`, confidence: ctx.data.sla('bigquery').confidence };
  return {
    planes: [
      plane('ingest', [serviceTerm(ctx, 'ingest-gateway', 'ingest gateway'), pubsubTerm(ctx)]),
      plane('query', [serviceTerm(ctx, 'analytics', 'analytics service'), hotStoreTerm(ctx), ...(usesBigQuery ? [bigquery] : [])]),
      plane('freshness', [pubsubTerm(ctx), serviceTerm(ctx, 'processor', 'processor'), hotStoreTerm(ctx), serviceTerm(ctx, 'analytics', 'analytics service'), serviceTerm(ctx, 'dashboard', 'dashboard')]),
    ],
    note:
      'Published monthly SLAs are contractual credit commitments, not measured availability. Pub/Sub decouples the planes: ingest ends when Pub/Sub has the event; processing outages delay freshness without refusing events. The archive (Dataflow -> BigQuery) is asynchronous and in no user-facing plane.',
  };
}
