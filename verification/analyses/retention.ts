/**
 * Retention of every store and queue: topic retention (replay window), subscription
 * retention (how long an unprocessed backlog survives), Bigtable GC max-age (the hot window;
 * GC is eventual, so data may outlive it), BigQuery partition expiry (the archive) or a
 * whole-table expiry, which deletes the archive rather than ageing it.
 */
import type { RetentionEntry, RetentionResult } from '../engine/types';
import { SECONDS_PER_DAY } from '../data';
import { readAttr } from '../graph/values';
import { isPending, type AttrValue } from '../graph/types';
import { blocks, durationSeconds } from './attributes';
import type { AnalysisContext } from './context';
import { partitionSeconds, tableLoad, type TableExpiry } from './cold-store';
import { maxAgeOf } from './hot-store';

export interface RetentionEntryEx extends RetentionEntry {
  /** True when nothing ever removes the data. */
  unbounded?: boolean;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** Why a duration has no figure: pending until apply, or a literal that is not a duration (Terraform would reject it). */
function unreadable(raw: AttrValue | undefined): string {
  if (raw !== undefined && raw !== null && !isPending(raw)) return `message_retention_duration ${JSON.stringify(raw)} is not a duration (expected seconds, e.g. "604800s")`;
  return 'message_retention_duration pending';
}

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
      basis: s === null ? unreadable(readAttr(topic, 'message_retention_duration')) : s === undefined ? 'no topic retention: messages live only in subscriptions' : `message_retention_duration ${s} s`,
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
      basis: s === null ? unreadable(readAttr(sub, 'message_retention_duration')) : `message_retention_duration ${s} s${set === undefined ? ' (default)' : ''}`,
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
    // A partition expires counting from its partition time, and its last row arrives up to
    // one partition span later: that row is kept only expiry - span.
    const type = blocks(table, 'time_partitioning')[0]?.type;
    const spanSeconds = typeof type === 'string' ? partitionSeconds(type) : blocks(table, 'time_partitioning').length > 0 ? SECONDS_PER_DAY : undefined;
    const spanDays = spanSeconds === undefined ? 0 : spanSeconds / SECONDS_PER_DAY;
    if (load.tableExpiry) {
      entries.push(wholeTableExpiry(table.address, load.role === 'archive' ? 'archive of every event' : load.role, load.tableExpiry));
      continue;
    }
    const guaranteed = typeof load.expiryDays === 'number' ? load.expiryDays - spanDays : load.expiryDays;
    entries.push({
      ...(typeof type === 'string' ? { partitionType: type } : spanSeconds !== undefined ? { partitionType: 'DAY' } : {}),
      address: table.address,
      kind: 'bigquery-table',
      role: load.role === 'archive' ? 'archive of every event' : load.role,
      retentionDays: guaranteed === null || guaranteed === undefined ? null : round(guaranteed),
      ...(guaranteed === undefined ? { unbounded: true } : {}),
      basis:
        guaranteed === null
          ? 'expiry pending'
          : guaranteed === undefined
            ? 'no partition or table expiry: kept until deleted'
            : spanDays > 0
              ? `partition expiry ${round(load.expiryDays as number)} days counted from the partition's start; its last rows (one ${type ?? 'DAY'} partition later) are kept ${round(guaranteed)} days`
              : `table expiry ${round(guaranteed)} days`,
    });
  }
  return { entries };
}

/**
 * A table deleted whole keeps its newest rows no time at all: an event written just before
 * the expiry goes with it, and the archive is gone afterwards. Its guaranteed retention is 0.
 */
function wholeTableExpiry(address: string, role: string, expiry: TableExpiry): RetentionEntryEx {
  if (expiry.daysAfterCreation === null) {
    return { address, kind: 'bigquery-table', role, retentionDays: null, basis: `the whole table expires after a pending number of days (${expiry.setting})`, tableExpirySetting: expiry.setting };
  }
  const when =
    expiry.expiresAtMs !== undefined
      ? `at ${new Date(expiry.expiresAtMs).toISOString().slice(0, 10)} (${expiry.setting})`
      : `${round(expiry.daysAfterCreation as number)} days after it is created (${expiry.setting})`;
  return {
    address,
    kind: 'bigquery-table',
    role,
    retentionDays: 0,
    basis: `the whole table expires ${when}, every row with it, the newest included: not a rolling window, so no event is guaranteed any retention`,
    tableExpirySetting: expiry.setting,
  };
}
