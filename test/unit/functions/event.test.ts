import { validateEvent, parseRfc3339, formatEventTime, utf8Length, toWireEvent } from '../../../functions/shared/event';
import {
  MAX_ATTRIBUTES,
  MAX_ATTRIBUTE_VALUE_LENGTH,
  MAX_EVENT_AGE_MS,
  MAX_EVENT_BYTES,
  MAX_FUTURE_SKEW_MS,
  MAX_METRICS,
} from '../../../functions/shared/event-limits';

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0); // 2026-12-03T12:00:00Z = 1796299200000
const valid = () => ({
  eventId: 'evt-0001',
  deviceId: 'dev-7',
  type: 'reading',
  eventTime: '2026-12-03T11:59:00.250Z',
  metrics: { temp: 21.5, hum: 40 },
});

function reasonOf(raw: unknown, nowMs: number | undefined = NOW): string {
  const r = validateEvent(raw, { nowMs });
  if (r.ok) throw new Error('expected a rejection');
  return r.reason;
}

describe('event contract', () => {
  it('accepts a valid event and normalises time, metric order and attributes', () => {
    const r = validateEvent({ ...valid(), attributes: { fw: '1.2', site: 'berlin' } }, { nowMs: NOW });
    expect(r).toEqual({
      ok: true,
      event: {
        eventId: 'evt-0001',
        deviceId: 'dev-7',
        type: 'reading',
        eventTimeMs: NOW - 60_000 + 250,
        metrics: { hum: 40, temp: 21.5 },
        attributes: { fw: '1.2', site: 'berlin' },
      },
    });
  });

  it('names the rule for each broken field', () => {
    expect(reasonOf({ ...valid(), deviceId: 'dev#7' })).toBe('deviceId: must match ^[A-Za-z0-9._:-]{1,128}$');
    expect(reasonOf({ ...valid(), deviceId: 'd'.repeat(129) })).toBe('deviceId: must match ^[A-Za-z0-9._:-]{1,128}$');
    for (const dots of ['.', '..', '...']) expect(reasonOf({ ...valid(), deviceId: dots })).toBe('deviceId: must not be dots only (. and .. are path segments a URL resolves away)');
    expect(validateEvent({ ...valid(), deviceId: '.dev.7.' }, { nowMs: NOW }).ok).toBe(true);
    expect(reasonOf({ ...valid(), eventId: 42 })).toBe('eventId: must be a string matching ^[A-Za-z0-9._:-]{1,128}$');
    expect(reasonOf({ ...valid(), type: '9lives' })).toBe('type: must match ^[A-Za-z][A-Za-z0-9_.-]{0,63}$');
    expect(reasonOf({ ...valid(), metrics: {} })).toBe('metrics: at least 1 metric required');
    expect(reasonOf({ ...valid(), metrics: { temp: 'hot' } })).toBe('metrics.temp: must be a finite number');
    expect(reasonOf({ ...valid(), metrics: { 'bad name': 1 } })).toBe('metrics.bad name: name must match ^[A-Za-z_][A-Za-z0-9_]{0,63}$');
    expect(reasonOf({ ...valid(), attributes: { fw: 12 } })).toBe('attributes.fw: must be a string');
    expect(reasonOf({ ...valid(), extra: true })).toBe('extra: unknown field (allowed: eventId, deviceId, type, eventTime, metrics, attributes)');
    expect(reasonOf([valid()])).toBe('event: must be a JSON object');
    const { metrics: _m, ...noMetrics } = valid();
    expect(reasonOf(noMetrics)).toBe('metrics: required');
  });

  it('refuses __proto__ as a metric or attribute name (it would silently drop or change the value), keeps other Object.prototype names', () => {
    // JSON.parse makes "__proto__" an own property, as a request body does.
    expect(reasonOf(JSON.parse('{"eventId":"e","deviceId":"d","type":"t","eventTime":1796299200000,"metrics":{"__proto__":5}}'))).toBe(
      'metrics.__proto__: name is reserved (it sets the prototype of a JavaScript object)',
    );
    expect(reasonOf(JSON.parse('{"eventId":"e","deviceId":"d","type":"t","eventTime":1796299200000,"metrics":{"x":1},"attributes":{"__proto__":"secret"}}'))).toBe(
      'attributes.__proto__: key is reserved (it sets the prototype of a JavaScript object)',
    );
    const r = validateEvent({ ...valid(), metrics: { constructor: 1, toString: 2, valueOf: 3 }, attributes: { hasOwnProperty: 'yes', constructor: 'c' } }, { nowMs: NOW });
    if (!r.ok) throw new Error(r.reason);
    expect(JSON.stringify(r.event.metrics)).toBe('{"constructor":1,"toString":2,"valueOf":3}');
    expect(JSON.stringify(r.event.attributes)).toBe('{"constructor":"c","hasOwnProperty":"yes"}');
    // The published form validates to the same event downstream.
    const again = validateEvent(JSON.parse(JSON.stringify(toWireEvent(r.event))), {});
    expect(again).toEqual(r);
  });

  it('caps nesting at MAX_NESTING_DEPTH levels (the event is level 1) before any recursive step', () => {
    const nest = (n: number): unknown => (n === 0 ? 'x' : [nest(n - 1)]);
    // event (1) + attributes (2) + 14 arrays = 16 levels: within the cap, so the field's own rule answers.
    expect(reasonOf({ ...valid(), attributes: { a: nest(14) } })).toBe('attributes.a: must be a string');
    expect(reasonOf({ ...valid(), attributes: { a: nest(15) } })).toBe('event: nested more than 16 levels deep (MAX_NESTING_DEPTH)');
    expect(reasonOf({ ...valid(), metrics: { a: { b: {} } } })).toBe('metrics.a: must be a finite number');
  });

  it('enforces the count and size limits at their boundaries', () => {
    const metrics = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`m${i}`, i]));
    expect(validateEvent({ ...valid(), metrics: metrics(MAX_METRICS) }, { nowMs: NOW }).ok).toBe(true);
    expect(reasonOf({ ...valid(), metrics: metrics(MAX_METRICS + 1) })).toBe('metrics: at most 64 metrics (MAX_METRICS), got 65');
    const attrs = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`a${i}`, 'x']));
    expect(validateEvent({ ...valid(), attributes: attrs(MAX_ATTRIBUTES) }, { nowMs: NOW }).ok).toBe(true);
    expect(reasonOf({ ...valid(), attributes: attrs(MAX_ATTRIBUTES + 1) })).toBe('attributes: at most 16 attributes (MAX_ATTRIBUTES), got 17');
    expect(validateEvent({ ...valid(), attributes: { a: 'x'.repeat(MAX_ATTRIBUTE_VALUE_LENGTH) } }, { nowMs: NOW }).ok).toBe(true);
    expect(reasonOf({ ...valid(), attributes: { a: 'x'.repeat(257) } })).toBe(
      'attributes.a: at most 256 characters (MAX_ATTRIBUTE_VALUE_LENGTH), got 257',
    );
    // 16 attributes x 256 'é' x 2 UTF-8 bytes = 8192 bytes of values alone, plus keys and fields > 8192
    const big = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`a${i}`, 'é'.repeat(256)]));
    const r = validateEvent({ ...valid(), attributes: big }, { nowMs: NOW });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(new RegExp(`^event: \\d+ bytes as published exceeds MAX_EVENT_BYTES ${MAX_EVENT_BYTES}$`));
  });

  it('bounds the event time by skew into the future and by age, and only when a clock is given', () => {
    expect(validateEvent({ ...valid(), eventTime: NOW + MAX_FUTURE_SKEW_MS }, { nowMs: NOW }).ok).toBe(true);
    expect(reasonOf({ ...valid(), eventTime: NOW + MAX_FUTURE_SKEW_MS + 1 })).toBe(
      'eventTime: more than 300000 ms (MAX_FUTURE_SKEW_MS) in the future',
    );
    expect(validateEvent({ ...valid(), eventTime: NOW - MAX_EVENT_AGE_MS }, { nowMs: NOW }).ok).toBe(true);
    expect(reasonOf({ ...valid(), eventTime: NOW - MAX_EVENT_AGE_MS - 1 })).toBe('eventTime: older than 604800000 ms (MAX_EVENT_AGE_MS)');
    // Without a clock (the UDF) only the structure counts.
    expect(validateEvent({ ...valid(), eventTime: NOW - MAX_EVENT_AGE_MS - 1 }).ok).toBe(true);
    // Epoch seconds are caught by the plausible range: 1796299200 s < 946684800000 (2000-01-01 in ms).
    expect(reasonOf({ ...valid(), eventTime: 1796299200 })).toBe(
      'eventTime: epoch milliseconds must be between 946684800000 and 4102444800000 (is it in seconds?)',
    );
    expect(reasonOf({ ...valid(), eventTime: 1.5 })).toBe('eventTime: epoch milliseconds must be an integer');
    expect(reasonOf({ ...valid(), eventTime: '2026-12-03 11:59:00' })).toMatch(/^eventTime: must be RFC 3339/);
  });

  it('parses RFC 3339 offsets, fractions and calendar limits by hand', () => {
    expect(parseRfc3339('2026-12-03T12:00:00Z')).toBe(1796299200000);
    // +02:00 means two hours ahead of UTC: 14:00+02:00 = 12:00Z
    expect(parseRfc3339('2026-12-03T14:00:00+02:00')).toBe(1796299200000);
    expect(parseRfc3339('2026-12-03T07:30:00-04:30')).toBe(1796299200000);
    // fractions past milliseconds are truncated, short ones padded: .5 = 500 ms, .123456789 = 123 ms
    expect(parseRfc3339('2026-12-03T12:00:00.5Z')).toBe(1796299200500);
    expect(parseRfc3339('2026-12-03T12:00:00.123456789Z')).toBe(1796299200123);
    expect(parseRfc3339('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29));
    expect(parseRfc3339('2026-02-29T00:00:00Z')).toBeNaN();
    expect(parseRfc3339('2026-12-03T24:00:00Z')).toBeNaN();
    expect(parseRfc3339('2026-12-03T12:00:00')).toBeNaN();
    expect(formatEventTime(1796299200005)).toBe('2026-12-03T12:00:00.005Z');
  });

  it('counts UTF-8 bytes like Buffer does', () => {
    for (const text of ['abc', 'é', '€', '😀', 'a😀é€', '\ud800x']) expect(utf8Length(text)).toBe(Buffer.byteLength(text, 'utf8'));
  });

  it('writes the canonical wire form with an RFC 3339 time and attributes always present (the AVRO schema requires the field)', () => {
    const r = validateEvent({ ...valid(), eventTime: NOW }, { nowMs: NOW });
    if (!r.ok) throw new Error(r.reason);
    expect(toWireEvent(r.event)).toEqual({
      eventId: 'evt-0001',
      deviceId: 'dev-7',
      type: 'reading',
      eventTime: '2026-12-03T12:00:00.000Z',
      metrics: { hum: 40, temp: 21.5 },
      attributes: {},
    });
  });
});
