/**
 * Resource names and service environment variables shared with the data plane and the
 * local cloud (docs/architecture.md). The stacks, the provisioning and the services'
 * defaults use the same names, so nothing drifts.
 */

export const RESOURCE_NAMES = {
  pubsubSchema: 'telemetry-event',
  telemetryTopic: 'telemetry',
  deadLetterTopic: 'telemetry-dead-letter',
  speedSubscription: 'telemetry-speed-layer',
  archiveSubscription: 'telemetry-archive',
  deadLetterArchiveSubscription: 'telemetry-dead-letter-archive',
  bigtableInstance: 'iot-hot',
  bigtableAppProfile: 'multi-cluster',
  eventsTable: 'events',
  eventsFamily: 'e',
  aggregatesTable: 'aggregates',
  aggregatesFamily: 'a',
  /** Per-instance processor metrics snapshots (functions/shared/fleet-snapshot.ts), read by /v1/fleet/live. */
  fleetTable: 'fleet',
  fleetFamily: 'm',
  dataset: 'iot_analytics',
  eventsRawTable: 'events_raw',
  deadLetterTable: 'events_dead_letter',
  /**
   * Rows the archive template could not write (UDF error, schema mismatch). The template
   * writes its own error schema, which differs from the Pub/Sub BigQuery subscription's, so
   * it needs a table of its own; the name is the template's default (`<output>_error_records`).
   */
  archiveErrorTable: 'events_raw_error_records',
  batchViewTable: 'device_hourly',
  ingestService: 'ingest-gateway',
  processorService: 'speed-processor',
  analyticsService: 'analytics-api',
  dashboardService: 'dashboard',
  archiveJob: 'telemetry-archive',
  batchViewQuery: 'device-hourly-batch-view',
  ingestApiKeySecret: 'ingest-api-key-sha256',
  /** HMAC secret(s) the analytics API signs page tokens with (env PAGE_TOKEN_SECRET). */
  pageTokenSecret: 'analytics-page-token-secret',
  /** Bucket name prefix of the ingest spill path (bucket names are global: `<prefix>-<project>`). */
  spillBucketPrefix: 'iot-ingest-spill',
} as const;

/** Service environment variables (docs/architecture.md, "Environment variables"). */
export const ENV_VARS = {
  project: 'GOOGLE_CLOUD_PROJECT',
  telemetryTopic: 'TELEMETRY_TOPIC',
  deadLetterTopic: 'DEAD_LETTER_TOPIC',
  speedSubscription: 'SPEED_SUBSCRIPTION',
  bigtableInstance: 'BIGTABLE_INSTANCE',
  bigtableEventsTable: 'BIGTABLE_EVENTS_TABLE',
  bigtableAggregatesTable: 'BIGTABLE_AGGREGATES_TABLE',
  bigtableAppProfile: 'BIGTABLE_APP_PROFILE',
  bigqueryDataset: 'BIGQUERY_DATASET',
  bigqueryEventsTable: 'BIGQUERY_EVENTS_TABLE',
  bigqueryDeadLetterTable: 'BIGQUERY_DEAD_LETTER_TABLE',
  bigqueryBatchViewTable: 'BIGQUERY_BATCH_VIEW_TABLE',
  eventsPerMessage: 'EVENTS_PER_MESSAGE',
  ingestApiKeySha256: 'INGEST_API_KEY_SHA256',
  analyticsUrl: 'ANALYTICS_URL',
  aggregateWindowSeconds: 'AGGREGATE_WINDOW_SECONDS',
  watermarkDelaySeconds: 'WATERMARK_DELAY_SECONDS',
  hotWindowHours: 'HOT_WINDOW_HOURS',
  /** Ingest: bucket a batch is written to when the Pub/Sub publish fails (replayed later). */
  spillBucket: 'SPILL_BUCKET',
  /** Analytics: the store to answer from when the primary store for a range fails ("bigquery"). */
  queryFallback: 'QUERY_FALLBACK',
  /** Analytics: location of the dataset's read-only replica, for reads while the primary is down. */
  bigqueryReplicaLocation: 'BIGQUERY_REPLICA_LOCATION',
  /** Dashboard: refresh interval of the page, seconds. */
  dashboardRefreshSeconds: 'DASHBOARD_REFRESH_SECONDS',
  /** Processor + analytics: the fleet metrics table (one snapshot row per processor instance). */
  bigtableFleetTable: 'BIGTABLE_FLEET_TABLE',
  /** Processor: how often an instance writes its fleet snapshot, seconds. */
  fleetMetricsSeconds: 'FLEET_METRICS_SECONDS',
  /** Processor: the region of this regional deployment (leads the fleet row key). */
  serviceRegion: 'SERVICE_REGION',
  /** Processor (warm standby only): pull only while the subscription's oldest unacked message is older, seconds. */
  standbyBacklogAgeSeconds: 'STANDBY_BACKLOG_AGE_SECONDS',
  /** Processor (warm standby only): how often the backlog age is read, seconds. */
  standbyPollSeconds: 'STANDBY_POLL_SECONDS',
  /** Processor (warm standby only): a pulling standby stops after the age stayed below the threshold this long, seconds. */
  standbyCooldownSeconds: 'STANDBY_COOLDOWN_SECONDS',
  /** Analytics: /v1/fleet/live leaves out processor snapshots older than this, seconds. */
  fleetSnapshotMaxAgeSeconds: 'FLEET_SNAPSHOT_MAX_AGE_SECONDS',
  /** Analytics: page-token HMAC secret(s), from Secret Manager. */
  pageTokenSecret: 'PAGE_TOKEN_SECRET',
} as const;

/**
 * The runtime every deployed service targets. nodejs20 was decommissioned on 2026-10-30
 * (gcp-facts.md, "Platform"); nodejs22 is supported until 2027-10-31. Container images
 * carry it in their tag and the services in a `runtime` label.
 */
export const NODE_RUNTIME = 'nodejs22';

/** The seven components; every resource that takes labels carries `component=<one of these>`. */
export type ComponentLabel =
  | 'ingestion'
  | 'stream-processing'
  | 'hot-storage'
  | 'cold-storage'
  | 'analytics'
  | 'dashboard'
  | 'monitoring';
