import { loadInput, loadTerraformJson } from '../../../../verification/graph/load';
import { buildModel } from '../../../../verification/model';
import { clone, fixture, readFixture } from '../helpers';

const addresses = (model: ReturnType<typeof buildModel>, c: string) =>
  (model.components.get(c as never) ?? []).map((r) => r.address).sort();

describe('model from hand-written Terraform (no labels, no construct paths, neutral names)', () => {
  const graph = loadInput(fixture('synth-hand-written/cdk.tf.json'));
  const model = buildModel(graph);

  it('tells the four Cloud Run services apart by their wiring', () => {
    expect(model.serviceRoles.get('google_cloud_run_v2_service.alpha')).toEqual({ role: 'ingest', evidence: 'publishes to topic google_pubsub_topic.events' });
    expect(model.serviceRoles.get('google_cloud_run_v2_service.bravo')).toEqual({ role: 'processor', evidence: 'reads subscription google_pubsub_subscription.fast' });
    expect(model.serviceRoles.get('google_cloud_run_v2_service.charlie')).toEqual({ role: 'analytics', evidence: 'read by service google_cloud_run_v2_service.delta' });
    expect(model.serviceRoles.get('google_cloud_run_v2_service.delta')).toEqual({ role: 'dashboard', evidence: 'reads service google_cloud_run_v2_service.charlie' });
  });

  it('puts every resource in one of the seven components; support resources join their users', () => {
    expect(addresses(model, 'hot-storage')).toEqual(['google_bigtable_instance.store', 'google_bigtable_table.rows']);
    expect(addresses(model, 'cold-storage')).toEqual(['google_bigquery_dataset.warehouse', 'google_bigquery_table.raw', 'google_bigquery_table.rejects']);
    expect(addresses(model, 'stream-processing')).toEqual([
      'google_cloud_run_v2_service.bravo',
      'google_dataflow_job.copy',
      'google_project_iam_member.flow_worker',
      'google_service_account.sa_b',
      'google_service_account.sa_flow',
      'google_storage_bucket.udf',
      'google_storage_bucket_object.udf',
    ]);
    expect(addresses(model, 'analytics')).toEqual(['google_cloud_run_v2_service.charlie', 'google_service_account.sa_c']);
    expect(addresses(model, 'dashboard')).toEqual(['google_cloud_run_v2_service.delta', 'google_service_account.sa_d']);
    expect(addresses(model, 'monitoring')).toEqual(['google_monitoring_alert_policy.backlog', 'google_monitoring_notification_channel.pager']);
    expect(model.membership.get('google_service_account.sa_a')).toEqual({ component: 'ingestion', evidence: 'used by google_cloud_run_v2_service.alpha' });
    const shared = [...model.membership].filter(([, m]) => m.component === 'shared');
    expect(shared).toEqual([]);
  });

  it('derives all seven flows with no missing hop, following literal names where there is no reference', () => {
    const flow = (name: string) => model.flows.find((f) => f.name === name)!;
    expect(flow('speed')).toEqual({
      name: 'speed',
      hops: ['google_cloud_run_v2_service.alpha', 'google_pubsub_topic.events', 'google_pubsub_subscription.fast', 'google_cloud_run_v2_service.bravo', 'google_bigtable_instance.store'],
      missing: [],
    });
    // `slow` names its topic as a literal "projects/iot-prod/topics/events"; the job names its table "iot-prod:warehouse.raw".
    expect(flow('archive').hops).toEqual(['google_pubsub_topic.events', 'google_pubsub_subscription.slow', 'google_dataflow_job.copy', 'google_bigquery_table.raw']);
    // Each store feeds the analytics service; neither feeds the other.
    expect(flow('serving').hops).toEqual(['google_bigtable_instance.store', 'google_cloud_run_v2_service.charlie']);
    expect(flow('serving-history').hops).toEqual(['google_bigquery_dataset.warehouse', 'google_cloud_run_v2_service.charlie']);
    expect(flow('dashboard').hops).toEqual(['google_cloud_run_v2_service.charlie', 'google_cloud_run_v2_service.delta']);
    expect(flow('monitoring').hops).toEqual(['google_monitoring_alert_policy.backlog', 'google_monitoring_notification_channel.pager']);
    expect(flow('dead-letter').hops).toEqual(['google_pubsub_subscription.fast', 'google_pubsub_topic.poison', 'google_pubsub_subscription.poison_sink', 'google_bigquery_table.rejects']);
    expect(model.flows.flatMap((f) => f.missing)).toEqual([]);
  });
});

describe('flows of a role deployed in two regions', () => {
  it('follow the deployment in the provider\'s home region (it takes the traffic), whatever the address order', () => {
    const doc = clone(readFixture('synth-hand-written/cdk.tf.json')) as { resource: Record<string, Record<string, Record<string, unknown>>> };
    const services = doc.resource.google_cloud_run_v2_service;
    // "a_standby" sorts before "bravo"; it is the same processor in europe-west1.
    services.a_standby = { ...clone(services.bravo), name: 'bravo', location: 'europe-west1' };
    const model = buildModel(loadTerraformJson(doc, 'two-regions.json'));
    expect(model.serviceRoles.get('google_cloud_run_v2_service.a_standby')?.role).toBe('processor');
    expect(model.flows.find((f) => f.name === 'speed')!.hops[3]).toBe('google_cloud_run_v2_service.bravo');
  });
});

describe('model evidence and gaps', () => {
  it('a component label beats the type, and a construct path segment names the component', () => {
    const doc = {
      resource: {
        google_pubsub_topic: { audit: { name: 'audit', labels: { component: 'monitoring' } } },
        google_storage_bucket: { b: { '//': { metadata: { path: 'prod/cold-storage/exports' } }, name: 'exports', location: 'US' } },
      },
    };
    const model = buildModel(loadTerraformJson(doc, 'x.json'));
    expect(model.membership.get('google_pubsub_topic.audit')).toEqual({ component: 'monitoring', evidence: 'label component=monitoring' });
    expect(model.membership.get('google_storage_bucket.b')).toEqual({ component: 'cold-storage', evidence: 'construct path prod/cold-storage/exports' });
  });

  it('names the missing hops by role', () => {
    const doc = clone(readFixture('synth-hand-written/cdk.tf.json')) as { resource: Record<string, Record<string, unknown>> };
    delete doc.resource.google_cloud_run_v2_service.bravo;
    delete doc.resource.google_monitoring_notification_channel;
    const model = buildModel(loadTerraformJson(doc, 'x.json'));
    expect(model.flows.find((f) => f.name === 'speed')!.missing).toEqual(['processor service']);
    expect(model.flows.find((f) => f.name === 'monitoring')!.missing).toEqual(['notification channel']);
  });

  it('classifies a service by its account\'s subscriber grant when it has no reference', () => {
    const doc = {
      resource: {
        google_service_account: { w: { account_id: 'worker' } },
        google_pubsub_subscription: { s: { name: 's', topic: 'projects/p/topics/t' } },
        google_pubsub_subscription_iam_member: { m: { subscription: '${google_pubsub_subscription.s.name}', role: 'roles/pubsub.subscriber', member: 'serviceAccount:${google_service_account.w.email}' } },
        google_cloud_run_v2_service: { x: { name: 'x', location: 'us-central1', template: { service_account: '${google_service_account.w.email}', containers: [{ image: 'i' }] } } },
      },
    };
    const model = buildModel(loadTerraformJson(doc, 'x.json'));
    expect(model.serviceRoles.get('google_cloud_run_v2_service.x')).toEqual({
      role: 'processor',
      evidence: 'its service account subscribes to google_pubsub_subscription.s',
    });
  });
});
