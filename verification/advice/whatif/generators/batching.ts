/**
 * Pub/Sub batching: events the ingest gateway packs into one message. Pub/Sub bills at least
 * 1,000 bytes per message and limits per-request counts, so larger batches cut cost and
 * per-message overhead; the price is a little batching delay.
 */
import { candidate, type Candidate, type ChangeGenerator } from '../generator';

/** Batch sizes proposed; each must fit a message (the models check the size limit). */
const BATCH_SIZES = [1, 2, 5, 10, 20, 50, 100];

export const batching: ChangeGenerator = {
  id: 'batching',
  targets: ['monthly_cost', 'throughput_burst', 'throughput_sustained'],
  generate({ spec }) {
    const current = spec.workload.eventsPerMessage;
    return BATCH_SIZES.filter((b) => b !== current).map((b): Candidate =>
      candidate(this.id, `pack ${b} event${b > 1 ? 's' : ''} per Pub/Sub message (now ${current})`, [{ kind: 'spec', path: 'workload.eventsPerMessage', from: current, to: b }], b > current ? ['monthly_cost', 'throughput_burst', 'throughput_sustained'] : ['latency_p99', 'latency_p50']),
    );
  },
};
