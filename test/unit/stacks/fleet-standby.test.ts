/**
 * Live fleet metrics (the `fleet` Bigtable table, processor + analytics env), the gated warm
 * standby in the secondary region, and the analytics page-token secret.
 */
import { PROD_CONFIG } from '../../../stacks/config/prod';
import { ref, synthesizeConfig, synthesizeEnvironment, type SynthesizedResource } from './synth-helpers';

const prod = synthesizeEnvironment('prod');
const dev = synthesizeEnvironment('dev');

type EnvEntry = { name: string; value?: string; value_source?: unknown };
const envOf = (service: SynthesizedResource): Record<string, string> =>
  Object.fromEntries((service.body['template'].containers[0].env as EnvEntry[]).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
const STANDBY_VARS = ['STANDBY_BACKLOG_AGE_SECONDS', 'STANDBY_POLL_SECONDS', 'STANDBY_COOLDOWN_SECONDS'];

describe('hot storage: fleet table', () => {
  const table = prod.at('google_bigtable_table', 'hot-storage/fleet-table');
  const instance = prod.at('google_bigtable_instance', 'hot-storage/instance');

  it('is `fleet` in the instance with family m, protected like the other tables', () => {
    expect(table.body).toMatchObject({ name: 'fleet', instance_name: ref(instance, 'name'), column_family: [{ family: 'm' }], deletion_protection: 'PROTECTED' });
    expect(dev.at('google_bigtable_table', 'hot-storage/fleet-table').body['deletion_protection']).toBe(
      dev.at('google_bigtable_table', 'hot-storage/events-table').body['deletion_protection'],
    );
  });

  it('keeps one version per row and drops rows not rewritten for a day (UNION)', () => {
    expect(prod.at('google_bigtable_gc_policy', 'hot-storage/fleet-gc').body).toMatchObject({
      table: ref(table, 'name'),
      column_family: 'm',
      mode: 'UNION',
      max_version: [{ number: 1 }],
      max_age: { duration: '24h' },
      deletion_policy: 'ABANDON',
    });
  });
});

describe('processors: fleet snapshots and the warm standby', () => {
  const primary = prod.at('google_cloud_run_v2_service', 'stream-processing/processor');
  const secondary = prod.at('google_cloud_run_v2_service', 'stream-processing/processor-europe-west1');
  const fleet = ref(prod.at('google_bigtable_table', 'hot-storage/fleet-table'), 'name');
  const member = `serviceAccount:${ref(prod.at('google_service_account', 'stream-processing/processor-sa'), 'email')}`;

  it('every regional copy writes its snapshot every 1 s, naming its region', () => {
    expect(envOf(primary)).toMatchObject({ BIGTABLE_FLEET_TABLE: fleet, FLEET_METRICS_SECONDS: '1', SERVICE_REGION: 'us-central1' });
    expect(envOf(secondary)).toMatchObject({ BIGTABLE_FLEET_TABLE: fleet, FLEET_METRICS_SECONDS: '1', SERVICE_REGION: 'europe-west1' });
    expect(prod.at('google_bigtable_table_iam_member', 'stream-processing/processor-writes-fleet').body).toMatchObject({ table: fleet, role: 'roles/bigtable.user', member });
  });

  it('only the europe-west1 copy is gated: 300 s backlog age, 30 s polls, 300 s cooldown', () => {
    expect(envOf(secondary)).toMatchObject({ STANDBY_BACKLOG_AGE_SECONDS: '300', STANDBY_POLL_SECONDS: '30', STANDBY_COOLDOWN_SECONDS: '300' });
    for (const name of STANDBY_VARS) expect(envOf(primary)[name]).toBeUndefined();
  });

  it('the threshold exceeds the oldest message a burst leaves (171 s), and detection fits the 15 min RTO', () => {
    const standby = PROD_CONFIG.processing.secondaryStandby!;
    expect(standby.backlogAgeSeconds).toBeGreaterThan(171);
    // threshold + metric sampling (60 s) and visibility (120 s) + one poll, with a minute for start-up
    expect(standby.backlogAgeSeconds + 180 + standby.pollSeconds + 60).toBeLessThanOrEqual(15 * 60);
  });

  it('the processor account may read Cloud Monitoring (project monitoring.viewer) because a standby exists', () => {
    expect(prod.at('google_project_iam_member', 'stream-processing/processor-reads-monitoring').body).toEqual(
      expect.objectContaining({ project: 'iot-pipeline-prod', role: 'roles/monitoring.viewer', member }),
    );
  });

  it('without a secondary region (dev) or without the standby config: no gate, no monitoring.viewer', () => {
    const devProcessors = dev.ofType('google_cloud_run_v2_service').filter((s) => s.path.startsWith('stream-processing/processor'));
    expect(devProcessors).toHaveLength(1);
    expect(envOf(devProcessors[0]!)).toMatchObject({ SERVICE_REGION: 'us-central1', FLEET_METRICS_SECONDS: '1' });
    for (const name of STANDBY_VARS) expect(envOf(devProcessors[0]!)[name]).toBeUndefined();
    expect(dev.ofType('google_project_iam_member').filter((m) => m.body['role'] === 'roles/monitoring.viewer')).toEqual([]);

    const ungated = synthesizeConfig({ ...PROD_CONFIG, processing: { ...PROD_CONFIG.processing, secondaryStandby: undefined } });
    const copy = ungated.at('google_cloud_run_v2_service', 'stream-processing/processor-europe-west1');
    for (const name of STANDBY_VARS) expect(envOf(copy)[name]).toBeUndefined();
    expect(ungated.ofType('google_project_iam_member').filter((m) => m.body['role'] === 'roles/monitoring.viewer')).toEqual([]);
  });
});

describe('analytics: fleet live figures and the page-token secret', () => {
  const services = ['analytics/service', 'analytics/service-europe-west1'].map((p) => prod.at('google_cloud_run_v2_service', p));
  const secret = prod.at('google_secret_manager_secret', 'analytics/page-token-secret');
  const version = prod.at('google_secret_manager_secret_version', 'analytics/page-token-secret-version');
  const member = `serviceAccount:${ref(prod.at('google_service_account', 'analytics/sa'), 'email')}`;

  it('reads the fleet table, keeping snapshots up to 10 s old', () => {
    const fleet = ref(prod.at('google_bigtable_table', 'hot-storage/fleet-table'), 'name');
    for (const service of services) {
      expect(envOf(service)).toMatchObject({ BIGTABLE_FLEET_TABLE: fleet, FLEET_SNAPSHOT_MAX_AGE_SECONDS: '10' });
      expect(envOf(service)['PROCESSOR_METRICS_URL']).toBeUndefined();
    }
    expect(prod.at('google_bigtable_table_iam_member', 'analytics/reads-bigtable-fleet').body).toMatchObject({
      instance: ref(prod.at('google_bigtable_instance', 'hot-storage/instance'), 'name'),
      table: fleet,
      role: 'roles/bigtable.reader',
      member,
    });
  });

  it('PAGE_TOKEN_SECRET comes from Secret Manager (latest), replicated to both regions', () => {
    expect(secret.body).toMatchObject({
      secret_id: 'analytics-page-token-secret',
      replication: { user_managed: { replicas: [{ location: 'us-central1' }, { location: 'europe-west1' }] } },
    });
    for (const service of services) {
      const env = service.body['template'].containers[0].env as EnvEntry[];
      expect(env.find((e) => e.name === 'PAGE_TOKEN_SECRET')).toEqual({
        name: 'PAGE_TOKEN_SECRET',
        value_source: { secret_key_ref: { secret: ref(secret, 'secret_id'), version: 'latest' } },
      });
    }
    expect(prod.at('google_secret_manager_secret_iam_member', 'analytics/reads-page-token-secret').body).toMatchObject({
      secret_id: ref(secret, 'id'),
      role: 'roles/secretmanager.secretAccessor',
      member,
    });
  });

  it('the version is created from a sensitive variable, write-only (not in state), before the services', () => {
    expect(version.body).toMatchObject({
      secret: ref(secret, 'id'),
      secret_data_wo: '${var.analytics_page_token_secret}',
      secret_data_wo_version: '${var.analytics_page_token_secret_version}',
    });
    expect(version.body['secret_data']).toBeUndefined();
    expect(prod.json['variable']['analytics_page_token_secret']).toMatchObject({ type: 'string', sensitive: true, nullable: false });
    expect(prod.json['variable']['analytics_page_token_secret'].validation[0].condition).toContain('length(trimspace(s)) >= 32');
    expect(prod.json['variable']['analytics_page_token_secret_version']).toMatchObject({ type: 'number', default: 1 });
    const access = prod.at('google_secret_manager_secret_iam_member', 'analytics/reads-page-token-secret');
    for (const service of services) {
      const deps: string[] = service.body['depends_on'];
      // The version and its accessor grant first, then the account's other grants, each once.
      expect(deps.slice(0, 2)).toEqual([`${version.type}.${version.name}`, `${access.type}.${access.name}`]);
      expect(new Set(deps).size).toBe(deps.length);
    }
  });
});
