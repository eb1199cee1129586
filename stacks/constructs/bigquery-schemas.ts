/**
 * BigQuery table schemas. `events_raw` mirrors the event contract (DESIGN.md section 5):
 * numeric metrics and string attributes as repeated name/value and key/value records
 * (queried with UNNEST). The UDF (functions/, built to functions/dist/udf/transform.js) turns
 * each Pub/Sub message into one row of this shape (functions/shared/bigquery-rows.ts).
 */

export interface BigQueryField {
  name: string;
  type: 'STRING' | 'BYTES' | 'INTEGER' | 'FLOAT' | 'TIMESTAMP' | 'JSON' | 'RECORD';
  mode: 'REQUIRED' | 'NULLABLE' | 'REPEATED';
  description: string;
  fields?: BigQueryField[];
}

export const EVENTS_RAW_SCHEMA: BigQueryField[] = [
  { name: 'event_id', type: 'STRING', mode: 'REQUIRED', description: 'Unique event id set by the device; the dedup key' },
  { name: 'device_id', type: 'STRING', mode: 'REQUIRED', description: 'Device id; the Pub/Sub ordering key' },
  { name: 'type', type: 'STRING', mode: 'REQUIRED', description: 'Event type' },
  { name: 'event_time', type: 'TIMESTAMP', mode: 'REQUIRED', description: 'When the event happened (device clock); the partitioning column' },
  {
    name: 'metrics',
    type: 'RECORD',
    mode: 'REPEATED',
    description: 'Numeric metrics of the event',
    fields: [
      { name: 'name', type: 'STRING', mode: 'REQUIRED', description: 'Metric name' },
      { name: 'value', type: 'FLOAT', mode: 'REQUIRED', description: 'Metric value' },
    ],
  },
  {
    name: 'attributes',
    type: 'RECORD',
    mode: 'REPEATED',
    description: 'Optional string attributes of the event',
    fields: [
      { name: 'key', type: 'STRING', mode: 'REQUIRED', description: 'Attribute name' },
      { name: 'value', type: 'STRING', mode: 'REQUIRED', description: 'Attribute value' },
    ],
  },
  { name: 'ingest_time', type: 'TIMESTAMP', mode: 'NULLABLE', description: 'When the ingest gateway accepted the event, where the writer knows it' },
  { name: 'publish_time', type: 'TIMESTAMP', mode: 'NULLABLE', description: 'Pub/Sub publish time, where the writer sees message metadata' },
];

/** The columns a Pub/Sub BigQuery subscription writes with `write_metadata = true`. */
export const DEAD_LETTER_SCHEMA: BigQueryField[] = [
  { name: 'subscription_name', type: 'STRING', mode: 'NULLABLE', description: 'Subscription that delivered the dead letter' },
  { name: 'message_id', type: 'STRING', mode: 'NULLABLE', description: 'Pub/Sub message id' },
  { name: 'publish_time', type: 'TIMESTAMP', mode: 'NULLABLE', description: 'When the dead letter was published; the partitioning column' },
  { name: 'data', type: 'STRING', mode: 'NULLABLE', description: 'The original message body' },
  { name: 'attributes', type: 'JSON', mode: 'NULLABLE', description: 'Message attributes, the rejection reason and delivery count included' },
];

/** The dead-letter schema the Google-provided Pub/Sub-to-BigQuery template writes. */
export const ARCHIVE_ERROR_SCHEMA: BigQueryField[] = [
  { name: 'timestamp', type: 'TIMESTAMP', mode: 'REQUIRED', description: 'When the template failed the row' },
  { name: 'payloadString', type: 'STRING', mode: 'REQUIRED', description: 'Message body as text' },
  { name: 'payloadBytes', type: 'BYTES', mode: 'REQUIRED', description: 'Message body as bytes' },
  {
    name: 'attributes',
    type: 'RECORD',
    mode: 'REPEATED',
    description: 'Message attributes',
    fields: [
      { name: 'key', type: 'STRING', mode: 'NULLABLE', description: 'Attribute key' },
      { name: 'value', type: 'STRING', mode: 'NULLABLE', description: 'Attribute value' },
    ],
  },
  { name: 'errorMessage', type: 'STRING', mode: 'NULLABLE', description: 'Why the row failed' },
  { name: 'stacktrace', type: 'STRING', mode: 'NULLABLE', description: 'Template stack trace' },
];

/**
 * The hourly batch view per device and metric, in the shape the analytics service reads
 * (functions/shared/bigquery-schema.ts): `event_count` is the device's distinct events in the
 * hour, `value_count` those that carry the metric.
 */
export const DEVICE_HOURLY_SCHEMA: BigQueryField[] = [
  { name: 'device_id', type: 'STRING', mode: 'REQUIRED', description: 'Device id' },
  { name: 'hour', type: 'TIMESTAMP', mode: 'REQUIRED', description: 'Start of the event-time hour; the partitioning column' },
  { name: 'metric', type: 'STRING', mode: 'REQUIRED', description: 'Metric name' },
  { name: 'event_count', type: 'INTEGER', mode: 'REQUIRED', description: 'Distinct events of the device in the hour' },
  { name: 'value_count', type: 'INTEGER', mode: 'REQUIRED', description: 'Distinct events carrying the metric' },
  { name: 'value_sum', type: 'FLOAT', mode: 'REQUIRED', description: 'Sum of the values' },
  { name: 'value_min', type: 'FLOAT', mode: 'REQUIRED', description: 'Smallest value' },
  { name: 'value_max', type: 'FLOAT', mode: 'REQUIRED', description: 'Largest value' },
];
