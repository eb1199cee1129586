/**
 * Writes this processor instance's fleet snapshot (shared/fleet-snapshot.ts) to the fleet
 * table every interval: one row per instance, overwritten, its cell timestamped with the
 * snapshot's time. A write that fails or outlasts the interval is logged and counted and the
 * next tick tries again; ticks never overlap. On a graceful stop the row is deleted, so the
 * instance leaves the fleet figures at once instead of when its last snapshot turns stale.
 */
import type { Logger } from 'pino';
import { FLEET_FAMILY, SNAPSHOT_COLUMN, type FleetSnapshot } from '../shared/fleet-snapshot';
import { cellTimestampMicros } from '../shared/row-keys';
import { withTimeLimit } from '../shared/time-limits';
import type { RowMutator } from './durable-writes';

export interface FleetWriterOptions {
  table: RowMutator;
  /** Deletes this instance's row (graceful stop). */
  deleteRow: (key: string) => Promise<unknown>;
  rowKey: string;
  intervalMs: number;
  snapshot: () => FleetSnapshot;
  logger: Logger;
  onWritten: () => void;
  onFailed: () => void;
}

export class FleetSnapshotWriter {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private lastError: string | undefined;

  constructor(private readonly o: FleetWriterOptions) {}

  start(): void {
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.o.intervalMs);
    this.timer.unref();
  }

  /** Writes one snapshot unless the previous write is still running. */
  tick(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    this.inFlight = this.write().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async write(): Promise<void> {
    try {
      const snapshot = this.o.snapshot();
      const cell = { value: JSON.stringify(snapshot), timestamp: cellTimestampMicros(snapshot.takenAtMs) };
      await withTimeLimit(
        this.o.table.mutate([{ key: this.o.rowKey, method: 'insert', data: { [FLEET_FAMILY]: { [SNAPSHOT_COLUMN]: cell } } }]),
        this.o.intervalMs,
        'fleet snapshot write',
      );
      this.o.onWritten();
      if (this.lastError) this.o.logger.info({ row: this.o.rowKey }, 'fleet snapshot writes recovered');
      this.lastError = undefined;
    } catch (err) {
      this.o.onFailed();
      const message = (err as Error).message.split('\n')[0];
      // Log the first failure of a run and changes of reason, not every tick of an outage.
      if (message !== this.lastError) this.o.logger.warn({ err: message, row: this.o.rowKey }, 'fleet snapshot write failed');
      this.lastError = message;
    }
  }

  /** Stops the ticks; with `removeRow`, deletes the row (bounded by `limitMs`). */
  async stop(removeRow: boolean, limitMs = 2000): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight?.catch(() => undefined);
    if (!removeRow) return;
    await withTimeLimit(Promise.resolve(this.o.deleteRow(this.o.rowKey)), limitMs, 'deleting the fleet snapshot row').catch((err) =>
      this.o.logger.warn({ err: (err as Error).message }, 'fleet snapshot row not deleted; it turns stale instead'),
    );
  }
}
