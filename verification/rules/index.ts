/**
 * Every rule the engine runs: one import and one entry per rule, sorted by id.
 * Each file `verification/rules/<rule-id>.ts` exports `rule`; the registry test checks ids
 * are unique, kebab-case and equal to their file names. After adding a rule, run
 * `npm run docs:rules` to regenerate docs/rules.md.
 *
 * Performance: every check runs once per verification (the advice stage runs hundreds), mostly
 * in V8's unoptimized tiers, where a for...of over an array allocates an object per step and,
 * under tsx, a named closure costs a defineProperty each time it is created. So loops over many
 * items (every resource, every result, an attribute tree) are indexed or use forEach, helpers are
 * module-level functions, and work several rules need is kept per graph or topology in support/.
 */
import type { Rule } from '../engine/types';
import { rule as alertOnEveryQueueAndStore } from './alert-on-every-queue-and-store';
import { rule as archiveOneEventPerMessage } from './archive-one-event-per-message';
import { rule as availabilityTarget } from './availability-target';
import { rule as batchJobWithinBound } from './batch-job-within-bound';
import { rule as burstThroughput } from './burst-throughput';
import { rule as cmekWhereConfigured } from './cmek-where-configured';
import { rule as costWithinBudget } from './cost-within-budget';
import { rule as dashboardFreshness } from './dashboard-freshness';
import { rule as dataflowPrivateWorkers } from './dataflow-private-workers';
import { rule as deadLetterCanWork } from './dead-letter-can-work';
import { rule as deadLetterPolicyPresent } from './dead-letter-policy-present';
import { rule as deletionProtectionOnStores } from './deletion-protection-on-stores';
import { rule as eventProcessedWithinBound } from './event-processed-within-bound';
import { rule as exactlyOnceAggregation } from './exactly-once-aggregation';
import { rule as exportSubscriptionCanWrite } from './export-subscription-can-write';
import { rule as instanceCountKnown } from './instance-count-known';
import { rule as latencyP50WithinBound } from './latency-p50-within-bound';
import { rule as latencyP99WithinBound } from './latency-p99-within-bound';
import { rule as noPublicIam } from './no-public-iam';
import { rule as orderingEnabled } from './ordering-enabled';
import { rule as perServiceAccounts } from './per-service-accounts';
import { rule as pullConsumerAlwaysOn } from './pull-consumer-always-on';
import { rule as retentionCoversSpec } from './retention-covers-spec';
import { rule as rpoWithinBound } from './rpo-within-bound';
import { rule as rtoWithinBound } from './rto-within-bound';
import { rule as scalingBoundsOrdered } from './scaling-bounds-ordered';
import { rule as spillBucketReplayed } from './spill-bucket-replayed';
import { rule as statefulResourceNotDestroyed } from './stateful-resource-not-destroyed';
import { rule as supportedRuntimes } from './supported-runtimes';
import { rule as sustainedThroughput } from './sustained-throughput';

export const RULES: readonly Rule[] = [
  alertOnEveryQueueAndStore,
  archiveOneEventPerMessage,
  availabilityTarget,
  batchJobWithinBound,
  burstThroughput,
  cmekWhereConfigured,
  costWithinBudget,
  dashboardFreshness,
  dataflowPrivateWorkers,
  deadLetterCanWork,
  deadLetterPolicyPresent,
  deletionProtectionOnStores,
  eventProcessedWithinBound,
  exactlyOnceAggregation,
  exportSubscriptionCanWrite,
  instanceCountKnown,
  latencyP50WithinBound,
  latencyP99WithinBound,
  noPublicIam,
  orderingEnabled,
  perServiceAccounts,
  pullConsumerAlwaysOn,
  retentionCoversSpec,
  rpoWithinBound,
  rtoWithinBound,
  scalingBoundsOrdered,
  spillBucketReplayed,
  statefulResourceNotDestroyed,
  supportedRuntimes,
  sustainedThroughput,
];
