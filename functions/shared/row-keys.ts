/**
 * Bigtable row keys. Every key leads with the device id, so writes spread over the key space
 * by device (no hot-spotting on time), and a device's rows are one contiguous range.
 * Time inside a device's range is REVERSED (9999999999999 - ms, 13 digits), so a prefix scan
 * returns the newest first: the common query is "recent events of this device", and the
 * processor finds a device's latest finalized window with a one-row scan.
 *
 *   events:      <deviceId>#<reverseMs>#<eventId>          one row per event (idempotent)
 *   aggregates:  <deviceId>#p#<reversePaneStartMs>         contribution cells, one per event
 *                <deviceId>#w#<reverseWindowEndMs>         finalized sliding-window summary
 *
 * Device and event ids cannot contain `#` (see event-limits), so the separator is unambiguous
 * and `<deviceId>#` never prefixes another device's rows.
 */
export const KEY_SEPARATOR = '#';
export const MAX_KEY_TIMESTAMP_MS = 9999999999999;
const TIMESTAMP_DIGITS = 13;

export const EVENTS_FAMILY = 'e';
/** The event as canonical wire JSON. */
export const EVENT_COLUMN = 'event';
/** Present ('1') when the event arrived beyond the allowed lateness (stored, not aggregated). */
export const LATE_COLUMN = 'late';
export const AGGREGATES_FAMILY = 'a';
/** Column of a finalized window row (summary JSON). */
export const WINDOW_COLUMN = 'summary';

export function reverseTimestamp(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms > MAX_KEY_TIMESTAMP_MS) throw new RangeError(`timestamp out of key range: ${ms}`);
  return String(MAX_KEY_TIMESTAMP_MS - ms).padStart(TIMESTAMP_DIGITS, '0');
}

export function fromReverseTimestamp(text: string): number {
  if (!/^\d{13}$/.test(text)) throw new RangeError(`not a reversed timestamp: ${text}`);
  return MAX_KEY_TIMESTAMP_MS - Number(text);
}

export function eventRowKey(deviceId: string, eventTimeMs: number, eventId: string): string {
  return deviceId + KEY_SEPARATOR + reverseTimestamp(eventTimeMs) + KEY_SEPARATOR + eventId;
}

export function parseEventRowKey(key: string): { deviceId: string; eventTimeMs: number; eventId: string } {
  const parts = key.split(KEY_SEPARATOR);
  if (parts.length !== 3) throw new RangeError(`not an event row key: ${key}`);
  return { deviceId: parts[0], eventTimeMs: fromReverseTimestamp(parts[1]), eventId: parts[2] };
}

export function paneRowKey(deviceId: string, paneStartMs: number): string {
  return deviceId + KEY_SEPARATOR + 'p' + KEY_SEPARATOR + reverseTimestamp(paneStartMs);
}

export function windowRowKey(deviceId: string, windowEndMs: number): string {
  return deviceId + KEY_SEPARATOR + 'w' + KEY_SEPARATOR + reverseTimestamp(windowEndMs);
}

export function parseTimedRowKey(key: string): { deviceId: string; kind: string; timeMs: number } {
  const parts = key.split(KEY_SEPARATOR);
  if (parts.length !== 3 || (parts[1] !== 'p' && parts[1] !== 'w')) throw new RangeError(`not an aggregate row key: ${key}`);
  return { deviceId: parts[0], kind: parts[1], timeMs: fromReverseTimestamp(parts[2]) };
}

/** A key range [start, end) in Bigtable order. */
export interface KeyRange {
  start: string;
  end: string;
}

/**
 * Rows of `prefix` + reversed time for times in [fromMs, toMs), newest first. With reversed
 * time, t in [from, to) means reverse(t) in [reverse(to - 1), reverse(from - 1)).
 */
function reversedRange(prefix: string, fromMs: number, toMs: number): KeyRange {
  const to = Math.min(toMs, MAX_KEY_TIMESTAMP_MS + 1);
  const from = Math.max(fromMs, 1);
  return { start: prefix + reverseTimestamp(to - 1), end: prefix + reverseTimestamp(from - 1) };
}

export function deviceEventsRange(deviceId: string, fromMs: number, toMs: number): KeyRange {
  return reversedRange(deviceId + KEY_SEPARATOR, fromMs, toMs);
}

export function devicePanesRange(deviceId: string, fromMs: number, toMs: number): KeyRange {
  return reversedRange(deviceId + KEY_SEPARATOR + 'p' + KEY_SEPARATOR, fromMs, toMs);
}

/** Window rows whose END lies in [fromMs, toMs). */
export function deviceWindowsRange(deviceId: string, fromEndMs: number, toEndMs: number): KeyRange {
  return reversedRange(deviceId + KEY_SEPARATOR + 'w' + KEY_SEPARATOR, fromEndMs, toEndMs);
}

/** Bigtable cell timestamps are microseconds; ours always sit on millisecond boundaries. */
export function cellTimestampMicros(ms: number): number {
  return ms * 1000;
}
