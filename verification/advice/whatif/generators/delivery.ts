/**
 * Delivery semantics: exactly-once delivery and ordering on the speed subscription, exactly-once
 * Storage Write API ingest for the archive, and batch views that rewrite their window rather
 * than append (exactly_once_aggregation, ordered_within_partition).
 */
import { getAttr } from '../../graph-edit';
import { ofType, str } from '../../graph-query';
import { archivePaths, batchViews, isSinkSubscription, speedPaths } from '../../patterns/roles';
import { candidate, set, type Candidate, type ChangeGenerator } from '../generator';

export const delivery: ChangeGenerator = {
  id: 'delivery',
  targets: ['exactly_once_aggregation', 'ordered_within_partition'],
  generate({ graph }) {
    const out: Candidate[] = [];
    for (const path of speedPaths(graph)) {
      const sub = path.subscription;
      if (sub.values.enable_exactly_once_delivery !== true) out.push(candidate(this.id, `enable exactly-once delivery on ${sub.address}`, [set(sub, 'enable_exactly_once_delivery', true)], ['exactly_once_aggregation']));
      if (sub.values.enable_message_ordering !== true) out.push(candidate(this.id, `enable message ordering on ${sub.address}`, [set(sub, 'enable_message_ordering', true)], ['ordered_within_partition']));
    }
    for (const sub of ofType(graph, 'google_pubsub_subscription').filter((s) => !isSinkSubscription(s))) {
      if (speedPaths(graph).some((p) => p.subscription === sub)) continue;
      if (sub.values.enable_message_ordering !== true && /speed|process/i.test(str(sub.values.name) ?? '')) out.push(candidate(this.id, `enable message ordering on ${sub.address}`, [set(sub, 'enable_message_ordering', true)], ['ordered_within_partition']));
    }
    for (const a of archivePaths(graph)) {
      if (!a.writer.type.startsWith('google_dataflow')) continue;
      const v = getAttr(a.writer.values, 'parameters.useStorageWriteApi');
      if (v !== 'true' && v !== true) out.push(candidate(this.id, `write ${a.table.address} with the Storage Write API (exactly-once) from ${a.writer.address}`, [set(a.writer, 'parameters.useStorageWriteApi', 'true')], ['exactly_once_aggregation']));
    }
    for (const view of batchViews(graph)) {
      if (str(getAttr(view.resource.values, 'params.write_disposition')) === 'WRITE_APPEND') {
        out.push(candidate(this.id, `make ${view.resource.address} rewrite its window (WRITE_TRUNCATE) instead of appending`, [set(view.resource, 'params.write_disposition', 'WRITE_TRUNCATE')], ['exactly_once_aggregation']));
      }
    }
    return out;
  },
};
