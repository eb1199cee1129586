/**
 * The event contract shared by the gateway, the processor, the analytics API and the archive
 * UDF. The UDF is compiled to ES5.1 for Nashorn, so this module (and what it imports) uses no
 * ES2015+ runtime API: no Map/Set, Object.assign/entries, Number.isFinite, String#padStart,
 * Array#includes. Syntax (const, arrows, template literals) is fine: the UDF build lowers it.
 */
import {
  ATTRIBUTE_KEY_PATTERN,
  DEVICE_ID_PATTERN,
  EVENT_FIELDS,
  EVENT_ID_PATTERN,
  EVENT_TYPE_PATTERN,
  MAX_ATTRIBUTES,
  MAX_ATTRIBUTE_VALUE_LENGTH,
  MAX_EPOCH_MS,
  MAX_EVENT_AGE_MS,
  MAX_EVENT_BYTES,
  MAX_FUTURE_SKEW_MS,
  MAX_METRICS,
  MAX_NESTING_DEPTH,
  METRIC_NAME_PATTERN,
  MIN_EPOCH_MS,
  MIN_METRICS,
  PUBLISH_CLOCK_MARGIN_MS,
} from './event-limits';

/** An event as a device sends it. */

/**
 * A device id of dots only ("." or "..") is a path segment every URL resolves away: the
 * analytics API's /v1/devices/../events would never reach the device.
 */
export const ONLY_DOTS = /^\.+$/;
export const ONLY_DOTS_RULE = 'must not be dots only (. and .. are path segments a URL resolves away)';

/** An unpaired UTF-16 surrogate (ES5 regex: the UDF compiles this module). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export interface TelemetryEventInput {
  eventId: string;
  deviceId: string;
  type: string;
  /** RFC 3339 with a `Z` or numeric offset, or epoch milliseconds. */
  eventTime: string | number;
  metrics: { [name: string]: number };
  attributes?: { [key: string]: string };
}

/** A validated event: the time is epoch milliseconds, attributes always present. */
export interface TelemetryEvent {
  eventId: string;
  deviceId: string;
  type: string;
  eventTimeMs: number;
  metrics: { [name: string]: number };
  attributes: { [key: string]: string };
}

export type ValidationResult = { ok: true; event: TelemetryEvent } | { ok: false; reason: string };

export interface ValidateOptions {
  /**
   * The gateway's receiving clock, epoch ms: the event time must lie within
   * [now - MAX_EVENT_AGE_MS, now + MAX_FUTURE_SKEW_MS].
   */
  nowMs?: number;
  /**
   * Downstream (the processor): the message's publish time. Only the future bound is checked,
   * against publishTime + MAX_FUTURE_SKEW_MS + PUBLISH_CLOCK_MARGIN_MS, which an event the
   * gateway accepted always meets (it is published after the check). No age bound: a spilled
   * message can be published days after the gateway accepted it. The UDF passes neither
   * (structure only).
   */
  publishTimeMs?: number;
}

const hasOwn = Object.prototype.hasOwnProperty;

function isPlainObject(value: unknown): value is { [key: string]: unknown } {
  return typeof value === 'object' && value !== null && Object.prototype.toString.call(value) === '[object Object]';
}

function fail(reason: string): ValidationResult {
  return { ok: false, reason };
}

/**
 * True when `value` nests containers deeper than `maxDepth` (a top-level object or array is
 * depth 1). Iterative, with an explicit stack, so it cannot overflow on the input it rejects;
 * it stops descending at the limit.
 */
export function nestedDeeperThan(value: unknown, maxDepth: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value: value, depth: 1 }];
  while (stack.length > 0) {
    const top = stack.pop() as { value: unknown; depth: number };
    const v = top.value;
    if (typeof v !== 'object' || v === null) continue;
    if (top.depth > maxDepth) return true;
    const isArray = Object.prototype.toString.call(v) === '[object Array]';
    const keys = isArray ? [] : Object.keys(v as object);
    const count = isArray ? (v as unknown[]).length : keys.length;
    for (let i = 0; i < count; i++) {
      const child = isArray ? (v as unknown[])[i] : (v as { [key: string]: unknown })[keys[i]];
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: top.depth + 1 });
    }
  }
  return false;
}

/** UTF-8 length of a string without TextEncoder/Buffer (neither exists on Nashorn). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|([+-])(\d{2}):(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Parses RFC 3339 to epoch ms (fractions beyond milliseconds are truncated). Written out
 * rather than Date.parse, whose handling of offsets and long fractions varies by engine.
 * Returns NaN for anything else.
 */
export function parseRfc3339(text: string): number {
  const m = RFC3339.exec(text);
  if (!m) return NaN;
  const year = +m[1];
  const month = +m[2];
  const day = +m[3];
  const hour = +m[4];
  const minute = +m[5];
  const second = +m[6];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  if (hour > 23 || minute > 59 || second > 59) return NaN;
  const millis = m[7] ? Math.floor(+(m[7] + '000').substring(1, 4)) : 0;
  let offsetMinutes = 0;
  if (m[9]) {
    const offHours = +m[10];
    const offMinutes = +m[11];
    if (offHours > 23 || offMinutes > 59) return NaN;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offHours * 60 + offMinutes);
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60000;
}

function pad(value: number, width: number): string {
  let text = String(value);
  while (text.length < width) text = '0' + text;
  return text;
}

/** Epoch ms to `YYYY-MM-DDTHH:mm:ss.sssZ` (the same on every engine). */
export function formatEventTime(ms: number): string {
  const d = new Date(ms);
  return (
    pad(d.getUTCFullYear(), 4) + '-' + pad(d.getUTCMonth() + 1, 2) + '-' + pad(d.getUTCDate(), 2) +
    'T' + pad(d.getUTCHours(), 2) + ':' + pad(d.getUTCMinutes(), 2) + ':' + pad(d.getUTCSeconds(), 2) +
    '.' + pad(d.getUTCMilliseconds(), 3) + 'Z'
  );
}

function checkString(field: string, value: unknown, pattern: RegExp): string | undefined {
  if (typeof value !== 'string') return field + ': must be a string matching ' + pattern.source;
  if (!pattern.test(value)) return field + ': must match ' + pattern.source;
  return undefined;
}

function parseEventTime(value: unknown, options: ValidateOptions): number | string {
  let ms: number;
  if (typeof value === 'number') {
    if (!isFinite(value) || Math.floor(value) !== value) return 'eventTime: epoch milliseconds must be an integer';
    if (value < MIN_EPOCH_MS || value > MAX_EPOCH_MS) {
      return 'eventTime: epoch milliseconds must be between ' + MIN_EPOCH_MS + ' and ' + MAX_EPOCH_MS + ' (is it in seconds?)';
    }
    ms = value;
  } else if (typeof value === 'string') {
    ms = parseRfc3339(value);
    if (ms !== ms) return 'eventTime: must be RFC 3339 with a time zone (e.g. 2026-12-03T10:15:30.123Z) or epoch milliseconds';
    if (ms < MIN_EPOCH_MS || ms > MAX_EPOCH_MS) return 'eventTime: must lie between the years 2000 and 2100';
  } else {
    return 'eventTime: must be an RFC 3339 string or epoch milliseconds';
  }
  if (options.publishTimeMs !== undefined && ms > options.publishTimeMs + MAX_FUTURE_SKEW_MS + PUBLISH_CLOCK_MARGIN_MS) {
    return 'eventTime: more than ' + (MAX_FUTURE_SKEW_MS + PUBLISH_CLOCK_MARGIN_MS) + ' ms (MAX_FUTURE_SKEW_MS + PUBLISH_CLOCK_MARGIN_MS) ahead of the publish time';
  }
  if (options.nowMs !== undefined) {
    if (ms > options.nowMs + MAX_FUTURE_SKEW_MS) {
      return 'eventTime: more than ' + MAX_FUTURE_SKEW_MS + ' ms (MAX_FUTURE_SKEW_MS) in the future';
    }
    if (ms < options.nowMs - MAX_EVENT_AGE_MS) {
      return 'eventTime: older than ' + MAX_EVENT_AGE_MS + ' ms (MAX_EVENT_AGE_MS)';
    }
  }
  return ms;
}

/**
 * `__proto__` matches the name patterns but is no ordinary property name: assigning it sets an
 * object's prototype, so the value would vanish (or change an object) in every JavaScript step
 * downstream. Other Object.prototype names (constructor, toString, ...) are ordinary data here.
 */
const RESERVED_NAME = '__proto__';
const RESERVED_WHY = ' is reserved (it sets the prototype of a JavaScript object)';

function validateMetrics(value: unknown): { [name: string]: number } | string {
  if (!isPlainObject(value)) return 'metrics: must be an object of metric name to number';
  const names = Object.keys(value);
  if (names.length < MIN_METRICS) return 'metrics: at least ' + MIN_METRICS + ' metric required';
  if (names.length > MAX_METRICS) return 'metrics: at most ' + MAX_METRICS + ' metrics (MAX_METRICS), got ' + names.length;
  const metrics: { [name: string]: number } = {};
  names.sort();
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    if (!METRIC_NAME_PATTERN.test(name)) return 'metrics.' + name + ': name must match ' + METRIC_NAME_PATTERN.source;
    if (name === RESERVED_NAME) return 'metrics.' + name + ': name' + RESERVED_WHY;
    const v = value[name];
    if (typeof v !== 'number' || !isFinite(v)) return 'metrics.' + name + ': must be a finite number';
    metrics[name] = v;
  }
  return metrics;
}

function validateAttributes(value: unknown): { [key: string]: string } | string {
  const attributes: { [key: string]: string } = {};
  if (value === undefined) return attributes;
  if (!isPlainObject(value)) return 'attributes: must be an object of key to string';
  const keys = Object.keys(value);
  if (keys.length > MAX_ATTRIBUTES) return 'attributes: at most ' + MAX_ATTRIBUTES + ' attributes (MAX_ATTRIBUTES), got ' + keys.length;
  keys.sort();
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (!ATTRIBUTE_KEY_PATTERN.test(key)) return 'attributes.' + key + ': key must match ' + ATTRIBUTE_KEY_PATTERN.source;
    if (key === RESERVED_NAME) return 'attributes.' + key + ': key' + RESERVED_WHY;
    const v = value[key];
    if (typeof v !== 'string') return 'attributes.' + key + ': must be a string';
    // A lone surrogate ("\ud800" in JSON) has no UTF-8 form: each store would replace it its
    // own way, and the hot and cold copies of the event would differ.
    if (LONE_SURROGATE.test(v)) return 'attributes.' + key + ': holds an unpaired UTF-16 surrogate (not valid Unicode text)';
    if (v.length > MAX_ATTRIBUTE_VALUE_LENGTH) {
      return 'attributes.' + key + ': at most ' + MAX_ATTRIBUTE_VALUE_LENGTH + ' characters (MAX_ATTRIBUTE_VALUE_LENGTH), got ' + v.length;
    }
    attributes[key] = v;
  }
  return attributes;
}

/**
 * Validates one event. The size limit applies to the event as published (its canonical wire
 * JSON), measured last, so the gateway, the processor and the UDF count the same bytes
 * whatever the sender's formatting (whitespace, time notation, NDJSON or array).
 */
export function validateEvent(raw: unknown, options: ValidateOptions = {}): ValidationResult {
  if (!isPlainObject(raw)) return fail('event: must be a JSON object');
  if (nestedDeeperThan(raw, MAX_NESTING_DEPTH)) return fail('event: nested more than ' + MAX_NESTING_DEPTH + ' levels deep (MAX_NESTING_DEPTH)');
  const keys = Object.keys(raw);
  for (let i = 0; i < keys.length; i++) {
    if (EVENT_FIELDS.indexOf(keys[i]) < 0) return fail(keys[i] + ': unknown field (allowed: ' + EVENT_FIELDS.join(', ') + ')');
  }
  const idProblem =
    checkString('eventId', raw.eventId, EVENT_ID_PATTERN) ||
    checkString('deviceId', raw.deviceId, DEVICE_ID_PATTERN) ||
    (ONLY_DOTS.test(raw.deviceId as string) ? 'deviceId: ' + ONLY_DOTS_RULE : undefined) ||
    checkString('type', raw.type, EVENT_TYPE_PATTERN);
  if (idProblem) return fail(idProblem);
  if (!hasOwn.call(raw, 'eventTime')) return fail('eventTime: required');
  const time = parseEventTime(raw.eventTime, options);
  if (typeof time === 'string') return fail(time);
  if (!hasOwn.call(raw, 'metrics')) return fail('metrics: required');
  const metrics = validateMetrics(raw.metrics);
  if (typeof metrics === 'string') return fail(metrics);
  const attributes = validateAttributes(raw.attributes);
  if (typeof attributes === 'string') return fail(attributes);
  const event: TelemetryEvent = {
    eventId: raw.eventId as string,
    deviceId: raw.deviceId as string,
    type: raw.type as string,
    eventTimeMs: time,
    metrics,
    attributes,
  };
  const size = utf8Length(JSON.stringify(toWireEvent(event)));
  if (size > MAX_EVENT_BYTES) return fail('event: ' + size + ' bytes as published exceeds MAX_EVENT_BYTES ' + MAX_EVENT_BYTES);
  return { ok: true, event };
}

/**
 * The canonical wire form of a validated event (what the gateway publishes). `attributes` is
 * always present (`{}` when empty): the topic's AVRO schema declares it as a required map,
 * and Avro JSON rejects a missing field.
 */
export function toWireEvent(event: TelemetryEvent): TelemetryEventInput & { attributes: { [key: string]: string } } {
  return {
    eventId: event.eventId,
    deviceId: event.deviceId,
    type: event.type,
    eventTime: formatEventTime(event.eventTimeMs),
    metrics: event.metrics,
    attributes: event.attributes,
  };
}
