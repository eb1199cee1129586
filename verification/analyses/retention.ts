/**
 * Retention of every store and queue: topic retention (replay window), subscription
 * retention (how long an unprocessed backlog survives), Bigtable GC max-age (the hot window;
 * GC is eventual, so data may outlive it), BigQuery partition expiry (the archive).
 */
import type { RetentionEntry, RetentionResult } from '../engine/types';
import { SECONDS_PER_DAY } from '../data';
import { readAttr } from '../graph/values';
import { durationSeconds } from './attributes';
import type { AnalysisContext } from './context';
import { tableLoad } from './cold-store';
import { maxAgeOf } from './hot-store';

export interface RetentionEntryEx extends RetentionEntry {
  /** True when nothing ever removes the data. */
  unbounded?: boolean;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

export function analyseRetention(ctx: AnalysisContext): RetentionResult & { entries: RetentionEntryEx[] } {
  const entries: RetentionEntryEx[] = [];
  const topo = ctx.topology;
  for (const topic of topo.topics) {
    const s = durationSeconds(readAttr(topic, 'message_retention_duration'));
    entries.push({
      address: topic.address,
      kind: 'pubsub-topic',
      role: topo.isDeadLetterTopic(topic) ? 'dead-letter topic replay window' : 'replay window (seek back after an operator error)',
      retentionDays: s === null ? null : round((s ?? 0) / SECONDS_PER_DAY),
      basis: s === null ? 'message_retention_duration pending' : s === undefined ? 'no topic retention: messages live only in subscriptions' : `message_retention_duration ${s} s`,
    });
  }
  for (const sub of topo.subscriptions) {
    const set = durationSeconds(readAttr(sub, 'message_retention_duration'));
    const s = set === undefined ? ctx.data.limit('pubsub.subscription-retention-default-seconds').value : set;
    entries.push({
      address: sub.address,
      kind: 'pubsub-subscription',
      role: 'unprocessed backlog survives for',
      retentionDays: s === null ? null : round(s / SECONDS_PER_DAY),
      basis: s === null ? 'message_retention_duration pending' : `message_retention_duration ${s} s${set === undefined ? ' (default)' : ''}`,
    });
  }
  for (const instance of topo.bigtableInstances) {
    for (const table of topo.tablesOf(instance)) {
      const age = maxAgeOf(ctx, table);
      const lag = ctx.data.limit('bigtable.gc-eventual-days').value;
      entries.push({
        address: table.address,
        kind: 'bigtable-table',
        role: 'hot window',
        retentionDays: age === null ? null : age === undefined ? null : round(age / SECONDS_PER_DAY),
        ...(age === undefined ? { unbounded: true } : {}),
        basis:
          age === null
            ? 'GC max-age pending'
            : age === undefined
              ? 'no GC max-age: data is kept until deleted'
              : `GC max-age ${age} s; GC is eventual, data may remain up to ~${lag} more days (a minimum, not a deletion deadline)`,
      });
    }
  }
  for (const table of topo.bigQueryTables) {
    const load = tableLoad(ctx, table);
    entries.push({
      address: table.address,
      kind: 'bigquery-table',
      role: load.role === 'archive' ? 'archive of every event' : load.role,
      retentionDays: load.expiryDays === null || load.expiryDays === undefined ? null : round(load.expiryDays),
      ...(load.expiryDays === undefined ? { unbounded: true } : {}),
      basis: load.expiryDays === null ? 'expiry pending' : load.expiryDays === undefined ? 'no partition or table expiry: kept until deleted' : `partition/table expiry ${round(load.expiryDays)} days`,
    });
  }
  return { entries };
}
