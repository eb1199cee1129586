import { paneStart, windowEndsContaining, summarizeWindows, checkWindowSpec, type Contribution } from '../../../functions/shared/aggregates';

const spec = { windowMs: 60_000, slideMs: 10_000 };
const T0 = 1796299200000; // a minute boundary: 1796299200000 / 60000 = 29938320

describe('sliding windows', () => {
  it('puts an event in the six 1-minute windows that slide every 10 s over it', () => {
    expect(paneStart(T0 + 12_345, 10_000)).toBe(T0 + 10_000);
    // pane [T0+10s, T0+20s) lies in windows ending T0+20s .. T0+70s
    expect(windowEndsContaining(T0 + 12_345, spec)).toEqual([20, 30, 40, 50, 60, 70].map((s) => T0 + s * 1000));
    expect(() => checkWindowSpec({ windowMs: 60_000, slideMs: 7_000 })).toThrow('must be a positive multiple');
  });

  it('sums each window from its panes and omits empty windows', () => {
    const c = (id: string, offsetS: number, temp: number): Contribution => ({ eventId: id, eventTimeMs: T0 + offsetS * 1000, metrics: { temp } });
    const contributions = [c('a', 5, 10), c('b', 15, 20), c('c', 65, 30), c('d', 59.999, 1)];
    const out = summarizeWindows(contributions, [T0 + 60_000, T0 + 70_000, T0 + 200_000], spec);
    // [T0, T0+60s): a, b, d -> count 3, sum 10+20+1 = 31, min 1, max 20
    // [T0+10s, T0+70s): b, d, c -> count 3, sum 20+1+30 = 51, min 1, max 30
    // [T0+140s, T0+200s): empty -> omitted
    expect(out).toEqual([
      { windowStartMs: T0, windowEndMs: T0 + 60_000, eventCount: 3, metrics: { temp: { count: 3, sum: 31, min: 1, max: 20 } } },
      { windowStartMs: T0 + 10_000, windowEndMs: T0 + 70_000, eventCount: 3, metrics: { temp: { count: 3, sum: 51, min: 1, max: 30 } } },
    ]);
  });

  it('gives bit-identical float sums whatever order contributions arrive in', () => {
    const values = [0.1, 0.2, 0.3, 1e16, -1e16, 0.7];
    const base = values.map((v, i) => ({ eventId: `e${i}`, eventTimeMs: T0 + 1000, metrics: { x: v } }));
    const a = summarizeWindows(base, [T0 + 60_000], spec)[0].metrics.x.sum;
    const b = summarizeWindows([...base].reverse(), [T0 + 60_000], spec)[0].metrics.x.sum;
    expect(Object.is(a, b)).toBe(true);
  });
  it('aggregates metrics named like Object.prototype members as ordinary metrics, touching nothing global', () => {
    const c = (id: string, offsetS: number, v: number): Contribution => ({ eventId: id, eventTimeMs: T0 + offsetS * 1000, metrics: { constructor: v, toString: v * 10, hasOwnProperty: v, valueOf: 1 } });
    const [w] = summarizeWindows([c('a', 1, 2), c('b', 2, 3)], [T0 + 60_000], spec);
    expect(w.eventCount).toBe(2);
    expect(w.metrics.constructor).toEqual({ count: 2, sum: 5, min: 2, max: 3 });
    expect(w.metrics.toString).toEqual({ count: 2, sum: 50, min: 20, max: 30 });
    expect(w.metrics.hasOwnProperty).toEqual({ count: 2, sum: 5, min: 2, max: 3 });
    expect(Object.keys(w.metrics).sort()).toEqual(['constructor', 'hasOwnProperty', 'toString', 'valueOf']);
    expect((Object as unknown as { count?: unknown }).count).toBeUndefined();
    expect((Object as unknown as { sum?: unknown }).sum).toBeUndefined();
  });
});
