import { ref, synthesizeEnvironment } from './synth-helpers';

const prod = synthesizeEnvironment('prod');
const pubsubAgent = () => 'serviceAccount:service-${data.google_project.project.number}@gcp-sa-pubsub.iam.gserviceaccount.com';

describe('ingestion: topics', () => {
  it('validates telemetry against the AVRO schema and keeps it 1 h', () => {
    const schema = prod.at('google_pubsub_schema', 'ingestion/schema');
    expect(schema.body['name']).toBe('telemetry-event');
    expect(schema.body['type']).toBe('AVRO');
    const definition = JSON.parse(schema.body['definition']);
    // The data plane's wire event; no unions, so attributes is always present.
    expect(definition.fields).toEqual([
      { name: 'eventId', type: 'string' },
      { name: 'deviceId', type: 'string' },
      { name: 'type', type: 'string' },
      { name: 'eventTime', type: 'string' },
      { name: 'metrics', type: { type: 'map', values: 'double' } },
      { name: 'attributes', type: { type: 'map', values: 'string' } },
    ]);
    const topic = prod.at('google_pubsub_topic', 'ingestion/telemetry-topic');
    expect(topic.body['name']).toBe('telemetry');
    expect(topic.body['schema_settings']).toEqual({ schema: ref(schema, 'id'), encoding: 'JSON' });
    expect(topic.body['message_retention_duration']).toBe('3600s');
    expect(topic.body['labels']).toMatchObject({ component: 'ingestion', environment: 'prod' });
  });
});

describe('ingestion: speed-layer subscription', () => {
  const speed = prod.at('google_pubsub_subscription', 'ingestion/speed-subscription').body;
  const deadLetterTopic = prod.at('google_pubsub_topic', 'ingestion/dead-letter-topic');

  it('keeps per-device order and delivers exactly once', () => {
    expect(speed['name']).toBe('telemetry-speed-layer');
    expect(speed['enable_message_ordering']).toBe(true);
    expect(speed['enable_exactly_once_delivery']).toBe(true);
    expect(speed['ack_deadline_seconds']).toBe(60);
  });

  it('dead-letters after 10 attempts with 10..600 s backoff and retains 7 days', () => {
    expect(speed['dead_letter_policy']).toEqual({ dead_letter_topic: ref(deadLetterTopic, 'id'), max_delivery_attempts: 10 });
    expect(speed['retry_policy']).toEqual({ minimum_backoff: '10s', maximum_backoff: '600s' });
    // 7 days = 7 x 86,400 = 604,800 s.
    expect(speed['message_retention_duration']).toBe('604800s');
    expect(speed['expiration_policy']).toEqual({ ttl: '' });
  });

  it('lets the Pub/Sub service agent publish dead letters and ack the source subscription', () => {
    const agent = pubsubAgent();
    const publisher = prod.at('google_pubsub_topic_iam_member', 'ingestion/pubsub-agent-publishes-dead-letters').body;
    expect(publisher).toMatchObject({ topic: ref(deadLetterTopic, 'name'), role: 'roles/pubsub.publisher', member: agent });
    const subscriber = prod.at('google_pubsub_subscription_iam_member', 'ingestion/pubsub-agent-subscribes-speed-layer').body;
    const speedResource = prod.at('google_pubsub_subscription', 'ingestion/speed-subscription');
    expect(subscriber).toMatchObject({ subscription: ref(speedResource, 'name'), role: 'roles/pubsub.subscriber', member: agent });
    const project = prod.data.find((d) => d.type === 'google_project')!;
    expect(project.body['project_id']).toBe('iot-pipeline-prod');
  });
});

describe('ingestion: archive and dead-letter subscriptions', () => {
  it('gives Dataflow its own unordered, at-least-once subscription', () => {
    const archive = prod.at('google_pubsub_subscription', 'ingestion/archive-subscription').body;
    expect(archive['name']).toBe('telemetry-archive');
    expect(archive['enable_exactly_once_delivery']).toBeUndefined();
    expect(archive['enable_message_ordering']).toBeUndefined();
    expect(archive['message_retention_duration']).toBe('604800s');
  });

  it('archives the dead-letter topic into events_dead_letter through a BigQuery subscription', () => {
    const sub = prod.at('google_pubsub_subscription', 'ingestion/dead-letter-archive-subscription').body;
    const table = prod.at('google_bigquery_table', 'cold-storage/events-dead-letter');
    expect(sub['name']).toBe('telemetry-dead-letter-archive');
    expect(sub['topic']).toBe(ref(prod.at('google_pubsub_topic', 'ingestion/dead-letter-topic'), 'id'));
    expect(sub['bigquery_config']).toEqual({
      table: `iot-pipeline-prod.${ref(table, 'dataset_id')}.${ref(table, 'table_id')}`,
      write_metadata: true,
      use_table_schema: false,
    });
    const writer = prod.at('google_bigquery_table_iam_member', 'ingestion/pubsub-agent-writes-dead-letter-table').body;
    expect(writer).toMatchObject({ role: 'roles/bigquery.dataEditor', member: pubsubAgent(), table_id: ref(table, 'table_id') });
  });
});

describe('ingestion: gateway', () => {
  const gateway = prod.at('google_cloud_run_v2_service', 'ingestion/gateway').body;

  it('authenticates API keys itself: IAM invoker check off, no allUsers binding', () => {
    expect(gateway['name']).toBe('ingest-gateway');
    expect(gateway['ingress']).toBe('INGRESS_TRAFFIC_ALL');
    expect(gateway['invoker_iam_disabled']).toBe(true);
    const env = gateway['template'].containers[0].env as { name: string; value?: string; value_source?: unknown }[];
    const secret = prod.at('google_secret_manager_secret', 'ingestion/api-key-digests');
    expect(env.find((e) => e.name === 'INGEST_API_KEY_SHA256')).toEqual({
      name: 'INGEST_API_KEY_SHA256',
      value_source: { secret_key_ref: { secret: ref(secret, 'secret_id'), version: 'latest' } },
    });
    expect(env.find((e) => e.name === 'TELEMETRY_TOPIC')?.value).toBe(ref(prod.at('google_pubsub_topic', 'ingestion/telemetry-topic'), 'name'));
    expect(env.find((e) => e.name === 'EVENTS_PER_MESSAGE')?.value).toBe('1');
  });

  it('publishes as its own service account with publisher on the topic only', () => {
    const sa = prod.at('google_service_account', 'ingestion/gateway-sa');
    expect(gateway['template'].service_account).toBe(ref(sa, 'email'));
    const publish = prod.at('google_pubsub_topic_iam_member', 'ingestion/gateway-publishes-telemetry').body;
    expect(publish).toMatchObject({ role: 'roles/pubsub.publisher', member: `serviceAccount:${ref(sa, 'email')}` });
    expect(gateway['template'].scaling).toEqual({ min_instance_count: 2, max_instance_count: 20 });
  });

  it('runs in us-central1 and europe-west1: devices fail over between the two regional endpoints', () => {
    const standby = prod.at('google_cloud_run_v2_service', 'ingestion/gateway-europe-west1').body;
    expect([gateway['location'], standby['location']]).toEqual(['us-central1', 'europe-west1']);
    expect(standby['name']).toBe('ingest-gateway');
    expect(standby['template'].scaling).toEqual({ min_instance_count: 1, max_instance_count: 20 });
  });

  it('spills to a private multi-region bucket when Pub/Sub refuses a publish (env SPILL_BUCKET), with objectUser on it (write, replay, delete)', () => {
    const bucket = prod.at('google_storage_bucket', 'ingestion/spill-bucket');
    expect(bucket.body).toMatchObject({
      name: 'iot-ingest-spill-iot-pipeline-prod',
      location: 'US',
      uniform_bucket_level_access: true,
      public_access_prevention: 'enforced',
      lifecycle_rule: [{ condition: { age: 7 }, action: { type: 'Delete' } }],
    });
    for (const address of ['ingestion/gateway', 'ingestion/gateway-europe-west1']) {
      const env = prod.at('google_cloud_run_v2_service', address).body['template'].containers[0].env as { name: string; value?: string }[];
      expect(env.find((e) => e.name === 'SPILL_BUCKET')?.value).toBe(ref(bucket, 'name'));
    }
    const sa = prod.at('google_service_account', 'ingestion/gateway-sa');
    const grant = prod.at('google_storage_bucket_iam_member', 'ingestion/gateway-spill-objects').body;
    expect(grant).toMatchObject({ bucket: ref(bucket, 'name'), role: 'roles/storage.objectUser', member: `serviceAccount:${ref(sa, 'email')}` });
  });
});
