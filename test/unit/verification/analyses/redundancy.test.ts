/**
 * Redundancy the models must recognise from plain Terraform: a spill bucket beside the event
 * queue, a declared store fallback in the serving API, a cross-region dataset replica (DDL run
 * by a google_bigquery_job), and services deployed in two regions. SLAs from slas.json:
 * Cloud Run 0.9995, Pub/Sub 0.9995, Bigtable multi-cluster (2 regions) 0.9999, BigQuery 0.9999,
 * Cloud Storage multi-region 0.9995, regional 0.999.
 */
import { analyse, check, pipelineDoc, statuses } from './support/pipeline';
import { rule as perServiceAccounts } from '../../../../verification/rules/per-service-accounts';
import { rule as availabilityTarget } from '../../../../verification/rules/availability-target';
import { rule as rpoWithinBound } from '../../../../verification/rules/rpo-within-bound';

type Doc = ReturnType<typeof pipelineDoc>;
const plane = (r: ReturnType<typeof analyse>, p: string) => r.availability.planes.find((x) => x.plane === p)!;
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
const env = (doc: Doc, service: string) => {
  const c = doc.resource.google_cloud_run_v2_service[service].template as { containers: { env: { name: string; value: string }[] } };
  return c.containers.env;
};

function withSpill(location: string): Doc {
  const doc = pipelineDoc();
  doc.resource.google_storage_bucket.spill = { name: 'spill', location, uniform_bucket_level_access: true };
  env(doc, 'gateway').push({ name: 'SPILL_BUCKET', value: '${google_storage_bucket.spill.name}' });
  return doc;
}

function withBigQueryReads(doc: Doc, fallback?: string): Doc {
  env(doc, 'analytics').push({ name: 'BIGQUERY_DATASET', value: '${google_bigquery_dataset.analytics.dataset_id}' });
  if (fallback) env(doc, 'analytics').push({ name: 'QUERY_FALLBACK', value: fallback });
  return doc;
}

function withReplica(doc: Doc, location = 'europe-west1'): Doc {
  doc.resource.google_bigquery_job = {
    replica: {
      job_id: 'add-replica',
      location: 'US',
      query: { query: `ALTER SCHEMA \`p.iot_analytics\` ADD REPLICA \`${location}\` OPTIONS(location = '${location}')`, use_legacy_sql: false, create_disposition: '', write_disposition: '' },
    },
  };
  return doc;
}

describe('ingest plane: a spill bucket the gateway is wired to runs in parallel with Pub/Sub', () => {
  test('multi-region bucket: 0.9995 (gateway) x (1 - 0.0005 x 0.0005) = 0.99949975; without it 0.9995 x 0.9995 = 0.99900025', () => {
    expect(plane(analyse(withSpill('US')), 'ingest').availability).toBeCloseTo(0.99949975, 8);
    expect(plane(analyse(pipelineDoc()), 'ingest').availability).toBeCloseTo(0.99900025, 8);
  });

  test('regional bucket: 0.9995 x (1 - 0.0005 x 0.001) = 0.9994995', () => {
    expect(plane(analyse(withSpill('us-central1')), 'ingest').availability).toBeCloseTo(0.9994995, 8);
  });

  test('a bucket the gateway does not refer to is no fallback: 0.99900025', () => {
    const doc = pipelineDoc();
    doc.resource.google_storage_bucket.spill = { name: 'spill', location: 'US' };
    expect(plane(analyse(doc), 'ingest').availability).toBeCloseTo(0.99900025, 8);
  });

  test('spilled events are not fresh: the freshness plane keeps Pub/Sub in series (0.9995^4 x 0.9999)', () => {
    expect(plane(analyse(withSpill('US')), 'freshness').availability).toBeCloseTo(0.9995 ** 4 * 0.9999, 8);
  });
});

describe('query plane: stores in parallel only when the API is wired to both and declares the fallback', () => {
  test('wired to both, no fallback: series 0.9995 x 0.9999 x 0.9999 = 0.99930011', () => {
    expect(plane(analyse(withBigQueryReads(pipelineDoc())), 'query').availability).toBeCloseTo(0.99930011, 8);
  });

  test('QUERY_FALLBACK=bigquery: 0.9995 x (1 - 0.0001 x 0.0001) x 0.9999 = 0.99940004', () => {
    const q = plane(analyse(withBigQueryReads(pipelineDoc(), 'bigquery')), 'query');
    expect(q.availability).toBeCloseTo(0.9995 * (1 - 1e-8) * 0.9999, 10);
    expect(q.composition).toMatch(/declared BigQuery fallback/);
  });

  test('a fallback naming a store the API is not wired to counts for nothing: 0.99940005 (Bigtable only)', () => {
    const doc = pipelineDoc();
    env(doc, 'analytics').push({ name: 'QUERY_FALLBACK', value: 'bigquery' });
    expect(plane(analyse(doc), 'query').availability).toBeCloseTo(0.99940005, 8);
  });

  test('a dataset replica puts history reads in parallel: 0.9995 x 0.9999 x (1 - 0.0001^2) = 0.99940004', () => {
    expect(plane(analyse(withReplica(withBigQueryReads(pipelineDoc()))), 'query').availability).toBeCloseTo(0.9995 * 0.9999 * (1 - 1e-8), 10);
  });

  test('the analytics API in two regions: (1 - 0.0005^2) x 0.9999 = 0.99989998 fails 99.99%; with the fallback 0.99999975 x 0.99999999 passes', () => {
    const doc = pipelineDoc();
    doc.resource.google_cloud_run_v2_service.analytics_eu = { ...clone(doc.resource.google_cloud_run_v2_service.analytics), location: 'europe-west1' };
    expect(plane(analyse(doc), 'query').availability).toBeCloseTo((1 - 0.0005 ** 2) * 0.9999, 8);
    expect(statuses(check(availabilityTarget, doc)).filter((s) => s === 'fail').length).toBeGreaterThan(0);
    withBigQueryReads(doc, 'bigquery');
    env(doc, 'analytics_eu').push({ name: 'BIGQUERY_DATASET', value: 'iot_analytics' }, { name: 'QUERY_FALLBACK', value: 'bigquery' });
    expect(plane(analyse(doc), 'query').availability).toBeCloseTo((1 - 0.0005 ** 2) * (1 - 1e-8) * 0.9999, 8);
  });
});

describe('freshness plane: its own target when the spec states one', () => {
  test('0.9995^4 x 0.9999 = 0.997901 fails 0.9999 and a freshnessAvailability of 0.999, passes one of 0.997', () => {
    const f = (o: Parameters<typeof check>[2]) => check(availabilityTarget, pipelineDoc(), o).find((x) => /^freshness/.test(String(x.observed ?? '')))!;
    expect(f({}).status).toBe('fail');
    // 0.9995^4 x 0.9999 = 0.997901: still below 0.999.
    expect(f({ constraints: { freshnessAvailability: 0.999 } }).status).toBe('fail');
    expect(f({ constraints: { freshnessAvailability: 0.997 } }).status).toBe('pass');
    expect(f({ constraints: { freshnessAvailability: 0.997 } }).expected).toBe('>= 99.700%');
  });
});

describe('DR of the cold store under region loss', () => {
  const regionLoss = (doc: Doc) => analyse(doc).dr.scenarios.find((s) => s.scenario === 'region-loss' && /cold store/.test(s.target))!;

  test('no replica: not bounded', () => {
    expect([regionLoss(pipelineDoc()).rpoMinutes, regionLoss(pipelineDoc()).rtoMinutes]).toEqual([null, null]);
  });

  test('replica, topic retention 3,600 s >= 900 s replication lag: RPO 0 (replayed), RTO 5 min (reads move to the replica)', () => {
    const doc = withReplica(pipelineDoc());
    doc.resource.google_pubsub_topic.telemetry.message_retention_duration = '3600s';
    doc.resource.google_pubsub_topic.dead_letter.message_retention_duration = '3600s';
    const s = regionLoss(doc);
    expect([s.rpoMinutes, s.rtoMinutes]).toEqual([0, 5]);
    expect(s.basis).toMatch(/replay window 60 min/);
  });

  test('replica, topic retention 600 s < 900 s lag: RPO 15 min, which fails a 5 min bound', () => {
    const doc = withReplica(pipelineDoc());
    doc.resource.google_pubsub_topic.telemetry.message_retention_duration = '600s';
    doc.resource.google_pubsub_topic.dead_letter.message_retention_duration = '600s';
    expect(regionLoss(doc).rpoMinutes).toBe(15);
    expect(check(rpoWithinBound, doc).some((f) => f.status === 'fail' && /cold store/.test(f.message))).toBe(true);
  });

  test('a "replica" in the primary location is no replica', () => {
    expect(regionLoss(withReplica(pipelineDoc(), 'US')).rpoMinutes).toBeNull();
  });

  test('the replica is priced: storage in europe-west1 and replication US -> europe-west1 (intercontinental)', () => {
    // events_raw 804.66 GiB/day x 31 d x $0.020 = $498.89; 804.66 x 30.4167 d = 24,475.1 GiB x $0.05 = $1,223.76.
    const doc = withReplica(pipelineDoc());
    const lines = analyse(doc).cost.lines.filter((l) => l.address === 'google_bigquery_job.replica');
    expect(lines.find((l) => /replica storage/.test(l.item))!.monthlyUsd.expected).toBeCloseTo(498.89, 0);
    expect(lines.find((l) => /replication/.test(l.item))!.monthlyUsd.expected).toBeCloseTo(1223.76, 0);
  });

  test('a query job that is not replica DDL is unpriced', () => {
    const doc = pipelineDoc();
    doc.resource.google_bigquery_job = { q: { job_id: 'q', query: { query: 'SELECT * FROM `p.iot_analytics.events_raw`' } } };
    expect(analyse(doc).cost.unpriced.some((u) => u.address === 'google_bigquery_job.q')).toBe(true);
  });
});

describe('services in two regions', () => {
  function twoRegions(): Doc {
    const doc = pipelineDoc();
    for (const name of ['gateway', 'processor', 'analytics', 'dashboard']) {
      doc.resource.google_cloud_run_v2_service[`${name}_eu`] = { ...clone(doc.resource.google_cloud_run_v2_service[name]), location: 'europe-west1' };
    }
    return doc;
  }

  test('region loss: RTO 1 min (clients fail over to the other region) instead of a 20 min redeploy', () => {
    const r = analyse(twoRegions());
    const gw = r.dr.scenarios.find((s) => s.scenario === 'region-loss' && /ingest gateway/.test(s.target))!;
    expect([gw.rpoMinutes, gw.rtoMinutes]).toEqual([0, 1]);
    expect(analyse(pipelineDoc()).dr.scenarios.find((s) => s.scenario === 'region-loss' && /ingest gateway/.test(s.target))!.rtoMinutes).toBe(20);
  });

  test('processors pulling one subscription add up: 2 x 16 instances x 2 vCPU x 5,000 = 320,000 events/s', () => {
    const cap = analyse(twoRegions()).capacity as { components: { component: string; sustainedEventsPerSecond: number | null }[] };
    expect(cap.components.find((c) => c.component === 'processor (Cloud Run)')!.sustainedEventsPerSecond).toBe(320_000);
  });

  test('the standby region is priced at its minimum: processor_eu 4 min instances x (2 x $0.000018 + 2 x $0.000002) x 2,628,000 s = $420.48', () => {
    const r = analyse(twoRegions());
    const eu = r.cost.lines.find((l) => l.address === 'google_cloud_run_v2_service.processor_eu')!;
    expect(eu.monthlyUsd.expected).toBeCloseTo(420.48, 2);
    expect(eu.formula).toMatch(/standby region/);
  });

  test('regional copies of one service share its account; two different services may not', () => {
    const doc = twoRegions();
    expect(statuses(check(perServiceAccounts, doc)).every((s) => s === 'pass')).toBe(true);
    (doc.resource.google_cloud_run_v2_service.dashboard.template as Record<string, unknown>).service_account = '${google_service_account.analytics.email}';
    const failed = check(perServiceAccounts, doc).filter((f) => f.status === 'fail').map((f) => f.address);
    expect(failed).toContain('google_cloud_run_v2_service.dashboard');
    expect(failed).toContain('google_cloud_run_v2_service.analytics');
  });
});
