import { archivedTwiceNote, burstCheck, exactlyOnceCheck, latencyCheck, measuredOr } from '../../../local/run/checks';
import { checkSustainedPhase, runOptionWarnings, validateRunOptions } from '../../../local/run/options';
import { runTimeEstimate } from '../../../local/run/run';

describe('local run checks', () => {
  it('judges the burst against the valid events offered, with the arithmetic in the bound', () => {
    // 1,000 offered, 1% invalid on purpose: 990 valid, 98% of that is 970.2.
    const pass = burstCheck({ acceptedEps: 990, burstEps: 1000, invalidShare: 0.01, drainSeconds: 3, ran: true });
    expect(pass.status).toBe('pass');
    expect(pass.bound).toBe('>= 970 = 98% of 990 valid events/s (1,000 offered less the 1% invalid on purpose) accepted, then drained');
    expect(burstCheck({ acceptedEps: 969, burstEps: 1000, invalidShare: 0.01, drainSeconds: 3, ran: true }).status).toBe('fail');
    expect(burstCheck({ acceptedEps: 990, burstEps: 1000, invalidShare: 0.01, drainSeconds: null, ran: true }).status).toBe('fail');
    expect(burstCheck({ acceptedEps: 0, burstEps: 1000, invalidShare: 0.01, drainSeconds: null, ran: false }).status).toBe('not-measured');
    expect(burstCheck({ acceptedEps: 70_000, burstEps: 70_000, invalidShare: 0, drainSeconds: 1, ran: true }).bound).toBe('>= 68,600 = 98% of 70,000 offered accepted, then drained');
  });

  it('does not claim exactly-once for an interrupted run whose last windows did not close', () => {
    const interrupted = exactlyOnceCheck({ over: 0, under: 142_065, windows: 200, late: 0, interrupted: true });
    expect(interrupted.status).toBe('not-measured');
    expect(interrupted.measured).toContain('interrupted before the last windows closed: 142,065 events');
    // Double counting seen is a failure whatever happened.
    expect(exactlyOnceCheck({ over: 3, under: 10, windows: 5, late: 0, interrupted: true }).status).toBe('fail');
    expect(exactlyOnceCheck({ over: 0, under: 0, windows: 5, late: 0, interrupted: true }).status).toBe('pass');
    expect(exactlyOnceCheck({ over: 0, under: 0, windows: 5, late: 0, interrupted: false }).status).toBe('pass');
  });

  it('explains archived-twice rows', () => {
    expect(archivedTwiceNote(10, 10)).toBe('');
    expect(archivedTwiceNote(132_482, 10)).toMatch(/^ \(132,472 archived twice, harmless: .*insertId de-duplication window.*de-duplicate by event_id\)$/);
  });

  it('prints "not measured" for a figure with no samples', () => {
    expect(measuredOr(0, 0, (v) => `${v} ms`)).toBe('not measured');
    expect(measuredOr(null, 5, (v) => `${v} ms`)).toBe('not measured');
    expect(measuredOr(12.5, 5, (v) => `${v} ms`)).toBe('12.5 ms');
  });
});

describe('local run options: a sustained phase before the burst', () => {
  it('rejects a duration not longer than the burst by the warm-up + 3 s', () => {
    expect(() => validateRunOptions({ duration: 10 })).toThrow('--duration 10: must exceed the burst seconds (10) by at least 4 s for a sustained phase (a 1 s warm-up + 3 s measured); use --duration 14 or more or a shorter --burst-seconds');
    expect(() => validateRunOptions({ duration: 12, rate: 500, burst: 1000 })).toThrow(/must exceed the burst seconds \(10\) by at least 5 s/);
    expect(() => validateRunOptions({ duration: 15, rate: 500, burst: 1000 })).not.toThrow();
    expect(() => validateRunOptions({ duration: 12, burst: 1000, burstSeconds: 5 })).not.toThrow();
    // No burst: the whole run is sustained.
    expect(() => validateRunOptions({ duration: 5, burst: 0 })).not.toThrow();
    expect(() => checkSustainedPhase(60, 10)).not.toThrow();
  });

  it('warns (not an error) when the burst is below the rate', () => {
    expect(runOptionWarnings({ rate: 10_000, burst: 5_000 })).toEqual(['warning: --burst 5000 is below --rate 10000: the burst phase offers fewer events/s than the sustained phase']);
    expect(runOptionWarnings({ rate: 10_000, burst: 0 })).toEqual([]);
    expect(runOptionWarnings({ rate: 500, burst: 1000 })).toEqual([]);
  });

  it('says up front how long the run waits after sending', () => {
    expect(runTimeEstimate(60, 60_000, 5)).toBe('sending 60 s, then waiting for the last windows (up to 90 s) and the archive to catch up (up to 300 s after sending; it stops waiting once the archive stalls for 30 s), then stopping everything');
  });
});

describe('latency checks', () => {
  it('judges the sustained-phase figure against its bound; no samples is not measured', () => {
    expect(latencyCheck('latency_p99', 92.4, 100)).toEqual({ item: 'latency_p99', measured: '92.4 ms (sustained phase)', bound: '<= 100 ms', status: 'pass' });
    expect(latencyCheck('latency_p50', 55.3, 50).status).toBe('fail');
    expect(latencyCheck('latency_p50', undefined, 50)).toEqual({ item: 'latency_p50', measured: 'no latency samples (no processor histogram, or nothing processed)', bound: '<= 50 ms', status: 'not-measured' });
  });
});
