/**
 * The Pub/Sub message payload: one event as a JSON object, or several events of ONE device
 * as `{"events":[...]}` (EVENTS_PER_MESSAGE > 1). ES5-safe: the archive UDF decodes with it.
 *
 * The archive template (Pub/Sub to BigQuery with a UDF) maps one message to one row, so only
 * single-event messages can be archived by it; a batch reaches the template's dead-letter
 * table with a reason saying so. That is why EVENTS_PER_MESSAGE defaults to 1.
 */
import type { TelemetryEvent, TelemetryEventInput } from './event';
import { toWireEvent } from './event';

/** Message attribute names set by the gateway. */
export const ATTR_EVENT_ID = 'eventId';
export const ATTR_EVENT_COUNT = 'eventCount';
/** Attribute on dead-lettered messages. */
export const ATTR_DEAD_LETTER_REASON = 'deadLetterReason';
export const ATTR_SOURCE_MESSAGE_ID = 'sourceMessageId';

export type DecodedPayload = { ok: true; events: unknown[]; batched: boolean } | { ok: false; reason: string };

/** Parses a payload into its raw events (validation is the contract's job). */
export function decodeMessagePayload(text: string): DecodedPayload {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: 'payload: not valid JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Object.prototype.toString.call(parsed) !== '[object Object]') {
    return { ok: false, reason: 'payload: must be an event object or {"events":[...]}' };
  }
  const record = parsed as { [key: string]: unknown };
  if (Object.prototype.hasOwnProperty.call(record, 'events') && !Object.prototype.hasOwnProperty.call(record, 'eventId')) {
    const events = record.events;
    if (Object.prototype.toString.call(events) !== '[object Array]') return { ok: false, reason: 'payload.events: must be an array' };
    if (Object.keys(record).length !== 1) return { ok: false, reason: 'payload: a batch holds only "events"' };
    if ((events as unknown[]).length === 0) return { ok: false, reason: 'payload.events: empty batch' };
    return { ok: true, events: events as unknown[], batched: true };
  }
  return { ok: true, events: [record], batched: false };
}

/** The payload for validated events of one device (one event: the event itself). */
export function encodeMessagePayload(events: TelemetryEvent[]): string {
  const wire: TelemetryEventInput[] = [];
  for (let i = 0; i < events.length; i++) wire.push(toWireEvent(events[i]));
  return wire.length === 1 ? JSON.stringify(wire[0]) : JSON.stringify({ events: wire });
}
