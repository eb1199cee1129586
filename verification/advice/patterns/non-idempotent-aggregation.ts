/**
 * Aggregates fed by a non-idempotent at-least-once path: Pub/Sub redelivers, so an aggregate
 * is exact only when the path delivers once (exactly-once delivery, the Storage Write API) or
 * its sink absorbs duplicates (a batch view that counts distinct event ids and rewrites its
 * window rather than appending).
 */
import type { PatternDetector, PatternEvidence, PatternMatch } from '../types';
import { getAttr } from '../graph-edit';
import { bool, labelsOf, str } from '../graph-query';
import { archivePaths, batchViews, speedPaths } from './roles';

/** Query shapes that remove duplicate events before counting. */
const DEDUP = [/COUNT\s*\(\s*DISTINCT/i, /ROW_NUMBER\s*\(\s*\)\s*OVER\s*\(\s*PARTITION\s+BY/i, /\bQUALIFY\b/i, /SELECT\s+DISTINCT/i, /\bMERGE\b/i];

function isAggregateStore(name: string): boolean {
  return /aggregat|rollup|hourly|daily|counts?\b/i.test(name);
}

export const nonIdempotentAggregation: PatternDetector = {
  id: 'non-idempotent-aggregation',
  name: 'Aggregates fed by a non-idempotent at-least-once path',
  kind: 'anti-pattern',
  description: 'An aggregate is built from an at-least-once delivery path whose sink does not remove duplicates.',
  detect({ graph }) {
    const matches: PatternMatch[] = [];
    // speed layer: the processor writes aggregates to Bigtable from a subscription
    for (const path of speedPaths(graph)) {
      const aggregates = path.hotStores.filter((s) => isAggregateStore(str(s.values.name) ?? s.name));
      if (aggregates.length === 0) continue;
      // exactly-once delivery applies to pull subscriptions only; a push subscription is at-least-once whatever it says
      const exactlyOnce = path.delivery === 'pull' && bool(path.subscription.values.enable_exactly_once_delivery) === true;
      const declaredIdempotent = labelsOf(path.processor)['write-semantics'] === 'idempotent';
      if (exactlyOnce || declaredIdempotent) continue;
      const deliveryEvidence: PatternEvidence =
        path.delivery === 'push'
          ? { address: path.subscription.address, attribute: 'push_config.push_endpoint', value: getAttr(path.subscription.values, 'push_config.push_endpoint') ?? null, note: `push delivery to ${path.processor.address} is at-least-once (exactly-once delivery is for pull subscriptions only): a message may arrive twice` }
          : { address: path.subscription.address, attribute: 'enable_exactly_once_delivery', value: path.subscription.values.enable_exactly_once_delivery ?? null, note: 'at-least-once delivery: a message may arrive twice' };
      matches.push({
        id: this.id,
        name: this.name,
        kind: this.kind,
        summary: `${aggregates.map((a) => a.address).join(', ')} aggregated by ${path.processor.address} from at-least-once ${path.subscription.address}${path.delivery === 'push' ? ' (push)' : ''}`,
        evidence: [
          deliveryEvidence,
          { address: path.processor.address, attribute: 'labels.write-semantics', value: labelsOf(path.processor)['write-semantics'] ?? null, note: `the processor does not declare idempotent writes to ${aggregates.map((a) => a.address).join(', ')}` },
        ],
        risks: ['exactly_once_aggregation'],
      });
    }
    // batch layer: a scheduled query aggregates the raw archive
    const archive = archivePaths(graph);
    for (const view of batchViews(graph)) {
      const sources = archive.filter((a) => view.reads.includes(a.table));
      if (sources.length === 0) continue;
      const dedups = DEDUP.some((re) => re.test(view.query));
      const disposition = str(getAttr(view.resource.values, 'params.write_disposition'));
      // appending is safe when each run covers its own window of @run_time (no two runs count one hour)
      const windowedByRun = /@run_time|@run_date/.test(view.query);
      const appends = disposition === 'WRITE_APPEND' && !windowedByRun;
      for (const source of sources) {
        // a BigQuery subscription is Pub/Sub writing the table itself: at-least-once, no Storage Write API parameter to set
        const bySubscription = source.writer.type === 'google_pubsub_subscription';
        const storageWriteValue = bySubscription ? undefined : getAttr(source.writer.values, 'parameters.useStorageWriteApi');
        const storageWrite = str(storageWriteValue) === 'true' || bool(storageWriteValue) === true;
        const atLeastOnce = !storageWrite;
        if (!(atLeastOnce && !dedups) && !appends) continue;
        const evidence: PatternEvidence[] = [];
        if (atLeastOnce && bySubscription) {
          evidence.push({ address: source.writer.address, attribute: 'bigquery_config', value: source.writer.values.bigquery_config ?? null, note: `Pub/Sub writes ${source.table.address} through a BigQuery subscription at-least-once: a redelivered message is written twice` });
        } else if (atLeastOnce) {
          evidence.push({ address: source.writer.address, attribute: 'parameters.useStorageWriteApi', value: storageWriteValue ?? null, note: `${source.table.address} is written at-least-once (no Storage Write API exactly-once)` });
        }
        if (!dedups) evidence.push({ address: view.resource.address, attribute: 'params.query', value: view.query, note: 'the batch view counts rows without removing duplicate event ids' });
        if (appends) evidence.push({ address: view.resource.address, attribute: 'params.write_disposition', value: disposition ?? null, note: 'each run appends over a window not tied to its run time: overlapping runs count events twice' });
        if (atLeastOnce && dedups && !appends) continue;
        matches.push({
          id: this.id,
          name: this.name,
          kind: this.kind,
          summary: `${view.resource.address} aggregates ${source.table.address}, fed at-least-once by ${source.writer.address}, without deduplication`,
          evidence,
          risks: ['exactly_once_aggregation'],
        });
      }
    }
    return matches;
  },
};
