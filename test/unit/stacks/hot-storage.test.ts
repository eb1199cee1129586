import { ref, synthesizeEnvironment } from './synth-helpers';

const prod = synthesizeEnvironment('prod');

describe('hot storage', () => {
  const instance = prod.at('google_bigtable_instance', 'hot-storage/instance');

  it('is an SSD instance replicated to us-central1 and europe-west1 with autoscaling 2..6 at 70% CPU', () => {
    expect(instance.body['name']).toBe('iot-hot');
    expect(instance.body['deletion_protection']).toBe(true);
    expect(instance.body['force_destroy']).toBe(false);
    expect(instance.body['cluster']).toEqual([
      {
        cluster_id: 'iot-hot-us-central1-b',
        zone: 'us-central1-b',
        storage_type: 'SSD',
        autoscaling_config: { min_nodes: 2, max_nodes: 6, cpu_target: 70 },
      },
      {
        cluster_id: 'iot-hot-europe-west1-b',
        zone: 'europe-west1-b',
        storage_type: 'SSD',
        autoscaling_config: { min_nodes: 2, max_nodes: 6, cpu_target: 70 },
      },
    ]);
    expect(instance.body['labels']).toMatchObject({ component: 'hot-storage', environment: 'prod' });
  });

  it('routes through a multi-cluster app profile', () => {
    const profile = prod.at('google_bigtable_app_profile', 'hot-storage/app-profile').body;
    expect(profile['app_profile_id']).toBe('multi-cluster');
    expect(profile['multi_cluster_routing_use_any']).toBe(true);
    expect(profile['single_cluster_routing']).toBeUndefined();
    expect(profile['instance']).toBe(ref(instance, 'name'));
  });

  it('has protected events and aggregates tables with their column families', () => {
    const events = prod.at('google_bigtable_table', 'hot-storage/events-table').body;
    const aggregates = prod.at('google_bigtable_table', 'hot-storage/aggregates-table').body;
    expect([events['name'], events['column_family'], events['deletion_protection']]).toEqual(['events', [{ family: 'e' }], 'PROTECTED']);
    expect([aggregates['name'], aggregates['column_family'], aggregates['deletion_protection']]).toEqual([
      'aggregates',
      [{ family: 'a' }],
      'PROTECTED',
    ]);
  });

  it('bounds the hot window with GC max-age: events 6 h, aggregates 24 h', () => {
    const eventsGc = prod.at('google_bigtable_gc_policy', 'hot-storage/events-gc').body;
    const aggregatesGc = prod.at('google_bigtable_gc_policy', 'hot-storage/aggregates-gc').body;
    expect(eventsGc).toMatchObject({ column_family: 'e', max_age: { duration: '6h' }, deletion_policy: 'ABANDON' });
    expect(aggregatesGc).toMatchObject({ column_family: 'a', max_age: { duration: '24h' }, deletion_policy: 'ABANDON' });
    expect(eventsGc['table']).toBe(ref(prod.at('google_bigtable_table', 'hot-storage/events-table'), 'name'));
  });

  it('uses fixed node counts and a 7-day TTL in the first proposal', () => {
    const first = synthesizeEnvironment('first-proposal');
    const clusters = first.at('google_bigtable_instance', 'hot-storage/instance').body['cluster'];
    expect(clusters.map((c: { num_nodes?: number; autoscaling_config?: unknown }) => [c.num_nodes, c.autoscaling_config])).toEqual([
      [5, undefined],
      [5, undefined],
    ]);
    expect(first.at('google_bigtable_gc_policy', 'hot-storage/events-gc').body['max_age']).toEqual({ duration: '168h' });
  });

  it('uses one cluster in dev', () => {
    const dev = synthesizeEnvironment('dev');
    const clusters = dev.at('google_bigtable_instance', 'hot-storage/instance').body['cluster'];
    expect(clusters).toEqual([{ cluster_id: 'iot-hot-us-central1-b', zone: 'us-central1-b', storage_type: 'SSD', num_nodes: 1 }]);
  });
});
