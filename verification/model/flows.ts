/**
 * The data-flow paths of the Lambda architecture, as addresses in order, with every hop
 * that could not be found named by its role.
 */
import type { Resource } from '../graph/types';
import { asRecord, readAttr } from '../graph/values';
import type { Flow } from '../engine/types';
import { CLOUD_RUN_TYPES, DATAFLOW_TYPES, SUBSCRIPTION, TOPIC, type ServiceRole } from './classify';
import type { ResourceTest, Wiring } from './wiring';

const BIGTABLE_INSTANCE = 'google_bigtable_instance';
const BIGQUERY_DATASET = 'google_bigquery_dataset';
const BIGQUERY_TABLE = 'google_bigquery_table';
// Type lists, built once rather than per lookup.
const SUBSCRIPTIONS = [SUBSCRIPTION];
const TOPICS = [TOPIC];
const BIGTABLE_INSTANCES = [BIGTABLE_INSTANCE];
const BIGTABLE_TABLES = ['google_bigtable_table'];
const BIGQUERY_DATASETS = [BIGQUERY_DATASET];
const BIGQUERY_TABLES = [BIGQUERY_TABLE];
const ERROR_TABLE_PARAMETERS = ['parameters.outputDeadletterTable', 'parameters.outputDeadLetterTable'];
const OUTPUT_TABLE_PARAMETERS = ['parameters.outputTableSpec', 'parameters.outputTable', 'parameters.output_table_spec'];

/** Key resources the flows found, for analyses that need them by role. */
export interface FlowRoles {
  ingest?: Resource;
  topic?: Resource;
  speedSubscription?: Resource;
  processor?: Resource;
  hotInstance?: Resource;
  archiveSubscription?: Resource;
  archiveJob?: Resource;
  archiveTable?: Resource;
  dataset?: Resource;
  analytics?: Resource;
  dashboard?: Resource;
  deadLetterTopic?: Resource;
  deadLetterSubscription?: Resource;
  deadLetterTable?: Resource;
}

class FlowBuilder {
  readonly hops: string[] = [];
  readonly missing: string[] = [];
  add(r: Resource | undefined, role: string): this {
    if (r) {
      if (!this.hops.includes(r.address)) this.hops.push(r.address);
    } else {
      this.missing.push(role);
    }
    return this;
  }
  build(name: Flow['name']): Flow {
    return { name, hops: this.hops, missing: this.missing };
  }
}

export function deriveFlows(wiring: Wiring, serviceRoles: Map<string, { role: ServiceRole }>): { flows: Flow[]; roles: FlowRoles } {
  const services = wiring.ofTypes(CLOUD_RUN_TYPES);
  const firstWithRole = (role: ServiceRole, where?: ResourceTest) => firstServiceWithRole(services, serviceRoles, role, where);
  const roles: FlowRoles = {};

  const jobs = wiring.ofTypes(DATAFLOW_TYPES);
  const subscriptions = wiring.ofType(SUBSCRIPTION);
  const topicOf = (s: Resource) => wiring.pointee(s, 'topic', TOPICS);
  const deadLetterTopicOf = (s: Resource) => wiring.pointee(s, 'dead_letter_policy.dead_letter_topic', TOPICS);
  const deadLetterTopics = new Set<string>();
  for (const s of subscriptions) {
    const t = deadLetterTopicOf(s);
    if (t) deadLetterTopics.add(t.address);
  }
  const readByJob = (s: Resource) => jobs.some((j) => wiring.refersTo(j, s));

  // speed: ingest -> topic -> subscription -> processor -> Bigtable
  roles.processor = firstWithRole('processor');
  roles.speedSubscription =
    (roles.processor && wiring.firstTarget(roles.processor, SUBSCRIPTIONS)) ??
    subscriptions.find((s) => !isBigQuerySubscription(s) && !readByJob(s) && !deadLetterTopics.has(topicOf(s)?.address ?? ''));
  roles.topic = (roles.speedSubscription && topicOf(roles.speedSubscription)) ?? wiring.ofType(TOPIC).find((t) => !deadLetterTopics.has(t.address));
  const topic = roles.topic;
  roles.ingest = (topic && firstWithRole('ingest', (s) => wiring.refersTo(s, topic))) ?? firstWithRole('ingest');
  roles.hotInstance = (roles.processor && hotInstanceOf(roles.processor, wiring)) ?? wiring.ofType(BIGTABLE_INSTANCE)[0];
  const speed = new FlowBuilder()
    .add(roles.ingest, 'ingest gateway service')
    .add(roles.topic, 'telemetry topic')
    .add(roles.speedSubscription, 'speed-layer subscription')
    .add(roles.processor, 'processor service')
    .add(roles.hotInstance, 'hot store (Bigtable instance)')
    .build('speed');

  // archive: topic -> subscription -> Dataflow job -> BigQuery table (or a BigQuery subscription)
  const job = jobs[0];
  roles.archiveJob = job;
  roles.archiveSubscription =
    (job && wiring.firstTarget(job, SUBSCRIPTIONS)) ??
    subscriptions.find((s) => s !== roles.speedSubscription && topicOf(s)?.address === roles.topic?.address);
  // The output table parameter first: a job also references its error (dead-letter) table.
  roles.archiveTable =
    (job && archiveTableByLiteral(job, wiring)) ??
    (job && wiring.firstTarget(job, BIGQUERY_TABLES, undefined, (t) => !isErrorTableOf(job, t, wiring))) ??
    (roles.archiveSubscription && wiring.pointee(roles.archiveSubscription, 'bigquery_config.table', BIGQUERY_TABLES));
  const archiveBySubscription = !job && roles.archiveSubscription && isBigQuerySubscription(roles.archiveSubscription);
  const archive = new FlowBuilder()
    .add(roles.topic, 'telemetry topic')
    .add(roles.archiveSubscription, 'archive subscription');
  if (!archiveBySubscription) archive.add(job, 'archive job (Dataflow)');
  archive.add(roles.archiveTable, 'raw events table (BigQuery)');

  // serving: each store -> analytics (recent ranges from Bigtable, history from BigQuery; the
  // stores feed the service side by side, neither feeds the other)
  roles.analytics = firstWithRole('analytics');
  roles.dataset = (roles.archiveTable && wiring.pointee(roles.archiveTable, 'dataset_id', BIGQUERY_DATASETS)) ?? wiring.ofType(BIGQUERY_DATASET)[0];
  const serving = new FlowBuilder().add(roles.hotInstance, 'hot store (Bigtable instance)').add(roles.analytics, 'analytics service').build('serving');
  const servingHistory = new FlowBuilder().add(roles.dataset, 'cold store (BigQuery dataset)').add(roles.analytics, 'analytics service').build('serving-history');

  // dashboard: analytics -> dashboard
  roles.dashboard = firstWithRole('dashboard');
  const dashboard = new FlowBuilder().add(roles.analytics, 'analytics service').add(roles.dashboard, 'dashboard service').build('dashboard');

  // monitoring: alert policies -> notification channels
  const alerts = wiring.ofType('google_monitoring_alert_policy');
  const channels = wiring.ofType('google_monitoring_notification_channel');
  const monitoring = new FlowBuilder();
  if (alerts.length === 0) monitoring.missing.push('alert policy');
  for (const a of alerts) monitoring.add(a, 'alert policy');
  if (channels.length === 0) monitoring.missing.push('notification channel');
  for (const c of channels) monitoring.add(c, 'notification channel');
  for (const d of wiring.ofType('google_monitoring_dashboard')) monitoring.add(d, 'ops dashboard');

  // dead-letter: speed subscription -> dead-letter topic -> its subscription -> dead-letter table
  roles.deadLetterTopic = roles.speedSubscription && deadLetterTopicOf(roles.speedSubscription);
  roles.deadLetterSubscription = roles.deadLetterTopic && subscriptions.find((s) => topicOf(s)?.address === roles.deadLetterTopic!.address);
  roles.deadLetterTable = roles.deadLetterSubscription && wiring.pointee(roles.deadLetterSubscription, 'bigquery_config.table', BIGQUERY_TABLES);
  const deadLetter = new FlowBuilder()
    .add(roles.speedSubscription, 'speed-layer subscription')
    .add(roles.deadLetterTopic, 'dead-letter topic')
    .add(roles.deadLetterSubscription, 'dead-letter subscription')
    .add(roles.deadLetterTable, 'dead-letter table (BigQuery)')
    .build('dead-letter');

  return { flows: [speed, archive.build('archive'), serving, servingHistory, dashboard, monitoring.build('monitoring'), deadLetter], roles };
}

/**
 * The first service of a role (that passes `where`). A role deployed in several regions gives
 * the deployment in its provider's (home) region first, the one that takes the traffic (the
 * analyses order services the same way).
 */
function firstServiceWithRole(
  services: readonly Resource[],
  serviceRoles: Map<string, { role: ServiceRole }>,
  role: ServiceRole,
  where?: ResourceTest,
): Resource | undefined {
  let elsewhere: Resource | undefined;
  for (const s of services) {
    if (serviceRoles.get(s.address)?.role !== role || (where && !where(s))) continue;
    if (s.provider?.region !== undefined && s.region === s.provider.region) return s;
    elsewhere ??= s;
  }
  return elsewhere;
}

function isBigQuerySubscription(s: Resource): boolean {
  return asRecord(readAttr(s, 'bigquery_config')) !== undefined;
}

function hotInstanceOf(processor: Resource, wiring: Wiring): Resource | undefined {
  const direct = wiring.firstTarget(processor, BIGTABLE_INSTANCES);
  if (direct) return direct;
  const table = wiring.firstTarget(processor, BIGTABLE_TABLES);
  return table ? wiring.pointee(table, 'instance_name', BIGTABLE_INSTANCES) : undefined;
}

/** The table a job names as its dead-letter (error) output, e.g. the template's `outputDeadletterTable`. */
function isErrorTableOf(job: Resource, table: Resource, wiring: Wiring): boolean {
  return ERROR_TABLE_PARAMETERS.some((key) => wiring.pointee(job, key, BIGQUERY_TABLES)?.address === table.address);
}

/** Template parameter `outputTableSpec` = "project:dataset.table", by reference or as a literal. */
function archiveTableByLiteral(job: Resource, wiring: Wiring): Resource | undefined {
  for (const key of OUTPUT_TABLE_PARAMETERS) {
    const t = wiring.pointee(job, key, BIGQUERY_TABLES);
    if (t) return t;
  }
  return undefined;
}
