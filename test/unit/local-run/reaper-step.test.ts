import { EMPTY_EXIT_MS, nextStep } from '../../../local/emulators/reaper';

describe('reaper step', () => {
  const base = { starterAlive: true, groups: 0, seenGroups: false, emptySinceMs: 0, nowMs: 10_000 };
  it('reaps once the starter is gone', () => {
    expect(nextStep({ ...base, starterAlive: false, groups: 3, seenGroups: true })).toBe('reap');
  });
  it('exits once its list has emptied for a moment', () => {
    expect(nextStep({ ...base, seenGroups: true, emptySinceMs: 10_000 - EMPTY_EXIT_MS })).toBe('exit');
    expect(nextStep({ ...base, seenGroups: true, emptySinceMs: 10_000 - EMPTY_EXIT_MS + 1 })).toBe('wait');
    expect(nextStep({ ...base, seenGroups: true, groups: 1, emptySinceMs: null })).toBe('wait');
  });
  it('waits for the first group (the list starts empty)', () => {
    expect(nextStep({ ...base, seenGroups: false, emptySinceMs: 0 })).toBe('wait');
  });
});
