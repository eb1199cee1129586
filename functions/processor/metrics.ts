/**
 * The processor's own measurements: counters, events/s over the last 10 s, receive -> durable
 * write latency (HDR histogram, microsecond resolution) since start and over the last minute,
 * and the busiest devices of the last minute. Served as JSON on GET /metrics (local run,
 * benchmarks) and written as a fleet snapshot (shared/fleet-snapshot.ts) for the dashboard.
 */
import { encodeLatencyHistogram, newLatencyHistogram, summarizeLatency, type LatencyHistogram } from '../shared/latency-histogram';

export type { LatencySummary } from '../shared/latency-histogram';

type Histogram = LatencyHistogram;
const newHistogram = newLatencyHistogram;
const summarize = summarizeLatency;

/** Devices a fleet snapshot lists: more than the dashboard's 10, so merging instances ranks better. */
export const SNAPSHOT_TOP_DEVICES = 20;

export type ProcessorStage = 'queued' | 'write' | 'windowPass';

export class ProcessorMetrics {
  readonly startedAt = Date.now();
  readonly counters = {
    messagesReceived: 0,
    messagesAcked: 0,
    messagesNacked: 0,
    /** Deliveries of a message this process had already made durable and acked. */
    messagesRedelivered: 0,
    eventsProcessed: 0,
    eventsLate: 0,
    eventsDeadLettered: 0,
    messagesDeadLettered: 0,
    rowsWritten: 0,
    rowsRetried: 0,
    writeCalls: 0,
    windowsFinalized: 0,
    finalizeErrors: 0,
    /** Fleet snapshots written to / failed to write to the fleet table. */
    fleetSnapshotsWritten: 0,
    fleetSnapshotErrors: 0,
    /** Standby gate: backlog-age probes that failed (state kept), pulls started and stopped. */
    standbyProbeFailures: 0,
    standbyStarts: 0,
    standbyStops: 0,
  };
  inFlightMessages = 0;
  private readonly total = newHistogram();
  /**
   * Where receive -> durable time goes, since start: waiting for a batch slot (receive ->
   * the batch's writes start) and the Bigtable writes of a batch; window passes (read + write).
   */
  private readonly stages: Record<ProcessorStage, Histogram> = { queued: newHistogram(), write: newHistogram(), windowPass: newHistogram() };
  /** Ten 6-second slices: the last minute. */
  private readonly slices: Histogram[] = [newHistogram()];
  private sliceStartedAt = Date.now();
  private readonly perSecond = new Map<number, number>();
  private devicesThisMinute = new Map<string, number>();
  private devicesLastMinute = new Map<string, number>();
  private minute = Math.floor(Date.now() / 60_000);

  recordDurable(latencyMicros: number): void {
    const v = Math.max(1, Math.round(latencyMicros));
    this.total.recordValue(v);
    this.rotate();
    this.slices[this.slices.length - 1].recordValue(v);
  }

  recordStage(stage: ProcessorStage, latencyMicros: number): void {
    this.stages[stage].recordValue(Math.max(1, Math.round(latencyMicros)));
  }

  recordEvents(deviceId: string, count: number): void {
    this.counters.eventsProcessed += count;
    const second = Math.floor(Date.now() / 1000);
    this.perSecond.set(second, (this.perSecond.get(second) ?? 0) + count);
    if (this.perSecond.size > 30) for (const s of this.perSecond.keys()) if (s < second - 20) this.perSecond.delete(s);
    this.rollMinute();
    this.devicesThisMinute.set(deviceId, (this.devicesThisMinute.get(deviceId) ?? 0) + count);
  }

  /** Events/s over the last 10 complete seconds. */
  eventsPerSecond(now = Date.now()): number {
    const current = Math.floor(now / 1000);
    let sum = 0;
    for (let s = current - 10; s < current; s++) sum += this.perSecond.get(s) ?? 0;
    return sum / 10;
  }

  snapshot(extra: Record<string, unknown> = {}) {
    const recent = this.lastMinute();
    const snapshot = {
      service: 'speed-processor',
      startedAt: new Date(this.startedAt).toISOString(),
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      counters: { ...this.counters },
      eventsPerSecond: this.eventsPerSecond(),
      inFlightMessages: this.inFlightMessages,
      latencyMs: { sinceStart: summarize(this.total), lastMinute: summarize(recent) },
      stagesMs: { queued: summarize(this.stages.queued), write: summarize(this.stages.write), windowPass: summarize(this.stages.windowPass) },
      topDevices: this.topDevices(10),
      ...extra,
    };
    recent.destroy();
    return snapshot;
  }

  /** The figures a fleet snapshot carries: the last minute's latency as an encoded histogram. */
  fleetFigures(now = Date.now()) {
    const recent = this.lastMinute();
    const latencyLastMinute = encodeLatencyHistogram(recent);
    recent.destroy();
    return {
      counters: { ...this.counters },
      eventsPerSecond: this.eventsPerSecond(now),
      inFlightMessages: this.inFlightMessages,
      latencyLastMinute,
      topDevices: this.topDevices(SNAPSHOT_TOP_DEVICES),
    };
  }

  /** The ten 6-second slices merged (the caller destroys it). */
  private lastMinute(): Histogram {
    this.rotate();
    this.rollMinute();
    const recent = newHistogram();
    for (const slice of this.slices) recent.add(slice);
    return recent;
  }

  private topDevices(n: number): { deviceId: string; events: number }[] {
    const top = [...this.devicesLastMinute.entries(), ...this.devicesThisMinute.entries()].reduce(
      (acc, [d, k]) => acc.set(d, (acc.get(d) ?? 0) + k),
      new Map<string, number>(),
    );
    return [...top.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, n)
      .map(([deviceId, events]) => ({ deviceId, events }));
  }

  private rotate(): void {
    const now = Date.now();
    if (now - this.sliceStartedAt >= 60_000) {
      // Idle for a minute or more: every slice is stale.
      for (const slice of this.slices.splice(0)) slice.destroy();
      this.slices.push(newHistogram());
      this.sliceStartedAt = now;
      return;
    }
    while (now - this.sliceStartedAt >= 6000) {
      this.sliceStartedAt += 6000;
      this.slices.push(newHistogram());
      if (this.slices.length > 10) this.slices.shift()!.destroy();
    }
  }

  private rollMinute(): void {
    const minute = Math.floor(Date.now() / 60_000);
    if (minute === this.minute) return;
    this.devicesLastMinute = minute === this.minute + 1 ? this.devicesThisMinute : new Map();
    this.devicesThisMinute = new Map();
    this.minute = minute;
  }
}
