/**
 * The data-flow paths of the Lambda architecture, as addresses in order, with every hop
 * that could not be found named by its role.
 */
import type { Resource } from '../graph/types';
import { asRecord, readAttr } from '../graph/values';
import type { Flow } from '../engine/types';
import { CLOUD_RUN_TYPES, DATAFLOW_TYPES, SUBSCRIPTION, TOPIC, type ServiceRole } from './classify';
import type { Wiring } from './wiring';

const BIGTABLE_INSTANCE = 'google_bigtable_instance';
const BIGQUERY_DATASET = 'google_bigquery_dataset';
const BIGQUERY_TABLE = 'google_bigquery_table';

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
  const services = wiring.ofType(...CLOUD_RUN_TYPES);
  // A role deployed in several regions: the deployment in its provider's (home) region first,
  // the one that takes the traffic (the analyses order services the same way).
  const home = (s: Resource) => (s.provider?.region !== undefined && s.region === s.provider.region ? 0 : 1);
  const withRole = (role: ServiceRole) => services.filter((s) => serviceRoles.get(s.address)?.role === role).sort((a, b) => home(a) - home(b));
  const roles: FlowRoles = {};

  const jobs = wiring.ofType(...DATAFLOW_TYPES);
  const subscriptions = wiring.ofType(SUBSCRIPTION);
  const topicOf = (s: Resource) => wiring.pointee(s, 'topic', [TOPIC]);
  const deadLetterTopicOf = (s: Resource) => wiring.pointee(s, 'dead_letter_policy.dead_letter_topic', [TOPIC]);
  const deadLetterTopics = new Set(subscriptions.map(deadLetterTopicOf).filter((t): t is Resource => !!t).map((t) => t.address));
  const isBigQuerySubscription = (s: Resource) => asRecord(readAttr(s, 'bigquery_config')) !== undefined;
  const readByJob = (s: Resource) => jobs.some((j) => wiring.targets(j, [SUBSCRIPTION]).some((t) => t.address === s.address));

  // speed: ingest -> topic -> subscription -> processor -> Bigtable
  const processors = withRole('processor');
  roles.processor = processors[0];
  roles.speedSubscription =
    (roles.processor && wiring.targets(roles.processor, [SUBSCRIPTION])[0]) ??
    subscriptions.find((s) => !isBigQuerySubscription(s) && !readByJob(s) && !deadLetterTopics.has(topicOf(s)?.address ?? ''));
  roles.topic = (roles.speedSubscription && topicOf(roles.speedSubscription)) ?? wiring.ofType(TOPIC).find((t) => !deadLetterTopics.has(t.address));
  roles.ingest = withRole('ingest').find((s) => roles.topic && wiring.targets(s, [TOPIC]).some((t) => t.address === roles.topic!.address)) ?? withRole('ingest')[0];
  const instances = wiring.ofType(BIGTABLE_INSTANCE);
  roles.hotInstance = (roles.processor && hotInstanceOf(roles.processor, wiring)) ?? (instances.length === 1 ? instances[0] : instances[0]);
  const speed = new FlowBuilder()
    .add(roles.ingest, 'ingest gateway service')
    .add(roles.topic, 'telemetry topic')
    .add(roles.speedSubscription, 'speed-layer subscription')
    .add(roles.processor, 'processor service')
    .add(roles.hotInstance, 'hot store (Bigtable instance)')
    .build('speed');

  // archive: topic -> subscription -> Dataflow job -> BigQuery table (or a BigQuery subscription)
  roles.archiveJob = jobs[0];
  roles.archiveSubscription =
    (roles.archiveJob && wiring.targets(roles.archiveJob, [SUBSCRIPTION])[0]) ??
    subscriptions.find((s) => s !== roles.speedSubscription && topicOf(s)?.address === roles.topic?.address);
  // The output table parameter first: a job also references its error (dead-letter) table.
  roles.archiveTable =
    (roles.archiveJob && archiveTableByLiteral(roles.archiveJob, wiring)) ??
    (roles.archiveJob && wiring.targets(roles.archiveJob, [BIGQUERY_TABLE]).find((t) => !isErrorTableOf(roles.archiveJob!, t, wiring))) ??
    (roles.archiveSubscription && wiring.pointee(roles.archiveSubscription, 'bigquery_config.table', [BIGQUERY_TABLE]));
  const archiveBySubscription = !roles.archiveJob && roles.archiveSubscription && isBigQuerySubscription(roles.archiveSubscription);
  const archive = new FlowBuilder()
    .add(roles.topic, 'telemetry topic')
    .add(roles.archiveSubscription, 'archive subscription');
  if (!archiveBySubscription) archive.add(roles.archiveJob, 'archive job (Dataflow)');
  archive.add(roles.archiveTable, 'raw events table (BigQuery)');

  // serving: each store -> analytics (recent ranges from Bigtable, history from BigQuery; the
  // stores feed the service side by side, neither feeds the other)
  roles.analytics = withRole('analytics')[0];
  roles.dataset = (roles.archiveTable && wiring.pointee(roles.archiveTable, 'dataset_id', [BIGQUERY_DATASET])) ?? wiring.ofType(BIGQUERY_DATASET)[0];
  const serving = new FlowBuilder().add(roles.hotInstance, 'hot store (Bigtable instance)').add(roles.analytics, 'analytics service').build('serving');
  const servingHistory = new FlowBuilder().add(roles.dataset, 'cold store (BigQuery dataset)').add(roles.analytics, 'analytics service').build('serving-history');

  // dashboard: analytics -> dashboard
  roles.dashboard = withRole('dashboard')[0];
  const dashboard = new FlowBuilder().add(roles.analytics, 'analytics service').add(roles.dashboard, 'dashboard service').build('dashboard');

  // monitoring: alert policies -> notification channels
  const alerts = wiring.ofType('google_monitoring_alert_policy');
  const channels = wiring.ofType('google_monitoring_notification_channel');
  const monitoring = new FlowBuilder();
  if (alerts.length === 0) monitoring.missing.push('alert policy');
  alerts.forEach((a) => monitoring.add(a, 'alert policy'));
  if (channels.length === 0) monitoring.missing.push('notification channel');
  channels.forEach((c) => monitoring.add(c, 'notification channel'));
  wiring.ofType('google_monitoring_dashboard').forEach((d) => monitoring.add(d, 'ops dashboard'));

  // dead-letter: speed subscription -> dead-letter topic -> its subscription -> dead-letter table
  roles.deadLetterTopic = roles.speedSubscription && deadLetterTopicOf(roles.speedSubscription);
  roles.deadLetterSubscription = roles.deadLetterTopic && subscriptions.find((s) => topicOf(s)?.address === roles.deadLetterTopic!.address);
  roles.deadLetterTable = roles.deadLetterSubscription && wiring.pointee(roles.deadLetterSubscription, 'bigquery_config.table', [BIGQUERY_TABLE]);
  const deadLetter = new FlowBuilder()
    .add(roles.speedSubscription, 'speed-layer subscription')
    .add(roles.deadLetterTopic, 'dead-letter topic')
    .add(roles.deadLetterSubscription, 'dead-letter subscription')
    .add(roles.deadLetterTable, 'dead-letter table (BigQuery)')
    .build('dead-letter');

  return { flows: [speed, archive.build('archive'), serving, servingHistory, dashboard, monitoring.build('monitoring'), deadLetter], roles };
}

function hotInstanceOf(processor: Resource, wiring: Wiring): Resource | undefined {
  const direct = wiring.targets(processor, [BIGTABLE_INSTANCE])[0];
  if (direct) return direct;
  const table = wiring.targets(processor, ['google_bigtable_table'])[0];
  return table ? wiring.pointee(table, 'instance_name', [BIGTABLE_INSTANCE]) : undefined;
}

/** The table a job names as its dead-letter (error) output, e.g. the template's `outputDeadletterTable`. */
function isErrorTableOf(job: Resource, table: Resource, wiring: Wiring): boolean {
  return ['parameters.outputDeadletterTable', 'parameters.outputDeadLetterTable'].some((key) => wiring.pointee(job, key, [BIGQUERY_TABLE])?.address === table.address);
}

/** Template parameter `outputTableSpec` = "project:dataset.table", by reference or as a literal. */
function archiveTableByLiteral(job: Resource, wiring: Wiring): Resource | undefined {
  for (const key of ['parameters.outputTableSpec', 'parameters.outputTable', 'parameters.output_table_spec']) {
    const t = wiring.pointee(job, key, [BIGQUERY_TABLE]);
    if (t) return t;
  }
  return undefined;
}

