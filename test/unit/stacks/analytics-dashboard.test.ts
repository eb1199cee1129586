import { PipelineStack } from '../../../stacks/pipeline-stack';
import { Testing } from '../../../stacks/cdk';
import { PROD_CONFIG } from '../../../stacks/config/prod';
import { ref, synthesizeEnvironment } from './synth-helpers';

const prod = synthesizeEnvironment('prod');

describe('analytics service', () => {
  const analytics = prod.at('google_cloud_run_v2_service', 'analytics/service');
  const member = `serviceAccount:${ref(prod.at('google_service_account', 'analytics/sa'), 'email')}`;

  it('serves from Cloud Run with its own account and the stores in its env', () => {
    expect(analytics.body['name']).toBe('analytics-api');
    expect(analytics.body['invoker_iam_disabled']).toBe(false);
    const env = Object.fromEntries(analytics.body['template'].containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(Object.keys(env).sort()).toEqual([
      'AGGREGATE_WINDOW_SECONDS',
      'BIGQUERY_BATCH_VIEW_TABLE',
      'BIGQUERY_DATASET',
      'BIGQUERY_DEAD_LETTER_TABLE',
      'BIGQUERY_EVENTS_TABLE',
      'BIGQUERY_REPLICA_LOCATION',
      'BIGTABLE_AGGREGATES_TABLE',
      'BIGTABLE_APP_PROFILE',
      'BIGTABLE_EVENTS_TABLE',
      'BIGTABLE_FLEET_TABLE',
      'BIGTABLE_INSTANCE',
      'FLEET_SNAPSHOT_MAX_AGE_SECONDS',
      'GOOGLE_CLOUD_PROJECT',
      'HOT_WINDOW_HOURS',
      'PAGE_TOKEN_SECRET',
      'QUERY_FALLBACK',
      'WATERMARK_DELAY_SECONDS',
    ]);
    // Recent ranges fall back to BigQuery when Bigtable fails; reads use the replica when the primary is down.
    expect(env['QUERY_FALLBACK']).toBe('bigquery');
    expect(env['BIGQUERY_REPLICA_LOCATION']).toBe('europe-west1');
    expect(analytics.body['template'].scaling).toEqual({ min_instance_count: 1, max_instance_count: 10 });
  });

  it('runs in the secondary region too, at its minimum of 1 instance', () => {
    const standby = prod.at('google_cloud_run_v2_service', 'analytics/service-europe-west1').body;
    expect(standby['location']).toBe('europe-west1');
    expect(standby['name']).toBe('analytics-api');
    expect(standby['template'].scaling).toEqual({ min_instance_count: 1, max_instance_count: 10 });
  });

  it('only reads: bigtable.reader on the three tables (events, aggregates, fleet), dataViewer on events_raw and device_hourly', () => {
    const bigtable = prod.ofType('google_bigtable_table_iam_member').filter((g) => g.body['member'] === member);
    expect(bigtable.map((g) => g.body['role'])).toEqual(['roles/bigtable.reader', 'roles/bigtable.reader', 'roles/bigtable.reader']);
    const bigquery = prod.ofType('google_bigquery_table_iam_member').filter((g) => g.body['member'] === member);
    expect(bigquery.map((g) => g.body['role'])).toEqual(['roles/bigquery.dataViewer', 'roles/bigquery.dataViewer']);
  });
});

describe('dashboard', () => {
  const dashboard = prod.at('google_cloud_run_v2_service', 'dashboard/service');
  const analytics = prod.at('google_cloud_run_v2_service', 'analytics/service');

  it('reads the analytics service of its own region at its URI and refreshes every 2 s', () => {
    const env = dashboard.body['template'].containers[0].env;
    expect(env).toContainEqual({ name: 'ANALYTICS_URL', value: ref(analytics, 'uri') });
    expect(env).toContainEqual({ name: 'DASHBOARD_REFRESH_SECONDS', value: '2' });
    const standby = prod.at('google_cloud_run_v2_service', 'dashboard/service-europe-west1');
    expect(standby.body['template'].containers[0].env).toContainEqual({
      name: 'ANALYTICS_URL',
      value: ref(prod.at('google_cloud_run_v2_service', 'analytics/service-europe-west1'), 'uri'),
    });
  });

  it('may invoke analytics as its own account; only the configured viewers may open it', () => {
    const invoke = prod.at('google_cloud_run_v2_service_iam_member', 'dashboard/invokes-analytics').body;
    expect(invoke).toMatchObject({
      name: ref(analytics, 'name'),
      role: 'roles/run.invoker',
      member: `serviceAccount:${ref(prod.at('google_service_account', 'dashboard/sa'), 'email')}`,
    });
    const viewer = prod.at('google_cloud_run_v2_service_iam_member', 'dashboard/viewer-0').body;
    expect(viewer).toMatchObject({ name: ref(dashboard, 'name'), member: 'group:iot-operators@example.com' });
  });

  it('refuses a config that would open the dashboard to allUsers', () => {
    const config = { ...PROD_CONFIG, access: { dashboardViewers: ['allUsers'] } };
    expect(() => new PipelineStack(Testing.app(), config)).toThrow(
      'environment "prod": access.dashboardViewers must not contain allUsers',
    );
  });
});
