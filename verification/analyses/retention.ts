/**
 * Retention of every store and queue: topic retention (replay window), subscription
 * retention (how long an unprocessed backlog survives), Bigtable GC max-age (the hot window;
 * GC is eventual, so data may outlive it), BigQuery partition expiry (the archive) or a
 * whole-table expiry, which deletes the archive rather than ageing it.
 */
import type { RetentionEntry, RetentionResult } from '../engine/types';
import { SECONDS_PER_DAY } from '../data';
import { readAttr } from '../graph/values';
import { isPending, type AttrValue, type Resource } from '../graph/types';
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
    const raw = readAttr(topic, 'message_retention_duration');
    const s = durationSeconds(raw);
    entries.push({
      address: topic.address,
      kind: 'pubsub-topic',
      role: topo.isDeadLetterTopic(topic) ? 'dead-letter topic replay window' : 'replay window (seek back after an operator error)',
      retentionDays: s === null ? null : round((s ?? 0) / SECONDS_PER_DAY),
      basis: s === null ? unreadable(raw) : s === undefined ? 'no topic retention: messages live only in subscriptions' : `message_retention_duration ${s} s`,
    });
  }
  const subscriptionDefault = ctx.data.limit('pubsub.subscription-retention-default-seconds').value;
  for (const sub of topo.subscriptions) {
    const raw = readAttr(sub, 'message_retention_duration');
    const set = durationSeconds(raw);
    const s = set === undefined ? subscriptionDefault : set;
    entries.push({
      address: sub.address,
      kind: 'pubsub-subscription',
      role: 'unprocessed backlog survives for',
      retentionDays: s === null ? null : round(s / SECONDS_PER_DAY),
      basis: s === null ? unreadable(raw) : `message_retention_duration ${s} s${set === undefined ? ' (default)' : ''}`,
    });
  }
  const gcLagDays = ctx.data.limit('bigtable.gc-eventual-days').value;
  for (const instance of topo.bigtableInstances) {
    for (const table of topo.tablesOf(instance)) {
      const age = maxAgeOf(ctx, table);
      const address = table.address;
      if (age === undefined) {
        entries.push({ address, kind: 'bigtable-table', role: 'hot window', retentionDays: null, unbounded: true, basis: 'no GC max-age: data is kept until deleted' });
      } else {
        entries.push({
          address,
          kind: 'bigtable-table',
          role: 'hot window',
          retentionDays: age === null ? null : round(age / SECONDS_PER_DAY),
          basis: age === null ? 'GC max-age pending' : `GC max-age ${age} s; GC is eventual, data may remain up to ~${gcLagDays} more days (a minimum, not a deletion deadline)`,
        });
      }
    }
  }
  for (const table of topo.bigQueryTables) entries.push(bigQueryRetention(ctx, table));
  return { entries };
}

/**
 * A partition expires counting from its partition time, and its last row arrives up to one
 * partition span later: that row is kept only expiry - span.
 */
function bigQueryRetention(ctx: AnalysisContext, table: Resource): RetentionEntryEx {
  const load = tableLoad(ctx, table);
  const role = load.role === 'archive' ? 'archive of every event' : load.role;
  if (load.tableExpiry) return wholeTableExpiry(table.address, role, load.tableExpiry);
  const partitioning = blocks(table, 'time_partitioning');
  const type = partitioning[0]?.type;
  const partitionType = typeof type === 'string' ? type : partitioning.length > 0 ? 'DAY' : undefined;
  const spanSeconds = typeof type === 'string' ? partitionSeconds(type) : partitionType !== undefined ? SECONDS_PER_DAY : undefined;
  const spanDays = spanSeconds === undefined ? 0 : spanSeconds / SECONDS_PER_DAY;
  const guaranteed = typeof load.expiryDays === 'number' ? load.expiryDays - spanDays : load.expiryDays;
  if (guaranteed === undefined) return bigQueryEntry(partitionType, table.address, role, null, 'no partition or table expiry: kept until deleted', true);
  if (guaranteed === null) return bigQueryEntry(partitionType, table.address, role, null, 'expiry pending');
  const basis =
    spanDays > 0
      ? `partition expiry ${round(load.expiryDays as number)} days counted from the partition's start; its last rows (one ${type ?? 'DAY'} partition later) are kept ${round(guaranteed)} days`
      : `table expiry ${round(guaranteed)} days`;
  return bigQueryEntry(partitionType, table.address, role, round(guaranteed), basis);
}

/** A BigQuery table's entry, its fields in the report's order (written out: no spread of optional fields). */
function bigQueryEntry(partitionType: string | undefined, address: string, role: string, retentionDays: number | null, basis: string, unbounded?: true): RetentionEntryEx {
  const kind = 'bigquery-table';
  if (unbounded) return partitionType === undefined ? { address, kind, role, retentionDays, unbounded, basis } : { partitionType, address, kind, role, retentionDays, unbounded, basis };
  return partitionType === undefined ? { address, kind, role, retentionDays, basis } : { partitionType, address, kind, role, retentionDays, basis };
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
