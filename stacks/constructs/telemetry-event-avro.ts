/**
 * The Pub/Sub schema of one telemetry message: one event, JSON-encoded, in the wire shape
 * of the data plane's event contract (functions/shared/event.ts `toWireEvent`). Pub/Sub has
 * no JSON Schema type, so AVRO.
 *
 * No field is an Avro union: in Avro's JSON encoding a non-null union value must be wrapped
 * (`{"map": {...}}`) and a missing field fails validation, so `attributes` is a plain map
 * that publishers always send, `{}` when empty. `eventTime` is ISO-8601 UTC text.
 */
export const TELEMETRY_EVENT_AVRO_SCHEMA = {
  type: 'record',
  name: 'TelemetryEvent',
  namespace: 'iot.telemetry',
  fields: [
    { name: 'eventId', type: 'string' },
    { name: 'deviceId', type: 'string' },
    { name: 'type', type: 'string' },
    { name: 'eventTime', type: 'string' },
    { name: 'metrics', type: { type: 'map', values: 'double' } },
    { name: 'attributes', type: { type: 'map', values: 'string' } },
  ],
} as const;
