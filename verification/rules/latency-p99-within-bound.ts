/** The event-processing critical path's p99 (the sum of per-hop distributions, convolved) within the bound. */
import type { Rule } from '../engine/types';
import { latencyRule } from './support/latency-check';

export const rule: Rule = latencyRule({
  id: 'latency-p99-within-bound',
  title: 'Event processing p99 latency is within the bound',
  specItem: 'latency_p99',
  percentile: 'p99',
  bound: (spec) => spec.constraints.latencyP99Ms,
});
