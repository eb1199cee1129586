/**
 * Every pattern and anti-pattern detector, patterns first. One detector per file.
 */
import type { PatternContext, PatternDetector, PatternMatch } from '../types';
import { consumerWithoutDeadLetter } from './consumer-without-dead-letter';
import { eventSourcing } from './event-sourcing';
import { hotStorageOnHdd } from './hot-storage-on-hdd';
import { lambdaArchitecture } from './lambda-architecture';
import { nonIdempotentAggregation } from './non-idempotent-aggregation';
import { polyglotPersistence } from './polyglot-persistence';
import { retentionBelowRecovery } from './retention-below-recovery';
import { singleRegionStore } from './single-region-store';
import { streamProcessing } from './stream-processing';
import { unboundedAutoscaling } from './unbounded-autoscaling';

export const PATTERN_DETECTORS: readonly PatternDetector[] = [
  lambdaArchitecture,
  eventSourcing,
  polyglotPersistence,
  streamProcessing,
  hotStorageOnHdd,
  singleRegionStore,
  consumerWithoutDeadLetter,
  unboundedAutoscaling,
  retentionBelowRecovery,
  nonIdempotentAggregation,
];

export function detectPatterns(ctx: PatternContext, detectors: readonly PatternDetector[] = PATTERN_DETECTORS): PatternMatch[] {
  return detectors.flatMap((d) => d.detect(ctx));
}
