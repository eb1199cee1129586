/**
 * The requirements of the platform as one typed object (DESIGN.md section 2).
 *
 * The shape follows temporal logic plus constraints: invariants hold always, properties
 * are bounded-time (WITHIN) or eventual (EVENTUALLY) obligations, constraints are numeric
 * bounds, and the workload and environment assumptions are what every model computes from.
 * The same object drives the static verifier and the measured local run.
 */

/** Invariants: must hold in every state of the system. */
export type InvariantId = 'no_data_loss' | 'exactly_once_aggregation' | 'ordered_within_partition';

/** Temporal properties with a bound. */
export type PropertyId = 'event_processed' | 'dashboard_updated' | 'batch_job_complete';

/** Numeric constraints. */
export type ConstraintId =
  | 'latency_p99'
  | 'latency_p50'
  | 'throughput_sustained'
  | 'throughput_burst'
  | 'monthly_cost'
  | 'availability'
  | 'retention'
  | 'rpo'
  | 'rto';

/** Anything a rule can serve: an invariant, a property, a constraint, or security hygiene. */
export type SpecItemId = InvariantId | PropertyId | ConstraintId | 'security';

export interface Invariant {
  id: InvariantId;
  /** Human statement, e.g. "every accepted event is eventually stored (at-least-once)". */
  statement: string;
}

export interface TemporalProperty {
  id: PropertyId;
  /** WITHIN: bounded response; EVENTUALLY: liveness with a deadline. */
  operator: 'WITHIN' | 'EVENTUALLY';
  /** Bound in milliseconds. */
  boundMs: number;
  /** Percentile the bound applies to (e.g. 99), or undefined for "always". */
  percentile?: number;
  statement: string;
}

export interface Constraints {
  /**
   * Latency bounds of the event path, judged at the sustained rate: a burst the design buffers
   * rather than provisions is stated as an assumption (e.g. `burst-buffered`) and its effect
   * (events delayed, longest wait, share of the month beyond the p99 bound) is reported beside
   * the verdict.
   */
  latencyP99Ms: number;
  latencyP50Ms: number;
  sustainedEventsPerSecond: number;
  burstEventsPerSecond: number;
  monthlyBudgetUsd: number;
  /** Monthly availability target as a fraction, e.g. 0.9999: the ingest and query planes. */
  availability: number;
  /**
   * Monthly availability target of the freshness plane (events reach the dashboard), as a
   * fraction. It runs through the event queue, so it cannot exceed the queue's SLA (Pub/Sub
   * 99.95%): state the reason in `assumptions`. Absent: the freshness plane is judged
   * against `availability`.
   */
  freshnessAvailability?: number;
  retentionDays: number;
  rpoMinutes: number;
  rtoMinutes: number;
  /**
   * Failure scenarios the RPO and RTO bounds cover. Absent: all three. An environment that
   * accepts losing a zone or a region (dev) narrows it and says why in `assumptions`.
   */
  drScenarios?: DrScenarioKind[];
}

export type DrScenarioKind = 'zone-loss' | 'region-loss' | 'operator-error';

export interface Workload {
  averageEventsPerSecond: number;
  burstEventsPerSecond: number;
  /** How long one burst lasts, seconds. */
  burstDurationSeconds: number;
  /** How many bursts a day (sets the burst share of the month for cost). */
  burstsPerDay: number;
  /** Serialized size of one event, bytes. */
  eventSizeBytes: number;
  /** Events the ingest gateway packs into one Pub/Sub message. */
  eventsPerMessage: number;
  /**
   * Bytes Pub/Sub bills per message beyond the data: attribute keys and values and the
   * ordering key the gateway sets (the per-message timestamp and message id come from the
   * verifier's price data). Absent: 0.
   */
  attributeBytesPerMessage?: number;
  /** Events one device (or its gateway) sends per HTTP request to the ingest gateway. */
  eventsPerIngestRequest: number;
  deviceCount: number;
  /** Requests per second against the analytics (serving) API, dashboard included. */
  queryRatePerSecond: number;
  /**
   * Share (0..1) of `queryRatePerSecond` the serving layer answers from BigQuery (history,
   * hourly ranges older than the hot window). Each such query bills at least 10 MiB per table
   * it reads. Absent: unknown, so the serving queries are unpriced (a usage file can give the
   * rate per service instead).
   */
  coldQueryShare?: number;
  /** Sliding aggregate window and the watermark delay before a window is final. */
  aggregateWindowSeconds: number;
  watermarkDelaySeconds: number;
  /** Recent window served from hot storage; older ranges come from cold storage. */
  hotWindowHours: number;
}

export interface EnvironmentAssumption {
  id: string;
  statement: string;
}

export interface Spec {
  /** Schema version of this object. */
  version: 1;
  environment: string;
  invariants: Invariant[];
  properties: TemporalProperty[];
  constraints: Constraints;
  workload: Workload;
  assumptions: EnvironmentAssumption[];
}

/** File name the synth writes beside each stack's cdk.tf.json, so the verifier finds the spec by path. */
export const SPEC_FILE_NAME = 'spec.json';
