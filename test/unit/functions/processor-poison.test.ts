/**
 * Poison input never stalls the processor: each message is decoded and validated on its own
 * (a payload that breaks the decoder or the validator is dead-lettered with a reason, its
 * neighbours are stored), and a batch that fails for any unexpected reason is nacked, so
 * every message is settled and the in-flight count returns to 0 (the input clock needs that).
 */
import pino from 'pino';
import type { RowEntry, RowMutator } from '../../../functions/processor/durable-writes';
import { ProcessorMetrics } from '../../../functions/processor/metrics';
import { SpeedLayerProcessor, type IncomingMessage } from '../../../functions/processor/speed-layer';
import type { WindowFinalizer } from '../../../functions/processor/window-finalizer';

const T = Date.UTC(2026, 11, 4, 12, 0, 0);

class RecordingTable implements RowMutator {
  rows: string[] = [];
  async mutate(entries: RowEntry[]): Promise<void> {
    this.rows.push(...entries.map((e) => e.key));
  }
}

const onTime = { isTooLate: () => false, observe: () => false, finalize: async () => undefined } as unknown as WindowFinalizer;

function setup(finalizer: WindowFinalizer = onTime) {
  const events = new RecordingTable();
  const deadLetters: { data: string; attributes: Record<string, string> }[] = [];
  const metrics = new ProcessorMetrics();
  const processor = new SpeedLayerProcessor({
    eventsTable: events,
    aggregatesTable: new RecordingTable(),
    deadLetter: { publish: async (data, attributes) => (deadLetters.push({ data: data.toString('utf8'), attributes }), 'dl') },
    finalizer,
    metrics,
    logger: pino({ level: 'silent' }),
    slideMs: 10_000,
    batchDeadlineMs: 500,
  });
  return { events, deadLetters, metrics, processor };
}

function message(id: string, text: string, publishTimeMs = T) {
  const settled = { acks: 0, nacks: 0 };
  const m: IncomingMessage = {
    id,
    data: Buffer.from(text, 'utf8'),
    attributes: { eventCount: '1' },
    orderingKey: 'dev-1',
    publishTimeMs,
    receivedAtNs: process.hrtime.bigint(),
    ack: () => void settled.acks++,
    nack: () => void settled.nacks++,
  };
  return { m, settled };
}

const event = (eventId: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ eventId, deviceId: 'dev-1', type: 'telemetry', eventTime: new Date(T).toISOString(), metrics: { t: 1 }, attributes: {}, ...extra });
/** 12,000 levels: JSON.parse copes, a recursive JSON.stringify of it overflows the stack. */
const deep = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

describe('speed-layer processor: poison input', () => {
  it('dead-letters a deeply nested event with a reason and stores the valid message beside it', async () => {
    const { events, deadLetters, metrics, processor } = setup();
    const poison = message('m-deep', event('e-deep').replace('"attributes":{}', `"attributes":{"a":${deep(12_000)}}`));
    const good = message('m-good', event('e-good'));
    processor.handle(poison.m);
    processor.handle(good.m);
    await processor.drain();
    expect(poison.settled).toEqual({ acks: 1, nacks: 0 });
    expect(good.settled).toEqual({ acks: 1, nacks: 0 });
    expect(events.rows).toHaveLength(1);
    expect(events.rows[0]).toMatch(/#e-good$/);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0].attributes).toMatchObject({ deadLetterReason: 'event: nested more than 16 levels deep (MAX_NESTING_DEPTH)', sourceMessageId: 'm-deep', eventId: 'e-deep' });
    // The payload is the message as received (re-serialising it is what overflowed).
    expect(deadLetters[0].data).toBe(poison.m.data.toString('utf8'));
    expect(metrics.inFlightMessages).toBe(0);
  });

  it('dead-letters a deeply nested event inside a batched message, keeping its batch neighbour', async () => {
    const { events, deadLetters, metrics, processor } = setup();
    const batch = `{"events":[${event('e-ok')},${event('e-deep2').replace('"attributes":{}', `"attributes":{"a":${deep(12_000)}}`)}]}`;
    const m = message('m-batch', batch);
    processor.handle(m.m);
    await processor.drain();
    expect(m.settled).toEqual({ acks: 1, nacks: 0 });
    expect(events.rows.map((k) => k.split('#')[2])).toEqual(['e-ok']);
    expect(deadLetters.map((d) => [d.attributes.eventId, d.attributes.deadLetterReason])).toEqual([['e-deep2', 'event: nested more than 16 levels deep (MAX_NESTING_DEPTH)']]);
    expect(metrics.inFlightMessages).toBe(0);
  });

  it('nacks the whole batch when processing fails unexpectedly, so nothing stays in flight', async () => {
    const broken = { ...onTime, isTooLate: () => { throw new Error('finalizer bug'); } } as unknown as WindowFinalizer;
    const { events, metrics, processor } = setup(broken);
    const a = message('m-a', event('e-a'));
    const b = message('m-b', event('e-b'));
    processor.handle(a.m);
    processor.handle(b.m);
    await processor.drain();
    expect([a.settled, b.settled]).toEqual([{ acks: 0, nacks: 1 }, { acks: 0, nacks: 1 }]);
    expect(events.rows).toHaveLength(0);
    expect(metrics.inFlightMessages).toBe(0);
    expect(metrics.counters.messagesNacked).toBe(2);
  });
});
