import { eventsDue, isInvalidIndex, phaseAt, type RateSchedule } from '../../../local/run/fleet';

// 60 s: 10,000 events/s for 50 s, then 50,000 events/s for 10 s.
const schedule: RateSchedule = { durationMs: 60_000, sustainedEps: 10_000, burstEps: 50_000, burstStartMs: 50_000, burstEndMs: 60_000 };

describe('rate schedule', () => {
  it('integrates the offered rate', () => {
    expect(eventsDue(schedule, 0)).toBe(0);
    expect(eventsDue(schedule, 1_500)).toBe(15_000); // 1.5 s x 10,000
    expect(eventsDue(schedule, 50_000)).toBe(500_000); // 50 s x 10,000
    expect(eventsDue(schedule, 52_000)).toBe(600_000); // 500,000 + 2 s x 50,000
    expect(eventsDue(schedule, 60_000)).toBe(1_000_000); // 500,000 + 10 s x 50,000
    expect(eventsDue(schedule, 90_000)).toBe(1_000_000); // nothing after the end
  });

  it('names the phase', () => {
    expect(phaseAt(schedule, 49_999)).toBe('sustained');
    expect(phaseAt(schedule, 50_000)).toBe('burst');
    expect(phaseAt(schedule, 59_999)).toBe('burst');
    expect(phaseAt({ ...schedule, burstEps: 0 }, 55_000)).toBe('sustained');
  });

  it('marks exactly the invalid share of events', () => {
    const count = (share: number, n: number) => Array.from({ length: n }, (_, k) => isInvalidIndex(k, share)).filter(Boolean).length;
    expect(count(0.01, 10_000)).toBe(100); // 1% of 10,000
    expect(count(0.25, 8)).toBe(2);
    expect(count(0, 1000)).toBe(0);
    // every 100th event (index 99, 199, ...) at 1%
    expect(isInvalidIndex(98, 0.01)).toBe(false);
    expect(isInvalidIndex(99, 0.01)).toBe(true);
  });
});
