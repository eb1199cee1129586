/**
 * Retention that cannot cover the recovery time: while a consumer is down, its messages wait
 * in the subscription; if they expire before the consumer is back (the spec's RTO, or the
 * recovery time the DR analysis computed), they are lost.
 */
import type { PatternDetector, PatternMatch } from '../types';
import { durationSeconds, ofType } from '../graph-query';
import { consumersOf, isSinkSubscription } from './roles';

/** Pub/Sub keeps unacknowledged messages 7 days when message_retention_duration is not set. */
export const DEFAULT_SUBSCRIPTION_RETENTION_SECONDS = 604_800;

export const retentionBelowRecovery: PatternDetector = {
  id: 'retention-below-recovery',
  name: 'Retention shorter than the recovery time',
  kind: 'anti-pattern',
  description: 'A subscription keeps unacknowledged messages for less time than a consumer outage may last (RTO or the modelled recovery time).',
  detect({ graph, spec, report }) {
    const rtoSeconds = spec.constraints.rtoMinutes * 60;
    const modelled = report?.dr.scenarios
      .map((s) => s.rtoMinutes)
      .filter((m): m is number => m !== null && Number.isFinite(m));
    const modelledSeconds = modelled && modelled.length > 0 ? Math.max(...modelled) * 60 : 0;
    const window = Math.max(rtoSeconds, modelledSeconds);
    const basis = modelledSeconds > rtoSeconds ? `the modelled recovery time ${modelledSeconds / 60} min` : `the RTO ${spec.constraints.rtoMinutes} min`;
    const matches: PatternMatch[] = [];
    for (const sub of ofType(graph, 'google_pubsub_subscription')) {
      if (isSinkSubscription(sub) && consumersOf(graph, sub).length === 0 && sub.values.bigquery_config === undefined) continue;
      const raw = sub.values.message_retention_duration;
      const retention = raw === undefined || raw === null ? DEFAULT_SUBSCRIPTION_RETENTION_SECONDS : durationSeconds(raw);
      if (retention === undefined || retention >= window) continue;
      matches.push({
        id: this.id,
        name: this.name,
        kind: this.kind,
        summary: `${sub.address} keeps unacked messages ${retention} s < ${window} s (${basis})`,
        evidence: [
          { address: sub.address, attribute: 'message_retention_duration', value: raw ?? null, note: `unacknowledged messages expire after ${retention} s` },
          { note: `a consumer outage may last ${window} s (${basis})` },
        ],
        risks: ['no_data_loss', 'rto', 'retention'],
      });
    }
    return matches;
  },
};
