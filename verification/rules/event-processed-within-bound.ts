/** The temporal property event_processed: WITHIN its bound at its percentile. */
import type { Rule } from '../engine/types';
import { latencyRule } from './support/latency-check';

export const rule: Rule = latencyRule({
  id: 'event-processed-within-bound',
  title: 'event_processed holds: an accepted event is in hot storage within the bound',
  specItem: 'event_processed',
  percentile: 'property',
  bound: (spec) => spec.properties.find((p) => p.id === 'event_processed')?.boundMs,
});
