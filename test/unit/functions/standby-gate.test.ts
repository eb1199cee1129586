import pino from 'pino';
import { StandbyGate, pollEvery, type StandbyGateOptions } from '../../../functions/processor/standby-gate';

/** A gate on a hand-moved clock with a scripted probe and recorded pull starts/stops. */
function harness(overrides: Partial<StandbyGateOptions> = {}) {
  let clock = 1_000_000;
  const ages: (number | Error)[] = [];
  const calls: string[] = [];
  const counts = { probeFailed: 0, started: 0, stopped: 0 };
  let primary: boolean | Error = true;
  const gate = new StandbyGate({
    thresholdSeconds: 300,
    cooldownSeconds: 300,
    probe: async () => {
      const next = ages.shift();
      if (next === undefined) throw new Error('test: no scripted age');
      if (next instanceof Error) throw next;
      return next;
    },
    primaryPulling: async () => {
      calls.push('primary?');
      if (primary instanceof Error) throw primary;
      return primary;
    },
    now: () => clock,
    startPulling: () => void calls.push('start'),
    stopPulling: async () => void calls.push('stop'),
    logger: pino({ level: 'silent' }),
    onProbeFailed: () => void counts.probeFailed++,
    onStarted: () => void counts.started++,
    onStopped: () => void counts.stopped++,
    ...overrides,
  });
  return {
    gate,
    calls,
    counts,
    /** Scripts the next probe answer, advances the clock by `afterSeconds`, polls. */
    async poll(age: number | Error, afterSeconds = 30) {
      clock += afterSeconds * 1000;
      ages.push(age);
      return gate.poll();
    },
    setPrimary(v: boolean | Error) {
      primary = v;
    },
  };
}

describe('StandbyGate', () => {
  test('starts in standby and stays there while the backlog age is at or below the threshold', async () => {
    const h = harness();
    expect(h.gate.state).toBe('standby');
    expect(await h.poll(0)).toBe('unchanged');
    expect(await h.poll(300)).toBe('unchanged'); // equal is not above
    expect(h.gate.state).toBe('standby');
    expect(h.calls).toEqual([]);
  });

  test('standby -> pulling when the age exceeds the threshold', async () => {
    const h = harness();
    expect(await h.poll(301)).toBe('started');
    expect(h.gate.state).toBe('pulling');
    expect(h.calls).toEqual(['start']);
    expect(h.counts.started).toBe(1);
    expect(h.gate.describe()).toMatchObject({ state: 'pulling', thresholdSeconds: 300, cooldownSeconds: 300, lastProbe: { ageSeconds: 301, error: null } });
  });

  test('a failed start keeps it in standby (the next poll tries again)', async () => {
    let fail = true;
    const h = harness({
      startPulling: () => {
        if (fail) throw new Error('stream refused');
      },
    });
    expect(await h.poll(400)).toBe('unchanged');
    expect(h.gate.state).toBe('standby');
    expect(h.counts.started).toBe(0);
    fail = false;
    expect(await h.poll(400)).toBe('started');
  });

  test('pulling -> standby only after the age stayed at or below the threshold for the whole cooldown, with the primary pulling', async () => {
    const h = harness();
    await h.poll(500);
    expect(await h.poll(100)).toBe('unchanged'); // below since now (t0)
    expect(await h.poll(100, 150)).toBe('unchanged'); // t0 + 150 s
    expect(await h.poll(100, 149)).toBe('unchanged'); // t0 + 299 s: not yet
    expect(h.calls).toEqual(['start']);
    expect(await h.poll(100, 1)).toBe('stopped'); // t0 + 300 s
    expect(h.calls).toEqual(['start', 'primary?', 'stop']);
    expect(h.gate.state).toBe('standby');
    expect(h.counts.stopped).toBe(1);
    expect(h.gate.describe().belowSince).toBeNull();
  });

  test('an age above the threshold during the cooldown restarts it', async () => {
    const h = harness();
    await h.poll(500);
    await h.poll(100); // below since t0
    await h.poll(100, 200);
    expect(await h.poll(301, 50)).toBe('unchanged'); // above again: cooldown reset
    expect(await h.poll(100, 30)).toBe('unchanged'); // below since t1
    expect(await h.poll(100, 290)).toBe('unchanged'); // t1 + 290 s
    expect(await h.poll(100, 10)).toBe('stopped'); // t1 + 300 s
  });

  test('cooldown over but no primary pulling: keeps pulling and asks again on every poll', async () => {
    const h = harness();
    h.setPrimary(false);
    await h.poll(500);
    await h.poll(10);
    expect(await h.poll(10, 300)).toBe('unchanged');
    expect(await h.poll(10, 30)).toBe('unchanged');
    expect(h.gate.state).toBe('pulling');
    expect(h.calls).toEqual(['start', 'primary?', 'primary?']);
    h.setPrimary(new Error('fleet table unreachable'));
    expect(await h.poll(10, 30)).toBe('unchanged'); // cannot tell: keep pulling
    expect(h.gate.state).toBe('pulling');
    h.setPrimary(true);
    expect(await h.poll(10, 30)).toBe('stopped'); // cooldown still counted from the first low age
  });

  test('without a primary check, the cooldown alone stands it down', async () => {
    const h = harness({ primaryPulling: undefined });
    await h.poll(500);
    await h.poll(0);
    expect(await h.poll(0, 300)).toBe('stopped');
    expect(h.calls).toEqual(['start', 'stop']);
  });

  test('a failed stop (drain incomplete) still stands by', async () => {
    const h = harness({ primaryPulling: undefined, stopPulling: async () => Promise.reject(new Error('drain timed out')) });
    await h.poll(500);
    await h.poll(0);
    expect(await h.poll(0, 300)).toBe('stopped');
    expect(h.gate.state).toBe('standby');
  });

  test('probe failures keep the state in standby, counted and shown', async () => {
    const h = harness();
    expect(await h.poll(new Error('monitoring: 403 PERMISSION_DENIED\nmore detail'))).toBe('probe-failed');
    expect(h.gate.state).toBe('standby');
    expect(h.counts.probeFailed).toBe(1);
    expect(h.gate.describe().lastProbe).toMatchObject({ ageSeconds: null, error: 'monitoring: 403 PERMISSION_DENIED' });
    for (const bad of [Number.NaN, -1, Number.POSITIVE_INFINITY]) expect(await h.poll(bad)).toBe('probe-failed');
    expect(h.counts.probeFailed).toBe(4);
    expect(h.gate.state).toBe('standby');
    expect(h.calls).toEqual([]);
  });

  test('probe failures while pulling keep pulling and restart the cooldown (the age was not seen low all along)', async () => {
    const h = harness();
    await h.poll(500);
    await h.poll(10); // below since t0
    await h.poll(10, 200);
    expect(await h.poll(new Error('deadline exceeded'), 30)).toBe('probe-failed');
    expect(h.gate.state).toBe('pulling');
    expect(await h.poll(10, 100)).toBe('unchanged'); // t0 + 330 s, but below only since now
    expect(await h.poll(10, 299)).toBe('unchanged');
    expect(await h.poll(10, 1)).toBe('stopped');
  });

  test('standby -> pulling -> standby -> pulling again', async () => {
    const h = harness({ cooldownSeconds: 60 });
    expect(await h.poll(301)).toBe('started');
    await h.poll(0);
    expect(await h.poll(0, 60)).toBe('stopped');
    expect(await h.poll(0)).toBe('unchanged');
    expect(await h.poll(999)).toBe('started');
    expect(h.calls.filter((c) => c !== 'primary?')).toEqual(['start', 'stop', 'start']);
    expect(h.counts).toEqual({ probeFailed: 0, started: 2, stopped: 1 });
  });

  test('concurrent polls share one probe', async () => {
    let probes = 0;
    let release: (age: number) => void = () => undefined;
    const h = harness({
      probe: () => {
        probes++;
        return new Promise<number>((r) => (release = r));
      },
    });
    const a = h.gate.poll();
    const b = h.gate.poll();
    release(400);
    expect(await a).toBe('started');
    expect(await b).toBe('started');
    expect(probes).toBe(1);
  });

  test('pollEvery polls at once, then every interval, and stops', async () => {
    jest.useFakeTimers();
    try {
      let probes = 0;
      const gate = new StandbyGate({
        thresholdSeconds: 300,
        cooldownSeconds: 300,
        probe: async () => {
          probes++;
          return 0;
        },
        now: Date.now,
        startPulling: () => undefined,
        stopPulling: async () => undefined,
        logger: pino({ level: 'silent' }),
      });
      const polling = pollEvery(gate, 30_000);
      await jest.advanceTimersByTimeAsync(0);
      expect(probes).toBe(1);
      await jest.advanceTimersByTimeAsync(30_000);
      expect(probes).toBe(2);
      await jest.advanceTimersByTimeAsync(60_000);
      expect(probes).toBe(4);
      await polling.stop();
      await jest.advanceTimersByTimeAsync(120_000);
      expect(probes).toBe(4);
    } finally {
      jest.useRealTimers();
    }
  });
});
