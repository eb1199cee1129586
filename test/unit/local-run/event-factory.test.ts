import { validateEvent } from '../../../functions/shared/event';
import { encodeMessagePayload } from '../../../functions/shared/message';
import { INVALID_KINDS, MAX_FLEET_EVENT_BYTES, eventIdOf, invalidEventJson, parseEventId, validEventJson, deviceIdOf } from '../../../local/run/event-factory';

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);

describe('fleet events', () => {
  it.each([300, 1000, 4000])('pads a valid event to %i bytes that the contract accepts', (size) => {
    const json = validEventJson('rtest', 7, 42, NOW, size);
    expect(Buffer.byteLength(json)).toBe(size);
    const verdict = validateEvent(JSON.parse(json), { nowMs: NOW });
    expect(verdict.ok).toBe(true);
    if (verdict.ok) {
      expect(verdict.event.eventId).toBe('rtest.d7.42');
      expect(verdict.event.deviceId).toBe('rtest-d7');
      // metricsOf(7, 42): temperature 15 + ((49 + 42) % 200) / 10 = 24.1; humidity 30 + ((91 + 126) % 400) / 10 = 51.7
      expect(verdict.event.metrics).toEqual({ humidity: 51.7, seq: 42, temperature: 24.1 });
    }
  });

  it.each([512, 4000])('sends an event of %i bytes whose published form has the same size (the contract limit applies to it)', (size) => {
    const json = validEventJson('rtest', 7, 42, NOW, size);
    const verdict = validateEvent(JSON.parse(json), { nowMs: NOW });
    expect(verdict.ok).toBe(true);
    if (verdict.ok) expect(Buffer.byteLength(encodeMessagePayload([verdict.event]))).toBe(size);
  });

  it('reaches every size up to the --event-size bound, which the contract\'s attribute limits set', () => {
    // 15 padding attributes of at most 256 characters: about 4 KiB, whatever the ids.
    expect(MAX_FLEET_EVENT_BYTES).toBeGreaterThan(4000);
    expect(MAX_FLEET_EVENT_BYTES).toBeLessThan(8192);
    expect(Buffer.byteLength(validEventJson('rtest', 7, 42, NOW, MAX_FLEET_EVENT_BYTES))).toBe(MAX_FLEET_EVENT_BYTES);
  });

  it('never pads below the unpadded event (a target smaller than the event is ignored)', () => {
    const json = validEventJson('rtest', 1, 1, NOW, 10);
    expect(validateEvent(JSON.parse(json), { nowMs: NOW }).ok).toBe(true);
    expect(json).not.toContain('"p0"');
  });

  it('makes every invalid kind an event the contract rejects, with a reason naming the field', () => {
    const expectedField: Record<string, string> = {
      'bad-device-id': 'deviceId',
      'missing-metrics': 'metrics',
      'non-numeric-metric': 'metrics.temperature',
      'unknown-field': 'priority',
      'time-in-seconds': 'eventTime',
    };
    INVALID_KINDS.forEach((kind, n) => {
      const bad = invalidEventJson('rtest', 3, n, NOW);
      expect(bad.kind).toBe(kind);
      const verdict = validateEvent(JSON.parse(bad.json), { nowMs: NOW });
      expect(verdict.ok).toBe(false);
      if (!verdict.ok) expect(verdict.reason.startsWith(expectedField[kind])).toBe(true);
    });
  });

  it('parses the ids it writes and nothing else', () => {
    expect(parseEventId('rtest', eventIdOf('rtest', 12, 345))).toEqual({ device: 12, seq: 345 });
    expect(parseEventId('rtest', 'rother.d1.2')).toBeUndefined();
    expect(parseEventId('rtest', 'rtest.bad.3')).toBeUndefined();
    expect(deviceIdOf('rtest', 5)).toBe('rtest-d5');
  });
});
