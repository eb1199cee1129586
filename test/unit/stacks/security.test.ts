import { ENVIRONMENT_NAMES } from '../../../stacks/config';
import { synthesizeEnvironment } from './synth-helpers';

const COMPONENTS = ['ingestion', 'stream-processing', 'hot-storage', 'cold-storage', 'analytics', 'dashboard', 'monitoring'];

describe.each(ENVIRONMENT_NAMES)('security and hygiene of %s', (environment) => {
  const stack = synthesizeEnvironment(environment);
  const text = JSON.stringify(stack.json);

  it('creates every Cloud Run service after the grants its account needs (depends_on), so no revision starts without them', () => {
    for (const service of stack.ofType('google_cloud_run_v2_service')) {
      const account = /google_service_account\.([^.]+)\.email/.exec(service.body['template'].service_account)![1];
      const grants = stack.resources.filter((r) => r.type.endsWith('_iam_member') && String(r.body['member']).includes(`google_service_account.${account}.`));
      const calls = JSON.stringify(service.body['template'].containers);
      // An invoker grant on another region's API is that region's dashboard's, not this one's.
      const needed = grants.filter((g) => g.type !== 'google_cloud_run_v2_service_iam_member' || calls.includes(String(g.body['name']).replace(/\.name\}$/, '')));
      expect(needed.length).toBeGreaterThan(0);
      expect({ service: service.name, missing: needed.map((g) => `${g.type}.${g.name}`).filter((d) => !(service.body['depends_on'] ?? []).includes(d)) }).toEqual({ service: service.name, missing: [] });
    }
  });

  it('grants nothing to allUsers or allAuthenticatedUsers', () => {
    expect(text).not.toContain('allUsers');
    expect(text).not.toContain('allAuthenticatedUsers');
  });

  it('runs every Cloud Run service and the Dataflow job as its own service account', () => {
    const identities = [
      ...stack.ofType('google_cloud_run_v2_service').map((service) => service.body['template'].service_account),
      ...stack.ofType('google_dataflow_job').map((job) => job.body['service_account_email']),
      ...stack.ofType('google_bigquery_data_transfer_config').map((query) => query.body['service_account_name']),
    ];
    // 4 services x regions (2 in prod and first-proposal, 1 in dev) + the Dataflow job + the
    // batch view; 6 identities: regional copies of one service (same name) share its account.
    const regions = environment === 'dev' ? 1 : 2;
    expect(identities).toHaveLength(4 * regions + 2);
    expect(new Set(identities).size).toBe(6);
    expect(stack.ofType('google_service_account')).toHaveLength(6);
    const byName = new Map<string, Set<string>>();
    for (const service of stack.ofType('google_cloud_run_v2_service')) {
      byName.set(service.body['name'], (byName.get(service.body['name']) ?? new Set()).add(service.body['template'].service_account));
    }
    expect([...byName.values()].map((ids) => ids.size)).toEqual([1, 1, 1, 1]);
  });

  it('labels every labelled resource with its component and environment', () => {
    const labelled = stack.resources.filter((r) => r.body['labels'] || r.body['user_labels']);
    expect(labelled.length).toBeGreaterThan(20);
    for (const resource of labelled) {
      const labels = resource.type === 'google_monitoring_notification_channel' ? resource.body['user_labels'] : (resource.body['labels'] ?? resource.body['user_labels']);
      expect(COMPONENTS).toContain(labels.component);
      expect(labels.environment).toBe(environment);
    }
  });

  it('targets nodejs22, never nodejs20', () => {
    expect(text).not.toContain('nodejs20');
    for (const service of stack.ofType('google_cloud_run_v2_service')) {
      expect(service.body['labels'].runtime).toBe('nodejs22');
      expect(service.body['template'].containers[0].image).toMatch(/-nodejs22$/);
    }
  });

  it('protects every stateful store from deletion', () => {
    expect(stack.ofType('google_bigtable_instance').every((r) => r.body['deletion_protection'] === true)).toBe(true);
    expect(stack.ofType('google_bigtable_table').every((r) => r.body['deletion_protection'] === 'PROTECTED')).toBe(true);
    expect(stack.ofType('google_bigquery_table').every((r) => r.body['deletion_protection'] === true)).toBe(true);
    expect(stack.ofType('google_bigquery_dataset').every((r) => r.body['delete_contents_on_destroy'] === false)).toBe(true);
  });
});
