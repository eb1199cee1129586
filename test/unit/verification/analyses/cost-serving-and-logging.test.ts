/**
 * Usage billed outside a resource's own type, hand-computed on the reference pipeline: the
 * serving layer's on-demand BigQuery queries and Cloud Logging ingestion.
 * A month is 730 h = 2,628,000 s; MiB = 2^20 B, GiB = 2^30 B, TiB = 2^40 B.
 * Workload: 10,000 events/s of 1,000 B, no bursts, 50 serving queries/s, 60,000 devices.
 */
import { analyse, line, pipelineDoc, set } from './support/pipeline';

const A = 'google_cloud_run_v2_service.analytics';

/** The reference pipeline with the hourly batch view the analytics API reads (clustered on device_id). */
function withBatchView(clustering: string[] | null = ['device_id', 'metric']) {
  const doc = pipelineDoc();
  doc.resource.google_bigquery_table.device_hourly = {
    dataset_id: '${google_bigquery_dataset.analytics.dataset_id}',
    table_id: 'device_hourly',
    deletion_protection: true,
    time_partitioning: { type: 'DAY', field: 'hour', expiration_ms: 2_678_400_000 },
    ...(clustering ? { clustering } : {}),
  };
  set(doc, 'google_bigquery_data_transfer_config', 'batch_view', 'params.destination_table_name_template', 'device_hourly');
  set(doc, 'google_cloud_run_v2_service', 'analytics', 'template.containers.env', [
    { name: 'BIGTABLE_INSTANCE', value: '${google_bigtable_instance.hot.name}' },
    { name: 'BIGQUERY_BATCH_VIEW_TABLE', value: '${google_bigquery_table.device_hourly.table_id}' },
  ]);
  return doc;
}

describe('BigQuery serving queries', () => {
  test('without the share of queries that reach BigQuery the analytics service is unpriced, not $0', () => {
    const u = analyse(withBatchView()).cost.unpriced.find((x) => x.address === A);
    expect(u?.reason).toMatch(/share of its 50 queries\/s that do is unknown .* set workload.coldQueryShare/);
  });

  test('coldQueryShare 0.2: 10 queries/s x 2,628,000 s x 10 MiB (per-table minimum) = 250.63 TiB x $6.25 = $1,566.41; max all 50 queries/s = $7,832.05', () => {
    // The scheduled query took the free TiB already. One device's rows: 60,000 x 24 rows/day x 1,000 B / 60,000 = 23.4 KiB/day,
    // 726 KiB over the 31-day expiry: under the 10 MiB minimum for any range.
    const r = analyse(withBatchView(), { workload: { coldQueryShare: 0.2 } });
    const q = line(r, A, 'BigQuery serving queries (device_hourly)')!;
    expect(q.monthlyUsd.expected).toBeCloseTo(1566.41, 1);
    expect(q.monthlyUsd.max).toBeCloseTo(7832.05, 1);
    expect(q.formula).toContain('bill the 10 MiB per-table minimum');
    expect(q.confidence).toBe('S');
    expect(r.cost.unpriced).toEqual([]);
  });

  test('an unclustered batch view is unpriced (bytes depend on the range); the usage file prices it: 2 queries/s x 0.05 GiB = 256.64 TiB x $6.25 = $1,604.00', () => {
    const doc = withBatchView(null);
    expect(analyse(doc, { workload: { coldQueryShare: 0.2 } }).cost.unpriced.find((x) => x.address === A)?.reason).toMatch(/not clustered on the device column/);
    const r = analyse(doc, { usage: { resources: { [A]: { bigQueryQueriesPerSecond: 2, bigQueryGiBPerQuery: 0.05 } } } });
    expect(line(r, A, 'BigQuery serving queries (device_hourly)')!.monthlyUsd.expected).toBeCloseTo(1604, 1);
  });

  test('an archive table read only as a fallback is named in a warning, not silently $0', () => {
    const doc = withBatchView();
    set(doc, 'google_cloud_run_v2_service', 'analytics', 'template.containers.env', [
      { name: 'BIGQUERY_BATCH_VIEW_TABLE', value: '${google_bigquery_table.device_hourly.table_id}' },
      { name: 'BIGQUERY_EVENTS_TABLE', value: '${google_bigquery_table.events_raw.table_id}' },
    ]);
    const r = analyse(doc, { workload: { coldQueryShare: 0 } });
    expect(r.cost.warnings).toContain(`${A}: fallback queries on google_bigquery_table.events_raw (run only while the hot store fails) are not priced`);
    expect(line(r, A, 'BigQuery serving queries (device_hourly)')!.monthlyUsd.expected).toBe(0);
  });
});

describe('Cloud Logging ingestion', () => {
  const r = analyse(pipelineDoc());

  test('Cloud Run request logs: the gateway 100 req/s x 2,628,000 s x 1,000 B = 244.75 GiB - 50 GiB free = 194.75 x $0.50 = $97.38; analytics 50 q/s = 122.38 GiB x $0.50 = $61.19', () => {
    const g = line(r, 'google_cloud_run_v2_service.gateway', 'request logs')!;
    expect(g.monthlyUsd.expected).toBeCloseTo(97.38, 2);
    expect(g.confidence).toBe('U');
    expect(line(r, A, 'request logs')!.monthlyUsd.expected).toBeCloseTo(61.19, 2);
    // A pull subscriber serves no requests, so it writes no request logs.
    expect(line(r, 'google_cloud_run_v2_service.processor', 'request logs')).toBeUndefined();
  });

  test('Dataflow worker logs: 4 workers x 730 h x 10 MiB = 28.52 GiB x $0.50 = $14.26; an unbounded job at the 100-worker ceiling: 712.89 GiB = $356.45', () => {
    expect(line(r, 'google_dataflow_job.archive', 'worker logs')!.monthlyUsd.expected).toBeCloseTo(14.26, 2);
    const doc = pipelineDoc();
    delete (doc.resource.google_dataflow_job.archive as Record<string, unknown>).max_workers;
    expect(line(analyse(doc), 'google_dataflow_job.archive', 'worker logs')!.monthlyUsd.expected).toBeCloseTo(356.45, 1);
  });

  test('a project exclusion of run.googleapis.com/requests drops the request logs; the free 50 GiB then covers the 28.52 GiB of worker logs', () => {
    const doc = pipelineDoc();
    doc.resource.google_logging_project_exclusion = { requests: { name: 'no-request-logs', filter: 'logName:"run.googleapis.com%2Frequests"' } };
    const x = analyse(doc);
    expect(x.cost.lines.filter((l) => l.item === 'request logs')).toEqual([]);
    expect(line(x, 'google_dataflow_job.archive', 'worker logs')!.monthlyUsd.expected).toBe(0);
  });

  test('application logs from the usage file: 100 GiB on the processor x $0.50 = $50.00 (the free GiB went to the gateway first)', () => {
    const x = analyse(pipelineDoc(), { usage: { resources: { 'google_cloud_run_v2_service.processor': { logGiBPerMonth: 100 } } } });
    expect(line(x, 'google_cloud_run_v2_service.processor', 'application logs')!.monthlyUsd.expected).toBeCloseTo(50, 2);
  });
});
