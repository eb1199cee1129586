/** Availability per plane from SLAs (slas.json), DR scenarios (dr.json), retention per store. */
import { buildModel } from '../../../../verification/model';
import { runAnalyses } from '../../../../verification/analyses';
import { analyse, check, graphOf, pipelineDoc, set, testSpec, withGatedStandby } from './support/pipeline';
import { rule as rto } from '../../../../verification/rules/rto-within-bound';

const plane = (r: ReturnType<typeof analyse>, p: string) => r.availability.planes.find((x) => x.plane === p)!;

describe('availability', () => {
  const r = analyse(pipelineDoc());

  test('ingest = gateway 0.9995 x Pub/Sub 0.9995 = 0.99900025, capped by the gateway', () => {
    expect(plane(r, 'ingest').availability).toBeCloseTo(0.99900025, 8);
    expect(plane(r, 'ingest').cappedBy).toMatch(/ingest gateway/);
  });

  test('query = analytics 0.9995 x Bigtable multi-cluster routing in 2 regions 0.9999 = 0.99940005', () => {
    expect(plane(r, 'query').availability).toBeCloseTo(0.99940005, 8);
  });

  test('freshness = Pub/Sub x processor x Bigtable x analytics x dashboard = 0.9995^4 x 0.9999', () => {
    expect(plane(r, 'freshness').availability).toBeCloseTo(0.9995 ** 4 * 0.9999, 8);
  });

  test('a second gateway region composes in parallel: (1 - 0.0005^2) x 0.9995 = 0.99949975', () => {
    const doc = pipelineDoc();
    doc.resource.google_cloud_run_v2_service.gateway_eu = { ...JSON.parse(JSON.stringify(doc.resource.google_cloud_run_v2_service.gateway)), name: 'ingest-gateway-eu', location: 'europe-west1' };
    expect(plane(analyse(doc), 'ingest').availability).toBeCloseTo(0.99949975, 8);
  });

  test('a single cluster caps the query plane at Bigtable 0.999: 0.9995 x 0.999 = 0.9985005', () => {
    const doc = pipelineDoc();
    doc.resource.google_bigtable_instance.hot.cluster = [(doc.resource.google_bigtable_instance.hot.cluster as unknown[])[0]];
    const q = plane(analyse(doc), 'query');
    expect(q.availability).toBeCloseTo(0.9985005, 8);
    expect(q.cappedBy).toMatch(/hot store/);
  });

  test('the note says SLAs are contractual', () => {
    expect(r.availability.note).toMatch(/contractual/);
  });
});

describe('DR', () => {
  const find = (r: ReturnType<typeof analyse>, scenario: string, target: RegExp) => r.dr.scenarios.find((s) => s.scenario === scenario && target.test(s.target))!;

  test('Bigtable in two regions with multi-cluster routing: region loss RPO 1 min (replication lag), RTO 1 min (automatic failover)', () => {
    const s = find(analyse(pipelineDoc()), 'region-loss', /hot store/);
    expect([s.rpoMinutes, s.rtoMinutes]).toEqual([1, 1]);
  });

  test('one cluster: region loss not bounded; zone loss keeps data (RPO 0) but RTO is not bounded', () => {
    const doc = pipelineDoc();
    doc.resource.google_bigtable_instance.hot.cluster = [(doc.resource.google_bigtable_instance.hot.cluster as unknown[])[0]];
    const r = analyse(doc);
    expect([find(r, 'region-loss', /hot store/).rpoMinutes, find(r, 'region-loss', /hot store/).rtoMinutes]).toEqual([null, null]);
    expect([find(r, 'zone-loss', /hot store/).rpoMinutes, find(r, 'zone-loss', /hot store/).rtoMinutes]).toEqual([0, null]);
  });

  test('single-cluster routing across regions needs an operator: RTO 30 min', () => {
    const doc = pipelineDoc();
    doc.resource.google_bigtable_app_profile.multi = { instance: '${google_bigtable_instance.hot.name}', app_profile_id: 'single', single_cluster_routing: { cluster_id: 'hot-us' } };
    expect(find(analyse(doc), 'region-loss', /hot store/).rtoMinutes).toBe(30);
  });

  test('BigQuery in a multi-region has no regional redundancy: region loss not bounded', () => {
    const s = find(analyse(pipelineDoc()), 'region-loss', /cold store/);
    expect([s.rpoMinutes, s.rtoMinutes]).toEqual([null, null]);
  });

  test('a one-region service is redeployed after a region loss: RTO 20 min', () => {
    expect(find(analyse(pipelineDoc()), 'region-loss', /ingest gateway/).rtoMinutes).toBe(20);
  });

  test('a plan replacing a table under a protected instance: the instance\'s operator-error RPO is not bounded, never "destroys nothing"', () => {
    const graph = graphOf(pipelineDoc());
    const table = graph.resources.find((x) => x.address === 'google_bigtable_table.events')!;
    table.change = { actions: ['delete', 'create'], replace: true } as never;
    const r = runAnalyses({ graph, model: buildModel(graph), spec: testSpec() });
    const s = find(r, 'operator-error', /hot store/);
    expect([s.address, s.rpoMinutes, s.rtoMinutes]).toEqual(['google_bigtable_table.events', null, null]);
    expect(s.basis).toBe("the plan replaces google_bigtable_table.events: its rows are lost (no backup); the instance's deletion protection does not cover its tables");
  });

  test('Pub/Sub region loss strands the backlog stored there: RPO = burst 60 s + drain 95.29 s = 2.59 min; RTO 20 min (redeploy the one-region gateway), 1 min with a gateway in another region', () => {
    // Speed path at a burst's start 25,454.5 events/s: Q = 24,545.5 x 60 = 1,472,727, drained at 15,454.5/s in 95.29 s.
    const one = find(analyse(pipelineDoc(), { workload: { burstsPerDay: 4 } }), 'region-loss', /queue/);
    expect(one.rpoMinutes).toBe(2.59);
    // Ingest comes back as the gateway's own region-loss scenario says: redeployed in 20 min (cloudrun.redeploy-minutes).
    expect(one.rtoMinutes).toBe(20);
    expect(one.basis).toMatch(/no automatic failover to another region/);
    expect(one.basis).toMatch(/once the gateway is redeployed in another region, 20 min/);
    expect(find(analyse(pipelineDoc()), 'region-loss', /ingest gateway/).rtoMinutes).toBe(one.rtoMinutes);
    const doc = pipelineDoc();
    doc.resource.google_cloud_run_v2_service.gateway_eu = { ...JSON.parse(JSON.stringify(doc.resource.google_cloud_run_v2_service.gateway)), location: 'europe-west1' };
    const two = find(analyse(doc, { workload: { burstsPerDay: 4 } }), 'region-loss', /queue/);
    expect([two.rpoMinutes, two.rtoMinutes]).toEqual([2.59, 1]);
  });

  test('a gated warm standby takes over the lost primary region in 300 + 60 sampling + 120 visibility + 30 poll + 0 startup = 510 s = 8.5 min, within 15 min', () => {
    const s = find(analyse(withGatedStandby(300, { role: 'roles/monitoring.viewer' })), 'region-loss', /^processor/);
    expect(s.rtoMinutes).toBe(8.5);
    expect(s.basis).toMatch(/300 s threshold \+ 60 s metric sampling \+ 120 s until visible \(https:\/\/cloud\.google\.com\/monitoring\/api\/metrics_gcp#gcp-pubsub, V\) \+ 30 s poll \+ 0 s startup \(1 warm instance\(s\)\) = 510 s \(8\.5 min\)/);
    const f = check(rto, withGatedStandby(300, { role: 'roles/monitoring.viewer' })).find((x) => x.evidence && (x.evidence as { target: string }).target.startsWith('processor') && (x.evidence as { scenario: string }).scenario === 'region-loss')!;
    expect([f.status, f.observed]).toEqual(['pass', '8.5 min']);
  });

  test('a 900 s threshold: 900 + 60 + 120 + 30 = 1,110 s = 18.5 min fails the 15 min RTO', () => {
    const f = check(rto, withGatedStandby(900, { role: 'roles/monitoring.viewer' })).find((x) => (x.evidence as { target: string } | undefined)?.target.startsWith('processor') && (x.evidence as { scenario: string }).scenario === 'region-loss')!;
    expect([f.status, f.observed]).toEqual(['fail', '18.5 min']);
  });

  test('a threshold that is not a literal is unknown; a standby that cannot read the metric, or has no warm instance, never takes over (not bounded)', () => {
    const pending = check(rto, withGatedStandby('${var.threshold}', { role: 'roles/monitoring.viewer' })).find((x) => (x.evidence as { target: string } | undefined)?.target.startsWith('processor') && (x.evidence as { scenario: string }).scenario === 'region-loss')!;
    expect(pending.status).toBe('unknown');
    expect(pending.message).toMatch(/STANDBY_BACKLOG_AGE_SECONDS is not a literal number/);
    const blind = find(analyse(withGatedStandby(300)), 'region-loss', /^processor/);
    expect(blind.rtoMinutes).toBeNull();
    expect(blind.basis).toMatch(/without a role that reads Cloud Monitoring \(roles\/monitoring\.viewer\)/);
    const cold = find(analyse(withGatedStandby(300, { min: 0, role: 'roles/monitoring.viewer' })), 'region-loss', /^processor/);
    expect(cold.rtoMinutes).toBeNull();
    expect(cold.basis).toMatch(/runs no instance \(min_instance_count 0\): nothing polls the backlog age/);
  });

  test('BigQuery region loss with a replica: RTO 5 min is for reads; the archive writes wait for the primary, buffered by their subscription', () => {
    const doc = pipelineDoc();
    (doc.resource as Record<string, unknown>).google_bigquery_job = {
      replica: { job_id: 'add-replica', location: 'US', query: { query: "ALTER SCHEMA `p.iot_analytics` ADD REPLICA `eu` OPTIONS(location = 'europe-west1')", use_legacy_sql: false } },
    };
    const s = find(analyse(doc), 'region-loss', /cold store/);
    expect(s.target).toBe('cold store google_bigquery_dataset.analytics (reads; archive writes wait for the primary)');
    expect(s.rtoMinutes).toBe(5);
    expect(s.basis).toMatch(/RTO 5 min is for reads \(the query plane\)/);
    expect(s.basis).toMatch(/Archive writes are deferred, not lost, while the outage is shorter than their buffer: google_pubsub_subscription\.archive keeps unacknowledged messages 7 days/);
  });

  test('operator error: deletion protection gives RPO 0; delete_contents_on_destroy leaves it unbounded', () => {
    expect(find(analyse(pipelineDoc()), 'operator-error', /cold store/).rpoMinutes).toBe(0);
    const doc = set(pipelineDoc(), 'google_bigquery_dataset', 'analytics', 'delete_contents_on_destroy', true);
    expect(find(analyse(doc), 'operator-error', /cold store/).rpoMinutes).toBeNull();
  });
});

describe('retention', () => {
  const r = analyse(pipelineDoc());
  const entry = (a: string) => r.retention.entries.find((e) => e.address === a)!;

  test('archive partitions 2,678,400,000 ms = 31 days of expiry on DAY partitions keep a partition\'s last rows 31 - 1 = 30 days; hot tables 6 h = 0.25 d and 24 h = 1 d; subscriptions 7 days', () => {
    expect(entry('google_bigquery_table.events_raw').retentionDays).toBe(30);
    expect(entry('google_bigtable_table.events').retentionDays).toBe(0.25);
    expect(entry('google_bigtable_table.aggregates').retentionDays).toBe(1);
    expect(entry('google_pubsub_subscription.speed').retentionDays).toBe(7);
    expect(entry('google_bigtable_table.events').basis).toMatch(/eventual/);
  });

  test('HOUR partitions: 31 days of expiry keep the last rows 31 - 1/24 = 30.958 days (rounded to 3 places)', () => {
    const doc = set(pipelineDoc(), 'google_bigquery_table', 'events_raw', 'time_partitioning.type', 'HOUR');
    const e = analyse(doc).retention.entries.find((x) => x.address === 'google_bigquery_table.events_raw')!;
    expect(e.retentionDays).toBe(30.958);
    expect(e.basis).toMatch(/one HOUR partition later/);
  });

  test('no GC policy: unbounded, not zero', () => {
    const doc = pipelineDoc();
    delete doc.resource.google_bigtable_gc_policy.events;
    const e = analyse(doc).retention.entries.find((x) => x.address === 'google_bigtable_table.events')!;
    expect(e.unbounded).toBe(true);
    expect(e.retentionDays).toBeNull();
  });
});
