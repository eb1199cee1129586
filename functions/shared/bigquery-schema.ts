/**
 * The BigQuery tables the data plane writes and reads. The stacks declare the tables; these
 * are the shapes the services rely on (field names and types), stated once.
 */
export interface BigQueryField {
  name: string;
  type: 'STRING' | 'FLOAT64' | 'INT64' | 'TIMESTAMP' | 'BYTES' | 'JSON' | 'RECORD';
  mode: 'REQUIRED' | 'NULLABLE' | 'REPEATED';
  fields?: BigQueryField[];
}

/** events_raw: one row per event; partition by DAY(event_time), cluster by device_id, type. */
export const EVENTS_RAW_SCHEMA: BigQueryField[] = [
  { name: 'event_id', type: 'STRING', mode: 'REQUIRED' },
  { name: 'device_id', type: 'STRING', mode: 'REQUIRED' },
  { name: 'type', type: 'STRING', mode: 'REQUIRED' },
  { name: 'event_time', type: 'TIMESTAMP', mode: 'REQUIRED' },
  {
    name: 'metrics',
    type: 'RECORD',
    mode: 'REPEATED',
    fields: [
      { name: 'name', type: 'STRING', mode: 'REQUIRED' },
      { name: 'value', type: 'FLOAT64', mode: 'REQUIRED' },
    ],
  },
  {
    name: 'attributes',
    type: 'RECORD',
    mode: 'REPEATED',
    fields: [
      { name: 'key', type: 'STRING', mode: 'REQUIRED' },
      { name: 'value', type: 'STRING', mode: 'REQUIRED' },
    ],
  },
  /** Not written by the UDF (the template maps the UDF's output only); NULL in archived rows. */
  { name: 'ingest_time', type: 'TIMESTAMP', mode: 'NULLABLE' },
  { name: 'publish_time', type: 'TIMESTAMP', mode: 'NULLABLE' },
];

/**
 * events_dead_letter: what the Pub/Sub BigQuery subscription on the dead-letter topic writes
 * (`write_metadata = true`).
 */
export const EVENTS_DEAD_LETTER_SCHEMA: BigQueryField[] = [
  { name: 'subscription_name', type: 'STRING', mode: 'NULLABLE' },
  { name: 'message_id', type: 'STRING', mode: 'NULLABLE' },
  { name: 'publish_time', type: 'TIMESTAMP', mode: 'NULLABLE' },
  { name: 'data', type: 'STRING', mode: 'NULLABLE' },
  { name: 'attributes', type: 'JSON', mode: 'NULLABLE' },
];

/**
 * events_raw_error_records: the Dataflow Pub/Sub-to-BigQuery template's error-record schema
 * (its `outputDeadletterTable`); the local archive worker writes its failed rows here.
 */
export const ARCHIVE_ERROR_RECORDS_SCHEMA: BigQueryField[] = [
  { name: 'timestamp', type: 'TIMESTAMP', mode: 'REQUIRED' },
  { name: 'payloadString', type: 'STRING', mode: 'REQUIRED' },
  { name: 'payloadBytes', type: 'BYTES', mode: 'REQUIRED' },
  {
    name: 'attributes',
    type: 'RECORD',
    mode: 'REPEATED',
    fields: [
      { name: 'key', type: 'STRING', mode: 'NULLABLE' },
      { name: 'value', type: 'STRING', mode: 'NULLABLE' },
    ],
  },
  { name: 'errorMessage', type: 'STRING', mode: 'NULLABLE' },
  { name: 'stacktrace', type: 'STRING', mode: 'NULLABLE' },
];

/**
 * device_hourly (the batch view, written by the hourly scheduled query): one row per device,
 * hour and metric. event_count is the device's events in that hour (every event has >= 1
 * metric, so each device-hour has at least one row).
 */
export const DEVICE_HOURLY_SCHEMA: BigQueryField[] = [
  { name: 'device_id', type: 'STRING', mode: 'REQUIRED' },
  { name: 'hour', type: 'TIMESTAMP', mode: 'REQUIRED' },
  { name: 'metric', type: 'STRING', mode: 'REQUIRED' },
  { name: 'event_count', type: 'INT64', mode: 'REQUIRED' },
  { name: 'value_count', type: 'INT64', mode: 'REQUIRED' },
  { name: 'value_sum', type: 'FLOAT64', mode: 'REQUIRED' },
  { name: 'value_min', type: 'FLOAT64', mode: 'REQUIRED' },
  { name: 'value_max', type: 'FLOAT64', mode: 'REQUIRED' },
];
