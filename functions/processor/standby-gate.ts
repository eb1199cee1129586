/**
 * Warm standby for a processor in a secondary region (STANDBY_BACKLOG_AGE_SECONDS set): the
 * instance runs (so it can take over within minutes; Cloud Run never starts a pull subscriber
 * from zero) but does not pull while the primary keeps up, so at the sustained rate no event
 * takes a cross-region delivery and exactly-once delivery stays within one region.
 *
 * Every poll reads the subscription's oldest-unacked-message age (the probe):
 *   standby   age > threshold                                  -> start pulling
 *   pulling   age <= threshold for cooldown seconds, and the
 *             primary is seen pulling again (when a check is given) -> stop: drain, ack, close
 *   any       probe failed (error, no data point, not a number)     -> keep the state, log, count;
 *             a pulling gate restarts its cooldown (the age was not seen below all that time)
 *
 * The primary check exists because the age falls once this instance has drained the backlog:
 * without it a standby that took over from a lost region would stop after the cooldown and
 * leave the subscription unread until the age crossed the threshold again.
 */
import type { Logger } from 'pino';

export type GateState = 'standby' | 'pulling' | 'stopping';
export type PollOutcome = 'started' | 'stopped' | 'unchanged' | 'probe-failed';

export interface StandbyGateOptions {
  thresholdSeconds: number;
  cooldownSeconds: number;
  /** The subscription's oldest unacked message age, seconds; throws when it cannot tell. */
  probe: () => Promise<number>;
  /** Whether processors other than standbys are pulling (the primary is back); undefined: not checked. */
  primaryPulling?: () => Promise<boolean>;
  now: () => number;
  startPulling: () => void | Promise<void>;
  /** Stops delivery, drains what this instance holds and acks it. */
  stopPulling: () => Promise<void>;
  logger: Logger;
  onProbeFailed?: () => void;
  onStarted?: () => void;
  onStopped?: () => void;
}

export class StandbyGate {
  private current: GateState = 'standby';
  private belowSinceMs: number | undefined;
  private last: { atMs: number; ageSeconds?: number; error?: string } | undefined;
  private polling: Promise<PollOutcome> | undefined;

  constructor(private readonly o: StandbyGateOptions) {}

  get state(): GateState {
    return this.current;
  }

  /** What /healthz and the fleet snapshot show. */
  describe() {
    return {
      state: this.current,
      thresholdSeconds: this.o.thresholdSeconds,
      cooldownSeconds: this.o.cooldownSeconds,
      belowSince: this.belowSinceMs === undefined ? null : new Date(this.belowSinceMs).toISOString(),
      lastProbe: this.last ? { at: new Date(this.last.atMs).toISOString(), ageSeconds: this.last.ageSeconds ?? null, error: this.last.error ?? null } : null,
    };
  }

  /** One probe and the transition it calls for; concurrent calls share one poll. */
  poll(): Promise<PollOutcome> {
    if (!this.polling) this.polling = this.step().finally(() => (this.polling = undefined));
    return this.polling;
  }

  private async step(): Promise<PollOutcome> {
    const at = this.o.now();
    let age: number;
    try {
      age = await this.o.probe();
      if (typeof age !== 'number' || !Number.isFinite(age) || age < 0) throw new Error(`not an age in seconds: ${String(age)}`);
    } catch (err) {
      const error = (err as Error).message.split('\n')[0];
      this.last = { atMs: at, error };
      this.belowSinceMs = undefined;
      this.o.onProbeFailed?.();
      this.o.logger.warn({ err: error, state: this.current }, 'standby gate: backlog age probe failed; state kept');
      return 'probe-failed';
    }
    this.last = { atMs: at, ageSeconds: age };
    const above = age > this.o.thresholdSeconds;

    if (this.current === 'standby') {
      if (!above) return 'unchanged';
      this.current = 'pulling';
      this.belowSinceMs = undefined;
      try {
        await this.o.startPulling();
      } catch (err) {
        this.current = 'standby';
        this.o.logger.error({ err: (err as Error).message }, 'standby gate: could not start pulling');
        return 'unchanged';
      }
      this.o.onStarted?.();
      this.o.logger.warn({ ageSeconds: age, thresholdSeconds: this.o.thresholdSeconds }, 'standby gate: backlog older than the threshold; pulling');
      return 'started';
    }

    if (this.current !== 'pulling') return 'unchanged';
    if (above) {
      this.belowSinceMs = undefined;
      return 'unchanged';
    }
    this.belowSinceMs ??= at;
    if (at - this.belowSinceMs < this.o.cooldownSeconds * 1000) return 'unchanged';
    if (this.o.primaryPulling) {
      let back: boolean;
      try {
        back = await this.o.primaryPulling();
      } catch (err) {
        this.o.logger.warn({ err: (err as Error).message }, 'standby gate: could not tell whether the primary pulls; still pulling');
        return 'unchanged';
      }
      if (!back) return 'unchanged';
    }
    this.current = 'stopping';
    try {
      await this.o.stopPulling();
    } catch (err) {
      this.o.logger.warn({ err: (err as Error).message }, 'standby gate: drain incomplete while stopping (unacked messages are redelivered)');
    }
    this.current = 'standby';
    this.belowSinceMs = undefined;
    this.o.onStopped?.();
    this.o.logger.info({ ageSeconds: age, cooldownSeconds: this.o.cooldownSeconds }, 'standby gate: backlog below the threshold for the cooldown; standing by');
    return 'stopped';
  }
}

/** Polls the gate every `intervalMs` (each poll after the previous one finished) until stopped. */
export function pollEvery(gate: StandbyGate, intervalMs: number): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  const next = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = gate.poll().finally(next);
    }, intervalMs);
    timer.unref();
  };
  running = gate.poll().finally(next);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running.catch(() => undefined);
    },
  };
}
