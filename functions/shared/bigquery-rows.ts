/**
 * Rows the data plane writes to BigQuery, shaped like the tables in bigquery-schema.ts.
 * ES5-safe: the archive UDF builds `events_raw` rows with it.
 */
import type { TelemetryEvent } from './event';
import { formatEventTime } from './event';

export interface EventsRawRow {
  event_id: string;
  device_id: string;
  type: string;
  /** TIMESTAMP as RFC 3339 UTC with milliseconds. */
  event_time: string;
  metrics: { name: string; value: number }[];
  attributes: { key: string; value: string }[];
}

export function toEventsRawRow(event: TelemetryEvent): EventsRawRow {
  const metrics: { name: string; value: number }[] = [];
  const names = Object.keys(event.metrics).sort();
  for (let i = 0; i < names.length; i++) metrics.push({ name: names[i], value: event.metrics[names[i]] });
  const attributes: { key: string; value: string }[] = [];
  const keys = Object.keys(event.attributes).sort();
  for (let i = 0; i < keys.length; i++) attributes.push({ key: keys[i], value: event.attributes[keys[i]] });
  return {
    event_id: event.eventId,
    device_id: event.deviceId,
    type: event.type,
    event_time: formatEventTime(event.eventTimeMs),
    metrics,
    attributes,
  };
}

/** A row of the dead-letter table, in the Dataflow template's error-record shape. */
export interface DeadLetterRow {
  timestamp: string;
  payloadString: string;
  payloadBytes: string;
  attributes: { key: string; value: string }[];
  errorMessage: string;
  stacktrace: string | null;
}
