/**
 * The archive keeps every event at least the spec's retention; hot tables keep at least the
 * hot window. GC max-age is eventual: a minimum, never a deletion deadline.
 */
import type { Finding, Rule } from '../engine/types';
import { HOURS_PER_DAY, MS_PER_SECOND, SECONDS_PER_DAY } from '../data';
import { partitionSeconds } from '../analyses/cold-store';

/** The partition expiry that keeps a partition's last row `days`: the spec's days plus one partition span. */
function partitionFix(days: number, partitionType = 'DAY'): string {
  const span = partitionSeconds(partitionType) ?? SECONDS_PER_DAY;
  const ms = (days * SECONDS_PER_DAY + span) * MS_PER_SECOND;
  return `set time_partitioning.expiration_ms to at least ${ms} ms (${days} days + one ${partitionType} partition: a partition expires counting from its start, and its last rows arrive one span later)`;
}

function wholeTableFix(setting: string, days: number, partitionType?: string): string {
  return `remove ${setting}: it deletes the whole archive table, not its old rows; keep a rolling window instead: ${partitionFix(days, partitionType)}`;
}

export const rule: Rule = {
  id: 'retention-covers-spec',
  title: 'Stores retain data at least as long as the spec requires',
  severity: 'error',
  specItem: 'retention',
  reads: ['google_bigquery_table', 'google_bigquery_dataset', 'google_bigtable_gc_policy', 'google_pubsub_topic', 'google_pubsub_subscription'],
  rationale:
    'The spec\'s retention applies to the event archive (cold storage); the hot store only has to cover its hot window. Partition expiry deletes old data (a partition expires counting from its start, so its last rows lose one partition span); a dataset default table expiration or a table expiration_time deletes the whole table, every row with it, so it never meets a retention; Bigtable GC removes data eventually (data can outlive max-age), so a max-age is a lower bound on retention.',
  check(ctx) {
    const days = ctx.spec.constraints.retentionDays;
    const hotDays = ctx.spec.workload.hotWindowHours / HOURS_PER_DAY;
    const entries = ctx.analyses.retention.entries;
    const findings: Finding[] = [];
    const archives = entries.filter((e) => e.kind === 'bigquery-table' && e.role.startsWith('archive'));
    if (archives.length === 0) {
      findings.push({ status: 'fail', observed: 'no archive table', expected: `an archive keeping every event >= ${days} days`, message: 'no BigQuery table receives every event, so nothing retains the events for the spec retention', fix: 'archive the event stream into a partitioned BigQuery table (Dataflow template or BigQuery subscription)' });
    }
    for (const e of archives) {
      if (e.unbounded) {
        findings.push({ status: 'pass', address: e.address, observed: 'never expires', expected: `>= ${days} days`, message: `${e.address}: ${e.basis}`, evidence: { basis: e.basis } });
      } else if (e.retentionDays === null) {
        findings.push({ status: 'unknown', address: e.address, observed: 'unknown', expected: `>= ${days} days`, message: `${e.address}: ${e.basis}`, fix: 'write the partition expiry as a literal' });
      } else {
        const ok = e.retentionDays >= days;
        const finding: Finding = { status: ok ? 'pass' : 'fail', address: e.address, observed: `${e.retentionDays} days`, expected: `>= ${days} days`, message: `${e.address} (${e.role}): ${e.basis}` };
        if (!ok) finding.fix = e.tableExpirySetting ? wholeTableFix(e.tableExpirySetting, days, e.partitionType) : partitionFix(days, e.partitionType);
        findings.push(finding);
      }
    }
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      if (e.kind !== 'bigtable-table') continue;
      if (e.unbounded) {
        findings.push({ status: 'pass', address: e.address, observed: 'no max-age', expected: `>= ${hotDays} days (hot window)`, message: `${e.address}: ${e.basis}` });
        continue;
      }
      if (e.retentionDays === null) {
        findings.push({ status: 'unknown', address: e.address, observed: 'unknown', expected: `>= ${hotDays} days`, message: `${e.address}: ${e.basis}`, fix: 'write the GC max-age as a literal' });
        continue;
      }
      const ok = e.retentionDays >= hotDays;
      const finding: Finding = { status: ok ? 'pass' : 'fail', address: e.address, observed: `${e.retentionDays} days`, expected: `>= ${hotDays} days (hot window ${ctx.spec.workload.hotWindowHours} h)`, message: `${e.address}: ${e.basis}` };
      if (!ok) finding.fix = `raise the GC max-age to at least ${ctx.spec.workload.hotWindowHours}h`;
      findings.push(finding);
    }
    return findings;
  },
};
