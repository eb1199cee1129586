/**
 * Redeliveries of messages the processor already made durable and acked (Pub/Sub is
 * at-least-once, and an ordered key is redelivered from its first unacked message on, acked
 * ones included) are acked again without rewriting; anything not known to be durable is
 * processed again. Tables and the window finalizer are in-memory stand-ins.
 */
import pino from 'pino';
import type { RowEntry, RowMutator } from '../../../functions/processor/durable-writes';
import { ProcessorMetrics } from '../../../functions/processor/metrics';
import { SpeedLayerProcessor, type IncomingMessage } from '../../../functions/processor/speed-layer';
import type { WindowFinalizer } from '../../../functions/processor/window-finalizer';

const T = Date.UTC(2026, 11, 4, 12, 0, 0);

class RecordingTable implements RowMutator {
  rows: string[] = [];
  /** Until then every call fails with UNAVAILABLE (transient: retried until the batch deadline). */
  unavailableUntil = 0;
  async mutate(entries: RowEntry[]): Promise<void> {
    if (Date.now() < this.unavailableUntil) throw Object.assign(new Error('unavailable'), { code: 14 });
    this.rows.push(...entries.map((e) => e.key));
  }
}

const finalizer = { isTooLate: () => false, observe: () => false, finalize: async () => undefined } as unknown as WindowFinalizer;

function setup(rememberAckedIds: number) {
  const events = new RecordingTable();
  const aggregates = new RecordingTable();
  const metrics = new ProcessorMetrics();
  const processor = new SpeedLayerProcessor({
    eventsTable: events,
    aggregatesTable: aggregates,
    deadLetter: { publish: async () => 'dl-1' },
    finalizer,
    metrics,
    logger: pino({ level: 'silent' }),
    slideMs: 10_000,
    batchDeadlineMs: 200,
    rememberAckedIds,
  });
  return { events, aggregates, metrics, processor };
}

function message(id: string, eventId: string) {
  const settled = { acks: 0, nacks: 0 };
  const m: IncomingMessage = {
    id,
    data: Buffer.from(JSON.stringify({ eventId, deviceId: 'dev-1', type: 'telemetry', eventTime: new Date(T).toISOString(), metrics: { t: 1 } })),
    attributes: { eventCount: '1' },
    orderingKey: 'dev-1',
    publishTimeMs: T,
    receivedAtNs: process.hrtime.bigint(),
    ack: () => void settled.acks++,
    nack: () => void settled.nacks++,
  };
  return { m, settled };
}

describe('speed-layer processor: redelivered messages', () => {
  it('acks a redelivery of a durable, acked message again and writes nothing', async () => {
    const { events, aggregates, metrics, processor } = setup(10);
    const { m, settled } = message('m-1', 'e-1');
    processor.handle(m);
    await processor.drain();
    expect(settled).toEqual({ acks: 1, nacks: 0 });
    expect(events.rows).toHaveLength(1);
    expect(aggregates.rows).toHaveLength(1);

    processor.handle(m);
    await processor.drain();
    expect(settled).toEqual({ acks: 2, nacks: 0 });
    expect(events.rows).toHaveLength(1);
    expect(aggregates.rows).toHaveLength(1);
    expect(metrics.counters).toMatchObject({ messagesReceived: 2, messagesAcked: 2, messagesRedelivered: 1, eventsProcessed: 1 });
    expect(metrics.inFlightMessages).toBe(0);
  });

  it('rewrites the same rows when nothing is remembered (the writes are idempotent)', async () => {
    const { events, metrics, processor } = setup(0);
    const { m, settled } = message('m-1', 'e-1');
    processor.handle(m);
    await processor.drain();
    processor.handle(m);
    await processor.drain();
    expect(settled.acks).toBe(2);
    // Same row key twice: the second write overwrites the first cell.
    expect(events.rows).toHaveLength(2);
    expect(new Set(events.rows).size).toBe(1);
    expect(metrics.counters.messagesRedelivered).toBe(0);
  });

  it('remembers a bounded number of ids, forgetting the oldest first', async () => {
    const { events, metrics, processor } = setup(2);
    const msgs = ['m-1', 'm-2', 'm-3'].map((id, i) => message(id, `e-${i + 1}`));
    for (const { m } of msgs) processor.handle(m);
    await processor.drain();
    expect(events.rows).toHaveLength(3);
    // m-1 was forgotten when m-3 was remembered: processed again; m-3 is still known.
    processor.handle(msgs[0].m);
    processor.handle(msgs[2].m);
    await processor.drain();
    expect(events.rows).toHaveLength(4);
    expect(metrics.counters.messagesRedelivered).toBe(1);
    expect(msgs[0].settled.acks).toBe(2);
    expect(msgs[2].settled.acks).toBe(2);
  });

  it('does not remember a nacked message (writes not durable in time): its redelivery is processed', async () => {
    const { events, metrics, processor } = setup(10);
    const { m, settled } = message('m-1', 'e-1');
    events.unavailableUntil = Date.now() + 10_000;
    processor.handle(m);
    await processor.drain();
    expect(settled).toEqual({ acks: 0, nacks: 1 });
    expect(events.rows).toHaveLength(0);
    events.unavailableUntil = 0;
    processor.handle(m);
    await processor.drain();
    expect(settled).toEqual({ acks: 1, nacks: 1 });
    expect(events.rows).toHaveLength(1);
    expect(metrics.counters.messagesRedelivered).toBe(0);
  });
});
