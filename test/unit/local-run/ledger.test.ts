import { FleetLedger } from '../../../local/run/ledger';

describe('fleet ledger', () => {
  it('counts lost events: accepted and not stored', () => {
    const ledger = new FleetLedger(2, 60_000);
    for (let i = 0; i < 3; i++) ledger.nextSequence(0);
    ledger.nextSequence(1);
    ledger.markAccepted(0, 0, 1_000);
    ledger.markAccepted(0, 1, 2_000);
    ledger.markAccepted(0, 2, 3_000);
    ledger.markAccepted(1, 0, 4_000);
    expect(ledger.markAccepted(0, 1, 2_000)).toBe(false); // a retry counts once
    expect(ledger.acceptedCount).toBe(4);
    ledger.markStored(0, 0);
    ledger.markStored(0, 2);
    ledger.markStored(0, 2); // read twice
    ledger.markStored(-1, -1); // a row the fleet did not write
    expect(ledger.storedCount).toBe(2);
    expect(ledger.storedUnknown).toBe(1);
    expect(ledger.lost()).toEqual({ count: 2, sample: [{ device: 0, seq: 1 }, { device: 1, seq: 0 }] });
  });

  it('compares finalized windows with its own counts', () => {
    const ledger = new FleetLedger(1, 60_000);
    // two events in [0, 60 s), one in [60 s, 120 s)
    for (const [seq, t] of [[0, 1_000], [1, 59_999], [2, 60_000]]) {
      ledger.nextSequence(0);
      ledger.markAccepted(0, seq, t);
    }
    expect([...ledger.windows(0)]).toEqual([[0, 2], [60_000, 1]]);
    // stored: 3 in the first window (one double-counted), none in the second (not final yet)
    const result = ledger.compareWindows(() => new Map([[0, 3]]));
    expect(result.over).toBe(1);
    expect(result.under).toBe(1);
    expect(result.windowsChecked).toBe(2);
    expect(result.discrepancies).toEqual([
      { device: 0, windowStartMs: 0, expected: 2, stored: 3 },
      { device: 0, windowStartMs: 60_000, expected: 1, stored: 0 },
    ]);
    expect(ledger.compareWindows(() => new Map([[0, 2], [60_000, 1]]))).toMatchObject({ over: 0, under: 0 });
  });
});

describe('fleet ledger: queued is not lost', () => {
  it('excludes events still in the subscription from the lost count', () => {
    const ledger = new FleetLedger(1, 60_000);
    for (let seq = 0; seq < 4; seq++) {
      ledger.nextSequence(0);
      ledger.markAccepted(0, seq, 1_000 + seq);
    }
    ledger.markStored(0, 0);
    ledger.markQueued(0, 1);
    ledger.markQueued(0, 0); // already stored: not queued
    ledger.markQueued(0, 9); // never accepted: ignored
    expect(ledger.queuedCount).toBe(1);
    // 4 accepted - 1 stored - 1 queued = 2 lost (seq 2 and 3)
    expect(ledger.lost()).toEqual({ count: 2, sample: [{ device: 0, seq: 2 }, { device: 0, seq: 3 }] });
  });
});
