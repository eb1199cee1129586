import * as path from 'node:path';
import { getEnvironmentConfig } from '../../../stacks/config';
import { UDF_BUILD_PATH } from '../../../stacks/pipeline-stack';
import { ref, synthesizeConfig, synthesizeEnvironment } from './synth-helpers';

const prod = synthesizeEnvironment('prod');

describe('stream processing: speed-layer processor', () => {
  const processor = prod.at('google_cloud_run_v2_service', 'stream-processing/processor').body;
  const container = processor['template'].containers[0];

  it('keeps CPU allocated between requests and scales 4..16 instances of 2 vCPU', () => {
    expect(processor['name']).toBe('speed-processor');
    expect(container.resources.cpu_idle).toBe(false);
    expect(container.resources.limits).toEqual({ cpu: '2', memory: '2Gi' });
    expect(processor['template'].scaling).toEqual({ min_instance_count: 4, max_instance_count: 16 });
  });

  it('takes no outside traffic and nobody is granted invoker on it', () => {
    expect(processor['ingress']).toBe('INGRESS_TRAFFIC_INTERNAL_ONLY');
    expect(processor['invoker_iam_disabled']).toBe(false);
    const processorRef = prod.at('google_cloud_run_v2_service', 'stream-processing/processor');
    const invokers = prod.ofType('google_cloud_run_v2_service_iam_member').filter((m) => m.body['name'] === ref(processorRef, 'name'));
    expect(invokers).toEqual([]);
  });

  it('reads the speed subscription, writes both Bigtable tables, publishes dead letters', () => {
    const member = `serviceAccount:${ref(prod.at('google_service_account', 'stream-processing/processor-sa'), 'email')}`;
    expect(prod.at('google_pubsub_subscription_iam_member', 'stream-processing/processor-subscribes-speed-layer').body).toMatchObject({
      role: 'roles/pubsub.subscriber',
      member,
    });
    expect(prod.at('google_pubsub_topic_iam_member', 'stream-processing/processor-publishes-dead-letters').body).toMatchObject({
      role: 'roles/pubsub.publisher',
      member,
    });
    for (const table of ['events', 'aggregates']) {
      expect(prod.at('google_bigtable_table_iam_member', `stream-processing/processor-writes-${table}`).body).toMatchObject({
        role: 'roles/bigtable.user',
        member,
      });
    }
    const env = Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env).toMatchObject({
      GOOGLE_CLOUD_PROJECT: 'iot-pipeline-prod',
      AGGREGATE_WINDOW_SECONDS: '60',
      WATERMARK_DELAY_SECONDS: '5',
      HOT_WINDOW_HOURS: '6',
      MAX_OUTSTANDING_MESSAGES: '1000',
    });
    // The client's lease is the subscription's ack deadline (60 s), not the client's 10 s default.
    expect(env['ACK_DEADLINE_SECONDS']).toBe(String(prod.at('google_pubsub_subscription', 'ingestion/speed-subscription').body.ack_deadline_seconds));
    expect(env['ACK_DEADLINE_SECONDS']).toBe('60');
    expect(env['SPEED_SUBSCRIPTION']).toBe(ref(prod.at('google_pubsub_subscription', 'ingestion/speed-subscription'), 'name'));
    expect(env['BIGTABLE_APP_PROFILE']).toBe(ref(prod.at('google_bigtable_app_profile', 'hot-storage/app-profile'), 'app_profile_id'));
  });
});

describe('stream processing: Dataflow archive job', () => {
  const job = prod.at('google_dataflow_job', 'stream-processing/archive-job').body;
  const bucket = prod.at('google_storage_bucket', 'stream-processing/udf-bucket');
  const udf = prod.at('google_storage_bucket_object', 'stream-processing/udf-object');

  it('runs the Google-provided classic template with bounded workers, Streaming Engine, private IPs, drain', () => {
    expect(job['template_gcs_path']).toBe('gs://dataflow-templates-us-central1/latest/PubSub_Subscription_to_BigQuery');
    expect(job['machine_type']).toBe('n1-standard-2');
    expect(job['max_workers']).toBe(10);
    expect(job['enable_streaming_engine']).toBe(true);
    expect(job['ip_configuration']).toBe('WORKER_IP_PRIVATE');
    expect(job['on_delete']).toBe('drain');
    expect(job['service_account_email']).toBe(ref(prod.at('google_service_account', 'stream-processing/dataflow-sa'), 'email'));
    expect(job['labels']).toMatchObject({ component: 'stream-processing', environment: 'prod', 'workers-initial': '3' });
  });

  it('passes the subscription, tables and UDF to the template', () => {
    const events = prod.at('google_bigquery_table', 'cold-storage/events-raw');
    const errors = prod.at('google_bigquery_table', 'cold-storage/events-raw-error-records');
    const dataset = prod.at('google_bigquery_dataset', 'cold-storage/dataset');
    expect(job['parameters']).toEqual({
      inputSubscription: ref(prod.at('google_pubsub_subscription', 'ingestion/archive-subscription'), 'id'),
      outputTableSpec: `iot-pipeline-prod:${ref(dataset, 'dataset_id')}.${ref(events, 'table_id')}`,
      outputDeadletterTable: `iot-pipeline-prod:${ref(dataset, 'dataset_id')}.${ref(errors, 'table_id')}`,
      javascriptTextTransformGcsPath: `gs://${ref(bucket, 'name')}/${ref(udf, 'name')}`,
      javascriptTextTransformFunctionName: 'transform',
      useStorageWriteApi: 'true',
      // 10,000 events/s x 512 B x 1.5 headroom / 1 MB/s per stream = 7.68 -> 8.
      numStorageWriteApiStreams: '8',
      storageWriteApiTriggeringFrequencySec: '5',
    });
  });

  it('keeps the UDF in a private bucket and reads it from the data plane build, relative to the stack folder', () => {
    expect(bucket.body).toMatchObject({
      uniform_bucket_level_access: true,
      public_access_prevention: 'enforced',
      force_destroy: false,
      location: 'US-CENTRAL1',
    });
    const stackDir = path.resolve('cdktf.out', 'stacks', 'iot-pipeline-prod');
    expect(udf.body['source']).toBe('${path.module}/../../../functions/dist/udf/transform.js');
    expect(path.resolve(stackDir, udf.body['source'].replace('${path.module}/', ''))).toBe(UDF_BUILD_PATH);
  });

  it('records the first proposal\'s initial and minimum workers as labels', () => {
    const first = synthesizeConfig(getEnvironmentConfig('first-proposal'));
    const firstJob = first.at('google_dataflow_job', 'stream-processing/archive-job').body;
    expect(firstJob['machine_type']).toBe('n1-standard-4');
    expect(firstJob['max_workers']).toBe(50);
    expect(firstJob['labels']).toMatchObject({ 'workers-initial': '20', 'workers-min': '10' });
  });
});
