/** Invariant rules: dead letters that can work, exactly-once aggregation, ordering, alerts. */
import { rule as deadLetter } from '../../../../verification/rules/dead-letter-can-work';
import { rule as exactlyOnce } from '../../../../verification/rules/exactly-once-aggregation';
import { rule as ordering } from '../../../../verification/rules/ordering-enabled';
import { rule as alerts } from '../../../../verification/rules/alert-on-every-queue-and-store';
import { check, pipelineDoc, set, statuses, unset } from '../analyses/support/pipeline';

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
    expect(msgs.some((m) => /no retry policy/.test(m))).toBe(true);
    expect(msgs.some((m) => /600 s, less than the RTO/.test(m))).toBe(true);
  });

  test('no dead-letter policy fails', () => {
    const doc = unset(pipelineDoc(), 'google_pubsub_subscription', 'speed', 'dead_letter_policy');
    expect(check(deadLetter, doc).find((x) => x.status === 'fail')!.observed).toBe('no dead_letter_policy');
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
