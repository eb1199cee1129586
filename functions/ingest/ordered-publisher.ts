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
 * (the gateway reports it as failed, 503) and never published after its successors.
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
        const outcomes = await Promise.allSettled(
          wave.map((m) => this.target.publishMessage({ data: m.data, orderingKey: key, attributes: m.attributes })),
        );
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

  private expire(queue: KeyQueue): void {
    const now = Date.now();
    while (queue.pending.length > 0 && queue.pending[0].deadline <= now) {
      // Only a prefix expires: later messages must not be published ahead of an earlier
      // one that is still being retried, and deadlines grow along the queue in practice.
      const m = queue.pending.shift()!;
      this.stats.expired++;
      const cause = m.lastError instanceof Error ? `: ${m.lastError.message}` : '';
      m.reject(new PublishDeadlineError(`Pub/Sub did not confirm the publish before the deadline${cause}`));
    }
  }
}
