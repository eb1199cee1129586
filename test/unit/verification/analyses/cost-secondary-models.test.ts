/**
 * The smaller price models on the reference pipeline, hand-computed: Bigtable backups and
 * storage-sized clusters, Pub/Sub retained acknowledged messages and BigQuery-subscription
 * delivery, Cloud Storage, Monitoring tiers, Secret Manager, and inter-region transfer by
 * continent pair. A month is 730 h = 2,628,000 s; GiB = 2^30 B, TiB = 2^40 B.
 * Workload: 10,000 events/s of 1,000 B, no bursts.
 */
import { analyse, line, pipelineDoc, set } from './support/pipeline';

const I = 'google_bigtable_instance.hot';

describe('Bigtable backups', () => {
  // The events table at its 6 h GC max-age: 10,000 rows/s x 1,000 B x 21,600 s = 2.16e11 B = 201.1657 GiB.
  const withBackups = (policy: Record<string, string>) => set(pipelineDoc(), 'google_bigtable_table', 'events', 'automated_backup_policy', policy);

  test('3 d retention, one a day: 3 backups x 201.17 GiB x $0.026 = $15.69 in each of the 2 clusters; min one copy $5.23', () => {
    const r = analyse(withBackups({ retention_period: '259200s', frequency: '86400s' }));
    for (const c of ['hot-us', 'hot-eu']) {
      const b = line(r, 'google_bigtable_table.events', `backup storage (${c})`)!;
      expect(b.monthlyUsd.expected).toBeCloseTo(15.69, 2);
      expect(b.monthlyUsd.max).toBeCloseTo(15.69, 2);
      expect(b.monthlyUsd.min).toBeCloseTo(5.23, 2);
      expect(b.confidence).toBe('U');
    }
  });

  test('frequency unset takes the one-a-day default from limits.json: 7 d retention = 7 x 201.17 x $0.026 = $36.61 per cluster', () => {
    const r = analyse(withBackups({ retention_period: '604800s' }));
    expect(line(r, 'google_bigtable_table.events', 'backup storage (hot-us)')!.monthlyUsd.expected).toBeCloseTo(36.61, 2);
  });

  test('backupStorageGiB in the usage file sets the size of one backup: 3 x 50 GiB x $0.026 = $3.90', () => {
    const r = analyse(withBackups({ retention_period: '259200s', frequency: '86400s' }), { usage: { resources: { 'google_bigtable_table.events': { backupStorageGiB: 50 } } } });
    expect(line(r, 'google_bigtable_table.events', 'backup storage (hot-eu)')!.monthlyUsd.expected).toBeCloseTo(3.9, 2);
  });
});

describe('Bigtable clusters without num_nodes or autoscaling', () => {
  test('sized by data footprint: ceil(281.63 GiB / 2,560 GiB per node) = 1 node x 730 h x $0.65 = $474.50; at the GC-lag maximum 6,477.5 GiB -> 3 nodes = $1,423.50', () => {
    const doc = pipelineDoc();
    for (const c of doc.resource.google_bigtable_instance.hot.cluster as Record<string, unknown>[]) delete c.autoscaling_config;
    const n = line(analyse(doc), I, 'nodes (hot-us)')!;
    expect(n.monthlyUsd.expected).toBeCloseTo(474.5, 2);
    expect(n.monthlyUsd.max).toBeCloseTo(1423.5, 2);
    expect(n.formula).toMatch(/num_nodes unset/);
  });
});

describe('Pub/Sub subscription extras', () => {
  test('retained acknowledged messages: 10,000 x 1,000 B x 604,800 s = 5,632.66 GiB x $0.27 = $1,520.82', () => {
    const doc = set(pipelineDoc(), 'google_pubsub_subscription', 'speed', 'retain_acked_messages', true);
    expect(line(analyse(doc), 'google_pubsub_subscription.speed', 'retained acknowledged messages')!.monthlyUsd.expected).toBeCloseTo(1520.82, 1);
  });

  test('a BigQuery subscription bills delivery at $50/TiB: 1,000 events/s x 1,036 billed B x 2,628,000 s = 2.4762 TiB x $50 = $123.81 (the same volume published is $99.05 at $40)', () => {
    const usage = { resources: { 'google_pubsub_topic.dead_letter': { eventsPerSecond: 1_000 } } };
    const r = analyse(pipelineDoc(), { usage });
    const d = line(r, 'google_pubsub_subscription.dead_letter_archive', 'delivery to BigQuery/Cloud Storage')!;
    expect(d.monthlyUsd.expected).toBeCloseTo(123.81, 1);
    expect(d.confidence).toBe('S');
    expect(line(r, 'google_pubsub_topic.dead_letter', 'publish throughput')!.monthlyUsd.expected).toBeCloseTo(99.05, 1);
  });
});

describe('Cloud Storage', () => {
  const B = 'google_storage_bucket.udf';

  test('inline objects are sized from their content: 32 bytes, about $0', () => {
    const l = line(analyse(pipelineDoc()), B, 'Standard storage')!;
    expect(l.formula).toMatch(/1 declared objects, 32 bytes of inline content/);
    expect(l.monthlyUsd.expected).toBe(0);
  });

  test('storageGiB from the usage file: 500 GiB x $0.020 (us-central1) = $10.00; location written in capitals (US-CENTRAL1) is the same region', () => {
    const usage = { resources: { [B]: { storageGiB: 500 } } };
    expect(line(analyse(pipelineDoc(), { usage }), B, 'Standard storage')!.monthlyUsd.expected).toBeCloseTo(10, 2);
    const upper = set(pipelineDoc(), 'google_storage_bucket', 'udf', 'location', 'US-CENTRAL1');
    expect(line(analyse(upper, { usage }), B, 'Standard storage')!.monthlyUsd.expected).toBeCloseTo(10, 2);
  });

  test('the US multi-region (any case) prices at its own rate: 500 GiB x $0.026 = $13.00; a region without a price is unpriced', () => {
    const usage = { resources: { [B]: { storageGiB: 500 } } };
    const us = set(pipelineDoc(), 'google_storage_bucket', 'udf', 'location', 'us');
    expect(line(analyse(us, { usage }), B, 'Standard storage')!.monthlyUsd.expected).toBeCloseTo(13, 2);
    const asia = set(pipelineDoc(), 'google_storage_bucket', 'udf', 'location', 'asia-east1');
    expect(analyse(asia, { usage }).cost.unpriced.find((u) => u.address === B)?.reason).toMatch(/no storage.standard price for region asia-east1/);
  });

  test('an object uploaded from a file has no size in the graph and is reported', () => {
    const doc = pipelineDoc();
    doc.resource.google_storage_bucket_object.big = { name: 'big.bin', bucket: '${google_storage_bucket.udf.name}', source: './big.bin' };
    expect(analyse(doc).cost.warnings.some((w) => w.includes('google_storage_bucket_object.big') && /unknown/.test(w))).toBe(true);
  });
});

describe('Cloud Monitoring custom metrics, tiered per billing account', () => {
  const withMetrics = () => {
    const doc = pipelineDoc();
    doc.resource.google_monitoring_metric_descriptor = {
      m1: { type: 'custom.googleapis.com/iot/a', metric_kind: 'GAUGE', value_type: 'DOUBLE' },
      m2: { type: 'custom.googleapis.com/iot/b', metric_kind: 'GAUGE', value_type: 'DOUBLE' },
    };
    return doc;
  };

  test('120,000 MiB then 200,000 MiB: the second continues up the tiers', () => {
    const usage = { resources: { 'google_monitoring_metric_descriptor.m1': { monthlyMetricMiB: 120_000 }, 'google_monitoring_metric_descriptor.m2': { monthlyMetricMiB: 200_000 } } };
    const r = analyse(withMetrics(), { usage });
    // m1: 150 free + 99,850 x $0.258 (= $25,761.30) + 20,000 x $0.151 (= $3,020.00) = $28,781.30.
    const m1 = line(r, 'google_monitoring_metric_descriptor.m1', 'metric ingestion')!;
    expect(m1.monthlyUsd.expected).toBeCloseTo(28781.3, 1);
    // m2 from 120,000 to 320,000 MiB: 130,000 x $0.151 (= $19,630) + 70,000 x $0.061 (= $4,270) = $23,900.
    const m2 = line(r, 'google_monitoring_metric_descriptor.m2', 'metric ingestion')!;
    expect(m2.monthlyUsd.expected).toBeCloseTo(23900, 1);
    expect(m2.confidence).toBe('U');
  });

  test('within the first tier: (1,000 - 150 free) x $0.258 = $219.30, confidence S', () => {
    const doc = withMetrics();
    delete doc.resource.google_monitoring_metric_descriptor.m2;
    const r = analyse(doc, { usage: { resources: { 'google_monitoring_metric_descriptor.m1': { monthlyMetricMiB: 1_000 } } } });
    const m1 = line(r, 'google_monitoring_metric_descriptor.m1', 'metric ingestion')!;
    expect(m1.monthlyUsd.expected).toBeCloseTo(219.3, 2);
    expect(m1.confidence).toBe('S');
  });

  test('no volume in the usage file: unpriced, not $0', () => {
    expect(analyse(withMetrics()).cost.unpriced.map((u) => u.address)).toEqual(['google_monitoring_metric_descriptor.m1', 'google_monitoring_metric_descriptor.m2']);
  });
});

describe('Secret Manager', () => {
  const withSecret = () => {
    const doc = pipelineDoc();
    doc.resource.google_secret_manager_secret = { key: { secret_id: 'api-key', replication: { auto: {} } } };
    doc.resource.google_secret_manager_secret_version = { key: { secret: '${google_secret_manager_secret.key.id}', secret_data: 'x' } };
    return doc;
  };

  test('one active version $0.06 with accesses assumed 0 and said so; 1,000,000 accesses add 100 x $0.03 = $3.00', () => {
    const r = analyse(withSecret());
    expect(line(r, 'google_secret_manager_secret_version.key', 'active version + accesses')!.monthlyUsd.expected).toBeCloseTo(0.06, 2);
    expect(r.cost.warnings.some((w) => w.startsWith('google_secret_manager_secret_version.key: access operations assumed 0'))).toBe(true);
    const withUse = analyse(withSecret(), { usage: { resources: { 'google_secret_manager_secret_version.key': { accessesPerMonth: 1_000_000 } } } });
    expect(line(withUse, 'google_secret_manager_secret_version.key', 'active version + accesses')!.monthlyUsd.expected).toBeCloseTo(3.06, 2);
  });
});

describe('inter-region transfer by continent pair', () => {
  test('the archive job in us-central1 writing a dataset in europe-west1: 24,475.1 GiB x $0.05 (Europe <-> North America) = $1,223.76', () => {
    const doc = set(pipelineDoc(), 'google_bigquery_dataset', 'analytics', 'location', 'europe-west1');
    const t = line(analyse(doc), 'google_dataflow_job.archive', 'transfer us-central1 -> europe-west1')!;
    expect(t.monthlyUsd.expected).toBeCloseTo(1223.76, 1);
    expect(t.formula).toMatch(/europe <-> north-america/);
  });

  test('a job in us-central1 writing the US multi-region crosses nothing', () => {
    expect(analyse(pipelineDoc()).cost.lines.some((l) => l.item.startsWith('transfer '))).toBe(false);
  });

  test('a processor in us-east1 writing a hot store with clusters in us-central1 and europe-west1: 11,002 rows/s (events, aggregates, 2 fleet snapshot rows/s) x 1,000 B = 26,927.5 GiB x $0.02 (within North America) = $538.55', () => {
    const doc = set(pipelineDoc(), 'google_cloud_run_v2_service', 'processor', 'location', 'us-east1');
    const w = line(analyse(doc), 'google_cloud_run_v2_service.processor', 'writes us-east1 -> us-central1')!;
    expect(w.monthlyUsd.expected).toBeCloseTo(538.55, 1);
  });

  test('a continent pair without a rate (Asia <-> North America) is unpriced, not priced at the Europe rate', () => {
    const doc = set(pipelineDoc(), 'google_bigquery_dataset', 'analytics', 'location', 'asia-east1');
    const r = analyse(doc);
    expect(r.cost.unpriced.some((u) => /no network.inter-region.between.asia.north-america rate/.test(u.reason))).toBe(true);
    expect(r.cost.lines.some((l) => l.item === 'transfer us-central1 -> asia-east1')).toBe(false);
    const bt = pipelineDoc();
    (bt.resource.google_bigtable_instance.hot.cluster as Record<string, unknown>[])[1].zone = 'asia-east1-a';
    expect(analyse(bt).cost.unpriced.some((u) => u.address === I && /replication hot-us -> hot-eu: no network.inter-region.between.asia.north-america rate/.test(u.reason))).toBe(true);
  });

  test('Bigtable replication between two European clusters: within Europe, $0.02 (U)', () => {
    const doc = pipelineDoc();
    (doc.resource.google_bigtable_instance.hot.cluster as Record<string, unknown>[])[0].zone = 'europe-west4-a';
    const rep = analyse(doc).cost.lines.find((l) => l.address === I && l.item === 'replication europe-west4 -> europe-west1')!;
    // 11,002 rows/s (2 of them fleet snapshots) x 1,000 B x 2,628,000 s = 26,927.5 GiB x $0.02 = $538.55.
    expect(rep.monthlyUsd.expected).toBeCloseTo(538.55, 1);
    expect(rep.confidence).toBe('U');
  });
});
