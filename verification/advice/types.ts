/**
 * Contracts of the advice stage: patterns found in the graph, what-if recommendations whose
 * effect was re-verified, and the synthesized sizing. The engine's report carries these in
 * its optional `patterns`, `recommendations` and `synthesis` fields.
 */
import type { AttrValue, Graph, Resource } from '../graph/types';
import type { Spec, SpecItemId } from '../spec/spec';
import type { Range, Status, VerificationReport } from '../engine/types';

// ---------------------------------------------------------------- patterns

export interface PatternEvidence {
  /** Resource the evidence is about, when there is one. */
  address?: string;
  /** Dot path of the attribute that shows it. */
  attribute?: string;
  value?: unknown;
  /** What this piece of evidence shows, in words. */
  note: string;
}

export interface PatternMatch {
  /** Detector id, e.g. "lambda-architecture". */
  id: string;
  name: string;
  kind: 'pattern' | 'anti-pattern';
  /** One line: what was found. */
  summary: string;
  evidence: PatternEvidence[];
  /** Spec items an anti-pattern puts at risk. */
  risks?: SpecItemId[];
}

export interface PatternContext {
  graph: Graph;
  spec: Spec;
  /** The verification report of this graph, when the caller has one (DR figures, etc.). */
  report?: VerificationReport;
}

/** One pattern or anti-pattern per file under patterns/. */
export interface PatternDetector {
  id: string;
  name: string;
  kind: 'pattern' | 'anti-pattern';
  description: string;
  detect(ctx: PatternContext): PatternMatch[];
}

// ---------------------------------------------------------------- graph changes

/** Set (or remove, when `to` is undefined) one attribute of one resource. */
export interface SetAttributeChange {
  kind: 'set';
  address: string;
  /** Dot path; numeric segments index lists, e.g. "cluster.1.autoscaling_config.max_nodes". */
  attribute: string;
  from: AttrValue | undefined;
  to: AttrValue | undefined;
}

/** Add a resource (e.g. the IAM binding a dead-letter policy needs). */
export interface AddResourceChange {
  kind: 'add';
  address: string;
  type: string;
  values: Record<string, AttrValue>;
  /** Provider config key of the new resource, copied from a sibling. */
  providerKey?: string;
  /** Meta-arguments (depends_on) of the new resource, e.g. those of the resource it copies. */
  meta?: Resource['meta'];
  /** Resources that list the new one in their depends_on (e.g. a service that needs a grant first), appended last. */
  requiredBy?: string[];
}

/** Remove a resource (e.g. a public IAM member); the others' depends_on drop it too, as a synth of the edited config would. */
export interface RemoveResourceChange {
  kind: 'remove';
  address: string;
}

/** Change a workload figure of the spec that is a design choice (events per Pub/Sub message). */
export interface SpecWorkloadChange {
  kind: 'spec';
  /** Dot path inside the spec, e.g. "workload.eventsPerMessage". */
  path: string;
  from: number;
  to: number;
}

export type GraphChange = SetAttributeChange | AddResourceChange | RemoveResourceChange | SpecWorkloadChange;

/** The flat shape the JSON report carries for one change. */
export interface ChangeView {
  action: 'set' | 'add' | 'remove' | 'spec';
  address: string;
  attribute: string;
  from: unknown;
  to: unknown;
  /** EnvironmentConfig field path the change maps to (stacks/config/types.ts), when known. */
  configKey?: string;
  /** The field's values in the config's units (days, seconds, hours, counts), beside the Terraform values. */
  configFrom?: unknown;
  configTo?: unknown;
  /** The config field the constructs derive this attribute from, when it is not a field itself. */
  derivedFrom?: string;
  description: string;
}

// ---------------------------------------------------------------- evaluation

/** Figures the advice compares before and after a change; null when the models could not compute them. */
export interface MetricSnapshot {
  monthlyUsdExpected: number | null;
  monthlyUsdMax: number | null;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  dashboardFreshnessP99Ms: number | null;
  batchJobMinutes: number | null;
  sustainedEventsPerSecond: number | null;
  burstEventsPerSecond: number | null;
  /** Lowest plane availability. */
  availability: number | null;
  /** Worst RPO / RTO over the DR scenarios. */
  rpoMinutes: number | null;
  rtoMinutes: number | null;
  /** Shortest retention over the entries the retention analysis lists. */
  retentionDays: number | null;
}

export interface Evaluation {
  verdict: 'pass' | 'fail';
  /** Status per spec item. */
  items: Partial<Record<SpecItemId, Status>>;
  /** Summary per spec item, as the report words it. */
  summaries: Partial<Record<SpecItemId, string>>;
  /** Cost the search minimises (expected monthly USD); Infinity when something is unpriced. */
  objectiveUsd: number;
  monthlyUsd: Range | null;
  metrics: MetricSnapshot;
  /** Failing rule ids, to tell apart two evaluations with the same item statuses. */
  failingRules: string[];
}

/** Runs the models on a graph: the real engine in production, a stand-in in unit tests. */
export type Evaluator = (graph: Graph, spec: Spec) => Evaluation;

// ---------------------------------------------------------------- recommendations

export interface RecommendationEffect {
  /** Verdict of the whole design after the change, re-verified. */
  verdict: 'pass' | 'fail';
  /** Status of each targeted spec item before -> after. */
  items: { item: SpecItemId; before: Status; after: Status; summaryAfter?: string }[];
  /** Expected monthly cost delta, USD (null when either side is unpriced). */
  costDeltaUsd: number | null;
  /** Whether the monthly cost constraint still passes after the change. */
  withinBudget: boolean | null;
  before: MetricSnapshot;
  after: MetricSnapshot;
  /** Spec items that passed before and fail after (the price of the change). */
  regressions: SpecItemId[];
}

export interface Recommendation {
  /** The primary change (the first of `changes`). */
  change: ChangeView;
  /** Every change of the recommendation; more than one when no single change fixes the items. */
  changes: ChangeView[];
  /** Spec items that the change makes pass (re-verified). */
  fixes: SpecItemId[];
  /** Spec items the change targets but does not fully fix (it improves their metric). */
  improves: SpecItemId[];
  /** One line, e.g. "set max nodes of cluster X to 6: burst capacity 58,800 events/s, +$1,420/month, cost still within budget". */
  summary: string;
  effect: RecommendationEffect;
  /**
   * "single" change, a "combination" when no single change fixes an item, the "plan" applying
   * every fix together, or the synthesized "sizing" (the cheapest passing configuration the
   * sizing synthesis found: listed first, the one to apply, when the design fails and it passes).
   */
  scope: 'single' | 'combination' | 'plan' | 'sizing';
  /** The recommendation as EnvironmentConfig edits (config units), in the order they apply. */
  config: ConfigDiffEntry[];
  /** False when some change has no config field (e.g. an IAM binding the constructs do not make): then `config` alone does not rebuild it. */
  configComplete: boolean;
}

export interface UnfixedItem {
  item: SpecItemId;
  status: Status;
  /** Why no re-verified change was found. */
  reason: string;
}

// ---------------------------------------------------------------- synthesis

export interface ConfigDiffEntry {
  /** EnvironmentConfig field path, e.g. "hotStorage.clusters[0].maxNodes". */
  configKey: string;
  from: unknown;
  to: unknown;
}

export interface SynthesisResult {
  /** The proposed values, keyed by EnvironmentConfig field path. */
  config: Record<string, unknown>;
  diff: ConfigDiffEntry[];
  /** Expected monthly cost of the proposal (null when infeasible). */
  monthlyUsd: number | null;
  monthlyUsdRange: Range | null;
  /** Expected monthly cost of the current sizing, for comparison. */
  currentMonthlyUsd: number | null;
  passes: boolean;
  /** Set when no configuration in the space meets every constraint. */
  infeasible?: { conflicting: SpecItemId[]; explanation: string };
  /** Candidate configurations evaluated by the models. */
  searched: number;
  /** Size of the whole space, to show how much the bounds pruned. */
  spaceSize: number;
  method: string;
  /** The changes that turn the current graph into the proposal. */
  changes: ChangeView[];
  /** Set when the budget stopped the search before it proved its answer: what stopped it. */
  stopped?: 'evaluations' | 'time';
}

/**
 * What the advice was allowed to spend and what it spent. Every recommendation costs full
 * re-verifications; the budget caps their count (deterministic) and, as a guard, the wall-clock
 * time. When it cuts the search, `exhausted` is true and `notEvaluated` lists what was left.
 */
export interface AdviceBudget {
  /** Re-verifications allowed (what-if and, with synthesis, the sizing search each get this many). */
  maxEvaluations: number;
  /** Wall-clock guard in ms, null when none. */
  maxMillis: number | null;
  /** Re-verifications run by the what-if search (the synthesis counts its own in `synthesis.searched`). */
  evaluations: number;
  elapsedMs: number;
  exhausted: boolean;
  /** What cut the search: the evaluation count or the wall clock. */
  stoppedBy?: 'evaluations' | 'time';
  /** Where the search was when the budget ran out ("single changes", "plan", "combination for latency_p99", "synthesis"). */
  stoppedDuring?: string;
  /** Candidate changes generated for an item but never re-verified. */
  notEvaluated: { item: SpecItemId; candidates: number }[];
  /** Stages the cut shortened or skipped. */
  notSearched: string[];
  /** One line for the report: what is missing and how to raise the budget. */
  note: string;
}

export interface AdviceResult {
  patterns: PatternMatch[];
  recommendations: Recommendation[];
  unfixed: UnfixedItem[];
  synthesis?: SynthesisResult;
  budget: AdviceBudget;
}
