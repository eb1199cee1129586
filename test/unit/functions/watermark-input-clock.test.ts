/**
 * The watermark follows the input (publish time of processed data), not the wall clock: a
 * device whose events wait in a subscription backlog does not look idle, so its events are
 * still on time when the backlog is processed. No table is touched (no pass runs).
 */
import { WindowFinalizer } from '../../../functions/processor/window-finalizer';
import type { RowReader } from '../../../functions/shared/bigtable-read';
import type { RowMutator } from '../../../functions/processor/durable-writes';

const T = Date.UTC(2026, 11, 3, 12, 0, 0);
const unusedReader = {} as RowReader;
const unusedWriter: RowMutator = { mutate: async () => undefined };

function finalizer(clocks: { wall: number; input: number }) {
  return new WindowFinalizer(unusedReader, unusedWriter, {
    spec: { windowMs: 60_000, slideMs: 10_000 },
    watermarkDelayMs: 10_000,
    allowedLatenessMs: 60_000,
    now: () => clocks.wall,
    inputClock: () => clocks.input,
  });
}

describe('watermark driven by the input clock', () => {
  it('does not advance while the input clock stands still (a backlog), however much wall time passes', () => {
    const clocks = { wall: T, input: T };
    const f = finalizer(clocks);
    f.observe('dev-1', [T], T);
    // 5 minutes of wall time in which the processor only worked through older input.
    clocks.wall = T + 300_000;
    clocks.input = T + 1000;
    // watermark = newest event - delay = T - 10 s (input idle 1 s < delay 10 s: no idle advance).
    expect(f.watermark('dev-1')).toBe(T - 10_000);
    // An event of dev-1 from T + 0.5 s, delivered from the backlog now: on time.
    expect(f.isTooLate('dev-1', T + 500)).toBe(false);
  });

  it('advances for an idle device once the input clock moves past it (drained subscription)', () => {
    const clocks = { wall: T + 300_000, input: T + 300_000 };
    const f = finalizer(clocks);
    clocks.input = T;
    f.observe('dev-1', [T], T);
    clocks.input = T + 300_000;
    // idle = 300 s - 10 s = 290 s; watermark = T - 10 s + 290 s = T + 280 s.
    expect(f.watermark('dev-1')).toBe(T + 280_000);
    // Too late below watermark - lateness = T + 220 s.
    expect(f.isTooLate('dev-1', T + 500)).toBe(true);
    expect(f.isTooLate('dev-1', T + 220_000)).toBe(false);
    expect(f.isTooLate('dev-1', T + 219_999)).toBe(true);
  });

  it('uses the device\'s newest publish time, not the wall clock, as its last activity', () => {
    const clocks = { wall: T + 600_000, input: T + 30_000 };
    const f = finalizer(clocks);
    // Events at T published at T + 25 s (they waited in the gateway's spill path).
    f.observe('dev-2', [T], T + 25_000);
    // idle = 30 s - 25 s - 10 s < 0 -> watermark = T - 10 s.
    expect(f.watermark('dev-2')).toBe(T - 10_000);
    clocks.input = T + 50_000;
    // idle = 50 - 25 - 10 = 15 s -> watermark = T - 10 s + 15 s = T + 5 s.
    expect(f.watermark('dev-2')).toBe(T + 5000);
  });
});
