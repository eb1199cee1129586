/**
 * Event sourcing: the raw events are an immutable log that can be replayed. Evidence is a
 * topic that retains messages (a subscription can seek back and re-read them) plus an archive
 * table that only receives appends of the raw events and is protected from deletion.
 */
import type { PatternDetector, PatternEvidence } from '../types';
import { getAttr } from '../graph-edit';
import { bool, durationSeconds, num } from '../graph-query';
import { batchViews, rawArchivePaths } from './roles';

export const eventSourcing: PatternDetector = {
  id: 'event-sourcing',
  name: 'Event sourcing',
  kind: 'pattern',
  description: 'An immutable raw event log that can be replayed: topic retention for replay plus an append-only archive of every event.',
  detect({ graph }) {
    const viewTables = new Set(batchViews(graph).map((v) => v.resource.address));
    const matches = [];
    // the log of record is the event topic, not a dead-letter topic, archived into the raw table, not an error-records table
    for (const path of rawArchivePaths(graph)) {
      if (!path.topic || viewTables.has(path.table.address)) continue;
      const retention = durationSeconds(path.topic.values.message_retention_duration);
      if (retention === undefined) continue;
      const evidence: PatternEvidence[] = [
        {
          address: path.topic.address,
          attribute: 'message_retention_duration',
          value: path.topic.values.message_retention_duration,
          note: `the topic keeps every message ${retention >= 86_400 ? `${+(retention / 86_400).toFixed(1)} days` : `${+(retention / 3_600).toFixed(1)} h`}, so a subscription can seek back and replay`,
        },
        { address: path.writer.address, note: `${path.writer.address} appends every raw event to ${path.table.address}` },
      ];
      const expirationMs = num(getAttr(path.table.values, 'time_partitioning.expiration_ms'));
      evidence.push({
        address: path.table.address,
        attribute: 'time_partitioning.expiration_ms',
        value: expirationMs ?? null,
        note: expirationMs === undefined ? 'archive partitions never expire' : `archive partitions kept ${expirationMs / 86_400_000} days`,
      });
      if (bool(path.table.values.deletion_protection) === true) {
        evidence.push({ address: path.table.address, attribute: 'deletion_protection', value: true, note: 'the archive is protected from deletion' });
      }
      matches.push({
        id: this.id,
        name: this.name,
        kind: this.kind,
        summary: `${path.topic.address} is a replayable log (retention ${retention} s) archived append-only into ${path.table.address}`,
        evidence,
      });
    }
    return matches;
  },
};
