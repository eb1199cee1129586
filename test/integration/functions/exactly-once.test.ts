/**
 * Redelivery and a crash between durable write and ack leave the aggregates exact: the
 * same events are written again (same cells) and the windows recomputed from them.
 */
import { createTopology, clients, waitFor, allRows, type Topology } from './local-cloud';
import { startProcessor } from '../../../functions/processor/main';
import { parseTimedRowKey } from '../../../functions/shared/row-keys';
import type { IncomingMessage } from '../../../functions/processor/speed-layer';

jest.setTimeout(90_000);

const base = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
const at = (s: number) => base + s * 1000;
const ENV = { WATERMARK_DELAY_SECONDS: '1', ALLOWED_LATENESS_SECONDS: '60', WRITE_BATCH_MAX_EVENTS: '5' };

/** 20 events of dev-x at 0.5 s, 1.5 s, ... 19.5 s with v = 1..20, then a closing event at 300 s. */
const events = [
  ...Array.from({ length: 20 }, (_, i) => ({ eventId: `x-${String(i + 1).padStart(2, '0')}`, deviceId: 'dev-x', type: 'reading', eventTime: at(i + 0.5), metrics: { v: i + 1 } })),
  { eventId: 'x-close', deviceId: 'dev-x', type: 'reading', eventTime: at(300), metrics: { v: 0 } },
];

async function windowSummaries(c: ReturnType<typeof clients>, topo: Topology) {
  const rows = await allRows(c.bigtable, topo.instanceId, topo.aggregatesTableId);
  const out = new Map<number, { eventCount: number; metrics: { v: { count: number; sum: number; min: number; max: number } } }>();
  for (const r of rows) if (r.key.includes('#w#')) out.set((parseTimedRowKey(r.key).timeMs - base) / 1000, JSON.parse(r.cells.a.summary.value));
  return out;
}

/**
 * Expected, by hand: window [E-60 s, E) holds the events with offset i + 0.5 < E, i < 20.
 * E=10: v=1..10 -> count 10, sum 55; E=20..60: v=1..20 -> count 20, sum 210, min 1, max 20;
 * E=70: [10 s, 70 s) -> v=11..20 -> count 10, sum 155 (= 210 - 55); E=80: none.
 */
function expectExact(w: Awaited<ReturnType<typeof windowSummaries>>) {
  expect(w.get(10)).toMatchObject({ eventCount: 10, metrics: { v: { count: 10, sum: 55, min: 1, max: 10 } } });
  for (const e of [20, 30, 40, 50, 60]) expect(w.get(e)).toMatchObject({ eventCount: 20, metrics: { v: { count: 20, sum: 210, min: 1, max: 20 } } });
  expect(w.get(70)).toMatchObject({ eventCount: 10, metrics: { v: { count: 10, sum: 155, min: 11, max: 20 } } });
  expect(w.has(80)).toBe(false);
  expect([...w.keys()].filter((e) => e <= 290).sort((a, b) => a - b)).toEqual([10, 20, 30, 40, 50, 60, 70]);
}

async function publishAll(c: ReturnType<typeof clients>, topo: Topology) {
  const topic = c.pubsub.topic(topo.topicName, { messageOrdering: true });
  for (const e of events) {
    await topic.publishMessage({ data: Buffer.from(JSON.stringify(e)), orderingKey: e.deviceId, attributes: { eventId: e.eventId, eventCount: '1' } });
  }
}

describe('exactly-once aggregates', () => {
  const c = clients();
  afterAll(() => c.close());

  it('stays exact when every message is delivered twice (nacked after the durable write)', async () => {
    const topo = await createTopology(c.pubsub, c.bigtable, ENV);
    const firstSeen = new Set<string>();
    let redelivered = 0;
    const processor = await startProcessor(topo.env, {
      host: '127.0.0.1',
      beforeAck: (batch: IncomingMessage[]) => {
        const fresh = batch.filter((m) => !firstSeen.has(m.attributes.eventId));
        redelivered += batch.length - fresh.length;
        if (fresh.length === 0) return;
        for (const m of batch) firstSeen.add(m.attributes.eventId);
        for (const m of batch) m.nack(); // the writes are durable, the ack never happens
        throw new Error('nacked after write');
      },
    });
    try {
      await publishAll(c, topo);
      const w = await waitFor('7 windows after redelivery', async () => {
        const s = await windowSummaries(c, topo);
        return redelivered >= events.length && s.size >= 7 && s;
      }, 60_000, 250);
      expectExact(w);
      expect(redelivered).toBeGreaterThanOrEqual(21);
      const rawRows = await allRows(c.bigtable, topo.instanceId, topo.eventsTableId);
      expect(rawRows).toHaveLength(21);
    } finally {
      await processor.stop();
    }
  });

  it('stays exact when the processor dies between write and ack and a new one takes over', async () => {
    const topo = await createTopology(c.pubsub, c.bigtable, ENV);
    let crashed = false;
    const first = await startProcessor(topo.env, {
      host: '127.0.0.1',
      // Acks the readings; dies between the durable write and the ack of the batch holding
      // the closing event (after it may have finalized early windows).
      beforeAck: (batch) => {
        if (crashed || batch.some((m) => m.attributes.eventId === 'x-close')) {
          crashed = true;
          throw new Error('crash before ack');
        }
      },
    });
    try {
      await publishAll(c, topo);
      await waitFor('the first processor to crash', async () => crashed, 30_000);
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      await first.kill();
    }
    expect(first.metrics.counters.messagesAcked).toBeGreaterThanOrEqual(1);
    expect(first.metrics.counters.messagesAcked).toBeLessThan(21);
    // The first processor's windows (if any) were computed before x-close was acked.
    const before = await windowSummaries(c, topo);
    expect(before.has(60)).toBe(false);

    const second = await startProcessor(topo.env, { host: '127.0.0.1' });
    try {
      const w = await waitFor('windows from the second processor', async () => {
        const s = await windowSummaries(c, topo);
        return second.metrics.counters.messagesAcked >= 1 && s.has(70) && s;
      }, 60_000, 250);
      expectExact(w);
      // The second processor got what the first never acked (at least the closing event) and
      // recomputed every window from its newest stored window minus lateness and window.
      expect(second.metrics.counters.messagesAcked).toBeGreaterThanOrEqual(1);
      expect(first.metrics.counters.messagesAcked + second.metrics.counters.messagesAcked).toBeGreaterThanOrEqual(21);
    } finally {
      await second.stop();
    }
  });
});
