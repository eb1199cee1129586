/**
 * Usage-file overrides on the reference pipeline, hand-computed: each override changes every
 * line it bears on (and only those), and an entry that changes nothing is reported.
 * A month is 730 h = 2,628,000 s; GiB = 2^30 B. Workload: 10,000 events/s of 1,000 B, no bursts.
 */
import { analyse, line, pipelineDoc } from './support/pipeline';

const usage = (resources: Record<string, Record<string, number>>) => ({ usage: { resources } });
const I = 'google_bigtable_instance.hot';

describe('usage overrides', () => {
  test('storageGiB on the archive table replaces its storage only: 100 GiB x $0.020 = $2.00, and the Storage Write API ingest stays $560.68', () => {
    const r = analyse(pipelineDoc(), usage({ 'google_bigquery_table.events_raw': { storageGiB: 100 } }));
    expect(line(r, 'google_bigquery_table.events_raw', 'active storage')!.monthlyUsd.expected).toBeCloseTo(2, 2);
    // (24,475.1 - 2,048 free) GiB x $0.025, as without the override.
    expect(line(r, 'google_bigquery_table.events_raw', 'Storage Write API ingest')!.monthlyUsd.expected).toBeCloseTo(560.68, 1);
  });

  test('rowsPerEvent 3 moves nodes, replication and storage together', () => {
    const r = analyse(pipelineDoc(), usage({ [I]: { rowsPerEvent: 3 } }));
    // 30,000 rows/s / (14,000 x 70%) = 3.06 -> 4 nodes x 730 h x $0.65 = $1,898.
    expect(line(r, I, 'nodes (hot-us)')!.monthlyUsd.expected).toBe(1898);
    // 30,000 x 1,000 B x 2,628,000 s = 73,425.3 GiB x $0.05 = $3,671.27.
    expect(line(r, I, /^replication/)!.monthlyUsd.expected).toBeCloseTo(3671.27, 0);
    // The tables keep their derived shares (10,000 : 1,000) of 30,000 rows/s, so storage scales by 30/11:
    // 281.63 GiB x 30/11 = 768.08 GiB x $0.17 = $130.57 (it stayed $47.88 before).
    expect(line(r, I, 'SSD storage (hot-us)')!.monthlyUsd.expected).toBeCloseTo(130.57, 1);
  });

  test('storageGiB on the Bigtable instance is what each cluster holds: 1,000 GiB x $0.17 = $170 per cluster', () => {
    const r = analyse(pipelineDoc(), usage({ [I]: { storageGiB: 1_000 } }));
    expect(line(r, I, 'SSD storage (hot-eu)')!.monthlyUsd).toEqual({ min: 170, expected: 170, max: 170 });
  });

  test('a dead-letter topic at 100 events/s fills the dead-letter table: 100 x 86,400 x 1,000 B = 8.0466 GiB/day x 31 d x $0.020 = $4.99', () => {
    const r = analyse(pipelineDoc(), usage({ 'google_pubsub_topic.dead_letter': { eventsPerSecond: 100 } }));
    const t = line(r, 'google_bigquery_table.dead_letter', 'storage (active + long-term)')!;
    expect(t.monthlyUsd.expected).toBeCloseTo(4.99, 2);
    expect(t.formula).toMatch(/dead letters at 100 events\/s \(usage file, google_pubsub_topic.dead_letter\)/);
    // Without the override the table is still 0 (poison messages only), as the topic is.
    expect(line(analyse(pipelineDoc()), 'google_bigquery_table.dead_letter', 'storage (active + long-term)')!.monthlyUsd.expected).toBe(0);
  });

  test('an address not in the graph, and a field no model reads for that type, are reported instead of silently ignored', () => {
    const r = analyse(pipelineDoc(), usage({ 'google_pubsub_topic.nonexistent': { eventsPerSecond: 1 }, 'google_pubsub_topic.telemetry': { workers: 7 } }));
    expect(r.cost.warnings).toContain('usage file: google_pubsub_topic.nonexistent matches no resource in the graph; its figures are ignored');
    expect(r.cost.warnings.some((w) => w.startsWith('usage file: workers on google_pubsub_topic.telemetry is ignored'))).toBe(true);
    // A field that applies raises nothing.
    expect(analyse(pipelineDoc(), usage({ 'google_dataflow_job.archive': { workers: 7 } })).cost.warnings.filter((w) => w.startsWith('usage file:'))).toEqual([]);
  });

  test('workers on the Dataflow job: 7 x $0.1646775 x 730 h = $841.50 expected', () => {
    const r = analyse(pipelineDoc(), usage({ 'google_dataflow_job.archive': { workers: 7 } }));
    expect(line(r, 'google_dataflow_job.archive', 'workers (n1-standard-2)')!.monthlyUsd.expected).toBeCloseTo(841.5, 1);
  });

  test('requestsPerSecond on a request-based service: the dashboard at 5 req/s is still its 1 min instance busy: 1 x (0.000024 + 0.5 x 0.0000025) x 2,628,000 = $66.36; 13.14 M requests x $0.40 = $5.26', () => {
    const r = analyse(pipelineDoc(), usage({ 'google_cloud_run_v2_service.dashboard': { requestsPerSecond: 5 } }));
    expect(line(r, 'google_cloud_run_v2_service.dashboard', 'instance time (request-based)')!.monthlyUsd.expected).toBeCloseTo(66.36, 1);
    expect(line(r, 'google_cloud_run_v2_service.dashboard', 'requests')!.monthlyUsd.expected).toBeCloseTo(5.26, 2);
  });
});
