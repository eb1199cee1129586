/** Security rules on the reference pipeline and on edits that break each of them. */
import { rule as publicIam } from '../../../../verification/rules/no-public-iam';
import { rule as privateWorkers } from '../../../../verification/rules/dataflow-private-workers';
import { rule as deletion } from '../../../../verification/rules/deletion-protection-on-stores';
import { rule as accounts } from '../../../../verification/rules/per-service-accounts';
import { rule as runtimes } from '../../../../verification/rules/supported-runtimes';
import { rule as cmek } from '../../../../verification/rules/cmek-where-configured';
import { check, graphOf, pipelineDoc, set, statuses, testSpec, unset } from '../analyses/support/pipeline';
import { buildModel } from '../../../../verification/model';
import { runAnalyses } from '../../../../verification/analyses';

describe('no-public-iam', () => {
  test('no public member: pass; allUsers invoking the ingest gateway is allowed (authenticated in the app)', () => {
    expect(statuses(check(publicIam, pipelineDoc()))).toEqual(['pass']);
    const doc = pipelineDoc();
    doc.resource.google_cloud_run_v2_service_iam_member = {
      public_ingest: { name: '${google_cloud_run_v2_service.gateway.name}', location: 'us-central1', role: 'roles/run.invoker', member: 'allUsers' },
    };
    expect(statuses(check(publicIam, doc))).toEqual(['pass']);
  });

  test('allAuthenticatedUsers on the dataset fails', () => {
    const doc = pipelineDoc();
    doc.resource.google_bigquery_dataset_iam_member = {
      leak: { dataset_id: '${google_bigquery_dataset.analytics.dataset_id}', role: 'roles/bigquery.dataViewer', member: 'allAuthenticatedUsers' },
    };
    const [f] = check(publicIam, doc);
    expect(f.status).toBe('fail');
    expect(f.address).toBe('google_bigquery_dataset_iam_member.leak');
  });
});

describe('no-public-iam: every way to grant everyone', () => {
  const failedAddresses = (doc: ReturnType<typeof pipelineDoc>) => check(publicIam, doc).filter((f) => f.status === 'fail').map((f) => f.address).sort();

  test('a topic IAM policy whose policy_data comes from a data.google_iam_policy granting allUsers fails', () => {
    const doc = pipelineDoc();
    (doc as Record<string, unknown>).data = { google_iam_policy: { pub: { binding: [{ role: 'roles/pubsub.subscriber', members: ['allUsers'] }] } } };
    doc.resource.google_pubsub_topic_iam_policy = { p: { topic: '${google_pubsub_topic.telemetry.name}', policy_data: '${data.google_iam_policy.pub.policy_data}' } };
    const f = check(publicIam, doc).find((x) => x.address === 'google_pubsub_topic_iam_policy.p')!;
    expect(f.status).toBe('fail');
    expect(f.observed).toBe('allUsers holds roles/pubsub.subscriber');
  });

  test('a literal JSON policy_data is read too; one naming only a service account passes', () => {
    const doc = pipelineDoc();
    doc.resource.google_pubsub_topic_iam_policy = {
      bad: { topic: 'telemetry', policy_data: JSON.stringify({ bindings: [{ role: 'roles/pubsub.viewer', members: ['allAuthenticatedUsers'] }] }) },
      good: { topic: 'telemetry', policy_data: JSON.stringify({ bindings: [{ role: 'roles/pubsub.viewer', members: ['serviceAccount:a@p.iam.gserviceaccount.com'] }] }) },
    };
    const f = check(publicIam, doc);
    expect(f.find((x) => x.address === 'google_pubsub_topic_iam_policy.bad')!.status).toBe('fail');
    expect(f.find((x) => x.address === 'google_pubsub_topic_iam_policy.good')).toBeUndefined();
  });

  test('dataset access entries: google_bigquery_dataset_access special_group allAuthenticatedUsers and an access block iam_member allUsers fail', () => {
    const doc = pipelineDoc();
    doc.resource.google_bigquery_dataset_access = { a: { dataset_id: '${google_bigquery_dataset.analytics.dataset_id}', role: 'READER', special_group: 'allAuthenticatedUsers' } };
    set(doc, 'google_bigquery_dataset', 'analytics', 'access', [{ role: 'OWNER', special_group: 'projectOwners' }, { role: 'READER', iam_member: 'allUsers' }]);
    expect(failedAddresses(doc)).toEqual(['google_bigquery_dataset.analytics', 'google_bigquery_dataset_access.a']);
  });

  test('Cloud Storage ACLs: an access control entity allUsers, an ACL role_entity READER:allUsers and a publicRead canned ACL fail', () => {
    const doc = pipelineDoc();
    doc.resource.google_storage_bucket_access_control = { b: { bucket: '${google_storage_bucket.udf.name}', role: 'READER', entity: 'allUsers' } };
    doc.resource.google_storage_default_object_access_control = { d: { bucket: '${google_storage_bucket.udf.name}', role: 'READER', entity: 'allAuthenticatedUsers' } };
    doc.resource.google_storage_bucket_acl = { acl: { bucket: '${google_storage_bucket.udf.name}', role_entity: ['OWNER:project-owners-1', 'READER:allUsers'] } };
    set(doc, 'google_storage_bucket_object', 'udf', 'predefined_acl', 'publicRead');
    expect(failedAddresses(doc)).toEqual([
      'google_storage_bucket_access_control.b',
      'google_storage_bucket_acl.acl',
      'google_storage_bucket_object.udf',
      'google_storage_default_object_access_control.d',
    ]);
  });

  test('a member known only at apply is unknown unless it is provably a named principal: ${var.reader} and a sensitive member are unknown; serviceAccount:${...} and a service-account reference pass', () => {
    const doc = pipelineDoc();
    doc.resource.google_pubsub_subscription_iam_member = {
      ...(doc.resource.google_pubsub_subscription_iam_member ?? {}),
      byVariable: { subscription: 'telemetry-speed-layer', role: 'roles/pubsub.subscriber', member: '${var.reader}' },
      sensitive: { subscription: 'telemetry-speed-layer', role: 'roles/pubsub.subscriber', member: '(sensitive)' },
      prefixed: { subscription: 'telemetry-speed-layer', role: 'roles/pubsub.subscriber', member: 'serviceAccount:${google_service_account.processor.email}' },
      referenced: { subscription: 'telemetry-speed-layer', role: 'roles/pubsub.subscriber', member: '${google_service_account.processor.member}' },
    };
    const f = check(publicIam, doc);
    const status = (name: string) => f.find((x) => x.address === `google_pubsub_subscription_iam_member.${name}`)?.status;
    expect(status('byVariable')).toBe('unknown');
    expect(status('sensitive')).toBe('unknown');
    expect(status('prefixed')).toBeUndefined();
    expect(status('referenced')).toBeUndefined();
    expect(f.find((x) => x.address === 'google_pubsub_subscription_iam_member.byVariable')!.fix).toMatch(/literal principal/);
  });
});

describe('dataflow-private-workers', () => {
  test('WORKER_IP_PRIVATE passes; unset (public by default) fails', () => {
    expect(statuses(check(privateWorkers, pipelineDoc()))).toEqual(['pass']);
    expect(statuses(check(privateWorkers, unset(pipelineDoc(), 'google_dataflow_job', 'archive', 'ip_configuration')))).toEqual(['fail']);
  });
});

describe('deletion-protection-on-stores', () => {
  test('protected stores pass; an unprotected BigQuery table and Bigtable table fail', () => {
    expect(new Set(statuses(check(deletion, pipelineDoc())))).toEqual(new Set(['pass']));
    const doc = set(pipelineDoc(), 'google_bigquery_table', 'events_raw', 'deletion_protection', false);
    unset(doc, 'google_bigtable_table', 'events', 'deletion_protection');
    const failed = check(deletion, doc).filter((f) => f.status === 'fail').map((f) => f.address).sort();
    expect(failed).toEqual(['google_bigquery_table.events_raw', 'google_bigtable_table.events']);
  });
});

describe('per-service-accounts', () => {
  test('one account per workload passes', () => {
    expect(new Set(statuses(check(accounts, pipelineDoc())))).toEqual(new Set(['pass']));
  });

  test('a workload on the default account and two sharing one fail', () => {
    const doc = unset(pipelineDoc(), 'google_cloud_run_v2_service', 'analytics', 'template.service_account');
    set(doc, 'google_cloud_run_v2_service', 'dashboard', 'template.service_account', '${google_service_account.gateway.email}');
    const failed = check(accounts, doc).filter((f) => f.status === 'fail').map((f) => f.address).sort();
    expect(failed).toEqual(['google_cloud_run_v2_service.analytics', 'google_cloud_run_v2_service.dashboard', 'google_cloud_run_v2_service.gateway']);
  });
});

describe('supported-runtimes', () => {
  test('nodejs22 images pass; a nodejs20 function (decommissioned 2026-10-30) fails', () => {
    expect(new Set(statuses(check(runtimes, pipelineDoc())))).toEqual(new Set(['pass']));
    const doc = pipelineDoc();
    doc.resource.google_cloudfunctions2_function = { f: { name: 'f', location: 'us-central1', build_config: { runtime: 'nodejs20', entry_point: 'h' } } };
    const f = check(runtimes, doc).find((x) => x.address === 'google_cloudfunctions2_function.f')!;
    expect(f.status).toBe('fail');
    expect(f.observed).toBe('nodejs20 (decommissioned 2026-10-30)');
  });

  test('judged on the verification date, not the wall clock: nodejs22 passes on 2027-05-01 (deprecated, warned) and fails on 2027-11-15 (decommissioned 2027-10-31)', () => {
    const [deprecated] = check(runtimes, pipelineDoc(), { today: '2027-05-01' }).filter((f) => f.address === 'google_cloud_run_v2_service.gateway');
    expect(deprecated.status).toBe('pass');
    expect(deprecated.message).toMatch(/deprecated since 2027-04-30/);
    const after = check(runtimes, pipelineDoc(), { today: '2027-11-15' });
    expect(after.find((f) => f.address === 'google_cloud_run_v2_service.gateway')!.status).toBe('fail');
    expect(after.find((f) => f.address === 'google_cloud_run_v2_service.gateway')!.observed).toBe('nodejs22 (decommissioned 2027-10-31)');
  });

  test('without a verification date the runtime is unknown, never judged by the wall clock', () => {
    const doc = pipelineDoc();
    const graph = graphOf(doc);
    const model = buildModel(graph);
    const spec = testSpec();
    const f = runtimes.check({ graph, model, spec, analyses: runAnalyses({ graph, model, spec }) });
    expect(new Set(f.map((x) => x.status))).toEqual(new Set(['unknown']));
  });

  test('a runtime without dates is unknown', () => {
    const doc = pipelineDoc();
    doc.resource.google_cloudfunctions_function = { g: { name: 'g', runtime: 'python312' } };
    expect(check(runtimes, doc).find((x) => x.address === 'google_cloudfunctions_function.g')!.status).toBe('unknown');
  });
});

describe('cmek-where-configured', () => {
  test('no customer-managed key anywhere passes', () => {
    expect(statuses(check(cmek, pipelineDoc()))).toEqual(['pass']);
  });

  test('a key on the topic only: every other store and the job fail', () => {
    const doc = set(pipelineDoc(), 'google_pubsub_topic', 'telemetry', 'kms_key_name', 'projects/p/locations/us/keyRings/r/cryptoKeys/k');
    const f = check(cmek, doc);
    expect(f.find((x) => x.address === 'google_pubsub_topic.telemetry')!.status).toBe('pass');
    expect(f.find((x) => x.address === 'google_bigtable_instance.hot')!.status).toBe('fail');
    expect(f.find((x) => x.address === 'google_dataflow_job.archive')!.status).toBe('fail');
  });
});
