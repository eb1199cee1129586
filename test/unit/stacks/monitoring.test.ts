import { ref, synthesizeEnvironment } from './synth-helpers';

const prod = synthesizeEnvironment('prod');
const policies = prod.ofType('google_monitoring_alert_policy');
const filterOf = (policy: (typeof policies)[number]) => policy.body['conditions'][0].condition_threshold.filter as string;
/** Policies whose condition filter or title references the resource's attribute. */
const policiesOn = (resource: ReturnType<typeof prod.at>, attribute: string) =>
  policies.filter((policy) => `${filterOf(policy)} ${policy.body['display_name']}`.includes(ref(resource, attribute)));

describe('monitoring', () => {
  it('notifies an email channel from every policy', () => {
    const channel = prod.at('google_monitoring_notification_channel', 'monitoring/email');
    expect(channel.body).toMatchObject({ type: 'email', labels: { email_address: 'iot-oncall@example.com' } });
    for (const policy of policies) expect(policy.body['notification_channels']).toEqual([ref(channel, 'name')]);
  });

  it('alerts on the backlog age of every subscription at 300 s', () => {
    for (const subscription of prod.ofType('google_pubsub_subscription')) {
      const [policy, ...others] = policiesOn(subscription, 'name');
      expect(others).toEqual([]);
      expect(filterOf(policy!)).toContain('pubsub.googleapis.com/subscription/oldest_unacked_message_age');
      expect(policy!.body['conditions'][0].condition_threshold.threshold_value).toBe(300);
    }
  });

  it('alerts on dead-letter traffic, processor errors, Dataflow freshness and Bigtable CPU', () => {
    const deadLetter = policiesOn(prod.at('google_pubsub_topic', 'ingestion/dead-letter-topic'), 'name');
    expect(deadLetter.map(filterOf)).toEqual([expect.stringContaining('topic/send_message_operation_count')]);
    expect(deadLetter[0]!.body['conditions'][0].condition_threshold.threshold_value).toBe(0);

    const processor = policiesOn(prod.at('google_cloud_run_v2_service', 'stream-processing/processor'), 'name');
    expect(processor.map(filterOf)).toEqual([expect.stringContaining('metric.labels.severity = "ERROR"')]);

    const dataflow = policiesOn(prod.at('google_dataflow_job', 'stream-processing/archive-job'), 'name');
    expect(dataflow.map(filterOf)).toEqual([expect.stringContaining('dataflow.googleapis.com/job/data_watermark_age')]);
    expect(dataflow[0]!.body['conditions'][0].condition_threshold.threshold_value).toBe(300);

    const bigtable = policiesOn(prod.at('google_bigtable_instance', 'hot-storage/instance'), 'name');
    const cpu = bigtable.find((policy) => filterOf(policy).includes('cluster/cpu_load'));
    // 80% is 0.8 of cpu_load.
    expect(cpu!.body['conditions'][0].condition_threshold.threshold_value).toBe(0.8);
    expect(bigtable.some((policy) => filterOf(policy).includes('cluster/storage_utilization'))).toBe(true);

    const batch = policiesOn(prod.at('google_bigquery_data_transfer_config', 'cold-storage/batch-view-query'), 'display_name');
    expect(batch.map(filterOf)).toEqual([expect.stringContaining('completion_state = "FAILED"')]);
  });

  it('alerts when the gateway spills to its bucket (Pub/Sub refused publishes), per minute, not on the daily object count', () => {
    const spill = policiesOn(prod.at('google_storage_bucket', 'ingestion/spill-bucket'), 'name');
    expect(spill.map(filterOf)).toEqual([
      expect.stringMatching(/resource\.type = "gcs_bucket" AND resource\.labels\.bucket_name = ".+" AND metric\.type = "storage\.googleapis\.com\/api\/request_count" AND metric\.labels\.method = "WriteObject"/),
    ]);
    expect(spill[0]!.body['conditions'][0].condition_threshold).toMatchObject({ threshold_value: 0, comparison: 'COMPARISON_GT' });
  });

  it('checks uptime of the three HTTP services, authenticated where IAM protects them', () => {
    const checks = prod.ofType('google_monitoring_uptime_check_config');
    expect(checks.map((check) => check.path).sort()).toEqual(['monitoring/uptime-analytics', 'monitoring/uptime-dashboard', 'monitoring/uptime-ingest']);
    const analytics = prod.at('google_monitoring_uptime_check_config', 'monitoring/uptime-analytics').body;
    expect(analytics['http_check']).toMatchObject({ path: '/healthz', use_ssl: true, service_agent_authentication: { type: 'OIDC_TOKEN' } });
    expect(analytics['monitored_resource'].labels.host).toBe(
      `\${replace(${ref(prod.at('google_cloud_run_v2_service', 'analytics/service'), 'uri').slice(2, -1)}, "https://", "")}`,
    );
    const invoker = prod.at('google_cloud_run_v2_service_iam_member', 'monitoring/uptime-invokes-analytics').body;
    expect(invoker['member']).toBe(
      'serviceAccount:service-${data.google_project.project.number}@gcp-sa-monitoring-notification.iam.gserviceaccount.com',
    );
    for (const check of checks) expect(policiesOn(check, 'uptime_check_id')).toHaveLength(1);
  });

  it('draws an ops dashboard with a chart per alerting signal', () => {
    const dashboard = JSON.parse(prod.at('google_monitoring_dashboard', 'monitoring/ops-dashboard').body['dashboard_json']);
    expect(dashboard.displayName).toBe('IoT pipeline operations (prod)');
    // 3 subscriptions + dead letters + processor + ingest 5xx + Dataflow + Bigtable CPU and disk + batch view + spill writes = 11.
    expect(dashboard.mosaicLayout.tiles).toHaveLength(11);
    expect(policies).toHaveLength(14);
  });
});
