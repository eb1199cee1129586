/**
 * The fleet's own account of what it sent and what the gateway accepted, kept independently
 * of the pipeline, so the end-of-run checks compare the stores against it:
 *   lost          = accepted by the gateway but not in Bigtable after the drain
 *   doubleCounted = events a finalized window counts beyond the fleet's count for it
 * One bit per (device, seq) for "accepted" and "stored"; accepted counts per device and
 * tumbling window (start a multiple of the window length, the windows that tile time).
 */
class BitSet {
  private bits = new Uint8Array(64);

  set(i: number): boolean {
    const byte = i >> 3;
    if (byte >= this.bits.length) {
      const grown = new Uint8Array(Math.max(byte + 1, this.bits.length * 2));
      grown.set(this.bits);
      this.bits = grown;
    }
    const mask = 1 << (i & 7);
    const was = (this.bits[byte] & mask) !== 0;
    this.bits[byte] |= mask;
    return !was;
  }

  has(i: number): boolean {
    const byte = i >> 3;
    return byte < this.bits.length && (this.bits[byte] & (1 << (i & 7))) !== 0;
  }
}

export interface WindowDiscrepancy {
  device: number;
  windowStartMs: number;
  expected: number;
  stored: number;
}

export class FleetLedger {
  private readonly nextSeq: number[];
  private readonly accepted: BitSet[];
  private readonly stored: BitSet[];
  private readonly queued: BitSet[];
  private readonly windowCounts: Map<number, number>[];
  acceptedCount = 0;
  storedCount = 0;
  storedUnknown = 0;
  /** Accepted events found still waiting in the subscription (not stored, not lost). */
  queuedCount = 0;

  constructor(
    readonly devices: number,
    readonly windowMs: number,
  ) {
    this.nextSeq = new Array<number>(devices).fill(0);
    this.accepted = Array.from({ length: devices }, () => new BitSet());
    this.stored = Array.from({ length: devices }, () => new BitSet());
    this.queued = Array.from({ length: devices }, () => new BitSet());
    this.windowCounts = Array.from({ length: devices }, () => new Map());
  }

  /** The next sequence number of a device (its events are numbered 0, 1, 2, ...). */
  nextSequence(device: number): number {
    return this.nextSeq[device]++;
  }

  sentPerDevice(device: number): number {
    return this.nextSeq[device];
  }

  /** Records the gateway's "accepted"; returns false when this event was already accepted (a retry). */
  markAccepted(device: number, seq: number, eventTimeMs: number): boolean {
    if (!this.accepted[device].set(seq)) return false;
    this.acceptedCount++;
    const start = Math.floor(eventTimeMs / this.windowMs) * this.windowMs;
    const counts = this.windowCounts[device];
    counts.set(start, (counts.get(start) ?? 0) + 1);
    return true;
  }

  isAccepted(device: number, seq: number): boolean {
    return device >= 0 && device < this.devices && this.accepted[device].has(seq);
  }

  /** Records an event row read back from Bigtable. */
  markStored(device: number, seq: number): void {
    if (device < 0 || device >= this.devices) {
      this.storedUnknown++;
      return;
    }
    if (this.stored[device].set(seq)) this.storedCount++;
  }

  /** Records an event found still queued in the subscription after the drain limit. */
  markQueued(device: number, seq: number): void {
    if (device < 0 || device >= this.devices || this.stored[device].has(seq) || !this.accepted[device].has(seq)) return;
    if (this.queued[device].set(seq)) this.queuedCount++;
  }

  /** Accepted events with no row in Bigtable and not still queued (at most `limit` listed). */
  lost(limit = 20): { count: number; sample: { device: number; seq: number }[] } {
    let count = 0;
    const sample: { device: number; seq: number }[] = [];
    for (let d = 0; d < this.devices; d++) {
      for (let s = 0; s < this.nextSeq[d]; s++) {
        if (this.accepted[d].has(s) && !this.stored[d].has(s) && !this.queued[d].has(s)) {
          count++;
          if (sample.length < limit) sample.push({ device: d, seq: s });
        }
      }
    }
    return { count, sample };
  }

  /** The fleet's count of accepted events per tumbling window of a device. */
  windows(device: number): Map<number, number> {
    return this.windowCounts[device];
  }

  /**
   * Compares finalized window counts with the fleet's: `over` sums counts beyond the fleet's
   * (double counting), `under` sums events the windows miss (not finalized yet, or lost).
   */
  compareWindows(storedCounts: (device: number) => Map<number, number>): {
    over: number;
    under: number;
    windowsChecked: number;
    discrepancies: WindowDiscrepancy[];
  } {
    let over = 0;
    let under = 0;
    let windowsChecked = 0;
    const discrepancies: WindowDiscrepancy[] = [];
    for (let d = 0; d < this.devices; d++) {
      const stored = storedCounts(d);
      const expected = this.windowCounts[d];
      const starts = new Set([...expected.keys(), ...stored.keys()]);
      for (const start of starts) {
        windowsChecked++;
        const e = expected.get(start) ?? 0;
        const s = stored.get(start) ?? 0;
        if (s > e) over += s - e;
        if (s < e) under += e - s;
        if (s !== e && discrepancies.length < 20) discrepancies.push({ device: d, windowStartMs: start, expected: e, stored: s });
      }
    }
    return { over, under, windowsChecked, discrepancies };
  }
}
