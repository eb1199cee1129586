/**
 * The design as first proposed for this platform, kept as an environment so the verifier
 * shows why it was rejected. Same spec as prod; the sizing differs:
 * - Dataflow: 20 n1-standard-4 workers autoscaling 10..50;
 * - Bigtable: two clusters of 5 fixed SSD nodes (no autoscaling);
 * - Pub/Sub retention 24 h (topic and subscription);
 * - Bigtable TTL (GC max-age) 7 days;
 * - BigQuery partitions kept 365 days.
 *
 * What the arithmetic says (same rates as prod.ts): Dataflow alone is
 * 20 x (4 x $0.069 + 15 GiB x $0.003557) x 730 h = $4,809/month; Bigtable nodes
 * 2 x 5 x $474.50 = $4,745; with Pub/Sub's ~$2,900 that is over $12,000 before storage.
 * Five fixed nodes write 5 x 9,800 = 49,000 rows/s at 70% CPU, below the 51,667 rows/s a
 * burst brings; a 7-day TTL keeps ~6 TB of SSD per cluster ($2,056/month for two); 365
 * days of partitions hold ~315 TB in BigQuery.
 */
import type { EnvironmentConfig } from './types';
import { PROD_CONFIG } from './prod';
import { PROD_SPEC } from './spec';

const DAY_SECONDS = 86_400;

export const FIRST_PROPOSAL_CONFIG: EnvironmentConfig = {
  ...PROD_CONFIG,
  name: 'first-proposal',
  spec: { ...PROD_SPEC, environment: 'first-proposal' },
  ingestion: {
    ...PROD_CONFIG.ingestion,
    topicRetentionSeconds: DAY_SECONDS,
    subscriptionRetentionSeconds: DAY_SECONDS,
  },
  processing: {
    ...PROD_CONFIG.processing,
    dataflow: {
      ...PROD_CONFIG.processing.dataflow,
      machineType: 'n1-standard-4',
      numWorkers: 20,
      minWorkers: 10,
      maxWorkers: 50,
    },
  },
  hotStorage: {
    ...PROD_CONFIG.hotStorage,
    clusters: [
      { zone: 'us-central1-b', minNodes: 5, maxNodes: 5, cpuTargetPercent: 70, fixedNodes: 5 },
      { zone: 'europe-west1-b', minNodes: 5, maxNodes: 5, cpuTargetPercent: 70, fixedNodes: 5 },
    ],
    eventsMaxAgeHours: 7 * 24,
    aggregatesMaxAgeHours: 7 * 24,
  },
  coldStorage: {
    ...PROD_CONFIG.coldStorage,
    partitionExpirationDays: 365,
  },
  labels: { ...PROD_CONFIG.labels, environment: 'first-proposal' },
};
