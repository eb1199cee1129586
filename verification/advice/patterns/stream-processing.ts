/**
 * Stream processing: code consumes an unbounded stream continuously (a pull subscriber on Cloud
 * Run or a streaming Dataflow job), rather than in periodic batches.
 */
import type { PatternDetector, PatternEvidence } from '../types';
import { ofType, str } from '../graph-query';
import { consumersOf, deliveryTo, directTopicReaders, isSinkSubscription, topicOf } from './roles';
import type { Resource } from '../../graph/types';

function dataflowKind(job: Resource): string {
  const template = str(job.values.template_gcs_path) ?? str(job.values.container_spec_gcs_path);
  const flex = job.type === 'google_dataflow_flex_template_job' ? 'flex-template ' : '';
  return `streaming ${flex}Dataflow job${template ? ` from ${template.split('/').pop()}` : ''}`;
}

export const streamProcessing: PatternDetector = {
  id: 'stream-processing',
  name: 'Stream processing',
  kind: 'pattern',
  description: 'Events are processed continuously as they arrive by subscribers of a Pub/Sub topic.',
  detect({ graph }) {
    const evidence: PatternEvidence[] = [];
    for (const sub of ofType(graph, 'google_pubsub_subscription')) {
      if (isSinkSubscription(sub)) continue;
      for (const consumer of consumersOf(graph, sub)) {
        const topic = topicOf(graph, sub);
        const kind = consumer.type.startsWith('google_dataflow')
          ? dataflowKind(consumer)
          : `${deliveryTo(graph, sub, consumer) === 'push' ? 'push endpoint' : 'pull subscriber'} on Cloud Run${consumer.type === 'google_cloud_run_service' ? ' (v1)' : ''}`;
        evidence.push({ address: consumer.address, note: `${kind} consuming ${sub.address}${topic ? ` of ${topic.address}` : ''}` });
      }
    }
    for (const r of directTopicReaders(graph)) {
      evidence.push({ address: r.job.address, attribute: r.attribute, note: `${dataflowKind(r.job)} reading ${r.topic.address} directly (its own subscription)` });
    }
    if (evidence.length === 0) return [];
    return [{ id: this.id, name: this.name, kind: this.kind, summary: `${evidence.length} continuous consumer${evidence.length > 1 ? 's' : ''} of the event stream`, evidence }];
  },
};
