/**
 * The Pub/Sub schema of one telemetry message (one event per message, JSON encoding).
 * Pub/Sub has no JSON Schema type, so AVRO. No field is an Avro union: in Avro's JSON
 * encoding a non-null union value must be wrapped ({"map": {...}}), which no device
 * client should have to know; `attributes` is therefore always present, `{}` when empty.
 * Times are ISO-8601 UTC strings with millisecond precision.
 */
export const TELEMETRY_EVENT_AVRO_SCHEMA = {
  type: 'record',
  name: 'TelemetryEvent',
  namespace: 'iot.telemetry',
  fields: [
    { name: 'event_id', type: 'string' },
    { name: 'device_id', type: 'string' },
    { name: 'type', type: 'string' },
    { name: 'event_time', type: 'string' },
    { name: 'metrics', type: { type: 'map', values: 'double' } },
    { name: 'attributes', type: { type: 'map', values: 'string' } },
    { name: 'ingest_time', type: 'string' },
  ],
} as const;
