/**
 * Production: the spec of DESIGN.md section 1, sized to meet it at the lowest cost found.
 *
 * Workload (PROD_WORKLOAD): 10,000 events/s sustained, bursts of 50,000 events/s for 60 s
 * (4 a day), 1,000-byte events, one event per Pub/Sub message, 100 events per ingest
 * request, 100,000 devices, 60 s aggregate windows, 6 h hot window.
 *
 * Sizing arithmetic (a month = 730 h = 2,628,000 s):
 *
 * Bigtable writes. The processor writes one raw row per event plus one aggregate row per
 * device and window: 100,000 devices / 60 s = 1,667 rows/s. Every cluster of a replicated
 * instance applies every write, so each cluster takes
 *   sustained 10,000 + 1,667 = 11,667 rows/s, burst 50,000 + 1,667 = 51,667 rows/s.
 * An SSD node serves ~14,000 rows/s of 1 KB; at the 70% CPU target that is 9,800 rows/s.
 *   min nodes = ceil(11,667 / 9,800) = 2 per cluster (59.5% CPU at sustained load);
 *   max nodes = ceil(51,667 / 9,800) = 6 per cluster (the burst rate at <= 70% CPU).
 * The burst is buffered, not provisioned: the autoscaler needs minutes, a burst lasts 60 s.
 * Two nodes at full CPU write 28,000 rows/s, so a burst leaves a backlog of
 * (51,667 - 28,000) x 60 = 1.42 M rows in Pub/Sub that drains at 28,000 - 11,667 =
 * 16,333 rows/s in ~87 s. The oldest unacked message is then ~150 s old at worst, below
 * the 300 s backlog alert and far below the 7-day subscription retention; nothing is lost.
 * The p99 <= 100 ms bound is for sustained load (spec assumption `burst-buffered`).
 *
 * Speed-layer processor (Cloud Run, pull subscriber). Assumed ~2,000 events/s per vCPU
 * (decode, validate, build mutations; measured by bench/ in the data-plane issue):
 *   min 4 x 2 vCPU = 16,000 events/s (62.5% busy at 10,000); max 16 x 2 vCPU = 64,000.
 * Ingest gateway: 10,000 / 100 = 100 requests/s sustained, 500 in a burst; ~10 ms CPU per
 * request of 100 events gives 1 vCPU busy sustained: min 2 x 1 vCPU (zonal redundancy),
 * max 20.
 * Dataflow archive: assumed ~2,000 events/s per vCPU for the map-only UDF template:
 *   3 x n1-standard-2 = 12,000 events/s; max 10 workers = 40,000 events/s drains a burst.
 *
 * Monthly cost estimate (expected; list prices from gcp-facts.md). Events per month:
 * 10,000 x 2,628,000 + 4 bursts x 30.4 days x 60 s x 40,000 extra = 26.57 G = 24.2 TiB.
 *   Pub/Sub publish + 2 subscription deliveries: 3 x 24.2 TiB x $40       ~ $2,900
 *   Pub/Sub topic retention 1 h: 36 GB x $0.27                          ~     $9
 *   Bigtable nodes: 2 clusters x 2 nodes x 730 h x $0.65 = $1,898; bursts
 *     scale up for ~2 h a day (+4 nodes x 2 clusters x 2 h x 30.4 x $0.65) ~ $2,214
 *   Bigtable SSD storage: (6 h x 36 GB events + 24 h x 28.8 GB aggregates)
 *     x 2 clusters x $0.17                                               ~    $83
 *   Dataflow: 3 x (2 vCPU x $0.069 + 7.5 GiB x $0.003557) x 730 = $361,
 *     Streaming Engine 24,750 GiB x $0.018 = $446, disks $4              ~   $811
 *   BigQuery storage: 31 partitions x 864 GB x $0.023                   ~   $616
 *   BigQuery Storage Write API: (24,750 - 2,048 free) GiB x $0.025      ~   $568
 *   Batch-view scheduled query: 720 runs x ~18 GB scanned x $6.25/TiB   ~    $80
 *   Cloud Run: processor 4 x 2 vCPU always on $420, gateway 2 x 1 vCPU $100,
 *     analytics $60, dashboard $30                                       ~   $610
 *   Monitoring, logging, Secret Manager, the UDF bucket                 ~    $50
 *   Total                                                               ~ $7,941 (<= $8,000)
 * Bigtable GC runs asynchronously (up to a week behind the max-age rule), so storage can
 * exceed the hot-window figure; every extra day of lag costs ~ 2 x 864 GB x $0.17 = $294.
 *
 * Availability: Bigtable replicated across two regions with multi-cluster routing is
 * 99.99% (SLA); Pub/Sub 99.95% and Cloud Run 99.95% per region are buffered hops.
 * Retention: BigQuery partitions expire after 31 days, because a partition's expiry counts
 * from its day's start: an event written at 23:59 then still lives > 30 days.
 */
import type { EnvironmentConfig } from './types';
import { NODE_RUNTIME } from './names';
import { PROD_SPEC } from './spec';

const PROJECT = 'iot-pipeline-prod';
const REGION = 'us-central1';
const REGISTRY = `${REGION}-docker.pkg.dev/${PROJECT}/iot`;
const IMAGE_VERSION = `0.1.0-${NODE_RUNTIME}`;

export const PROD_CONFIG: EnvironmentConfig = {
  name: 'prod',
  project: PROJECT,
  region: REGION,
  secondary: { region: 'europe-west1', minInstances: 1 },
  bigQueryLocation: 'US',
  spec: PROD_SPEC,
  images: {
    ingest: `${REGISTRY}/ingest-gateway:${IMAGE_VERSION}`,
    processor: `${REGISTRY}/speed-processor:${IMAGE_VERSION}`,
    analytics: `${REGISTRY}/analytics-api:${IMAGE_VERSION}`,
    dashboard: `${REGISTRY}/dashboard:${IMAGE_VERSION}`,
  },
  ingestion: {
    // 1 h lets a recreated subscription seek back past an operator error (RPO 5 min,
    // RTO 15 min) for ~$9/month; a day would cost ~$220.
    topicRetentionSeconds: 3_600,
    // The maximum: a processor outage of up to 7 days loses nothing. Unacked messages
    // are not billed for storage.
    subscriptionRetentionSeconds: 604_800,
    ackDeadlineSeconds: 60,
    maxDeliveryAttempts: 10,
    minRetryBackoffSeconds: 10,
    maxRetryBackoffSeconds: 600,
    exactlyOnceDelivery: true,
    messageOrdering: true,
    gateway: { minInstances: 2, maxInstances: 20, cpu: 1, memory: '512Mi', concurrency: 80, cpuAlwaysAllocated: true },
    spillBucket: { location: 'US', deleteAfterDays: 7 },
  },
  processing: {
    processor: { minInstances: 4, maxInstances: 16, cpu: 2, memory: '2Gi', concurrency: 1, cpuAlwaysAllocated: true },
    processorMaxOutstandingMessages: 1_000,
    dataflow: {
      machineType: 'n1-standard-2',
      numWorkers: 3,
      maxWorkers: 10,
      enableStreamingEngine: true,
      useStorageWriteApi: true,
      privateIps: true,
    },
  },
  hotStorage: {
    storageType: 'SSD',
    clusters: [
      { zone: 'us-central1-b', minNodes: 2, maxNodes: 6, cpuTargetPercent: 70 },
      { zone: 'europe-west1-b', minNodes: 2, maxNodes: 6, cpuTargetPercent: 70 },
    ],
    multiClusterRouting: true,
    eventsMaxAgeHours: 6,
    aggregatesMaxAgeHours: 24,
    deletionProtection: true,
  },
  coldStorage: {
    partitionExpirationDays: 31,
    deletionProtection: true,
    batchViewSchedule: 'every 1 hours',
    eventsRawPartitioning: 'HOUR',
    replicaLocation: 'europe-west1',
  },
  analytics: { minInstances: 1, maxInstances: 10, cpu: 1, memory: '1Gi', concurrency: 40, cpuAlwaysAllocated: false, bigQueryFallback: true },
  dashboard: { minInstances: 1, maxInstances: 4, cpu: 1, memory: '512Mi', concurrency: 80, cpuAlwaysAllocated: false, refreshSeconds: 2 },
  monitoring: {
    notificationEmail: 'iot-oncall@example.com',
    // A 60 s burst drains in ~87 s (see above): 300 s means a real stall, and matches RPO 5 min.
    backlogAgeThresholdSeconds: 300,
    processorErrorRatePerSecond: 1,
    dataflowFreshnessThresholdSeconds: 300,
    // The autoscaler holds CPU at 70%; 80% means it is at its ceiling.
    bigtableCpuThresholdPercent: 80,
  },
  access: { dashboardViewers: ['group:iot-operators@example.com'] },
  labels: { environment: 'prod', system: 'iot-pipeline', 'managed-by': 'cdktf' },
};
