/**
 * Re-publishes spilled batches to the telemetry topic, in order per device, and deletes each
 * spill object only after Pub/Sub confirmed every message in it.
 *
 * A pass lists the devices with spilled objects and, per device (several devices at once),
 * takes its objects in name order: publish all messages of the object with ordering key =
 * device id and the original attributes (so the same event ids), wait for every confirmation,
 * delete the object, next. A failure stops that device for this pass (a later object must not
 * overtake the one that failed) and leaves its object in place for the next pass.
 *
 * Crash safety: a crash between publish and delete re-publishes that object on the next pass.
 * That is harmless: the processor and the archive dedupe by event id (deterministic Bigtable
 * cells; BigQuery insert ids from the event id), so the repeat changes nothing downstream.
 * An object that cannot be read or decoded is moved to `spill-quarantine/` (kept, logged)
 * so it does not block its device forever.
 */
import type { Logger } from 'pino';
import type { OrderedPublisher } from '../ingest/ordered-publisher';
import { BadSpillObject, type SpillStore } from '../shared/spill/spill-store';
import { withTimeLimit } from '../shared/time-limits';

export interface ReplayerOptions {
  store: SpillStore;
  publisher: OrderedPublisher;
  logger: Logger;
  /** Deadline for Pub/Sub to confirm one object's messages. */
  publishTimeoutMs: number;
  /** Devices replayed at once. */
  concurrency?: number;
  /** Called after every pass (the gateway refreshes its set of devices awaiting replay). */
  afterPass?: () => Promise<void>;
}

export interface PassResult {
  devices: number;
  objectsReplayed: number;
  messagesPublished: number;
  devicesBlocked: number;
  quarantined: number;
}

export class SpillReplayer {
  readonly totals = { passes: 0, objectsReplayed: 0, messagesPublished: 0, quarantined: 0, failedPasses: 0 };
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(private readonly o: ReplayerOptions) {}

  /** One pass over everything spilled now. */
  async replayOnce(): Promise<PassResult> {
    const result: PassResult = { devices: 0, objectsReplayed: 0, messagesPublished: 0, devicesBlocked: 0, quarantined: 0 };
    const devices = [...(await this.o.store.listDeviceHashes())].sort();
    result.devices = devices.length;
    let next = 0;
    const worker = async () => {
      while (next < devices.length && !this.stopped) await this.replayDevice(devices[next++], result);
    };
    await Promise.all(Array.from({ length: Math.min(this.o.concurrency ?? 8, devices.length) }, worker));
    this.totals.passes++;
    this.totals.objectsReplayed += result.objectsReplayed;
    this.totals.messagesPublished += result.messagesPublished;
    this.totals.quarantined += result.quarantined;
    if (result.objectsReplayed > 0 || result.devicesBlocked > 0) this.o.logger.info(result, 'spill replay pass');
    return result;
  }

  private async replayDevice(deviceHash: string, result: PassResult): Promise<void> {
    for (const name of await this.o.store.listObjects(deviceHash)) {
      if (this.stopped) return;
      let object;
      try {
        object = await this.o.store.read(name);
      } catch (err) {
        const reason = (err as Error).message.split('\n')[0];
        if (err instanceof BadSpillObject) {
          const target = await this.o.store.quarantine(name);
          result.quarantined++;
          this.o.logger.error({ object: name, quarantinedAs: target, reason }, 'unreadable spill object quarantined');
          continue;
        }
        result.devicesBlocked++;
        this.o.logger.warn({ object: name, err: reason }, 'spill object not readable now; device retried next pass');
        return;
      }
      try {
        await Promise.all(
          object.messages.map((m) => this.o.publisher.publish(object.deviceId, Buffer.from(m.data, 'utf8'), m.attributes, this.o.publishTimeoutMs)),
        );
      } catch (err) {
        result.devicesBlocked++;
        this.o.logger.warn({ object: name, deviceId: object.deviceId, err: (err as Error).message.split('\n')[0] }, 'replay not confirmed; device retried next pass');
        return;
      }
      // Only now: every message of the object is confirmed by Pub/Sub.
      await this.o.store.delete(name);
      result.objectsReplayed++;
      result.messagesPublished += object.messages.length;
    }
  }

  /** Replays every `intervalMs` until stop(); a failed pass is logged and retried. */
  start(intervalMs: number): void {
    const loop = async () => {
      if (this.stopped) return;
      this.running = this.replayOnce()
        .catch((err: unknown) => {
          this.totals.failedPasses++;
          this.o.logger.warn({ err: (err as Error).message.split('\n')[0] }, 'spill replay pass failed');
        })
        .then(() => this.o.afterPass?.())
        .catch((err: unknown) => this.o.logger.warn({ err: (err as Error).message.split('\n')[0] }, 'refresh after replay pass failed'));
      await this.running;
      if (!this.stopped) this.timer = setTimeout(() => void loop(), intervalMs);
    };
    this.timer = setTimeout(() => void loop(), 0);
  }

  async stop(limitMs = 5000): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.running) await withTimeLimit(this.running, limitMs, 'finishing the spill replay pass').catch(() => undefined);
  }
}
