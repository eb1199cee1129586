/**
 * Sizing and settings of one environment. Every value the stacks turn into a resource
 * attribute lives here, so environments differ only in data and the sizing synthesis can
 * propose a diff of these values.
 */
import type { Spec } from '../../verification/spec/spec';

export interface CloudRunSizing {
  /** Instances kept warm (0 allows scale to zero). */
  minInstances: number;
  maxInstances: number;
  /** vCPU per instance, e.g. 1, 2, 4. */
  cpu: number;
  /** Memory per instance, Cloud Run notation, e.g. "512Mi", "2Gi". */
  memory: string;
  /** Concurrent requests per instance. */
  concurrency: number;
  /** CPU always allocated (instance-based billing) rather than only during requests. */
  cpuAlwaysAllocated: boolean;
}

export interface BigtableClusterConfig {
  /** Zone, e.g. "us-central1-b"; its region is the cluster's region. */
  zone: string;
  /** Autoscaling bounds; equal min and max with `fixedNodes` unset means autoscaling pinned. */
  minNodes: number;
  maxNodes: number;
  /** Autoscaling CPU target, percent (Bigtable recommends <= 70 for latency). */
  cpuTargetPercent: number;
  /** Set to use a fixed node count instead of autoscaling. */
  fixedNodes?: number;
}

export interface EnvironmentConfig {
  name: string;
  project: string;
  /** Region of Pub/Sub, Cloud Run services, Dataflow and the first Bigtable cluster. */
  region: string;
  /**
   * A second region the four Cloud Run services are also deployed in. Devices fail over
   * between the two regional ingest endpoints on their own (client-side failover: no load
   * balancer in series); each region's dashboard reads its own region's analytics API;
   * processors in both regions pull the one (global) subscription. The second region runs
   * at `minInstances` until a failover moves traffic to it. Unset: one region.
   */
  secondary?: { region: string; minInstances: number };
  /** BigQuery dataset location (a multi-region like "US" or a region). */
  bigQueryLocation: string;
  spec: Spec;
  /** Image tags for the Cloud Run services (built from functions/). */
  images: { ingest: string; processor: string; analytics: string; dashboard: string };
  ingestion: {
    /** Topic message retention, seconds (Pub/Sub allows 10 min .. 31 days). */
    topicRetentionSeconds: number;
    /** Speed-layer subscription: unacked message retention, seconds (10 min .. 7 days). */
    subscriptionRetentionSeconds: number;
    ackDeadlineSeconds: number;
    maxDeliveryAttempts: number;
    minRetryBackoffSeconds: number;
    maxRetryBackoffSeconds: number;
    exactlyOnceDelivery: boolean;
    messageOrdering: boolean;
    gateway: CloudRunSizing;
    /**
     * Bucket the gateway writes a batch to when Pub/Sub refuses the publish; a replayer
     * re-publishes spilled batches (env SPILL_BUCKET). Multi-region or dual-region keeps it
     * up when one region is down. Unset: no spill path.
     */
    spillBucket?: { location: string; deleteAfterDays: number };
  };
  processing: {
    processor: CloudRunSizing;
    /** Pull-subscriber flow control: messages outstanding per instance. */
    processorMaxOutstandingMessages: number;
    /**
     * Warm standby for the processor in the secondary region (its env STANDBY_BACKLOG_AGE_SECONDS,
     * STANDBY_POLL_SECONDS, STANDBY_COOLDOWN_SECONDS; functions/processor/standby-gate.ts): its
     * instances run but pull only while Cloud Monitoring's subscription/oldest_unacked_message_age
     * exceeds `backlogAgeSeconds`, and stand down after `cooldownSeconds` at or below it once a
     * primary processor's fleet snapshot says it pulls again. So at the sustained rate no event
     * takes a cross-region delivery and exactly-once delivery stays within one region.
     * `backlogAgeSeconds` must exceed the oldest message a burst leaves at full primary
     * capacity (else every burst wakes the standby), and threshold + metric sampling and
     * visibility (up to 180 s) + one poll + start-up must stay within the RTO. Grants the
     * processor's service account roles/monitoring.viewer on the project.
     * Unset, or no secondary region: every regional processor pulls from the start.
     */
    secondaryStandby?: { backlogAgeSeconds: number; pollSeconds: number; cooldownSeconds: number };
    dataflow: {
      machineType: string;
      /** Initial workers. */
      numWorkers: number;
      /**
       * Autoscaling floor, when the design names one. The GA `google_dataflow_job` has no
       * attribute for initial or minimum workers, so the stacks record both as job labels
       * (`workers-initial`, `workers-min`) for the cost model to read.
       */
      minWorkers?: number;
      /** Autoscaling ceiling; undefined is unbounded (the verifier flags it). */
      maxWorkers?: number;
      enableStreamingEngine: boolean;
      /** Template parameter: write with the BigQuery Storage Write API. */
      useStorageWriteApi: boolean;
      /** Workers without external IPs. */
      privateIps: boolean;
    };
  };
  hotStorage: {
    storageType: 'SSD' | 'HDD';
    clusters: BigtableClusterConfig[];
    /** Multi-cluster routing (any cluster serves) vs single-cluster routing. */
    multiClusterRouting: boolean;
    /** GC max-age of the raw events table, hours. */
    eventsMaxAgeHours: number;
    /** GC max-age of the aggregates table, hours. */
    aggregatesMaxAgeHours: number;
    deletionProtection: boolean;
  };
  coldStorage: {
    /** Partition expiration of the raw events table, days (must be >= the retention spec). */
    partitionExpirationDays: number;
    deletionProtection: boolean;
    /** Cron of the batch-view scheduled query, e.g. "every 1 hours". */
    batchViewSchedule: string;
    /** Time partitioning of events_raw (HOUR lets the hourly batch view read one hour). @default 'DAY' */
    eventsRawPartitioning?: 'HOUR' | 'DAY';
    /**
     * Location of a read-only cross-region replica of the dataset (ALTER SCHEMA ... ADD
     * REPLICA, asynchronous). Unset: no replica.
     */
    replicaLocation?: string;
  };
  analytics: CloudRunSizing & {
    /**
     * The API answers recent ranges from BigQuery when Bigtable fails (env QUERY_FALLBACK).
     * @default false
     */
    bigQueryFallback?: boolean;
  };
  dashboard: CloudRunSizing & {
    /** How often the page refreshes from the analytics API, seconds (env DASHBOARD_REFRESH_SECONDS). @default 2 */
    refreshSeconds?: number;
  };
  monitoring: {
    notificationEmail: string;
    /** Alert when the oldest unacked message is older than this, seconds. */
    backlogAgeThresholdSeconds: number;
    /** Alert when processor 5xx/error log rate exceeds this per second. */
    processorErrorRatePerSecond: number;
    /** Alert when Dataflow data freshness exceeds this, seconds. */
    dataflowFreshnessThresholdSeconds: number;
    /** Alert when Bigtable cluster CPU exceeds this percent. */
    bigtableCpuThresholdPercent: number;
  };
  access: {
    /**
     * IAM members (e.g. "group:iot-operators@example.com") allowed to open the dashboard
     * (`roles/run.invoker` on the dashboard service); nobody else, no `allUsers`.
     */
    dashboardViewers: string[];
  };
  /** Labels on every resource that takes labels. */
  labels: Record<string, string>;
}
