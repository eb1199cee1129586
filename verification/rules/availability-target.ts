/** Each user-facing plane (ingest, query, freshness) meets the availability target from composed SLAs. */
import type { Finding, Rule } from '../engine/types';
import { fmtPct } from './support/evidence';

export const rule: Rule = {
  id: 'availability-target',
  title: 'Every user-facing plane meets its availability target',
  severity: 'error',
  specItem: 'availability',
  reads: ['google_cloud_run_v2_service', 'google_pubsub_topic', 'google_bigtable_instance', 'google_bigtable_app_profile', 'google_storage_bucket'],
  rationale:
    'Published SLAs (verification/data/slas.json) compose in series within a plane and in parallel across regions and declared fallbacks; Pub/Sub buffering decouples ingest from processing. Ingest and query are judged against the availability constraint, freshness against freshnessAvailability when the spec states it. SLAs are contractual credit commitments, not measured availability.',
  check(ctx) {
    const c = ctx.spec.constraints;
    const target = c.availability;
    const planes = ctx.analyses.availability.planes;
    const noteLead = ctx.analyses.availability.note.split('.')[0];
    if (planes.length === 0) return [{ status: 'unknown', message: 'no plane computed', fix: 'declare the pipeline services', expected: `>= ${fmtPct(target)}` }];
    return planes.map((p): Finding => {
      // The freshness plane has its own target when the spec states one (it runs through the
      // event queue, whose SLA caps it); ingest and query are judged against `availability`.
      const target = p.plane === 'freshness' ? c.freshnessAvailability ?? c.availability : c.availability;
      if (p.availability === null) {
        return { status: 'unknown', observed: 'unknown', expected: `>= ${fmtPct(target)}`, message: `${p.plane} plane: ${p.composition}`, fix: 'declare the services of this plane' };
      }
      const ok = p.availability >= target;
      const cap = p.cappedBy ?? '';
      const address = /\(([^)]+)\)/.exec(cap)?.[1]?.split(',')[0];
      const availability = fmtPct(p.availability);
      const expected = fmtPct(target);
      const finding: Finding = {
        status: ok ? 'pass' : 'fail',
        address,
        observed: `${p.plane} ${availability}`,
        expected: `>= ${expected}`,
        message: `${p.plane} plane ${availability} ${ok ? '>=' : '<'} ${expected}; capped by ${cap} (${p.composition}). ${noteLead}.`,
        evidence: { composition: p.composition, cappedBy: p.cappedBy, note: ctx.analyses.availability.note },
      };
      if (!ok) finding.fix = `add redundancy to ${cap}: deploy it in a second region (clients fail over between regional endpoints, or a global load balancer), or a fallback path`;
      return finding;
    });
  },
};
