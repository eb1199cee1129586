/** Invariant rules: dead letters that can work, exactly-once aggregation, ordering, alerts. */
import { rule as deadLetter } from '../../../../verification/rules/dead-letter-can-work';
import { rule as policyPresent } from '../../../../verification/rules/dead-letter-policy-present';
import { rule as exactlyOnce } from '../../../../verification/rules/exactly-once-aggregation';
import { rule as ordering } from '../../../../verification/rules/ordering-enabled';
import { rule as alerts } from '../../../../verification/rules/alert-on-every-queue-and-store';
import { rule as exportWrite } from '../../../../verification/rules/export-subscription-can-write';
import { rule as spill } from '../../../../verification/rules/spill-bucket-replayed';
import { rule as deletion } from '../../../../verification/rules/deletion-protection-on-stores';
import { check, pipelineDoc, set, statuses, unset } from '../analyses/support/pipeline';

const AGENT = 'serviceAccount:service-${data.google_project.project.number}@gcp-sa-pubsub.iam.gserviceaccount.com';

/** The reference pipeline with the gateway's spill bucket (SPILL_BUCKET), replayed in-process by the gateway's account. */
function withSpillBucket(o: { grant?: boolean; deleteAfterDays?: number; forceDestroy?: boolean } = {}) {
  const doc = pipelineDoc();
  doc.resource.google_storage_bucket.spill = {
    name: 'spill',
    location: 'US',
    force_destroy: o.forceDestroy ?? false,
    lifecycle_rule: [{ condition: { age: o.deleteAfterDays ?? 7 }, action: { type: 'Delete' } }],
  };
  set(doc, 'google_cloud_run_v2_service', 'gateway', 'template.service_account', '${google_service_account.gateway.email}');
  set(doc, 'google_cloud_run_v2_service', 'gateway', 'template.containers.env', [
    { name: 'TELEMETRY_TOPIC', value: '${google_pubsub_topic.telemetry.name}' },
    { name: 'SPILL_BUCKET', value: '${google_storage_bucket.spill.name}' },
  ]);
  if (o.grant ?? true) {
    doc.resource.google_storage_bucket_iam_member = {
      gateway_spill: { bucket: '${google_storage_bucket.spill.name}', role: 'roles/storage.objectUser', member: 'serviceAccount:${google_service_account.gateway.email}' },
    };
  }
  return doc;
}

describe('dead-letter-can-work', () => {
  test('passes: agent publishes to the DL topic and subscribes to the source, a BigQuery subscription reads dead letters', () => {
    const f = check(deadLetter, pipelineDoc());
    expect(statuses(f)).toEqual(['pass']);
    expect(f[0].address).toBe('google_pubsub_subscription.speed');
  });

  test('removing the service agent grants fails twice, naming the topic and the subscription', () => {
    const doc = pipelineDoc();
    delete doc.resource.google_pubsub_topic_iam_member;
    delete doc.resource.google_pubsub_subscription_iam_member;
    const failed = check(deadLetter, doc).filter((x) => x.status === 'fail');
    expect(failed.map((x) => x.address).sort()).toEqual(['google_pubsub_subscription.speed', 'google_pubsub_topic.dead_letter']);
    expect(failed.every((x) => /gcp-sa-pubsub/.test(String(x.fix)))).toBe(true);
  });

  test('a project-level publisher + subscriber grant to the agent counts', () => {
    const doc = pipelineDoc();
    delete doc.resource.google_pubsub_topic_iam_member;
    delete doc.resource.google_pubsub_subscription_iam_member;
    const member = 'serviceAccount:service-${data.google_project.project.number}@gcp-sa-pubsub.iam.gserviceaccount.com';
    doc.resource.google_project_iam_member = {
      pub: { project: 'p', role: 'roles/pubsub.publisher', member },
      sub: { project: 'p', role: 'roles/pubsub.subscriber', member },
    };
    expect(statuses(check(deadLetter, doc))).toEqual(['pass']);
  });

  test('dead letters nobody reads fail', () => {
    const doc = unset(pipelineDoc(), 'google_pubsub_subscription', 'dead_letter_archive');
    expect(check(deadLetter, doc).find((x) => x.status === 'fail')!.message).toMatch(/nothing reads google_pubsub_topic.dead_letter/);
  });

  test('no retry policy, and a backlog kept less than the 15 min RTO, fail', () => {
    const doc = unset(pipelineDoc(), 'google_pubsub_subscription', 'speed', 'retry_policy');
    set(doc, 'google_pubsub_subscription', 'speed', 'message_retention_duration', '600s');
    const msgs = check(deadLetter, doc).filter((x) => x.status === 'fail').map((x) => x.message);
    expect(msgs).toContain('google_pubsub_subscription.speed redelivers failures immediately (no retry policy), spending its delivery attempts before the dead-letter limit in a tight loop');
    expect(msgs.some((m) => /600 s, less than the RTO/.test(m))).toBe(true);
  });

  test('a retention or ack deadline known only after apply is unknown, not judged as its default', () => {
    for (const [path, value] of [['message_retention_duration', '${var.retention}'], ['ack_deadline_seconds', '${var.ack}'], ['message_retention_duration', '1 day']] as const) {
      const doc = set(pipelineDoc(), 'google_pubsub_subscription', 'speed', path, value);
      const f = check(deadLetter, doc).find((x) => x.address === 'google_pubsub_subscription.speed')!;
      expect([f.status, f.observed, f.fix]).toEqual(['unknown', `${path} known only after apply (or unreadable)`, `write ${path} as a literal`]);
    }
  });

  test('a missing policy is dead-letter-policy-present\'s finding, reported once: this rule judges a policy that exists', () => {
    const doc = unset(pipelineDoc(), 'google_pubsub_subscription', 'speed', 'dead_letter_policy');
    expect(check(policyPresent, doc).find((x) => x.address === 'google_pubsub_subscription.speed')!.status).toBe('fail');
    const [f] = check(deadLetter, doc);
    expect([f.status, f.observed]).toEqual(['pass', 'no dead-letter policy to judge']);
    expect(f.message).toMatch(/reported by dead-letter-policy-present/);
  });
});

describe('dead-letter-can-work on push and export subscriptions', () => {
  test('a BigQuery subscription on the event topic without a dead-letter policy fails (a refused write is retried until retention drops it)', () => {
    const doc = pipelineDoc();
    doc.resource.google_pubsub_subscription.export = { name: 'telemetry-export', topic: '${google_pubsub_topic.telemetry.id}', bigquery_config: { table: 'p.iot_analytics.events_raw' } };
    expect(check(policyPresent, doc).find((x) => x.address === 'google_pubsub_subscription.export')?.status).toBe('fail');
    // The export's other delivery settings are still judged here (it has no retry policy either).
    const f = check(deadLetter, doc).find((x) => x.address === 'google_pubsub_subscription.export' && x.status === 'fail');
    expect(f?.observed).toBe('no retry_policy');
    // No dead-letter policy: no attempts are counted, so none are "burnt"; the retry loop is the problem.
    expect(f?.message).toBe('google_pubsub_subscription.export redelivers failures immediately (no retry policy), retrying a failing message in a tight loop');
  });

  test('the BigQuery subscription draining the dead-letter topic is the end of the path, not judged here', () => {
    expect(check(deadLetter, pipelineDoc()).map((x) => x.address)).toEqual(['google_pubsub_subscription.speed']);
  });
});

describe('export-subscription-can-write', () => {
  test('the dead-letter archive subscription without a write grant for the Pub/Sub agent fails, naming the table and the role', () => {
    const [f] = check(exportWrite, pipelineDoc());
    expect(f).toMatchObject({ status: 'fail', address: 'google_pubsub_subscription.dead_letter_archive' });
    expect(f.message).toMatch(/cannot write google_bigquery_table.dead_letter: .*dead letters/);
    expect(f.fix).toMatch(/roles\/bigquery.dataEditor on google_bigquery_table.dead_letter/);
  });

  test('a table grant or a dataset grant to the agent passes; a viewer role does not', () => {
    const table = pipelineDoc();
    table.resource.google_bigquery_table_iam_member = { agent: { dataset_id: 'iot_analytics', table_id: '${google_bigquery_table.dead_letter.table_id}', role: 'roles/bigquery.dataEditor', member: AGENT } };
    expect(statuses(check(exportWrite, table))).toEqual(['pass']);
    const dataset = pipelineDoc();
    dataset.resource.google_bigquery_dataset_iam_member = { agent: { dataset_id: '${google_bigquery_dataset.analytics.dataset_id}', role: 'roles/bigquery.dataEditor', member: AGENT } };
    expect(statuses(check(exportWrite, dataset))).toEqual(['pass']);
    const viewer = pipelineDoc();
    viewer.resource.google_bigquery_table_iam_member = { agent: { dataset_id: 'iot_analytics', table_id: '${google_bigquery_table.dead_letter.table_id}', role: 'roles/bigquery.dataViewer', member: AGENT } };
    expect(statuses(check(exportWrite, viewer))).toEqual(['fail']);
  });

  test('a subscription writing as its own service account needs the grant for that account, not the agent', () => {
    const doc = set(pipelineDoc(), 'google_pubsub_subscription', 'dead_letter_archive', 'bigquery_config.service_account_email', '${google_service_account.dataflow.email}');
    doc.resource.google_bigquery_table_iam_member = { agent: { dataset_id: 'iot_analytics', table_id: '${google_bigquery_table.dead_letter.table_id}', role: 'roles/bigquery.dataEditor', member: AGENT } };
    expect(statuses(check(exportWrite, doc))).toEqual(['fail']);
    doc.resource.google_bigquery_table_iam_member.sa = { dataset_id: 'iot_analytics', table_id: '${google_bigquery_table.dead_letter.table_id}', role: 'roles/bigquery.dataEditor', member: 'serviceAccount:${google_service_account.dataflow.email}' };
    expect(statuses(check(exportWrite, doc))).toEqual(['pass']);
  });
});

describe('spill-bucket-replayed', () => {
  test('the gateway may read and delete spilled objects, kept 7 d > the 15 min RTO: pass', () => {
    const [f] = check(spill, withSpillBucket());
    expect(f).toMatchObject({ status: 'pass', address: 'google_storage_bucket.spill' });
    expect(f.observed).toMatch(/replayed by google_cloud_run_v2_service.gateway .*deleted after 7 d/);
  });

  test('no workload may read and delete the objects: fail; a lifecycle that deletes them the same day (age 0) before an outage of the RTO ends: fail', () => {
    expect(check(spill, withSpillBucket({ grant: false }))[0]).toMatchObject({ status: 'fail', observed: 'no workload may read and delete its objects' });
    expect(check(spill, withSpillBucket({ deleteAfterDays: 0 }))[0]).toMatchObject({ status: 'fail', observed: 'spilled objects deleted after 0 d' });
  });

  test('without a spill bucket there is nothing to replay', () => {
    expect(check(spill, pipelineDoc())[0].observed).toBe('no spill bucket');
  });
});

describe('deletion protection on the spill bucket', () => {
  test('force_destroy on the bucket holding spilled events fails; the UDF bucket is not a store of events', () => {
    const f = check(deletion, withSpillBucket({ forceDestroy: true }));
    expect(f.find((x) => x.address === 'google_storage_bucket.spill')).toMatchObject({ status: 'fail', expected: 'force_destroy = false' });
    expect(f.find((x) => x.address === 'google_storage_bucket.udf')).toBeUndefined();
    expect(check(deletion, withSpillBucket()).find((x) => x.address === 'google_storage_bucket.spill')!.status).toBe('pass');
  });
});

describe('exactly-once-aggregation', () => {
  test('exactly-once delivery into Bigtable, and the archive in exactly-once mode with the Write API, pass', () => {
    expect(statuses(check(exactlyOnce, pipelineDoc()))).toEqual(['pass', 'pass']);
  });

  test('without exactly-once delivery the idempotent sink alone is not credited', () => {
    const doc = set(pipelineDoc(), 'google_pubsub_subscription', 'speed', 'enable_exactly_once_delivery', false);
    const f = check(exactlyOnce, doc).find((x) => x.address === 'google_pubsub_subscription.speed')!;
    expect(f.status).toBe('fail');
    expect(f.fix).toMatch(/enable_exactly_once_delivery/);
  });

  test('exactly-once delivery known only after apply is unknown, never "off"; with no idempotent sink it fails on the sink alone', () => {
    const doc = set(pipelineDoc(), 'google_pubsub_subscription', 'speed', 'enable_exactly_once_delivery', '${var.exactly_once}');
    const f = check(exactlyOnce, doc).find((x) => x.address === 'google_pubsub_subscription.speed')!;
    expect([f.status, f.message]).toEqual(['unknown', 'google_pubsub_subscription.speed: enable_exactly_once_delivery is known only after apply, so whether redeliveries can double-count is unknown']);
    expect(f.fix).toBe('write enable_exactly_once_delivery = true as a literal');
    const env = (doc.resource.google_cloud_run_v2_service.processor as { template: { containers: { env: { name: string }[] } } }).template.containers.env;
    env.splice(env.findIndex((e) => e.name === 'BIGTABLE_AGGREGATES_TABLE'), 1);
    const noSink = check(exactlyOnce, doc).find((x) => x.address === 'google_pubsub_subscription.speed')!;
    expect(noSink.status).toBe('fail');
    expect(noSink.message).not.toMatch(/is off/);
    expect(noSink.observed).toMatch(/^exactly-once delivery known only after apply; idempotent sink none/);
  });

  test('processors pulling from two regions at once: exactly-once delivery holds only within a region, so it fails; a standby at min 0 pulls only after a failover and passes', () => {
    const doc = pipelineDoc();
    const standby = JSON.parse(JSON.stringify(doc.resource.google_cloud_run_v2_service.processor)) as Record<string, unknown>;
    standby.location = 'europe-west1';
    (standby.template as { scaling: Record<string, number> }).scaling.min_instance_count = 1;
    doc.resource.google_cloud_run_v2_service.processor_eu = standby;
    const f = check(exactlyOnce, doc).find((x) => x.address === 'google_pubsub_subscription.speed')!;
    expect(f.status).toBe('fail');
    expect(f.message).toMatch(/processors in us-central1 and europe-west1 pull it at the same time/);
    expect(f.fix).toMatch(/gate the standby processor on the backlog age \(STANDBY_BACKLOG_AGE_SECONDS/);
    (standby.template as { scaling: Record<string, number> }).scaling.min_instance_count = 0;
    expect(check(exactlyOnce, doc).find((x) => x.address === 'google_pubsub_subscription.speed')!.status).toBe('pass');
  });

  /** A warm europe-west1 standby (1 instance) gated on a backlog older than `threshold` s. */
  const gatedStandby = (threshold: number) => {
    const doc = pipelineDoc();
    const standby = JSON.parse(JSON.stringify(doc.resource.google_cloud_run_v2_service.processor)) as { location: string; template: { scaling: Record<string, number>; containers: { env: { name: string; value: string }[] } } };
    standby.location = 'europe-west1';
    standby.template.scaling.min_instance_count = 1;
    standby.template.containers.env.push({ name: 'STANDBY_BACKLOG_AGE_SECONDS', value: String(threshold) }, { name: 'STANDBY_POLL_SECONDS', value: '30' });
    doc.resource.google_cloud_run_v2_service.processor_eu = standby as never;
    return doc;
  };

  test('a gated warm standby is not an always-pulling processor: exactly-once credited, the takeover (its region pulls) stated, not failed', () => {
    const f = check(exactlyOnce, gatedStandby(300), { workload: { burstsPerDay: 4 } }).find((x) => x.address === 'google_pubsub_subscription.speed')!;
    expect(f.status).toBe('pass');
    expect(f.observed).toMatch(/^exactly-once delivery on, pulled from us-central1;/);
    expect(f.message).toMatch(/during a takeover \(backlog older than the standby's STANDBY_BACKLOG_AGE_SECONDS\) google_cloud_run_v2_service\.processor_eu in europe-west1 pulls instead: exactly-once delivery and ordering hold within the region that pulls/);
    expect((f.evidence as { pullingRegions: string[] }).pullingRegions).toEqual(['us-central1']);
  });

  test('a gated standby whose threshold (30 s) is under the longest burst wait (57.9 s) pulls beside the primary in every burst: fail, raise the threshold', () => {
    const f = check(exactlyOnce, gatedStandby(30), { workload: { burstsPerDay: 4 } }).find((x) => x.address === 'google_pubsub_subscription.speed')!;
    expect(f.status).toBe('fail');
    expect(f.message).toMatch(/processors in us-central1 and europe-west1 pull it at the same time \(the standby google_cloud_run_v2_service\.processor_eu \(europe-west1\) will pull during bursts: a burst's backlog reaches 57\.9 s > its 30 s threshold\)/);
    expect(f.fix).toBe('raise STANDBY_BACKLOG_AGE_SECONDS of google_cloud_run_v2_service.processor_eu above the longest burst backlog age (58 s) so it pulls only when the primary region is lost');
  });

  test('a processor naming only the instance, not an aggregate table, has no idempotent sink credited', () => {
    const doc = pipelineDoc();
    const env = (doc.resource.google_cloud_run_v2_service.processor.template as { containers: { env: { name: string }[] } }).containers.env;
    (doc.resource.google_cloud_run_v2_service.processor.template as { containers: { env: { name: string }[] } }).containers.env = env.filter((e) => e.name !== 'BIGTABLE_AGGREGATES_TABLE');
    const f = check(exactlyOnce, doc).find((x) => x.address === 'google_pubsub_subscription.speed')!;
    expect(f.status).toBe('fail');
    expect(f.message).toMatch(/writes no aggregate table/);
  });

  test('the archive job in at-least-once streaming mode fails', () => {
    const doc = set(pipelineDoc(), 'google_dataflow_job', 'archive', 'additional_experiments', ['streaming_mode_at_least_once']);
    expect(check(exactlyOnce, doc).find((x) => x.address === 'google_dataflow_job.archive')!.status).toBe('fail');
  });
});

describe('ordering-enabled', () => {
  test('the processor subscription orders by key: pass; turned off: fail', () => {
    expect(statuses(check(ordering, pipelineDoc()))).toEqual(['pass']);
    const doc = set(pipelineDoc(), 'google_pubsub_subscription', 'speed', 'enable_message_ordering', false);
    expect(statuses(check(ordering, doc))).toEqual(['fail']);
  });
});

describe('alert-on-every-queue-and-store: alerts must notify, the spill bucket must be watched', () => {
  test('a policy without a notification channel does not count', () => {
    const doc = unset(pipelineDoc(), 'google_monitoring_alert_policy', 'bigtable_cpu', 'notification_channels');
    const f = check(alerts, doc).find((x) => x.address === 'google_bigtable_instance.hot')!;
    expect(f.status).toBe('fail');
    expect(f.message).toMatch(/watched only by google_monitoring_alert_policy.bigtable_cpu, with no notification channel/);
    expect(f.fix).toMatch(/notification_channels/);
  });

  test('the bucket the gateway spills to needs an alert; an object-count alert on gcs_bucket watches it', () => {
    const doc = withSpillBucket();
    expect(check(alerts, doc).find((x) => x.address === 'google_storage_bucket.spill')!.status).toBe('fail');
    doc.resource.google_monitoring_alert_policy.spill = {
      display_name: 'spilled events waiting',
      combiner: 'OR',
      notification_channels: ['${google_monitoring_notification_channel.email.name}'],
      conditions: [{ display_name: 'objects', condition_threshold: { filter: 'resource.type = "gcs_bucket" AND resource.labels.bucket_name = "spill" AND metric.type = "storage.googleapis.com/storage/object_count"', comparison: 'COMPARISON_GT', duration: '600s', threshold_value: 0 } }],
    };
    expect(check(alerts, doc).find((x) => x.address === 'google_storage_bucket.spill')!.status).toBe('pass');
    // The UDF bucket holds no events and needs no alert.
    expect(check(alerts, doc).find((x) => x.address === 'google_storage_bucket.udf')).toBeUndefined();
  });
});

describe('alert-on-every-queue-and-store', () => {
  test('a type-wide backlog alert covers every subscription; Bigtable and the dataset (via its Dataflow writer) are watched', () => {
    const f = check(alerts, pipelineDoc());
    expect(new Set(statuses(f))).toEqual(new Set(['pass']));
    expect(f.find((x) => x.address === 'google_bigquery_dataset.analytics')!.observed).toMatch(/via writer/);
  });

  test('without the Bigtable alert the hot store fails; a backlog alert filtered to one subscription leaves the others uncovered', () => {
    const doc = pipelineDoc();
    delete doc.resource.google_monitoring_alert_policy.bigtable_cpu;
    const conditions = doc.resource.google_monitoring_alert_policy.backlog.conditions as { condition_threshold: { filter: string } }[];
    conditions[0].condition_threshold.filter =
      'resource.type = "pubsub_subscription" AND resource.labels.subscription_id = "${google_pubsub_subscription.speed.name}"';
    const failed = check(alerts, doc).filter((x) => x.status === 'fail').map((x) => x.address).sort();
    expect(failed).toEqual(['google_bigtable_instance.hot', 'google_pubsub_subscription.archive', 'google_pubsub_subscription.dead_letter_archive']);
  });
});
