/**
 * Contracts between the verifier's stages: model -> analyses -> rules -> report.
 * Each stage lives in its own folder; this file is the seam they share.
 */
import type { Graph, Resource } from '../graph/types';
import type { Spec, SpecItemId } from '../spec/spec';
import type { AdviceBudget, PatternMatch, Recommendation, SynthesisResult, UnfixedItem } from '../advice/types';

// ---------------------------------------------------------------- model

export type ComponentId =
  | 'ingestion'
  | 'stream-processing'
  | 'hot-storage'
  | 'cold-storage'
  | 'analytics'
  | 'dashboard'
  | 'monitoring';

export const COMPONENT_IDS: readonly ComponentId[] = [
  'ingestion',
  'stream-processing',
  'hot-storage',
  'cold-storage',
  'analytics',
  'dashboard',
  'monitoring',
];

export interface ComponentMembership {
  component: ComponentId | 'shared';
  /** Why: "type google_bigtable_instance", "construct path .../hot-storage/...", "label component=...". */
  evidence: string;
}

/** A data-flow path, e.g. ingest -> topic -> subscription -> processor -> Bigtable. */
export interface Flow {
  name: 'speed' | 'archive' | 'serving' | 'serving-history' | 'dashboard' | 'monitoring' | 'dead-letter';
  /** Addresses in order. */
  hops: string[];
  /** Hops that could not be found, named by role ("processor service"). */
  missing: string[];
}

export interface ArchitectureModel {
  components: Map<ComponentId, Resource[]>;
  membership: Map<string, ComponentMembership>;
  flows: Flow[];
}

// ---------------------------------------------------------------- data provenance

export type Confidence = 'V' | 'S' | 'U';

/** Every figure a model uses carries where it came from. */
export interface Sourced<T = number> {
  value: T;
  unit: string;
  source: string;
  asOf: string;
  confidence: Confidence;
  note?: string;
}

// ---------------------------------------------------------------- rules and findings

export type Status = 'pass' | 'fail' | 'unknown' | 'waived';
export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  status: Exclude<Status, 'waived'>;
  /** Resource the finding is about; omit for whole-design findings. */
  address?: string;
  observed?: unknown;
  expected?: unknown;
  message: string;
  /** Concrete change that would make it pass. Required when status is fail or unknown. */
  fix?: string;
  /** Figures (with sources) behind the verdict. */
  evidence?: Record<string, unknown>;
}

export interface RuleContext {
  graph: Graph;
  model: ArchitectureModel;
  spec: Spec;
  analyses: AnalysisResults;
  /** ISO date (YYYY-MM-DD) the design is verified at (`--today`); date-dependent rules judge against it, never the wall clock. */
  today?: string;
}

export interface Rule {
  id: string;
  title: string;
  severity: Severity;
  specItem: SpecItemId;
  /** Resource types the rule reads (for the generated reference). */
  reads: string[];
  rationale: string;
  check(ctx: RuleContext): Finding[];
}

export interface RuleResult extends Omit<Finding, 'status'> {
  rule: string;
  title: string;
  severity: Severity;
  specItem: SpecItemId;
  status: Status;
  waiver?: { reason: string; expires: string };
}

export interface Waiver {
  rule: string;
  /** Resource address, or "*" for every resource of that rule. */
  address: string;
  reason: string;
  /** ISO date (YYYY-MM-DD); past it the waiver no longer applies and is itself a failure. */
  expires: string;
}

// ---------------------------------------------------------------- analyses (filled by verification/analyses)

export interface Range {
  min: number;
  expected: number;
  max: number;
}

export interface CostLine {
  address: string;
  type: string;
  component: ComponentId | 'shared';
  region: string;
  item: string;
  monthlyUsd: Range;
  /** Arithmetic in words: "2 clusters x 3..6 nodes x 730 h x $0.65". */
  formula: string;
  confidence: Confidence;
  sources: string[];
}

export interface CostResult {
  monthlyUsd: Range;
  lines: CostLine[];
  /** Resources with no price model or no price for their region: they block a pass. */
  unpriced: { address: string; type: string; reason: string }[];
  warnings: string[];
}

export interface LatencyHop {
  name: string;
  address?: string;
  region?: string;
  p50Ms: number;
  p99Ms: number;
  source: string;
  confidence: Confidence;
}

export interface LatencyPath {
  name: string;
  hops: LatencyHop[];
  p50Ms: number | null;
  p99Ms: number | null;
  method: string;
  missing: string[];
  /** Worst case for "always" bounds (e.g. a full polling interval plus the p99 of the rest). */
  maxMs?: number | null;
}

/** A buffered burst's effect on the speed path (the latency bounds are judged at the sustained rate). */
export interface BurstImpact {
  burstEventsPerSecond: number;
  burstSeconds: number;
  /** The speed path's events/s at a burst's start (its slowest stage); null when unknown. */
  capacityEventsPerSecond: number | null;
  /** Events that arrive while the backlog lasts (each waits in the queue). */
  delayedPerBurst: number | null;
  /** Wait of the event that arrives at the backlog's peak. */
  longestWaitSeconds: number | null;
  drainSeconds: number | null;
  /** The latency bound the share is counted against (the p99 bound). */
  boundMs: number;
  /** Events whose queueing wait alone exceeds the bound, per burst. */
  delayedBeyondBoundPerBurst: number | null;
  /** Those as a share of the month's events. */
  monthShareBeyondBound: number | null;
  /** A warning is raised above this share (latency.json). */
  warnAboveShare: number;
  basis: string;
}

export interface LatencyResult {
  /** The event-processing critical path (ingest -> durable hot write). */
  processing: LatencyPath;
  dashboardFreshness: LatencyPath;
  batchJobMinutes: number | null;
  /** How the batch-view duration was computed. */
  batchJobBasis?: string;
  p50Ms: number | null;
  p99Ms: number | null;
  /** The dashboard's per-device window series (final aggregate windows): reported, not what dashboard_updated bounds. */
  windowFreshness?: LatencyPath;
  /** What a buffered burst does to the speed path and to dashboard freshness. */
  burst?: BurstImpact & {
    dashboardLagMs: number | null;
    dashboardLagBasis: string;
    /** Gated standby processors (STANDBY_BACKLOG_AGE_SECONDS) and whether a burst's backlog makes them pull. */
    standbys?: { address: string; region?: string; thresholdSeconds: number | null; longestWaitSeconds: number | null; pullsDuringBursts: boolean | null; basis: string }[];
    /** The processing path while a standby pulls during a burst (queueing wait excluded). */
    processingWhileStandbyPulls?: { p50Ms: number | null; p99Ms: number | null; method: string };
  };
  /** Warnings for the report (e.g. too many events delayed by bursts). */
  warnings?: string[];
}

export interface CapacityComponent {
  component: string;
  address?: string;
  sustainedEventsPerSecond: number | null;
  burstEventsPerSecond: number | null;
  basis: string;
  /** On the event path to hot storage (else the asynchronous archive). */
  onSpeedPath?: boolean;
  /** Behind the Pub/Sub buffer: a burst above its rate queues instead of being refused. */
  buffered?: boolean;
}

export interface CapacityResult {
  components: CapacityComponent[];
  sustainedEventsPerSecond: number | null;
  burstEventsPerSecond: number | null;
  bottleneck: string | null;
  burstAbsorbed: { absorbed: boolean | null; explanation: string };
}

export interface AvailabilityPlane {
  plane: 'ingest' | 'query' | 'freshness';
  availability: number | null;
  cappedBy: string | null;
  composition: string;
}

export interface AvailabilityResult {
  planes: AvailabilityPlane[];
  note: string;
}

export interface DrScenario {
  scenario: 'zone-loss' | 'region-loss' | 'operator-error';
  target: string;
  rpoMinutes: number | null;
  rtoMinutes: number | null;
  basis: string;
  /** Resource the scenario is about. */
  address?: string;
  /** Set when a figure the RTO needs is missing (not a literal, pending): the RTO is unknown, not unbounded. */
  rtoUnknown?: string;
}

export interface DrResult {
  scenarios: DrScenario[];
  /** Pipeline stages the graph lacks: their recovery is unknown, so RPO and RTO cannot pass. */
  missing?: string[];
}

export interface RetentionEntry {
  address: string;
  kind: string;
  retentionDays: number | null;
  role: string;
  basis: string;
  /** True when nothing ever removes the data (retentionDays is then null). */
  unbounded?: boolean;
  /** BigQuery: the partition type whose span a row's retention loses (DAY, HOUR, MONTH, YEAR). */
  partitionType?: string;
  /** BigQuery: the setting that deletes the whole table, every row with it (dataset default or expiration_time). */
  tableExpirySetting?: string;
}

export interface RetentionResult {
  entries: RetentionEntry[];
}

export interface AnalysisResults {
  cost: CostResult;
  latency: LatencyResult;
  capacity: CapacityResult;
  availability: AvailabilityResult;
  dr: DrResult;
  retention: RetentionResult;
}

// ---------------------------------------------------------------- report

export type Verdict = 'pass' | 'fail';

export interface SpecItemVerdict {
  item: SpecItemId;
  status: Status;
  /** Computed value and bound, in words, e.g. "p99 64 ms <= 100 ms". */
  summary: string;
}

export interface VerificationReport {
  schemaVersion: 1;
  verdict: Verdict;
  input: {
    kind: Graph['source']['kind'];
    path: string;
    resources: number;
    /** Input file per stack (synth folder) or `{ "": file }`, for report locations. */
    files?: Record<string, string>;
    /** Stack of each address named in `results`, when the input is a synth folder. */
    stackOf?: Record<string, string>;
  };
  spec: Spec;
  components: { id: ComponentId; resources: string[] }[];
  flows: Flow[];
  specItems: SpecItemVerdict[];
  results: RuleResult[];
  cost: CostResult;
  latency: LatencyResult;
  capacity: CapacityResult;
  availability: AvailabilityResult;
  dr: DrResult;
  retention: RetentionResult;
  warnings: string[];
  // Filled by verification/advice after the verdict (absent until that stage runs; the
  // verdict never depends on them). Every report format renders them when present.
  patterns?: PatternMatch[];
  recommendations?: Recommendation[];
  unfixed?: UnfixedItem[];
  synthesis?: SynthesisResult;
  /** What the advice stage was allowed to spend, what it spent, and what a cut left out. */
  adviceBudget?: AdviceBudget;
}
