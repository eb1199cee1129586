/**
 * How a DR scenario's figures read in the spec verdict and every report: a null figure is
 * "unbounded" (nothing restores the data), an RTO with a missing input is "unknown", and a
 * scenario the spec's bounds do not cover is marked "not judged", so a PASS never reads as
 * though it covered a scenario nobody checked.
 */
import type { DrScenario } from '../engine/types';
import type { Spec } from '../spec/spec';
import { formatNumber } from './number-format';

export type DrKind = 'rpo' | 'rto';

export function drFigure(s: DrScenario, kind: DrKind, digits = 1): string {
  const v = kind === 'rpo' ? s.rpoMinutes : s.rtoMinutes;
  if (kind === 'rto' && s.rtoUnknown !== undefined) return 'unknown';
  if (v === null) return 'unbounded';
  return formatNumber(v, digits, digits);
}

/** Whether the spec's RPO/RTO bounds cover the scenario (all scenarios unless the spec narrows them). */
export function scenarioJudged(spec: Pick<Spec, 'constraints'>, scenario: DrScenario['scenario']): boolean {
  const covered = spec.constraints.drScenarios;
  return covered === undefined || covered.includes(scenario);
}

/** The scenario's name as a report row shows it: `region-loss (not judged)` when the spec leaves it out. */
export function scenarioLabel(spec: Pick<Spec, 'constraints'>, scenario: DrScenario['scenario']): string {
  return scenarioJudged(spec, scenario) ? scenario : `${scenario} (not judged)`;
}
