/**
 * Retention windows: unacked-message retention of subscriptions (a consumer outage must not
 * outlast it), topic retention (replay after an operator error), the raw archive's partition
 * expiry and the hot store's GC max-age (retention spec vs storage cost).
 */
import { loadVerifierData } from '../../../data';
import type { Spec } from '../../../spec/spec';
import { getAttr } from '../../graph-edit';
import { durationSeconds, goDurationHours, num, ofType } from '../../graph-query';
import { archivePaths, isSinkSubscription } from '../../patterns/roles';
import { candidate, set, type Candidate, type ChangeGenerator } from '../generator';

/** Pub/Sub's shortest retention, 10 minutes, for subscriptions and topics alike (https://cloud.google.com/pubsub/docs/subscription-properties). */
const RETENTION_MIN_S = 600;
const MS_PER_DAY = 86_400_000;
const SECONDS_PER_MINUTE = 60;
const SECONDS_PER_DAY = 86_400;

/** Retention steps that mean something for this spec: the RTO, an hour, a day, the spec's days, the maximum. */
function retentionSteps(spec: Spec, max: number): number[] {
  const steps = [
    Math.max(RETENTION_MIN_S, spec.constraints.rtoMinutes * SECONDS_PER_MINUTE),
    Math.max(RETENTION_MIN_S, 2 * spec.constraints.rtoMinutes * SECONDS_PER_MINUTE),
    3_600,
    SECONDS_PER_DAY,
    spec.constraints.retentionDays * SECONDS_PER_DAY,
    max,
  ];
  return [...new Set(steps.filter((s) => s <= max))].sort((a, b) => a - b);
}

export const retention: ChangeGenerator = {
  id: 'retention',
  targets: ['retention', 'no_data_loss', 'rto', 'rpo', 'monthly_cost'],
  generate({ graph, spec }) {
    const data = loadVerifierData();
    const SUBSCRIPTION_RETENTION_MAX_S = data.limit('pubsub.subscription-retention-max-seconds').value;
    const SUBSCRIPTION_RETENTION_DEFAULT_S = data.limit('pubsub.subscription-retention-default-seconds').value;
    const TOPIC_RETENTION_MAX_S = data.limit('pubsub.topic-retention-max-seconds').value;
    const out: Candidate[] = [];
    for (const sub of ofType(graph, 'google_pubsub_subscription')) {
      if (isSinkSubscription(sub)) continue;
      const current = durationSeconds(sub.values.message_retention_duration) ?? SUBSCRIPTION_RETENTION_DEFAULT_S;
      for (const s of retentionSteps(spec, SUBSCRIPTION_RETENTION_MAX_S).filter((x) => x !== current)) {
        out.push(candidate(this.id, `set unacked-message retention of ${sub.address} to ${s} s`, [set(sub, 'message_retention_duration', `${s}s`)], s > current ? ['no_data_loss', 'rto', 'retention'] : ['monthly_cost']));
      }
    }
    for (const topic of ofType(graph, 'google_pubsub_topic')) {
      const current = durationSeconds(topic.values.message_retention_duration);
      for (const s of retentionSteps(spec, TOPIC_RETENTION_MAX_S).filter((x) => x !== current)) {
        out.push(candidate(this.id, `set message retention of ${topic.address} to ${s} s`, [set(topic, 'message_retention_duration', `${s}s`)], current === undefined || s > current ? ['rpo', 'rto', 'retention'] : ['monthly_cost']));
      }
      if (current !== undefined) out.push(candidate(this.id, `stop retaining messages on ${topic.address}`, [set(topic, 'message_retention_duration', undefined)], ['monthly_cost']));
    }
    const archiveTables = new Set(archivePaths(graph).map((a) => a.table.address));
    for (const table of ofType(graph, 'google_bigquery_table')) {
      if (!archiveTables.has(table.address)) continue;
      const ms = num(getAttr(table.values, 'time_partitioning.expiration_ms'));
      if (ms === undefined) continue;
      const days = ms / MS_PER_DAY;
      // a partition's expiry counts from its day's start, so the spec's N days need N + 1
      for (const d of [spec.constraints.retentionDays + 1, spec.constraints.retentionDays + 7, spec.constraints.retentionDays * 2]) {
        if (d === days) continue;
        out.push(candidate(this.id, `set partition expiry of ${table.address} to ${d} days`, [set(table, 'time_partitioning.expiration_ms', d * MS_PER_DAY)], d > days ? ['retention'] : ['monthly_cost']));
      }
    }
    for (const gc of ofType(graph, 'google_bigtable_gc_policy')) {
      const hours = goDurationHours(getAttr(gc.values, 'max_age.duration'));
      if (hours === undefined) continue;
      for (const h of [spec.workload.hotWindowHours, 2 * spec.workload.hotWindowHours, 24]) {
        if (h === hours) continue;
        out.push(candidate(this.id, `set GC max-age of ${gc.address} to ${h} h`, [set(gc, 'max_age.duration', `${h}h`)], h < hours ? ['monthly_cost'] : ['retention']));
      }
    }
    return out;
  },
};
