import { HOUR_MS, fromBatchView, fromWindows, hotBoundary, mergeAcrossBoundary } from '../../../functions/analytics/hourly';
import { PageTokens, BadPageToken } from '../../../functions/analytics/page-token';

const H = Date.UTC(2026, 11, 3, 9, 0, 0);

describe('hourly merge across the hot/cold boundary', () => {
  it('puts the boundary at the first whole hour inside the hot window', () => {
    // now 09:30, hot window 2 h -> 07:30 -> next whole hour 08:00
    expect(hotBoundary(H + 30 * 60_000, 2)).toBe(H - HOUR_MS);
    // exactly on the hour: 09:00 - 2 h = 07:00 is itself whole
    expect(hotBoundary(H, 2)).toBe(H - 2 * HOUR_MS);
  });

  it('sums only the tiling windows (start on a multiple of the window) into hours', () => {
    const w = (start: number, count: number, sum: number) => ({ windowStartMs: start, windowEndMs: start + 60_000, eventCount: count, metrics: { t: { count, sum, min: 1, max: 5 } } });
    const hours = fromWindows([w(H, 2, 6), w(H + 10_000, 100, 100), w(H + 60_000, 3, 9), w(H + HOUR_MS - 60_000, 1, 5)], 60_000, H + HOUR_MS);
    // 2 + 3 + 1 = 6 events, 6 + 9 + 5 = 20; the window at +10 s overlaps and is ignored
    expect(hours).toEqual([{ hour: '2026-12-03T09:00:00.000Z', hourMs: H, source: 'bigtable', final: true, eventCount: 6, metrics: { t: { count: 6, sum: 20, min: 1, max: 5 } } }]);
    expect(fromWindows([w(H, 1, 1)], 60_000, H + HOUR_MS - 1)[0].final).toBe(false);
  });

  it('answers each hour from exactly one store', () => {
    const cold = fromBatchView([
      { hourMs: H - 2 * HOUR_MS, metric: 't', eventCount: 3, valueCount: 3, valueSum: 9, valueMin: 1, valueMax: 5 },
      { hourMs: H - HOUR_MS, metric: 't', eventCount: 50, valueCount: 50, valueSum: 50, valueMin: 1, valueMax: 1 },
    ]);
    const hot = fromWindows([{ windowStartMs: H - HOUR_MS, windowEndMs: H - HOUR_MS + 60_000, eventCount: 4, metrics: { t: { count: 4, sum: 8, min: 2, max: 2 } } }], 60_000, H);
    const merged = mergeAcrossBoundary(cold, hot, H - HOUR_MS);
    expect(merged.map((h) => [h.hourMs, h.source, h.eventCount])).toEqual([
      [H - 2 * HOUR_MS, 'bigquery', 3],
      [H - HOUR_MS, 'bigtable', 4],
    ]);
  });

  it('accepts a page token only for the query that issued it', () => {
    const tokens = new PageTokens();
    const token = tokens.encode(['events', 'd', 1, 2], 'cursor-key');
    expect(tokens.decode(['events', 'd', 1, 2], token)).toEqual({ cursor: 'cursor-key' });
    expect(() => tokens.decode(['events', 'd', 1, 3], token)).toThrow(BadPageToken);
    expect(() => tokens.decode(['events'], '!!!')).toThrow('pageToken: not a token this API issued');
    // Signed: another secret (another instance without a shared PAGE_TOKEN_SECRET) refuses it.
    expect(() => new PageTokens().decode(['events', 'd', 1, 2], token)).toThrow('pageToken: not a token this API issued (signature does not match)');
  });
});
