/**
 * Which sizing edits narrow a safety margin. The synthesis minimises cost subject to the spec,
 * so it lowers every setting the spec does not bound down to what the spec needs: a shorter
 * replay window, fewer warm instances, less headroom. Those edits are valid (re-verified) but
 * are choices a reader should see made, not find out about in an incident.
 */
import type { Spec } from '../spec/spec';

interface MarginKind {
  test: RegExp;
  what: (spec: Spec) => string;
}

const KINDS: MarginKind[] = [
  { test: /topicRetentionSeconds$/, what: () => 'a shorter replay window after an operator error' },
  { test: /subscriptionRetentionSeconds$/, what: () => 'a backlog survives a consumer outage for less time' },
  { test: /partitionExpirationDays$/, what: (s) => `the archive is kept closer to the spec's ${s.constraints.retentionDays} days` },
  { test: /MaxAgeHours$/, what: (s) => `the hot store keeps data closer to the ${s.workload.hotWindowHours} h hot window` },
  { test: /\.(maxInstances|maxNodes|maxWorkers)$/, what: () => 'less headroom above the load and bursts the spec states' },
  { test: /\.(minInstances|minNodes|minWorkers|numWorkers)$/, what: () => 'less warm capacity when a burst starts' },
];

/** The margin an edit narrows, or undefined (not a margin setting, or not lowered). */
export function narrowedMargin(configKey: string, from: unknown, to: unknown, spec: Spec): string | undefined {
  if (typeof from !== 'number' || typeof to !== 'number' || to >= from) return undefined;
  return KINDS.find((k) => k.test.test(configKey))?.what(spec);
}
