/**
 * Finalizes sliding windows per device once the device's watermark passes them.
 *
 * Exactly-once by construction: a window row is a pure function of the set of contribution
 * cells in its panes (one cell per event id, so a redelivered event rewrites the same cell),
 * written at a deterministic key and cell timestamp (window end in microseconds). Computing a
 * window again -- after a redelivery, a late event, or a restart -- overwrites it with the
 * same or a more complete value; it can never count an event twice.
 *
 * Watermark per device = newest DURABLE event time - WATERMARK_DELAY; when a device goes
 * quiet it advances with the wall clock (after another delay), so its last windows close.
 * Windows ending at or before the watermark are final. An event that becomes durable for an
 * already final window (within the allowed lateness) marks that window dirty; it is
 * recomputed on the next pass. After a restart nothing is remembered: a device's first pass
 * recomputes from (its newest stored window - allowed lateness - window), which covers
 * every window the previous process could have left stale.
 */
import type { Logger } from 'pino';
import { paneStart, summarizeWindows, windowEndsContaining, type Contribution, type WindowSpec, type WindowSummary } from '../shared/aggregates';
import { readRange, type RowReader } from '../shared/bigtable-read';
import {
  AGGREGATES_FAMILY,
  WINDOW_COLUMN,
  cellTimestampMicros,
  devicePanesRange,
  deviceWindowsRange,
  parseTimedRowKey,
  windowRowKey,
} from '../shared/row-keys';
import { writeDurably, type RowEntry, type RowMutator } from './durable-writes';

export interface FinalizerOptions {
  spec: WindowSpec;
  watermarkDelayMs: number;
  allowedLatenessMs: number;
  /** At most this many windows per device per pass (bounds one scan). */
  maxWindowsPerPass?: number;
  writeDeadlineMs?: number;
  /** Forget a device this long after its last event once all its windows are final. */
  idleEvictMs?: number;
  logger?: Logger;
  now?: () => number;
  onFinalized?: (deviceId: string, windows: WindowSummary[]) => void;
}

interface DeviceState {
  maxEventTimeMs: number;
  minObservedMs: number;
  lastSeenWallMs: number;
  /** Windows ending at or before this are final (undefined: not yet bootstrapped). */
  finalizedThroughMs?: number;
  /** Upper end of the pass in progress, so concurrent observations mark dirty correctly. */
  finalizingThroughMs?: number;
  dirtyEnds: Set<number>;
  chain: Promise<void>;
}

export class WindowFinalizer {
  private readonly devices = new Map<string, DeviceState>();
  private readonly now: () => number;
  private readonly maxWindowsPerPass: number;

  constructor(
    private readonly reader: RowReader,
    private readonly writer: RowMutator,
    private readonly options: FinalizerOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.maxWindowsPerPass = options.maxWindowsPerPass ?? 360;
  }

  get trackedDevices(): number {
    return this.devices.size;
  }

  /** The watermark of a device, or -Infinity if it has no durable event yet. */
  watermark(deviceId: string, nowWall = this.now()): number {
    const s = this.devices.get(deviceId);
    if (!s) return Number.NEGATIVE_INFINITY;
    const idle = Math.max(0, nowWall - s.lastSeenWallMs - this.options.watermarkDelayMs);
    return s.maxEventTimeMs - this.options.watermarkDelayMs + idle;
  }

  /** True if an event at `eventTimeMs` is beyond the allowed lateness (stored, not aggregated). */
  isTooLate(deviceId: string, eventTimeMs: number): boolean {
    return eventTimeMs < this.watermark(deviceId) - this.options.allowedLatenessMs;
  }

  /**
   * Called once the contributions of these events are durable. Returns true when a pass is
   * due now (a window became dirty or the watermark crossed a window end); otherwise the
   * periodic pass picks the device up, which keeps reads off the write path.
   */
  observe(deviceId: string, eventTimesMs: number[]): boolean {
    if (eventTimesMs.length === 0) return false;
    let s = this.devices.get(deviceId);
    if (!s) {
      s = { maxEventTimeMs: Number.NEGATIVE_INFINITY, minObservedMs: Number.POSITIVE_INFINITY, lastSeenWallMs: 0, dirtyEnds: new Set(), chain: Promise.resolve() };
      this.devices.set(deviceId, s);
    }
    s.lastSeenWallMs = this.now();
    const settled = Math.max(s.finalizedThroughMs ?? Number.NEGATIVE_INFINITY, s.finalizingThroughMs ?? Number.NEGATIVE_INFINITY);
    for (const t of eventTimesMs) {
      if (t > s.maxEventTimeMs) s.maxEventTimeMs = t;
      if (t < s.minObservedMs) s.minObservedMs = t;
      for (const end of windowEndsContaining(t, this.options.spec)) if (end <= settled) s.dirtyEnds.add(end);
    }
    const closable = paneStart(this.watermark(deviceId), this.options.spec.slideMs);
    const closedOrFirst = s.finalizedThroughMs ?? paneStart(s.minObservedMs, this.options.spec.slideMs);
    return s.dirtyEnds.size > 0 || closable > closedOrFirst;
  }

  /** Runs a pass for one device (serialized per device). */
  finalize(deviceId: string): Promise<void> {
    const s = this.devices.get(deviceId);
    if (!s) return Promise.resolve();
    s.chain = s.chain.then(() => this.pass(deviceId, s)).catch((err) => {
      this.options.logger?.warn({ deviceId, err: (err as Error).message }, 'window finalization failed; retried on the next pass');
      throw err;
    });
    return s.chain.catch(() => undefined);
  }

  /** A pass over every tracked device; evicts idle devices whose windows are all final. */
  async finalizeAll(): Promise<void> {
    const nowWall = this.now();
    const evictAfter = this.options.idleEvictMs ?? 10 * 60_000;
    await Promise.all(
      [...this.devices.entries()].map(async ([deviceId, s]) => {
        await this.finalize(deviceId);
        const allFinal = s.finalizedThroughMs !== undefined && s.dirtyEnds.size === 0 && s.finalizedThroughMs >= s.maxEventTimeMs + this.options.spec.windowMs;
        if (allFinal && nowWall - s.lastSeenWallMs > evictAfter) this.devices.delete(deviceId);
      }),
    );
  }

  private async pass(deviceId: string, s: DeviceState): Promise<void> {
    const { spec } = this.options;
    if (s.finalizedThroughMs === undefined) s.finalizedThroughMs = await this.bootstrapFrom(deviceId, s);
    const closeUpTo = paneStart(this.watermark(deviceId), spec.slideMs);
    const ends: number[] = [...s.dirtyEnds].sort((a, b) => a - b);
    for (let end = s.finalizedThroughMs + spec.slideMs; end <= closeUpTo && ends.length < this.maxWindowsPerPass; end += spec.slideMs) ends.push(end);
    if (ends.length === 0) return;
    const lastEnd = Math.max(...ends);
    const newThrough = Math.max(s.finalizedThroughMs, Math.min(closeUpTo, lastEnd));
    s.finalizingThroughMs = newThrough;
    const taken = [...s.dirtyEnds];
    s.dirtyEnds.clear();
    try {
      const contributions = await this.readContributions(deviceId, Math.min(...ends) - spec.windowMs, lastEnd);
      const windows = summarizeWindows(contributions, ends, spec);
      if (windows.length > 0) {
        const deadline = Date.now() + (this.options.writeDeadlineMs ?? 10_000);
        const outcome = await writeDurably(this.writer, windows.map((w) => windowEntry(deviceId, w)), deadline);
        if (outcome.permanent.length > 0) throw new Error(`window rows refused: ${outcome.permanent[0].message}`);
      }
      s.finalizedThroughMs = newThrough;
      this.options.onFinalized?.(deviceId, windows);
    } catch (err) {
      for (const end of taken) s.dirtyEnds.add(end);
      throw err;
    } finally {
      s.finalizingThroughMs = undefined;
    }
  }

  /** Where a device's first pass starts: far enough back to repair what a crash left stale. */
  private async bootstrapFrom(deviceId: string, s: DeviceState): Promise<number> {
    const { spec, allowedLatenessMs } = this.options;
    const [latest] = await readRange(this.reader, deviceWindowsRange(deviceId, 1, 9999999999999), 1);
    const newestStoredEnd = latest ? parseTimedRowKey(latest.key).timeMs : Number.POSITIVE_INFINITY;
    const from = Math.min(newestStoredEnd, s.minObservedMs) - allowedLatenessMs - spec.windowMs;
    return paneStart(from, spec.slideMs);
  }

  private async readContributions(deviceId: string, fromMs: number, toMs: number): Promise<Contribution[]> {
    const rows = await readRange(this.reader, devicePanesRange(deviceId, fromMs, toMs));
    const out: Contribution[] = [];
    for (const row of rows) {
      const cells = row.cells[AGGREGATES_FAMILY] ?? {};
      for (const eventId of Object.keys(cells)) {
        const cell = cells[eventId];
        out.push({ eventId, eventTimeMs: Math.floor(cell.timestampMicros / 1000), metrics: JSON.parse(cell.value) as Record<string, number> });
      }
    }
    return out;
  }
}

export function windowEntry(deviceId: string, w: WindowSummary): RowEntry {
  return {
    key: windowRowKey(deviceId, w.windowEndMs),
    method: 'insert',
    data: { [AGGREGATES_FAMILY]: { [WINDOW_COLUMN]: { value: JSON.stringify(w), timestamp: cellTimestampMicros(w.windowEndMs) } } },
  };
}
