/**
 * Publishes messages in order per ordering key and recovers a key the client paused.
 *
 * With message ordering on, a failed publish pauses its key in the Pub/Sub client: every
 * later message of that key is rejected until `resumePublishing(key)`. Resuming blindly would
 * let later messages overtake the failed one. So each key is served in waves: a wave sends
 * everything queued for the key (the client batches and keeps it in order) and waits for
 * all of it; if any message failed, the failed ones go back to the FRONT of the queue in
 * their original order, the key is resumed, and the next wave re-publishes them before
 * anything that arrived later. A message whose deadline passes is rejected to its caller
 * (the gateway spills it or reports it as failed) and never published after its successors.
 *
 * A wave waits at most until the earliest deadline in it: when Pub/Sub hangs (unreachable,
 * the client retrying for a minute), the publisher gives the key up at the deadline and
 * rejects every message of it still unconfirmed, in order, together with those queued
 * behind (they must not be published ahead of an earlier message given up on). The client
 * may still deliver a given-up message later; downstream dedupes by event id, so a copy
 * re-sent from the spill store or by a client retry is harmless.
 */
import { backoffDelay, sleep } from '../shared/time-limits';

/** The part of a Pub/Sub Topic the publisher needs (a wrapper can inject failures in tests). */
export interface PublishTarget {
  publishMessage(message: { data: Buffer; orderingKey: string; attributes: Record<string, string> }): Promise<string>;
  resumePublishing(orderingKey: string): void;
  flush(): Promise<void>;
}

export class PublishDeadlineError extends Error {
  override name = 'PublishDeadlineError';
}

interface Pending {
  data: Buffer;
  attributes: Record<string, string>;
  deadline: number;
  lastError?: unknown;
  resolve(messageId: string): void;
  reject(err: unknown): void;
}

interface KeyQueue {
  pending: Pending[];
  running: boolean;
  failures: number;
}

export interface OrderedPublisherStats {
  published: number;
  failedAttempts: number;
  resumed: number;
  expired: number;
}

export class OrderedPublisher {
  private readonly keys = new Map<string, KeyQueue>();
  readonly stats: OrderedPublisherStats = { published: 0, failedAttempts: 0, resumed: 0, expired: 0 };

  constructor(
    private readonly target: PublishTarget,
    private readonly onRecover?: (key: string, error: unknown, retrying: number) => void,
  ) {}

  publish(orderingKey: string, data: Buffer, attributes: Record<string, string>, timeoutMs: number): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      let queue = this.keys.get(orderingKey);
      if (!queue) this.keys.set(orderingKey, (queue = { pending: [], running: false, failures: 0 }));
      queue.pending.push({ data, attributes, deadline: Date.now() + timeoutMs, resolve, reject });
      if (!queue.running) void this.drain(orderingKey, queue);
    });
  }

  /** Keys currently being published or recovered. */
  get activeKeys(): number {
    return this.keys.size;
  }

  async flush(): Promise<void> {
    await this.target.flush();
  }

  private async drain(key: string, queue: KeyQueue): Promise<void> {
    queue.running = true;
    try {
      while (queue.pending.length > 0) {
        this.expire(queue);
        if (queue.pending.length === 0) break;
        const wave = queue.pending.splice(0, queue.pending.length);
        const settling = Promise.allSettled(
          wave.map((m) => this.target.publishMessage({ data: m.data, orderingKey: key, attributes: m.attributes })),
        );
        const outcomes = await this.untilDeadline(settling, Math.min(...wave.map((m) => m.deadline)));
        if (outcomes === undefined) {
          this.giveUp(key, queue, wave, settling);
          continue;
        }
        const failed: Pending[] = [];
        let firstError: unknown;
        outcomes.forEach((outcome, i) => {
          if (outcome.status === 'fulfilled') {
            this.stats.published++;
            wave[i].resolve(outcome.value);
          } else {
            this.stats.failedAttempts++;
            wave[i].lastError = outcome.reason;
            firstError ??= outcome.reason;
            failed.push(wave[i]);
          }
        });
        if (failed.length === 0) {
          queue.failures = 0;
          continue;
        }
        // Failed messages first, in their order, then whatever arrived during the wave.
        queue.pending.unshift(...failed);
        this.target.resumePublishing(key);
        this.stats.resumed++;
        this.onRecover?.(key, firstError, failed.length);
        await sleep(backoffDelay(queue.failures++, 25, 1000));
      }
    } finally {
      queue.running = false;
      if (queue.pending.length > 0) void this.drain(key, queue);
      else this.keys.delete(key);
    }
  }

  /** The wave's outcomes, or undefined when the deadline passed first. */
  private async untilDeadline<T>(work: Promise<T>, deadline: number): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - Date.now()));
    });
    try {
      return await Promise.race([work, expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The wave was not confirmed by its deadline: reject it and everything queued behind it,
   * in order. When the abandoned publishes settle, a failure has paused the key in the
   * client, so it is resumed for whatever the key publishes next.
   */
  private giveUp(key: string, queue: KeyQueue, wave: Pending[], settling: Promise<PromiseSettledResult<string>[]>): void {
    const abandoned = [...wave, ...queue.pending.splice(0, queue.pending.length)];
    for (const m of abandoned) {
      this.stats.expired++;
      m.reject(new PublishDeadlineError('Pub/Sub did not confirm the publish before the deadline (no answer)'));
    }
    void settling.then((outcomes) => {
      let failed = false;
      for (const o of outcomes) {
        if (o.status === 'fulfilled') this.stats.published++;
        else {
          this.stats.failedAttempts++;
          failed = true;
        }
      }
      if (failed) this.target.resumePublishing(key);
    });
  }

  private expire(queue: KeyQueue): void {
    const now = Date.now();
    if (queue.pending.length === 0 || queue.pending[0].deadline > now) return;
    // The head is given up: everything behind it goes too, in order (publishing a later
    // message of the key after an earlier one was given up would reorder the device).
    const head = queue.pending[0];
    const cause = head.lastError instanceof Error ? `: ${head.lastError.message}` : '';
    for (const m of queue.pending.splice(0, queue.pending.length)) {
      this.stats.expired++;
      m.reject(
        m === head
          ? new PublishDeadlineError(`Pub/Sub did not confirm the publish before the deadline${cause}`)
          : new PublishDeadlineError(`an earlier message of this ordering key was not confirmed before its deadline${cause}`),
      );
    }
  }
}
