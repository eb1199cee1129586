/**
 * Cost models on the reference pipeline, hand-computed. A month is 730 h = 2,628,000 s;
 * GiB = 2^30 B, TiB = 2^40 B. Workload: 10,000 events/s of 1,000 B, no bursts.
 */
import { analyse, line, pipelineDoc, set, unset } from './support/pipeline';

// 10,000 x 1,000 B x 2,628,000 s = 2.628e13 B = 24,475.1 GiB = 23.9015 TiB a month.
const GIB_PER_MONTH = 2.628e13 / 2 ** 30;
const TIB_PER_MONTH = 2.628e13 / 2 ** 40;

describe('Pub/Sub price models', () => {
  const r = analyse(pipelineDoc());

  // Pub/Sub bills each message's data + attributes + a 20-byte timestamp + the message id
  // (16 B in the price data): 1,000 + 0 + 20 + 16 = 1,036 B per message here.
  test('publish: 23.90 TiB x 1.036 = 24.762 TiB x $40 = $990.48 (100 x 1,036 B per request clears the 1,000 B minimum)', () => {
    expect(TIB_PER_MONTH).toBeCloseTo(23.9015, 4);
    const l = line(r, 'google_pubsub_topic.telemetry', 'publish throughput')!;
    expect(l.monthlyUsd.expected).toBeCloseTo(990.48, 1);
    expect(l.formula).toMatch(/1000 B data \+ 0 B attributes \+ 20 B timestamp \+ 16 B message id = 1036 B/);
  });

  test('attributes and the ordering key are billed: 512 B events + 71 B attributes + 36 B = 619 B: 23.9015 x 0.619 x $40 = $591.80', () => {
    const a = analyse(pipelineDoc(), { workload: { eventSizeBytes: 512, attributeBytesPerMessage: 71 } });
    expect(line(a, 'google_pubsub_topic.telemetry', 'publish throughput')!.monthlyUsd.expected).toBeCloseTo(591.8, 1);
    // Without the overhead the same events would price at 23.9015 x 0.512 x 40 = $489.50: the model must not.
    expect(line(a, 'google_pubsub_topic.telemetry', 'publish throughput')!.monthlyUsd.expected).not.toBeCloseTo(489.5, 0);
  });

  test('every delivery is billed again: speed and archive subscriptions $990.48 each', () => {
    expect(line(r, 'google_pubsub_subscription.speed', 'delivery throughput')!.monthlyUsd.expected).toBeCloseTo(990.48, 1);
    expect(line(r, 'google_pubsub_subscription.archive', 'delivery throughput')!.monthlyUsd.expected).toBeCloseTo(990.48, 1);
  });

  test('the 1,000-byte minimum bites when requests are small: 100-byte events one per request bill 1,000 B, not 136 B', () => {
    // 10,000 msg/s x max(1,000, 1 x 136 B) = 1e7 B/s, the same bytes as 1,000-byte events without overhead: $956.06.
    const small = analyse(pipelineDoc(), { workload: { eventSizeBytes: 100, eventsPerIngestRequest: 1 } });
    expect(line(small, 'google_pubsub_topic.telemetry', 'publish throughput')!.monthlyUsd.expected).toBeCloseTo(956.06, 1);
    // Batched 100 per request: 100 x 136 B = 13,600 B per request, no minimum: 23.9015 x 0.136 x 40 = $130.02.
    const batched = analyse(pipelineDoc(), { workload: { eventSizeBytes: 100, eventsPerIngestRequest: 100 } });
    expect(line(batched, 'google_pubsub_topic.telemetry', 'publish throughput')!.monthlyUsd.expected).toBeCloseTo(130.02, 1);
  });

  test('topic retention: 10,000 x 1,000 B x 86,400 s = 804.66 GiB x $0.27 = $217.26', () => {
    const doc = set(pipelineDoc(), 'google_pubsub_topic', 'telemetry', 'message_retention_duration', '86400s');
    expect(line(analyse(doc), 'google_pubsub_topic.telemetry', 'topic retention storage')!.monthlyUsd.expected).toBeCloseTo(217.26, 1);
  });

  test('dead-letter topic traffic is assumed 0 and said so; a usage override prices it', () => {
    expect(line(r, 'google_pubsub_topic.dead_letter', 'publish throughput')!.monthlyUsd.expected).toBe(0);
    expect(r.cost.warnings.some((w) => w.includes('google_pubsub_topic.dead_letter'))).toBe(true);
    // 1,000 events/s is a tenth of the stream: $99.05.
    const withUsage = analyse(pipelineDoc(), { usage: { resources: { 'google_pubsub_topic.dead_letter': { eventsPerSecond: 1_000 } } } });
    expect(line(withUsage, 'google_pubsub_topic.dead_letter', 'publish throughput')!.monthlyUsd.expected).toBeCloseTo(99.05, 1);
  });

  test('a topic with no role on the event path is unpriced, not $0', () => {
    const doc = pipelineDoc();
    doc.resource.google_pubsub_topic.orphan = { name: 'orphan' };
    const u = analyse(doc).cost.unpriced.find((x) => x.address === 'google_pubsub_topic.orphan');
    expect(u?.reason).toMatch(/traffic is unknown/);
  });
});

describe('Bigtable price model', () => {
  const r = analyse(pipelineDoc());
  const I = 'google_bigtable_instance.hot';

  test('nodes: 11,000 rows/s (10,000 events + 60,000 devices / 60 s) / (14,000 x 70%) -> 2 nodes x 730 h x $0.65 = $949 per cluster; max 6 nodes $2,847', () => {
    const us = line(r, I, 'nodes (hot-us)')!;
    expect(us.monthlyUsd).toEqual({ min: 949, expected: 949, max: 2847 });
    expect(us.confidence).toBe('U');
    expect(line(r, I, 'nodes (hot-eu)')!.monthlyUsd.expected).toBe(949);
  });

  test('SSD storage grows to each GC max-age: 10,000 x 1,000 B x 6 h + 1,000 x 1,000 B x 24 h = 281.63 GiB x $0.17 = $47.88; +7 days GC lag = $1,101.18', () => {
    // 2.16e11 B + 8.64e10 B = 3.024e11 B = 281.63 GiB. Max: 6.264e12 + 6.912e11 = 6.9552e12 B = 6,477.5 GiB.
    const s = line(r, I, 'SSD storage (hot-us)')!.monthlyUsd;
    expect(s.expected).toBeCloseTo(47.88, 1);
    expect(s.max).toBeCloseTo(1101.18, 0);
  });

  test('no table of the instance in the graph: its writes are held for the spec retention (30 days), and the formula says so rather than naming tables\' GC max-age', () => {
    const doc = pipelineDoc();
    delete (doc.resource as Record<string, unknown>).google_bigtable_table;
    delete (doc.resource as Record<string, unknown>).google_bigtable_gc_policy;
    const formula = line(analyse(doc), I, 'SSD storage (hot-us)')!.formula;
    expect(formula).toMatch(/^no table of the instance in the graph: the instance's writes held for the spec retention of 30 days, [0-9,.]+ GiB \(up to [0-9,.]+ GiB: GC may lag 7 days\) x \$0\.17\/GiB-month$/);
  });

  test('replication us-central1 -> europe-west1: 11,000 rows/s x 1,000 B x 2,628,000 s = 26,922.6 GiB x $0.05 (intercontinental) = $1,346.13', () => {
    expect(line(r, I, /^replication/)!.monthlyUsd.expected).toBeCloseTo(1346.13, 0);
  });

  test('fixed nodes price the same at min, expected and max: 5 x 730 x $0.65 = $2,372.50', () => {
    const doc = pipelineDoc();
    const clusters = doc.resource.google_bigtable_instance.hot.cluster as Record<string, unknown>[];
    for (const c of clusters) {
      delete c.autoscaling_config;
      c.num_nodes = 5;
    }
    expect(line(analyse(doc), I, 'nodes (hot-us)')!.monthlyUsd).toEqual({ min: 2372.5, expected: 2372.5, max: 2372.5 });
  });

  test('a cluster in a region with no price is unpriced', () => {
    const doc = pipelineDoc();
    (doc.resource.google_bigtable_instance.hot.cluster as Record<string, unknown>[])[1].zone = 'asia-east1-a';
    const u = analyse(doc).cost.unpriced.filter((x) => x.address === I);
    expect(u.map((x) => x.reason).join(' ')).toMatch(/no bigtable.node-hour price for region asia-east1/);
  });
});

describe('Dataflow price model', () => {
  const J = 'google_dataflow_job.archive';

  test('n1-standard-2, 1..10 workers: ceil(10,000 / (1,500 x 2)) = 4 workers x (2 x $0.069 + 7.5 x $0.003557) x 730 h = $480.86', () => {
    // per worker-hour 0.138 + 0.0266775 = 0.1646775; x 730 = 120.214; x 4 = 480.86; min 1 = 120.21; max 10 = 1,202.15.
    const w = line(analyse(pipelineDoc()), J, 'workers (n1-standard-2)')!.monthlyUsd;
    expect(w.expected).toBeCloseTo(4 * 0.1646775 * 730, 1);
    expect(w.min).toBeCloseTo(1 * 0.1646775 * 730, 1);
    expect(w.max).toBeCloseTo(10 * 0.1646775 * 730, 1);
  });

  test('the first proposal: 20 initial, 10..50 n1-standard-4 = $2,404.29 expected (10 x 0.329355 x 730), $12,021.46 max', () => {
    const doc = pipelineDoc();
    set(doc, 'google_dataflow_job', 'archive', 'machine_type', 'n1-standard-4');
    set(doc, 'google_dataflow_job', 'archive', 'max_workers', 50);
    set(doc, 'google_dataflow_job', 'archive', 'labels', { 'workers-initial': '20', 'workers-min': '10' });
    const w = line(analyse(doc), J, 'workers (n1-standard-4)')!;
    expect(w.monthlyUsd.expected).toBeCloseTo(2404.29, 1);
    expect(w.monthlyUsd.max).toBeCloseTo(12021.46, 1);
    expect(w.formula).toMatch(/initial 20/);
  });

  test('Streaming Engine by data processed: 24,475.1 GiB x $0.018 = $440.55', () => {
    expect(GIB_PER_MONTH).toBeCloseTo(24475.1, 0);
    expect(line(analyse(pipelineDoc()), J, 'Streaming Engine data processed')!.monthlyUsd.expected).toBeCloseTo(440.55, 1);
  });

  test('no max_workers: expected and max priced at the 100-worker service ceiling and flagged', () => {
    // 100 x 0.1646775 x 730 = $12,021.46 expected and max (the workload alone would need 4 workers, $480.86).
    // Disks: 100 x 30 GiB x $0.000054 x 730 = $118.26 (Streaming Engine default disk).
    const doc = unset(pipelineDoc(), 'google_dataflow_job', 'archive', 'max_workers');
    const r = analyse(doc);
    const w = line(r, J, 'workers (n1-standard-2)')!.monthlyUsd;
    expect(w.expected).toBeCloseTo(12021.46, 1);
    expect(w.max).toBeCloseTo(12021.46, 1);
    expect(w.min).toBeCloseTo(120.21, 1);
    expect(line(r, J, 'worker disks')!.monthlyUsd.expected).toBeCloseTo(118.26, 1);
    expect(r.cost.warnings.some((x) => /without max_workers .* expected and maximum cost priced at that ceiling/.test(x))).toBe(true);
  });
});

describe('BigQuery price models', () => {
  test('a partition type known only after apply leaves the scheduled query\'s scan unpriced, not priced as a full scan of 31 days ($111k)', () => {
    const r = analyse(set(pipelineDoc(), 'google_bigquery_table', 'events_raw', 'time_partitioning.type', '${var.partition}'));
    expect(r.cost.lines.some((l) => /scheduled query scans/.test(l.item))).toBe(false);
    expect(r.cost.unpriced).toEqual([
      {
        address: 'google_bigquery_data_transfer_config.batch_view',
        type: 'google_bigquery_data_transfer_config',
        reason: 'google_bigquery_data_transfer_config.batch_view: bytes scanned unknown (google_bigquery_table.events_raw: time_partitioning.type known only after apply); set bytesScannedPerRunGiB in the usage file',
      },
    ]);
  });

  const T = 'google_bigquery_table.events_raw';

  test('storage to a 31-day partition expiry: 804.66 GiB/day x 31 d x $0.020 (US) = $498.89', () => {
    // 10,000 x 86,400 x 1,000 B = 8.64e11 B = 804.66 GiB a day.
    expect(line(analyse(pipelineDoc()), T, 'storage (active + long-term)')!.monthlyUsd.expected).toBeCloseTo(498.89, 1);
  });

  test('365 days: 90 d active x $0.020 + 275 d long-term x $0.010 = $1,448.39 + $2,212.82 = $3,661.21', () => {
    const doc = set(pipelineDoc(), 'google_bigquery_table', 'events_raw', 'time_partitioning.expiration_ms', 365 * 86_400_000);
    expect(line(analyse(doc), T, 'storage (active + long-term)')!.monthlyUsd.expected).toBeCloseTo(3661.21, 0);
  });

  test('Storage Write API ingest: (24,475.1 - 2,048 free) GiB x $0.025 = $560.68', () => {
    expect(line(analyse(pipelineDoc()), T, 'Storage Write API ingest')!.monthlyUsd.expected).toBeCloseTo(560.68, 1);
  });

  test('legacy insertAll when the template does not use the Write API: 24,475.1 GiB x $0.0512 (1,024 B minimum per row bills 1.024x) = $1,283.17', () => {
    const doc = unset(pipelineDoc(), 'google_dataflow_job', 'archive', 'parameters.useStorageWriteApi');
    expect(line(analyse(doc), T, 'streaming inserts (insertAll)')!.monthlyUsd.expected).toBeCloseTo(GIB_PER_MONTH * 1.024 * 0.0512, 1);
  });

  test('hourly scheduled query on a DAY partition: 730 runs x 419.09 GiB (mean fill 25/48) = 298.76 TiB - 1 free = $1,860.98', () => {
    // 804.66 x 25/48 = 419.09 GiB per run; 730 x 419.09 / 1,024 = 298.76 TiB; (298.76 - 1) x $6.25.
    const q = line(analyse(pipelineDoc()), 'google_bigquery_data_transfer_config.batch_view', 'scheduled query scans')!;
    expect(q.monthlyUsd.expected).toBeCloseTo(1860.98, 0);
    // Max: the full day partition each run: (730 x 804.66 / 1,024 - 1) x 6.25 = $3,579.0.
    expect(q.monthlyUsd.max).toBeCloseTo(3579.0, 0);
  });

  // One hour partition of 804.66 GiB/day = 33.5275 GiB.
  test('HOUR partitions and a 2 h window up to the run, not aligned: 3 partitions, the newest half full: 730 x 2.5 x 33.5275 GiB = 59.75 TiB - 1 free = $367.21; max 3 full = $441.91', () => {
    // The fixture reads event_time >= TIMESTAMP_SUB(@run_time, INTERVAL 2 HOUR): ceil(2 h / 1 h) + 1 = 3 partitions.
    // 730 x 83.819 / 1,024 = 59.754 TiB; (59.754 - 1) x 6.25 = 367.21. Max 730 x 100.58 / 1,024 = 71.705; (71.705 - 1) x 6.25 = 441.91.
    const doc = set(pipelineDoc(), 'google_bigquery_table', 'events_raw', 'time_partitioning.type', 'HOUR');
    const q = line(analyse(doc), 'google_bigquery_data_transfer_config.batch_view', 'scheduled query scans')!;
    expect(q.monthlyUsd.expected).toBeCloseTo(367.21, 0);
    expect(q.monthlyUsd.max).toBeCloseTo(441.91, 0);
  });

  test('HOUR partitions and an aligned hour ending an hour before the run read one complete partition: 730 x 33.5275 / 1,024 = 23.902 TiB - 1 free = $143.14', () => {
    const doc = set(pipelineDoc(), 'google_bigquery_table', 'events_raw', 'time_partitioning.type', 'HOUR');
    set(
      doc,
      'google_bigquery_data_transfer_config',
      'batch_view',
      'params',
      {
        query:
          'SELECT device_id, COUNT(*) FROM `p.iot_analytics.events_raw`\nWHERE event_time >= TIMESTAMP_SUB(TIMESTAMP_TRUNC(@run_time, HOUR), INTERVAL 2 HOUR)\n  AND event_time < TIMESTAMP_SUB(TIMESTAMP_TRUNC(@run_time, HOUR), INTERVAL 1 HOUR)\nGROUP BY device_id',
      },
    );
    const q = line(analyse(doc), 'google_bigquery_data_transfer_config.batch_view', 'scheduled query scans')!;
    expect(q.monthlyUsd.expected).toBeCloseTo(143.14, 1);
    expect(q.monthlyUsd.max).toBeCloseTo(143.14, 1);
    // The same query on DAY partitions reads the day so far (mean fill 25/48): 730 x 419.09 / 1,024 = 298.76 TiB; $1,860.98.
    set(doc, 'google_bigquery_table', 'events_raw', 'time_partitioning.type', 'DAY');
    expect(line(analyse(doc), 'google_bigquery_data_transfer_config.batch_view', 'scheduled query scans')!.monthlyUsd.expected).toBeCloseTo(1860.98, 0);
  });
});

describe('Cloud Run price model', () => {
  const r = analyse(pipelineDoc());

  test('instance-based processor: 4 min instances (1 needed) x (2 vCPU x $0.000018 + 2 GiB x $0.000002) x 2,628,000 s = $420.48; max 16 = $1,681.92', () => {
    const p = line(r, 'google_cloud_run_v2_service.processor', 'instances (CPU always allocated)')!.monthlyUsd;
    expect(p.expected).toBeCloseTo(420.48, 2);
    expect(p.max).toBeCloseTo(1681.92, 2);
  });

  test('request-based gateway: 100 req/s x 0.01 s busy (100 events / 10,000 per vCPU) x ($0.000024 + 0.5 x $0.0000025) x 2,628,000 = $66.36; 262.8 M requests x $0.40 = $105.12', () => {
    const t = line(r, 'google_cloud_run_v2_service.gateway', 'instance time (request-based)')!;
    expect(t.monthlyUsd.expected).toBeCloseTo(66.36, 1);
    expect(line(r, 'google_cloud_run_v2_service.gateway', 'requests')!.monthlyUsd.expected).toBeCloseTo(105.12, 2);
    // Max: the 20 max instances busy all month: 20 x $0.00002525 x 2,628,000 = $1,327.14, not the expected again.
    expect(t.monthlyUsd.max).toBeCloseTo(1327.14, 1);
  });

  test('unit prices print every significant digit, so the formula reproduces the line by hand', () => {
    // The analytics service: 1 min instance x (1 vCPU x $0.000024 + 1 GiB x $0.0000025) x 2,628,000 s = $69.64.
    // Rounded to $0.000003 the same formula would give (0.000024 + 0.000003) x 2,628,000 = $70.96.
    const a = line(r, 'google_cloud_run_v2_service.analytics', 'instance time (request-based)')!;
    expect(a.formula).toContain('1 GiB x $0.0000025');
    expect(a.formula).not.toContain('$0.000003');
    expect(a.monthlyUsd.expected).toBeCloseTo(69.64, 2);
  });
});

describe('cost totals, free and unpriced resources', () => {
  test('free types are priced $0 with the source that says so', () => {
    const r = analyse(pipelineDoc());
    const sa = line(r, 'google_service_account.gateway', 'no charge')!;
    expect(sa.monthlyUsd.expected).toBe(0);
    expect(sa.sources[0]).toMatch(/^https:\/\//);
  });

  test('a type with no model is unpriced and named', () => {
    const doc = pipelineDoc();
    doc.resource.google_compute_instance = { vm: { name: 'vm', machine_type: 'e2-small', zone: 'us-central1-a' } };
    expect(analyse(doc).cost.unpriced).toContainEqual(expect.objectContaining({ address: 'google_compute_instance.vm', reason: 'no price model for google_compute_instance' }));
  });

  test('the total is the sum of the lines', () => {
    const r = analyse(pipelineDoc());
    const sum = r.cost.lines.reduce((s, l) => s + l.monthlyUsd.expected, 0);
    expect(r.cost.monthlyUsd.expected).toBeCloseTo(sum, 1);
    expect(r.cost.unpriced).toEqual([]);
  });
});
