/**
 * Stream processing: code consumes an unbounded stream continuously (a pull subscriber on Cloud
 * Run or a streaming Dataflow job), rather than in periodic batches.
 */
import type { PatternDetector, PatternEvidence } from '../types';
import { ofType, str } from '../graph-query';
import { consumersOf, isSinkSubscription, topicOf } from './roles';

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
          ? `streaming Dataflow job${str(consumer.values.template_gcs_path) ? ` from ${str(consumer.values.template_gcs_path)?.split('/').pop()}` : ''}`
          : 'pull subscriber on Cloud Run';
        evidence.push({ address: consumer.address, note: `${kind} consuming ${sub.address}${topic ? ` of ${topic.address}` : ''}` });
      }
    }
    if (evidence.length === 0) return [];
    return [{ id: this.id, name: this.name, kind: this.kind, summary: `${evidence.length} continuous consumer${evidence.length > 1 ? 's' : ''} of the event stream`, evidence }];
  },
};
