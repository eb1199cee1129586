/**
 * Dataflow Streaming Engine (`processing.dataflow.enableStreamingEngine`): the shuffle and
 * state move off the workers, so fewer and smaller workers keep up, billed per GB processed.
 */
import { ofType } from '../../graph-query';
import { candidate, set, type Candidate, type ChangeGenerator } from '../generator';

export const streamingEngine: ChangeGenerator = {
  id: 'streaming-engine',
  targets: ['monthly_cost', 'throughput_sustained', 'latency_p99'],
  generate({ graph }) {
    const out: Candidate[] = [];
    for (const job of ofType(graph, 'google_dataflow_job', 'google_dataflow_flex_template_job')) {
      if (job.values.enable_streaming_engine !== true) {
        out.push(candidate(this.id, `enable Streaming Engine on ${job.address}`, [set(job, 'enable_streaming_engine', true)], ['monthly_cost', 'throughput_sustained', 'latency_p99']));
      }
    }
    return out;
  },
};
