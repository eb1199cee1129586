import { batchViewQuery } from '../../../stacks/constructs/cold-storage';
import { ref, synthesizeEnvironment } from './synth-helpers';

const prod = synthesizeEnvironment('prod');
// 31 days x 86,400,000 ms = 2,678,400,000 ms.
const THIRTY_ONE_DAYS_MS = 2_678_400_000;

describe('cold storage: dataset and tables', () => {
  it('keeps the dataset and its contents on destroy', () => {
    const dataset = prod.at('google_bigquery_dataset', 'cold-storage/dataset').body;
    expect(dataset).toMatchObject({
      dataset_id: 'iot_analytics',
      location: 'US',
      delete_contents_on_destroy: false,
      max_time_travel_hours: '168',
    });
    expect(dataset['labels']).toMatchObject({ component: 'cold-storage', environment: 'prod' });
  });

  it('adds a read-only replica in europe-west1 by DDL (the dataset resource has no replica field)', () => {
    const job = prod.at('google_bigquery_job', 'cold-storage/dataset-replica').body;
    expect(job['location']).toBe('US');
    expect(job['query']).toMatchObject({
      query: "ALTER SCHEMA `iot-pipeline-prod.iot_analytics` ADD REPLICA `europe-west1` OPTIONS(location = 'europe-west1')",
      use_legacy_sql: false,
      create_disposition: '',
      write_disposition: '',
    });
  });

  it('partitions events_raw by event HOUR (744 partitions for 31 days), expires partitions after 31 days, clusters by device and type', () => {
    const events = prod.at('google_bigquery_table', 'cold-storage/events-raw').body;
    expect(events['table_id']).toBe('events_raw');
    expect(events['time_partitioning']).toEqual({ type: 'HOUR', field: 'event_time', expiration_ms: THIRTY_ONE_DAYS_MS });
    expect(events['require_partition_filter']).toBe(true);
    expect(events['clustering']).toEqual(['device_id', 'type']);
    expect(events['deletion_protection']).toBe(true);
    const schema = JSON.parse(events['schema']) as { name: string; type: string; mode: string; fields?: { name: string; type: string }[] }[];
    expect(schema.map((f) => [f.name, f.type, f.mode])).toEqual([
      ['event_id', 'STRING', 'REQUIRED'],
      ['device_id', 'STRING', 'REQUIRED'],
      ['type', 'STRING', 'REQUIRED'],
      ['event_time', 'TIMESTAMP', 'REQUIRED'],
      ['metrics', 'RECORD', 'REPEATED'],
      ['attributes', 'RECORD', 'REPEATED'],
      ['ingest_time', 'TIMESTAMP', 'NULLABLE'],
      ['publish_time', 'TIMESTAMP', 'NULLABLE'],
    ]);
    expect(schema[4]!.fields!.map((f) => [f.name, f.type])).toEqual([
      ['name', 'STRING'],
      ['value', 'FLOAT'],
    ]);
  });

  it('has protected dead-letter, archive-error and batch-view tables with the same expiry', () => {
    const tables: Record<string, Record<string, any>> = Object.fromEntries(
      prod.ofType('google_bigquery_table').map((t) => [t.body['table_id'] as string, t.body]),
    );
    expect(Object.keys(tables).sort()).toEqual(['device_hourly', 'events_dead_letter', 'events_raw', 'events_raw_error_records']);
    for (const table of Object.values(tables)) {
      expect(table['deletion_protection']).toBe(true);
      expect(table['time_partitioning'].expiration_ms).toBe(THIRTY_ONE_DAYS_MS);
    }
    const deadLetterColumns = JSON.parse(tables['events_dead_letter']!['schema']).map((f: { name: string }) => f.name);
    expect(deadLetterColumns).toEqual(['subscription_name', 'message_id', 'publish_time', 'data', 'attributes']);
    expect(tables['device_hourly']!['clustering']).toEqual(['device_id', 'metric']);
    const hourlyColumns = JSON.parse(tables['device_hourly']!['schema']).map((f: { name: string }) => f.name);
    expect(hourlyColumns).toEqual(['device_id', 'hour', 'metric', 'event_count', 'value_count', 'value_sum', 'value_min', 'value_max']);
  });

  it('keeps 365 days of partitions in the first proposal', () => {
    const first = synthesizeEnvironment('first-proposal');
    // 365 x 86,400,000 = 31,536,000,000 ms.
    expect(first.at('google_bigquery_table', 'cold-storage/events-raw').body['time_partitioning'].expiration_ms).toBe(31_536_000_000);
  });
});

describe('cold storage: hourly batch view', () => {
  const query = prod.at('google_bigquery_data_transfer_config', 'cold-storage/batch-view-query').body;
  const sa = prod.at('google_service_account', 'cold-storage/batch-view-sa');

  it('is a scheduled query appending to device_hourly every hour under its own service account', () => {
    expect(query).toMatchObject({
      data_source_id: 'scheduled_query',
      schedule: 'every 1 hours',
      location: 'US',
      service_account_name: ref(sa, 'email'),
    });
    expect(query['params']['destination_table_name_template']).toBe('device_hourly');
    expect(query['params']['write_disposition']).toBe('WRITE_APPEND');
    expect(query['params']['query']).toBe(batchViewQuery('iot-pipeline-prod', 'iot_analytics'));
  });

  it('counts each event once and filters on the partition column', () => {
    const sql = batchViewQuery('p', 'd');
    expect(sql).toContain('FROM `p.d.events_raw`');
    expect(sql).toContain('QUALIFY ROW_NUMBER() OVER (PARTITION BY event_id');
    expect(sql).toMatch(/WHERE event_time >= .*@run_time/);
    expect(sql).toContain('GROUP BY device_id, hour, metric');
  });

  it('grants the batch account read on events_raw and write on device_hourly only', () => {
    const member = `serviceAccount:${ref(sa, 'email')}`;
    const grants = prod.ofType('google_bigquery_table_iam_member').filter((g) => g.body['member'] === member);
    expect(grants.map((g) => [g.body['table_id'], g.body['role']]).sort()).toEqual([
      [ref(prod.at('google_bigquery_table', 'cold-storage/device-hourly'), 'table_id'), 'roles/bigquery.dataEditor'],
      [ref(prod.at('google_bigquery_table', 'cold-storage/events-raw'), 'table_id'), 'roles/bigquery.dataViewer'],
    ]);
    expect(prod.at('google_service_account_iam_member', 'cold-storage/transfer-agent-token-creator').body).toMatchObject({
      role: 'roles/iam.serviceAccountTokenCreator',
      member: 'serviceAccount:service-${data.google_project.project.number}@gcp-sa-bigquerydatatransfer.iam.gserviceaccount.com',
    });
  });
});
