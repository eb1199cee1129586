/**
 * Finalizes sliding windows per device once the device's watermark passes them.
 *
 * Exactly-once by construction: a window row is a pure function of the set of contribution
 * cells in its panes (one cell per event id, so a redelivered event rewrites the same cell),
 * written at a deterministic key and cell timestamp (window end in microseconds). Computing a
 * window again -- after a redelivery, a late event, or a restart -- overwrites it with the
 * same or a more complete value; it can never count an event twice.
 *
 * Watermark per device = newest DURABLE event time - WATERMARK_DELAY. When a device goes
 * quiet its watermark advances with the INPUT clock (after another delay), so its last windows
 * close. The input clock is not the wall clock: it is the newest publish time of the data
 * processed, and follows the wall clock only while the subscription has nothing to deliver.
 * So a device whose events sit in a subscription backlog does not look idle: when the backlog
 * is processed later, its events are on time in event time and are aggregated exactly.
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
  /** Wall clock (eviction of idle devices). */
  now?: () => number;
  /**
   * The input clock (ms): how far the processor has read its input, in publish time; the wall
   * clock once the subscription is drained (see SpeedLayerProcessor.inputClockMs). Idle
   * devices' watermarks advance with it. Default: the wall clock.
   */
  inputClock?: () => number;
  onFinalized?: (deviceId: string, windows: WindowSummary[]) => void;
  /** Window passes running at once across devices: they share the Bigtable channel with the event writes. */
  maxConcurrentPasses?: number;
  /** Duration of each pass that did work (microseconds), for the metrics. */
  onPassTimed?: (micros: number) => void;
  /** A pass that failed (logged; its windows are retried by the next pass), for the metrics. */
  onPassFailed?: (deviceId: string, err: unknown) => void;
}

interface DeviceState {
  maxEventTimeMs: number;
  minObservedMs: number;
  lastSeenWallMs: number;
  /** Input clock at the device's newest data (the publish time of its newest message). */
  lastSeenInputMs: number;
  /** Windows ending at or before this are final (undefined: not yet bootstrapped). */
  finalizedThroughMs?: number;
  /** Upper end of the pass in progress, so concurrent observations mark dirty correctly. */
  finalizingThroughMs?: number;
  dirtyEnds: Set<number>;
  chain: Promise<void>;
  /**
   * Contributions of closed panes as last read from Bigtable, by pane start: a window pass reads
   * only the panes it has not cached (normally just the newest), not the whole window again.
   * Any durable contribution to a pane drops it from the cache (observe), so it is read again.
   */
  panes: Map<number, Contribution[]>;
  /** Panes that received contributions while a pass was reading: not cached by that pass. */
  touchedDuringPass?: Set<number>;
}

export class WindowFinalizer {
  private readonly devices = new Map<string, DeviceState>();
  private readonly now: () => number;
  private readonly inputClock: () => number;
  private readonly maxWindowsPerPass: number;
  private readonly passSlots: PassSlots;

  constructor(
    private readonly reader: RowReader,
    private readonly writer: RowMutator,
    private readonly options: FinalizerOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.inputClock = options.inputClock ?? this.now;
    this.maxWindowsPerPass = options.maxWindowsPerPass ?? 360;
    this.passSlots = new PassSlots(options.maxConcurrentPasses ?? 4);
  }

  get trackedDevices(): number {
    return this.devices.size;
  }

  /** The watermark of a device, or -Infinity if it has no durable event yet. */
  watermark(deviceId: string, inputNow = this.inputClock()): number {
    const s = this.devices.get(deviceId);
    if (!s) return Number.NEGATIVE_INFINITY;
    const idle = Math.max(0, inputNow - s.lastSeenInputMs - this.options.watermarkDelayMs);
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
  observe(deviceId: string, eventTimesMs: number[], publishTimeMs?: number): boolean {
    if (eventTimesMs.length === 0) return false;
    let s = this.devices.get(deviceId);
    if (!s) {
      s = { maxEventTimeMs: Number.NEGATIVE_INFINITY, minObservedMs: Number.POSITIVE_INFINITY, lastSeenWallMs: 0, lastSeenInputMs: Number.NEGATIVE_INFINITY, dirtyEnds: new Set(), chain: Promise.resolve(), panes: new Map() };
      this.devices.set(deviceId, s);
    }
    s.lastSeenWallMs = this.now();
    s.lastSeenInputMs = Math.max(s.lastSeenInputMs, publishTimeMs ?? this.inputClock());
    const settled = Math.max(s.finalizedThroughMs ?? Number.NEGATIVE_INFINITY, s.finalizingThroughMs ?? Number.NEGATIVE_INFINITY);
    for (const t of eventTimesMs) {
      const pane = paneStart(t, this.options.spec.slideMs);
      s.panes.delete(pane);
      s.touchedDuringPass?.add(pane);
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
    // The chain always resolves: a rejected chain would skip every later pass of the device
    // (then() on a rejection) and report the same old error again instead of retrying.
    s.chain = s.chain
      .then(() => this.passSlots.run(() => this.pass(deviceId, s)))
      .catch((err) => {
        this.options.logger?.warn({ deviceId, err: (err as Error).message }, 'window finalization failed; retried on the next pass');
        this.options.onPassFailed?.(deviceId, err);
      });
    return s.chain;
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
    const startedNs = process.hrtime.bigint();
    const lastEnd = Math.max(...ends);
    const newThrough = Math.max(s.finalizedThroughMs, Math.min(closeUpTo, lastEnd));
    s.finalizingThroughMs = newThrough;
    const taken = [...s.dirtyEnds];
    s.dirtyEnds.clear();
    s.touchedDuringPass = new Set();
    try {
      const contributions = await this.paneContributions(deviceId, s, Math.min(...ends) - spec.windowMs, lastEnd);
      const windows = summarizeWindows(contributions, ends, spec);
      if (windows.length > 0) {
        const deadline = Date.now() + (this.options.writeDeadlineMs ?? 10_000);
        const outcome = await writeDurably(this.writer, windows.map((w) => windowEntry(deviceId, w)), deadline);
        if (outcome.permanent.length > 0) throw new Error(`window rows refused: ${outcome.permanent[0].message}`);
      }
      s.finalizedThroughMs = newThrough;
      this.options.onFinalized?.(deviceId, windows);
      this.options.onPassTimed?.(Number(process.hrtime.bigint() - startedNs) / 1000);
    } catch (err) {
      for (const end of taken) s.dirtyEnds.add(end);
      throw err;
    } finally {
      s.finalizingThroughMs = undefined;
      s.touchedDuringPass = undefined;
      // Panes no future window needs (dirty recomputes read their panes again anyway).
      const keepFrom = (s.finalizedThroughMs ?? Number.NEGATIVE_INFINITY) - spec.windowMs;
      for (const start of s.panes.keys()) if (start < keepFrom) s.panes.delete(start);
    }
  }

  /** The contributions of panes starting in [fromMs, toMs): cached panes from memory, the rest read. */
  private async paneContributions(deviceId: string, s: DeviceState, fromMs: number, toMs: number): Promise<Contribution[]> {
    const { slideMs } = this.options.spec;
    let missingFrom = Number.POSITIVE_INFINITY;
    let missingTo = Number.NEGATIVE_INFINITY;
    for (let start = fromMs; start < toMs; start += slideMs) {
      if (s.panes.has(start)) continue;
      missingFrom = Math.min(missingFrom, start);
      missingTo = Math.max(missingTo, start + slideMs);
    }
    if (missingFrom < missingTo) {
      const read = await this.readContributions(deviceId, missingFrom, missingTo);
      const byPane = new Map<number, Contribution[]>();
      for (let start = missingFrom; start < missingTo; start += slideMs) byPane.set(start, []);
      for (const c of read) byPane.get(paneStart(c.eventTimeMs, slideMs))?.push(c);
      // Cache only panes nothing was written to while reading (the read may predate that write).
      for (const [start, list] of byPane) if (!s.touchedDuringPass?.has(start)) s.panes.set(start, list);
      const out: Contribution[] = [...read];
      for (let start = fromMs; start < toMs; start += slideMs) if (start < missingFrom || start >= missingTo) out.push(...(s.panes.get(start) ?? []));
      return out;
    }
    const out: Contribution[] = [];
    for (let start = fromMs; start < toMs; start += slideMs) out.push(...(s.panes.get(start) ?? []));
    return out;
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

/** A counting semaphore: at most `limit` functions run at once, the rest wait in FIFO order. */
class PassSlots {
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.running++;
    try {
      return await fn();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.running--;
    }
  }
}
