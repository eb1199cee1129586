/**
 * The speed-layer processor: decode, validate, write to Bigtable, ack only when durable.
 *
 * Messages are gathered into small batches (a few ms or a few hundred events) so one
 * MutateRows call per table carries many rows. Per event it writes:
 *   events      <deviceId>#<reverseMs>#<eventId>   e:event = canonical JSON (+ e:late = 1)
 *   aggregates  <deviceId>#p#<reversePaneStart>    a:<eventId> = metrics JSON   (on-time events)
 * Both cells carry the event time in microseconds (a millisecond boundary), so a redelivered
 * event rewrites the same cells instead of adding versions or counts. Contributions of one
 * device and pane in a batch share one row mutation (about 1.05 rows per event in total).
 *
 * Poison input (not JSON, or an event breaking the contract, or a row Bigtable refuses for
 * good) goes to the dead-letter topic with `deadLetterReason`, then the message is acked;
 * valid events of the same message are still stored. Late events beyond the allowed lateness
 * are stored with the late flag and counted, but do not change the speed-layer aggregates.
 * If writes or dead-lettering do not finish in time, the batch is nacked and redelivered.
 */
import type { Logger } from 'pino';
import { validateEvent, toWireEvent, type TelemetryEvent } from '../shared/event';
import { decodeMessagePayload, ATTR_DEAD_LETTER_REASON, ATTR_SOURCE_MESSAGE_ID, ATTR_EVENT_ID } from '../shared/message';
import { paneStart } from '../shared/aggregates';
import {
  AGGREGATES_FAMILY,
  EVENTS_FAMILY,
  EVENT_COLUMN,
  LATE_COLUMN,
  cellTimestampMicros,
  eventRowKey,
  paneRowKey,
} from '../shared/row-keys';
import { withTimeLimit } from '../shared/time-limits';
import { writeDurably, type RowEntry, type RowMutator, type RowFailure } from './durable-writes';
import type { ProcessorMetrics } from './metrics';
import type { WindowFinalizer } from './window-finalizer';

export interface IncomingMessage {
  id: string;
  data: Buffer;
  attributes: Record<string, string>;
  orderingKey?: string;
  publishTimeMs: number;
  /** process.hrtime.bigint() when the message reached the processor. */
  receivedAtNs: bigint;
  ack(): void;
  nack(): void;
}

/** Seconds of processed input the low input clock looks back over. */
const LOW_WINDOW_SECONDS = 5;

export interface DeadLetterSink {
  publish(data: Buffer, attributes: Record<string, string>): Promise<string>;
}

export interface SpeedLayerOptions {
  eventsTable: RowMutator;
  aggregatesTable: RowMutator;
  deadLetter: DeadLetterSink;
  finalizer: WindowFinalizer;
  metrics: ProcessorMetrics;
  logger: Logger;
  slideMs: number;
  /** Flush a batch at this many events... */
  maxBatchEvents?: number;
  /** ...or this long after its first message. */
  maxBatchDelayMs?: number;
  /** Batches being written at once. */
  maxConcurrentBatches?: number;
  /** Time for a batch's writes (with retries) and dead letters before it is nacked. */
  batchDeadlineMs?: number;
  /**
   * The subscription counts as drained (the input clock follows the wall clock) when nothing
   * is in flight and nothing arrived for this long while flow control had room.
   */
  quietAfterMs?: number;
  /** Acked message ids remembered, so their redeliveries are acked without rewriting (0: none). */
  rememberAckedIds?: number;
  /** Called after the writes are durable and before the acks; throwing models a crash there. */
  beforeAck?: (messages: IncomingMessage[]) => void | Promise<void>;
}

interface StagedEvent {
  event: TelemetryEvent;
  message: IncomingMessage;
  late: boolean;
}

interface DeadLetter {
  message: IncomingMessage;
  payload: string;
  reason: string;
  eventId?: string;
}

export class SpeedLayerProcessor {
  private pending: IncomingMessage[] = [];
  private pendingEvents = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly running = new Set<Promise<void>>();
  private readonly waiting: IncomingMessage[][] = [];
  private readonly maxBatchEvents: number;
  private readonly maxBatchDelayMs: number;
  private readonly maxConcurrent: number;
  private readonly deadlineMs: number;
  /** Newest publish time among messages whose events are durable. */
  private inputHighMs = Number.NEGATIVE_INFINITY;
  /** Oldest publish time of the messages made durable in each wall-clock second (the last few). */
  private readonly recentLowBySecond = new Map<number, number>();
  /** Last time a message arrived or the last in-flight message settled. */
  private lastActiveWallMs = 0;
  /** Ids of messages made durable and acked by this process, oldest first (insertion order). */
  private readonly ackedIds = new Set<string>();

  constructor(private readonly o: SpeedLayerOptions) {
    this.maxBatchEvents = o.maxBatchEvents ?? 500;
    this.maxBatchDelayMs = o.maxBatchDelayMs ?? 5;
    this.maxConcurrent = o.maxConcurrentBatches ?? 4;
    this.deadlineMs = o.batchDeadlineMs ?? 15_000;
  }

  /**
   * How far the input has been processed, in publish time (ms). While messages flow it is the
   * newest publish time of durable messages, so a backlog keeps it in the past and devices
   * whose events wait in the backlog do not look idle; once nothing is in flight and nothing
   * arrived for `quietAfterMs` since the last one settled (so flow control had room all that
   * time), the subscription has nothing to deliver and it is the wall clock.
   */
  inputClockMs(nowWall = Date.now()): number {
    if (this.o.metrics.inFlightMessages === 0 && nowWall - this.lastActiveWallMs >= (this.o.quietAfterMs ?? 1000)) {
      if (nowWall > this.inputHighMs) this.inputHighMs = nowWall;
      this.recentLowBySecond.clear();
      return this.inputHighMs;
    }
    // A low watermark of the input: ordered keys are not delivered in publish order across
    // keys, so a lagging key shows up as old publish times among what was just processed; while
    // it does, the clock stays back there and no device looks idle because of that lag.
    const windowStart = Math.floor(nowWall / 1000) - LOW_WINDOW_SECONDS;
    let low = this.inputHighMs;
    for (const [second, oldest] of this.recentLowBySecond) {
      if (second < windowStart) this.recentLowBySecond.delete(second);
      else if (oldest < low) low = oldest;
    }
    return low;
  }

  handle(message: IncomingMessage): void {
    this.lastActiveWallMs = Date.now();
    this.o.metrics.counters.messagesReceived++;
    if (this.ackedIds.has(message.id)) {
      // Already durable here: ack again (an ordered key waits for it), write nothing.
      message.ack();
      this.o.metrics.counters.messagesRedelivered++;
      this.o.metrics.counters.messagesAcked++;
      return;
    }
    this.o.metrics.inFlightMessages++;
    this.pending.push(message);
    const count = Number(message.attributes.eventCount);
    this.pendingEvents += Number.isInteger(count) && count > 0 ? count : 1;
    if (this.pendingEvents >= this.maxBatchEvents) this.cut();
    else if (!this.timer) this.timer = setTimeout(() => this.cut(), this.maxBatchDelayMs);
  }

  /** Writes whatever is pending and waits for every batch in flight. */
  async drain(limitMs = 20_000): Promise<void> {
    this.cut();
    await withTimeLimit(
      (async () => {
        while (this.running.size > 0 || this.waiting.length > 0) await Promise.all([...this.running]);
      })(),
      limitMs,
      'draining the processor',
    );
  }

  private cut(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    this.waiting.push(this.pending);
    this.pending = [];
    this.pendingEvents = 0;
    this.pump();
  }

  private pump(): void {
    while (this.running.size < this.maxConcurrent && this.waiting.length > 0) {
      const batch = this.waiting.shift()!;
      const settled = new Set<IncomingMessage>();
      const run: Promise<void> = this.process(batch, settled)
        .catch((err) => {
          // A bug or an unexpected failure: whatever is not yet settled is nacked (redelivered),
          // so nothing stays in flight and the input clock can still reach the wall clock.
          const open = batch.filter((m) => !settled.has(m));
          this.o.logger.error({ err: (err as Error).message, nacked: open.length }, 'batch failed unexpectedly; unsettled messages nacked');
          this.settle(open, new Set(open), settled);
        })
        .finally(() => {
          this.running.delete(run);
          this.pump();
        });
      this.running.add(run);
    }
  }

  /**
   * Decodes and validates one message. A payload the decoder or the contract chokes on
   * (anything thrown) is this message's dead letter, never its batch's failure.
   */
  private decode(message: IncomingMessage): { events: TelemetryEvent[]; deadLetters: DeadLetter[] } {
    const text = message.data.toString('utf8');
    try {
      const decoded = decodeMessagePayload(text);
      if (!decoded.ok) return { events: [], deadLetters: [{ message, payload: text, reason: decoded.reason }] };
      const events: TelemetryEvent[] = [];
      const deadLetters: DeadLetter[] = [];
      for (const raw of decoded.events) {
        const verdict = validateEvent(raw, { publishTimeMs: message.publishTimeMs });
        if (verdict.ok) {
          events.push(verdict.event);
          continue;
        }
        const eventId = typeof (raw as { eventId?: unknown })?.eventId === 'string' ? (raw as { eventId: string }).eventId : undefined;
        deadLetters.push({ message, payload: decoded.batched ? eventPayload(raw, text) : text, reason: verdict.reason, eventId });
      }
      return { events, deadLetters };
    } catch (err) {
      return { events: [], deadLetters: [{ message, payload: text, reason: `payload: could not be decoded (${firstLine(err)})` }] };
    }
  }

  private async process(batch: IncomingMessage[], settled: Set<IncomingMessage>): Promise<void> {
    const { metrics, finalizer } = this.o;
    const deadline = Date.now() + this.deadlineMs;
    const staged: StagedEvent[] = [];
    const deadLetters: DeadLetter[] = [];

    for (const message of batch) {
      const decoded = this.decode(message);
      deadLetters.push(...decoded.deadLetters);
      for (const e of decoded.events) staged.push({ event: e, message, late: finalizer.isTooLate(e.deviceId, e.eventTimeMs) });
    }

    const { eventRows, paneRows, eventsByRow } = this.rowsFor(staged);
    const failedMessages = new Set<IncomingMessage>();
    const writeStartNs = process.hrtime.bigint();
    metrics.recordStage('queued', Number(writeStartNs - batch[0].receivedAtNs) / 1000);
    try {
      const [eventsOutcome, panesOutcome] = await Promise.all([
        writeDurably(this.o.eventsTable, eventRows, deadline),
        writeDurably(this.o.aggregatesTable, paneRows, deadline),
      ]);
      metrics.recordStage('write', Number(process.hrtime.bigint() - writeStartNs) / 1000);
      metrics.counters.writeCalls += eventsOutcome.attempts + panesOutcome.attempts;
      metrics.counters.rowsRetried += eventsOutcome.retriedRows + panesOutcome.retriedRows;
      metrics.counters.rowsWritten += eventRows.length + paneRows.length;
      // Rows Bigtable refuses for good: their events go to the dead-letter topic.
      const refused = new Set<StagedEvent>();
      for (const failure of [...eventsOutcome.permanent, ...panesOutcome.permanent]) {
        for (const s of eventsByRow.get(failure.entry.key) ?? []) {
          if (refused.has(s)) continue;
          refused.add(s);
          deadLetters.push({ message: s.message, payload: JSON.stringify(toWireEvent(s.event)), reason: bigtableReason(failure), eventId: s.event.eventId });
        }
      }
      if (refused.size > 0) for (let i = staged.length - 1; i >= 0; i--) if (refused.has(staged[i])) staged.splice(i, 1);
    } catch (err) {
      this.o.logger.warn({ err: (err as Error).message, messages: batch.length }, 'writes not durable in time; batch nacked for redelivery');
      this.settle(batch, new Set(batch), settled);
      return;
    }

    await Promise.all(
      deadLetters.map(async (d) => {
        const attributes: Record<string, string> = { [ATTR_DEAD_LETTER_REASON]: d.reason, [ATTR_SOURCE_MESSAGE_ID]: d.message.id };
        if (d.eventId) attributes[ATTR_EVENT_ID] = d.eventId;
        if (d.message.orderingKey) attributes.orderingKey = d.message.orderingKey;
        try {
          await withTimeLimit(this.o.deadLetter.publish(Buffer.from(d.payload, 'utf8'), attributes), Math.max(1, deadline - Date.now()), 'dead-letter publish');
          metrics.counters.eventsDeadLettered++;
        } catch (err) {
          this.o.logger.warn({ err: (err as Error).message, messageId: d.message.id }, 'dead-letter publish failed; message nacked');
          failedMessages.add(d.message);
        }
      }),
    );
    const deadLettered = new Set(deadLetters.map((d) => d.message));
    metrics.counters.messagesDeadLettered += [...deadLettered].filter((m) => !failedMessages.has(m)).length;

    if (this.o.beforeAck) {
      try {
        await this.o.beforeAck(batch);
      } catch (err) {
        // A crash between durable write and ack: nothing is acked or nacked; Pub/Sub redelivers.
        this.o.logger.warn({ err: (err as Error).message }, 'stopped between write and ack');
        metrics.inFlightMessages -= batch.length;
        for (const m of batch) settled.add(m);
        this.lastActiveWallMs = Date.now();
        return;
      }
    }

    // Only now do the stored events count: their durable time advances the watermark.
    const byDevice = new Map<string, { times: number[]; publishTimeMs: number }>();
    for (const s of staged) {
      if (failedMessages.has(s.message)) continue;
      metrics.recordEvents(s.event.deviceId, 1);
      if (s.late) {
        metrics.counters.eventsLate++;
        continue;
      }
      const device = byDevice.get(s.event.deviceId);
      if (device) {
        device.times.push(s.event.eventTimeMs);
        if (s.message.publishTimeMs > device.publishTimeMs) device.publishTimeMs = s.message.publishTimeMs;
      } else byDevice.set(s.event.deviceId, { times: [s.event.eventTimeMs], publishTimeMs: s.message.publishTimeMs });
    }
    const second = Math.floor(Date.now() / 1000);
    for (const m of batch) {
      if (failedMessages.has(m)) continue;
      if (m.publishTimeMs > this.inputHighMs) this.inputHighMs = m.publishTimeMs;
      const oldest = this.recentLowBySecond.get(second);
      if (oldest === undefined || m.publishTimeMs < oldest) this.recentLowBySecond.set(second, m.publishTimeMs);
    }
    this.settle(batch, failedMessages, settled);
    for (const [deviceId, { times, publishTimeMs }] of byDevice) {
      if (finalizer.observe(deviceId, times, publishTimeMs)) void finalizer.finalize(deviceId);
    }
  }

  private settle(batch: IncomingMessage[], nack: Set<IncomingMessage>, settled: Set<IncomingMessage>): void {
    const now = process.hrtime.bigint();
    this.lastActiveWallMs = Date.now();
    for (const m of batch) {
      settled.add(m);
      this.o.metrics.inFlightMessages--;
      if (nack.has(m)) {
        m.nack();
        this.o.metrics.counters.messagesNacked++;
      } else {
        m.ack();
        this.rememberAcked(m.id);
        this.o.metrics.counters.messagesAcked++;
        this.o.metrics.recordDurable(Number(now - m.receivedAtNs) / 1000);
      }
    }
  }

  private rememberAcked(id: string): void {
    const limit = this.o.rememberAckedIds ?? 0;
    if (limit === 0) return;
    this.ackedIds.add(id);
    if (this.ackedIds.size > limit) this.ackedIds.delete(this.ackedIds.values().next().value as string);
  }

  private rowsFor(staged: StagedEvent[]) {
    const eventRows = new Map<string, RowEntry>();
    const paneRows = new Map<string, RowEntry>();
    const eventsByRow = new Map<string, StagedEvent[]>();
    const link = (key: string, s: StagedEvent) => {
      const list = eventsByRow.get(key);
      if (list) list.push(s);
      else eventsByRow.set(key, [s]);
    };
    for (const s of staged) {
      const e = s.event;
      const ts = cellTimestampMicros(e.eventTimeMs);
      const key = eventRowKey(e.deviceId, e.eventTimeMs, e.eventId);
      const cells: Record<string, { value: string; timestamp: number }> = { [EVENT_COLUMN]: { value: JSON.stringify(toWireEvent(e)), timestamp: ts } };
      if (s.late) cells[LATE_COLUMN] = { value: '1', timestamp: ts };
      eventRows.set(key, { key, method: 'insert', data: { [EVENTS_FAMILY]: cells } });
      link(key, s);
      if (s.late) continue;
      const paneKey = paneRowKey(e.deviceId, paneStart(e.eventTimeMs, this.o.slideMs));
      let pane = paneRows.get(paneKey);
      if (!pane) paneRows.set(paneKey, (pane = { key: paneKey, method: 'insert', data: { [AGGREGATES_FAMILY]: {} } }));
      pane.data[AGGREGATES_FAMILY][e.eventId] = { value: JSON.stringify(e.metrics), timestamp: ts };
      link(paneKey, s);
    }
    return { eventRows: [...eventRows.values()], paneRows: [...paneRows.values()], eventsByRow };
  }
}

const firstLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 500);

/** One event of a batched message as dead-letter payload; the whole message if it cannot be serialised. */
function eventPayload(raw: unknown, messageText: string): string {
  try {
    return JSON.stringify(raw);
  } catch {
    return messageText;
  }
}

function bigtableReason(failure: RowFailure): string {
  return `bigtable: row refused (code ${failure.code}): ${failure.message.split('\n')[0]}`.slice(0, 1000);
}
