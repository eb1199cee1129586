/** The event-processing critical path's p50 within the bound. */
import type { Rule } from '../engine/types';
import { latencyRule } from './support/latency-check';

export const rule: Rule = latencyRule({
  id: 'latency-p50-within-bound',
  title: 'Event processing p50 latency is within the bound',
  specItem: 'latency_p50',
  percentile: 'p50',
  bound: (spec) => spec.constraints.latencyP50Ms,
});
