/**
 * Retention windows, each one config field applied to every resource the constructs give it:
 * `ingestion.topicRetentionSeconds` (the telemetry and dead-letter topics),
 * `ingestion.subscriptionRetentionSeconds` (the speed, archive and dead-letter archive
 * subscriptions), `coldStorage.partitionExpirationDays` (every table of the dataset) and the
 * Bigtable GC max-ages `hotStorage.eventsMaxAgeHours` / `aggregatesMaxAgeHours`.
 */
import { loadVerifierData } from '../../../data';
import type { Graph, Resource } from '../../../graph/types';
import type { Spec } from '../../../spec/spec';
import type { GraphChange } from '../../types';
import { getAttr } from '../../graph-edit';
import { durationSeconds, goDurationHours, num } from '../../graph-query';
import { configTargets } from '../../config-targets';
import { set } from '../../whatif/generator';
import type { Dimension } from '../search';
import { numberOf, plainDiff, RETENTION, sortedUnique, type Part } from './part';

const SECONDS_PER_MINUTE = 60;
const SECONDS_PER_HOUR = 3_600;
const SECONDS_PER_DAY = 86_400;
const MS_PER_DAY = 86_400_000;

interface Field {
  id: string;
  resources: Resource[];
  attribute: string;
  /** Graph value -> config value. */
  read(r: Resource): number | undefined;
  /** Config value -> graph value. */
  write(v: number): string | number;
  domain: number[];
}

/** One dimension per field whose resources all carry the same value (as the one config field writes). */
function fieldPart(fields: Field[]): Part {
  const live = fields.flatMap((f) => {
    const values = [...new Set(f.resources.map((r) => f.read(r)))];
    const current = values[0];
    return f.resources.length > 0 && values.length === 1 && current !== undefined ? [{ f, current }] : [];
  });
  const dims: Dimension[] = live.map(({ f, current }) => ({ id: f.id, label: f.id, monotone: true, affects: RETENTION, current, domain: () => sortedUnique([...f.domain, current]) }));
  return {
    dims,
    build(a, g) {
      const out: GraphChange[] = [];
      for (const { f, current } of live) {
        const v = numberOf(a, f.id, current);
        if (v === current) continue;
        for (const r of f.resources) out.push(set(g.byAddress.get(r.address) as Resource, f.attribute, f.write(v)));
      }
      return out;
    },
    diff: (a) => plainDiff(dims, a),
  };
}

export function retentionPart(graph: Graph, spec: Spec): Part {
  const data = loadVerifierData();
  const t = configTargets(graph);
  const min = data.limit('pubsub.retention-min-seconds').value;
  const rto = spec.constraints.rtoMinutes * SECONDS_PER_MINUTE;
  const subMax = data.limit('pubsub.subscription-retention-max-seconds').value;
  const topicMax = data.limit('pubsub.topic-retention-max-seconds').value;
  const steps = (max: number) => [min, rto, SECONDS_PER_HOUR, SECONDS_PER_DAY, max].filter((s) => s >= min && s <= max);
  const seconds = (r: Resource) => durationSeconds(r.values.message_retention_duration);
  const fields: Field[] = [
    { id: 'ingestion.topicRetentionSeconds', resources: t.topics, attribute: 'message_retention_duration', read: seconds, write: (v) => `${v}s`, domain: steps(topicMax) },
    { id: 'ingestion.subscriptionRetentionSeconds', resources: t.subscriptions, attribute: 'message_retention_duration', read: seconds, write: (v) => `${v}s`, domain: steps(subMax) },
    {
      id: 'coldStorage.partitionExpirationDays',
      resources: t.tables,
      attribute: 'time_partitioning.expiration_ms',
      read: (r) => {
        const ms = num(getAttr(r.values, 'time_partitioning.expiration_ms'));
        return ms === undefined ? undefined : ms / MS_PER_DAY;
      },
      write: (v) => v * MS_PER_DAY,
      domain: [spec.constraints.retentionDays, spec.constraints.retentionDays + 1],
    },
    ...(['eventsGc', 'aggregatesGc'] as const).map((which): Field => ({
      id: which === 'eventsGc' ? 'hotStorage.eventsMaxAgeHours' : 'hotStorage.aggregatesMaxAgeHours',
      resources: t[which] ? [t[which] as Resource] : [],
      attribute: 'max_age.duration',
      read: (r) => goDurationHours(getAttr(r.values, 'max_age.duration')),
      write: (v) => `${v}h`,
      domain: [spec.workload.hotWindowHours],
    })),
  ];
  return fieldPart(fields);
}
