/**
 * The simulated device fleet: devices post batches of their own events to the ingest gateway
 * over HTTP on 127.0.0.1 at a scheduled rate (sustained, then a burst), in bounded loops
 * that stop by themselves at the end of the schedule.
 *
 * Each request carries `eventsPerRequest` events of ONE device (a device or its site gateway
 * buffering a second or so), so the gateway can pack several events of a key into one
 * Pub/Sub message. Event times are spread over the interval the device buffered.
 *
 * Delivery from the device's side is at-least-once: items the gateway did not confirm (429,
 * 503 "failed", a dropped connection) are posted again with the same event ids until the
 * drain deadline; the pipeline's idempotent writes make the repeats harmless, and the ledger
 * counts each event id once.
 */
import * as http from 'node:http';
import { FleetLedger } from './ledger';
import { deviceIdOf, invalidEventId, invalidEventJson, validEventJson, type InvalidKind } from './event-factory';

export type Phase = 'sustained' | 'burst';

/** Offered rate over the run: sustained, with one burst window. */
export interface RateSchedule {
  durationMs: number;
  sustainedEps: number;
  burstEps: number;
  burstStartMs: number;
  burstEndMs: number;
}

export function phaseAt(s: RateSchedule, elapsedMs: number): Phase {
  return elapsedMs >= s.burstStartMs && elapsedMs < s.burstEndMs && s.burstEps > 0 ? 'burst' : 'sustained';
}

/** Events due by `elapsedMs`: the integral of the offered rate. */
export function eventsDue(s: RateSchedule, elapsedMs: number): number {
  const t = Math.min(Math.max(0, elapsedMs), s.durationMs);
  const burstMs = s.burstEps > 0 ? Math.max(0, Math.min(t, s.burstEndMs) - s.burstStartMs) : 0;
  return Math.floor((s.sustainedEps * (t - burstMs) + s.burstEps * burstMs) / 1000);
}

/** The first millisecond by which `n` events are due (eventsDue reaches n); durationMs if never. */
export function dueAt(s: RateSchedule, n: number): number {
  let lo = 0;
  let hi = s.durationMs;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (eventsDue(s, mid) >= n) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Whether event number `k` of the run (0-based) is one of the invalid share (exactly `share` of them). */
export function isInvalidIndex(k: number, share: number): boolean {
  return share > 0 && Math.floor((k + 1) * share) > Math.floor(k * share);
}

export interface FleetOptions {
  ingestUrl: string;
  apiKey: string;
  runTag: string;
  devices: number;
  eventsPerRequest: number;
  eventBytes: number;
  invalidShare: number;
  schedule: RateSchedule;
  ledger: FleetLedger;
  /** Requests in flight at once (the fleet's connection pool). */
  maxInFlightRequests?: number;
  /** After the schedule ends, how long unconfirmed items may still be retried. */
  drainLimitMs?: number;
  signal?: AbortSignal;
  now?: () => number;
}

interface Item {
  json: string;
  device: number;
  seq: number;
  eventTimeMs: number;
  /** The schedule second the event was offered in: its sent and accepted counts go there. */
  second: number;
  invalid?: InvalidKind;
}

export interface FleetSecond {
  second: number;
  phase: Phase;
  sent: number;
  accepted: number;
  rejected: number;
  retried: number;
}

export interface FleetCounters {
  /** Distinct events generated and posted (valid + invalid). */
  sent: number;
  sentValid: number;
  sentInvalid: number;
  /** Distinct valid events the gateway confirmed (2xx, status accepted). */
  accepted: number;
  /** Invalid-on-purpose events the gateway rejected with a reason. */
  rejected: number;
  /** Valid events the gateway rejected (should be 0). */
  rejectedValid: number;
  /** Invalid-on-purpose events the gateway accepted (should be 0). */
  invalidAccepted: number;
  /** Valid events never confirmed before the drain deadline (not accepted, so not loss). */
  unconfirmed: number;
  requests: number;
  retriedItems: number;
  status429: number;
  status503: number;
  networkErrors: number;
  otherErrors: number;
}

export interface FleetResult {
  counters: FleetCounters;
  seconds: FleetSecond[];
  /** Events the schedule called for but the fleet could not post in time (gateway back-pressure). */
  shortfall: number;
  scheduledEvents: number;
  sendMs: number;
  firstErrors: string[];
  sampleRejections: { kind: string; reason: string }[];
}

export class DeviceFleet {
  readonly counters: FleetCounters = {
    sent: 0,
    sentValid: 0,
    sentInvalid: 0,
    accepted: 0,
    rejected: 0,
    rejectedValid: 0,
    invalidAccepted: 0,
    unconfirmed: 0,
    requests: 0,
    retriedItems: 0,
    status429: 0,
    status503: 0,
    networkErrors: 0,
    otherErrors: 0,
  };
  readonly seconds: FleetSecond[] = [];
  private readonly agent: http.Agent;
  private readonly url: URL;
  private readonly maxInFlight: number;
  private readonly now: () => number;
  private inFlight = 0;
  private nextDevice = 0;
  private eventIndex = 0;
  private invalidCount = 0;
  private startedAt = 0;
  private readonly retryQueue: { items: Item[]; notBefore: number }[] = [];
  private readonly firstErrors: string[] = [];
  private readonly sampleRejections: { kind: string; reason: string }[] = [];
  private wake: (() => void) | undefined;

  constructor(private readonly o: FleetOptions) {
    this.url = new URL('/v1/events', o.ingestUrl);
    this.maxInFlight = o.maxInFlightRequests ?? 48;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: this.maxInFlight });
    this.now = o.now ?? Date.now;
  }

  /** Seconds since the start, for progress lines. */
  elapsedMs(): number {
    return this.startedAt === 0 ? 0 : this.now() - this.startedAt;
  }

  async run(): Promise<FleetResult> {
    const { schedule } = this.o;
    this.startedAt = this.now();
    let posted = 0;
    // Send loop: keep up with the schedule while the connection pool has room.
    // A request goes once all its events are due, so the last one of the schedule is due only
    // at its very end: the pass at or after durationMs posts what is due by then (the last,
    // possibly partial, request) before the loop ends -- never one request short.
    const total = eventsDue(schedule, schedule.durationMs);
    while (!this.o.signal?.aborted) {
      const elapsed = this.now() - this.startedAt;
      const ended = elapsed >= schedule.durationMs;
      const due = eventsDue(schedule, elapsed);
      this.sendDueRetries();
      while (this.inFlight < this.maxInFlight && posted < due && (posted + this.o.eventsPerRequest <= due || ended)) {
        const count = Math.min(this.o.eventsPerRequest, total - posted);
        // Counted in the second its last event became due (a request polled a few ms after a
        // phase or second boundary belongs to the second before it).
        const dueMs = Math.max(0, dueAt(schedule, posted + count) - 1);
        const items = this.nextRequestItems(dueMs, count);
        posted += items.length;
        this.post(items, false);
      }
      if (ended && posted >= total) break;
      await this.pause(5);
    }
    const sendMs = this.now() - this.startedAt;
    const scheduledEvents = eventsDue(schedule, Math.min(sendMs, schedule.durationMs));
    // Drain: let in-flight requests finish and retry what was not confirmed, within a limit.
    const drainDeadline = this.now() + (this.o.drainLimitMs ?? 30_000);
    while ((this.inFlight > 0 || this.retryQueue.length > 0) && this.now() < drainDeadline && !this.o.signal?.aborted) {
      this.sendDueRetries();
      await this.pause(20);
    }
    while (this.inFlight > 0 && this.now() < drainDeadline + 5_000) await this.pause(20);
    for (const r of this.retryQueue.splice(0)) this.counters.unconfirmed += r.items.filter((i) => !i.invalid).length;
    this.agent.destroy();
    return {
      counters: { ...this.counters },
      seconds: this.seconds,
      shortfall: Math.max(0, scheduledEvents - this.counters.sent),
      scheduledEvents,
      sendMs,
      firstErrors: [...this.firstErrors],
      sampleRejections: [...this.sampleRejections],
    };
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /** The row of a second (default: now's); rows are created in order, with no gaps. */
  private second(at?: number): FleetSecond {
    const second = at ?? Math.floor((this.now() - this.startedAt) / 1000);
    let last = this.seconds[this.seconds.length - 1];
    while (!last || last.second < second) {
      const s = last ? last.second + 1 : 0;
      last = { second: s, phase: phaseAt(this.o.schedule, s * 1000), sent: 0, accepted: 0, rejected: 0, retried: 0 };
      this.seconds.push(last);
    }
    // Rows start at second 0 with no gaps, so a past second is its index.
    return this.seconds[second] ?? last;
  }

  private nextRequestItems(elapsedMs: number, eventsPerRequest: number): Item[] {
    const { devices, runTag, eventBytes, invalidShare, ledger, schedule } = this.o;
    const device = this.nextDevice;
    this.nextDevice = (this.nextDevice + 1) % devices;
    // The device buffered its events over the last interval at its share of the rate.
    const rate = phaseAt(schedule, elapsedMs) === 'burst' ? schedule.burstEps : schedule.sustainedEps;
    const spacingMs = Math.min(50, (1000 * devices) / Math.max(1, rate));
    const sendTime = this.now();
    const second = Math.floor(elapsedMs / 1000);
    const items: Item[] = [];
    for (let i = 0; i < eventsPerRequest; i++) {
      const eventTimeMs = Math.round(sendTime - (eventsPerRequest - 1 - i) * spacingMs);
      const k = this.eventIndex++;
      if (isInvalidIndex(k, invalidShare)) {
        const n = this.invalidCount++;
        const bad = invalidEventJson(runTag, device, n, eventTimeMs);
        items.push({ json: bad.json, device, seq: -1 - n, eventTimeMs, second, invalid: bad.kind });
        this.counters.sentInvalid++;
      } else {
        const seq = ledger.nextSequence(device);
        items.push({ json: validEventJson(runTag, device, seq, eventTimeMs, eventBytes), device, seq, eventTimeMs, second });
        this.counters.sentValid++;
      }
    }
    this.counters.sent += items.length;
    this.second(second).sent += items.length;
    return items;
  }

  private sendDueRetries(): void {
    const now = this.now();
    for (let i = 0; i < this.retryQueue.length && this.inFlight < this.maxInFlight; ) {
      if (this.retryQueue[i].notBefore <= now) {
        const [r] = this.retryQueue.splice(i, 1);
        this.counters.retriedItems += r.items.length;
        this.second().retried += r.items.length;
        this.post(r.items, true);
      } else i++;
    }
  }

  private retryLater(items: Item[], afterMs: number): void {
    if (items.length > 0) this.retryQueue.push({ items, notBefore: this.now() + afterMs });
  }

  private noteError(text: string): void {
    if (this.firstErrors.length < 10) this.firstErrors.push(text);
  }

  private post(items: Item[], _retry: boolean): void {
    this.inFlight++;
    this.counters.requests++;
    const body = `[${items.map((i) => i.json).join(',')}]`;
    const req = http.request(
      this.url,
      {
        method: 'POST',
        agent: this.agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${this.o.apiKey}` },
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          this.onResponse(items, res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), res.headers['retry-after']);
          this.finish();
        });
        res.on('error', (err) => {
          this.onNetworkError(items, err);
          this.finish();
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out after 30 s')));
    req.on('error', (err) => {
      this.onNetworkError(items, err);
      this.finish();
    });
    req.end(body);
  }

  private finish(): void {
    this.inFlight--;
    this.wake?.();
  }

  private onNetworkError(items: Item[], err: Error): void {
    this.counters.networkErrors++;
    this.noteError(`network: ${err.message}`);
    this.retryLater(items, 500);
  }

  private onResponse(items: Item[], status: number, text: string, retryAfter: string | string[] | undefined): void {
    const retryMs = Math.max(100, Number(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter) * 1000 || 1000);
    if (status === 429) {
      this.counters.status429++;
      this.retryLater(items, retryMs);
      return;
    }
    let parsed: { results?: { index: number; status: string; reason?: string }[]; error?: string } | undefined;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const results = parsed?.results;
    if ((status === 200 || status === 207 || status === 400 || status === 503) && Array.isArray(results) && results.length === items.length) {
      if (status === 503) this.counters.status503++;
      const retry: Item[] = [];
      this.second();
      for (const r of results) {
        const item = items[r.index];
        if (!item) continue;
        if (r.status === 'accepted') {
          if (item.invalid) {
            this.counters.invalidAccepted++;
            this.noteError(`invalid event (${item.invalid}) accepted: ${invalidEventId(this.o.runTag, -1 - item.seq)}`);
          } else if (this.o.ledger.markAccepted(item.device, item.seq, item.eventTimeMs)) {
            this.counters.accepted++;
            this.second(item.second).accepted++;
          }
        } else if (r.status === 'rejected') {
          if (item.invalid) {
            this.counters.rejected++;
            this.second(item.second).rejected++;
            if (this.sampleRejections.length < INVALID_SAMPLE && !this.sampleRejections.some((s) => s.kind === item.invalid)) {
              this.sampleRejections.push({ kind: item.invalid, reason: r.reason ?? '' });
            }
          } else {
            this.counters.rejectedValid++;
            this.noteError(`valid event of ${deviceIdOf(this.o.runTag, item.device)} rejected: ${r.reason ?? ''}`);
          }
        } else retry.push(item);
      }
      this.retryLater(retry, retryMs);
      return;
    }
    if (status === 503) {
      this.counters.status503++;
      this.retryLater(items, retryMs);
      return;
    }
    this.counters.otherErrors++;
    this.noteError(`HTTP ${status}: ${(parsed?.error ?? text).slice(0, 200)}`);
    // An unexpected answer: the device keeps its events and tries again later.
    this.retryLater(items, retryMs);
  }
}

const INVALID_SAMPLE = 5;
