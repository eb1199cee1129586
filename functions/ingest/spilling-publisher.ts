/**
 * Publishes a device's messages to Pub/Sub and, when Pub/Sub does not confirm them by the
 * deadline (or fails), writes them durably to the spill store instead. The spill replayer
 * re-publishes spilled objects later, in order, with the same event ids.
 *
 * Per-device order rule: once a device has spilled messages that were not replayed yet, ALL
 * its later messages are spilled too (never published directly), so nothing overtakes them.
 * The gateway learns which devices have pending spills from its own spills (immediately) and
 * from listing the store every SPILL_REPLAY_INTERVAL_MS (spills of other gateway instances);
 * a device leaves the set only when the store holds nothing for it and no spill of it started
 * while the store was being read. Requests sent one after another (the next sent after the
 * previous one was answered) keep their order through any outage; concurrent requests of
 * one device have no order to keep. Across gateway instances the order holds once the other
 * instance has refreshed (at most one interval); the processor works in event time, so such
 * an overtake changes no aggregate.
 */
import type { Logger } from 'pino';
import { deviceKeyHash, type SpillStore } from '../shared/spill/spill-store';
import { withTimeLimit } from '../shared/time-limits';
import type { OrderedPublisher } from './ordered-publisher';

export interface OutboundMessage {
  data: Buffer;
  attributes: Record<string, string>;
}

export type SendOutcome = { status: 'published' } | { status: 'spilled'; object: string } | { status: 'failed'; reason: string };

const firstLine = (err: unknown) => (err instanceof Error ? err.message.split('\n')[0] : String(err));

export interface SpillingPublisherStats {
  spilledObjects: number;
  spilledMessages: number;
  spillFailures: number;
}

export class SpillingPublisher {
  /** Device key hashes with spilled messages not yet replayed (as far as this instance knows). */
  private readonly pending = new Set<string>();
  /** Spill writes started and still running per device hash (see refreshPending). */
  private readonly spillsStarted = new Map<string, number>();
  private readonly spillsInFlight = new Map<string, number>();
  readonly stats: SpillingPublisherStats = { spilledObjects: 0, spilledMessages: 0, spillFailures: 0 };

  constructor(
    readonly publisher: OrderedPublisher,
    readonly store: SpillStore | undefined,
    private readonly logger: Logger,
    private readonly spillTimeoutMs = 10_000,
  ) {}

  get pendingDevices(): number {
    return this.pending.size;
  }

  hasPendingSpill(deviceId: string): boolean {
    return this.pending.has(deviceKeyHash(deviceId));
  }

  /** Sends one device's messages (in order); one outcome per message. */
  async send(deviceId: string, messages: OutboundMessage[], timeoutMs: number): Promise<SendOutcome[]> {
    const hash = deviceKeyHash(deviceId);
    if (this.store && this.pending.has(hash)) {
      return this.spill(deviceId, hash, messages, 'device has spilled events awaiting replay');
    }
    const settled = await Promise.all(
      messages.map((m) =>
        this.publisher.publish(deviceId, m.data, m.attributes, timeoutMs).then(
          () => undefined,
          (err: unknown) => err,
        ),
      ),
    );
    const failedAt = settled.findIndex((e) => e !== undefined);
    if (failedAt < 0) return messages.map(() => ({ status: 'published' }));
    const reason = `not published: ${firstLine(settled[failedAt])}`;
    const outcomes: SendOutcome[] = settled.map((e) => (e === undefined ? { status: 'published' } : { status: 'failed', reason: `not published: ${firstLine(e)}` }));
    if (!this.store) return outcomes;
    // From here on this device spills until the replayer has caught up (the order rule).
    this.pending.add(hash);
    const failedIndexes = settled.flatMap((e, i) => (e === undefined ? [] : [i]));
    const spilled = await this.spill(deviceId, hash, failedIndexes.map((i) => messages[i]), reason);
    failedIndexes.forEach((i, k) => (outcomes[i] = spilled[k]));
    return outcomes;
  }

  private async spill(deviceId: string, hash: string, messages: OutboundMessage[], reason: string): Promise<SendOutcome[]> {
    const store = this.store!;
    this.spillsStarted.set(hash, (this.spillsStarted.get(hash) ?? 0) + 1);
    this.spillsInFlight.set(hash, (this.spillsInFlight.get(hash) ?? 0) + 1);
    try {
      const object = await withTimeLimit(
        store.write({
          version: 1,
          deviceId,
          spilledAt: new Date().toISOString(),
          reason,
          messages: messages.map((m) => ({ data: m.data.toString('utf8'), attributes: m.attributes })),
        }),
        this.spillTimeoutMs,
        `spill write (${store.kind})`,
      );
      this.stats.spilledObjects++;
      this.stats.spilledMessages += messages.length;
      this.logger.warn({ deviceId, object, messages: messages.length, reason }, 'batch spilled; the replayer re-publishes it');
      return messages.map(() => ({ status: 'spilled', object }));
    } catch (err) {
      this.stats.spillFailures++;
      this.logger.error({ deviceId, err: firstLine(err) }, 'spill write failed; batch answered 503');
      return messages.map(() => ({ status: 'failed', reason: `${reason}; not spilled: ${firstLine(err)}` }));
    } finally {
      const left = (this.spillsInFlight.get(hash) ?? 1) - 1;
      if (left > 0) this.spillsInFlight.set(hash, left);
      else this.spillsInFlight.delete(hash);
    }
  }

  /**
   * Re-reads which devices have spilled objects: adds those other instances spilled, and
   * clears devices whose objects were all replayed. A device is cleared only if none of its
   * spill writes was running when the listing began or started since: every write that
   * finished before the listing began is in it (the stores list consistently).
   */
  async refreshPending(): Promise<void> {
    if (!this.store) return;
    const started = new Map(this.spillsStarted);
    const busy = new Set(this.spillsInFlight.keys());
    const inStore = await this.store.listDeviceHashes();
    for (const hash of inStore) this.pending.add(hash);
    for (const hash of [...this.pending]) {
      if (!inStore.has(hash) && !busy.has(hash) && (this.spillsStarted.get(hash) ?? 0) === (started.get(hash) ?? 0)) {
        this.pending.delete(hash);
        this.spillsStarted.delete(hash);
      }
    }
  }
}
