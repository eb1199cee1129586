import {
  reverseTimestamp,
  fromReverseTimestamp,
  eventRowKey,
  parseEventRowKey,
  deviceEventsRange,
  windowRowKey,
  deviceWindowsRange,
  paneRowKey,
  parseTimedRowKey,
} from '../../../functions/shared/row-keys';

describe('row keys', () => {
  it('reverses time into 13 digits so newer sorts first', () => {
    // 9999999999999 - 1796299200000 = 8203700799999
    expect(reverseTimestamp(1796299200000)).toBe('8203700799999');
    expect(fromReverseTimestamp('8203700799999')).toBe(1796299200000);
    expect(reverseTimestamp(9999999999999)).toBe('0000000000000');
    expect(reverseTimestamp(1796299200001) < reverseTimestamp(1796299200000)).toBe(true);
    expect(() => reverseTimestamp(-1)).toThrow(RangeError);
    expect(() => reverseTimestamp(1.5)).toThrow(RangeError);
  });

  it('leads with the device id and round-trips', () => {
    const key = eventRowKey('dev-7', 1796299200000, 'evt-1');
    expect(key).toBe('dev-7#8203700799999#evt-1');
    expect(parseEventRowKey(key)).toEqual({ deviceId: 'dev-7', eventTimeMs: 1796299200000, eventId: 'evt-1' });
    expect(windowRowKey('dev-7', 1796299200000)).toBe('dev-7#w#8203700799999');
    expect(parseTimedRowKey(paneRowKey('dev-7', 1796299190000))).toEqual({ deviceId: 'dev-7', kind: 'p', timeMs: 1796299190000 });
  });

  it('bounds a time range [from, to) exactly, newest first, without touching a neighbour device', () => {
    const from = 1796299200000;
    const to = from + 1000;
    const range = deviceEventsRange('dev-1', from, to);
    const inside = (k: string) => k >= range.start && k < range.end;
    expect(inside(eventRowKey('dev-1', from, 'a'))).toBe(true);
    expect(inside(eventRowKey('dev-1', to - 1, 'zzz'))).toBe(true);
    expect(inside(eventRowKey('dev-1', to, 'a'))).toBe(false);
    expect(inside(eventRowKey('dev-1', from - 1, 'a'))).toBe(false);
    // 'dev-10' shares the prefix 'dev-1' but not 'dev-1#'.
    expect(inside(eventRowKey('dev-10', from + 5, 'a'))).toBe(false);
    const w = deviceWindowsRange('dev-1', from, to);
    expect(windowRowKey('dev-1', from) >= w.start && windowRowKey('dev-1', from) < w.end).toBe(true);
    expect(eventRowKey('dev-1', from, 'a') >= w.start && eventRowKey('dev-1', from, 'a') < w.end).toBe(false);
  });
});
