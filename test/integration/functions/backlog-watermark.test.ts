/**
 * A backlog processed after a pause yields exact windows: while the processor is stalled
 * (its one lease held before the ack) a device's events wait in the subscription for longer
 * than watermark delay + allowed lateness. When they are delivered they are on time in event
 * time (the watermark follows the processed input, not the wall clock), so none is flagged
 * late and every window counts every event.
 */
import { createTopology, clients, waitFor, allRows } from './local-cloud';
import { startProcessor } from '../../../functions/processor/main';
import { parseTimedRowKey } from '../../../functions/shared/row-keys';

jest.setTimeout(90_000);

// 2 s windows sliding by 1 s, 1 s delay and 1 s lateness: a 5 s stall is far beyond both.
const ENV = {
  AGGREGATE_WINDOW_SECONDS: '2',
  AGGREGATE_SLIDE_SECONDS: '1',
  WATERMARK_DELAY_SECONDS: '1',
  ALLOWED_LATENESS_SECONDS: '1',
  MAX_OUTSTANDING_MESSAGES: '1',
  WRITE_BATCH_MAX_EVENTS: '1',
};

describe('backlog after a pause', () => {
  const c = clients();
  afterAll(() => c.close());

  it('aggregates every backlogged event (none late) and the windows count each exactly', async () => {
    const topo = await createTopology(c.pubsub, c.bigtable, ENV);
    let release: () => void = () => undefined;
    const stalled = new Promise<void>((r) => (release = r));
    let stallArmed = false;
    const processor = await startProcessor(topo.env, {
      host: '127.0.0.1',
      beforeAck: async (batch) => {
        if (stallArmed && batch.some((m) => m.attributes.eventId === 'a-2')) await stalled;
      },
    });
    const topic = c.pubsub.topic(topo.topicName, { messageOrdering: true });
    const publish = (eventId: string, deviceId: string, eventTime: number, v: number) =>
      topic.publishMessage({
        data: Buffer.from(JSON.stringify({ eventId, deviceId, type: 'reading', eventTime, metrics: { v }, attributes: {} })),
        orderingKey: deviceId,
        attributes: { eventId, eventCount: '1' },
      });
    try {
      const t0 = Date.now();
      await publish('a-1', 'dev-a', t0, 1);
      await publish('b-1', 'dev-b', t0, 1);
      await waitFor('the first two events', async () => processor.metrics.counters.eventsProcessed >= 2, 20_000, 50);

      // The stall: a-2 holds the only lease; dev-b's next events wait in the subscription.
      stallArmed = true;
      await publish('a-2', 'dev-a', Date.now(), 2);
      const bTimes: number[] = [];
      for (let i = 2; i <= 6; i++) {
        const t = Date.now();
        bTimes.push(t);
        await publish(`b-${i}`, 'dev-b', t, i);
      }
      await new Promise((r) => setTimeout(r, 5000)); // > delay + lateness (2 s) of wall time
      release();
      await waitFor('all 8 events processed', async () => processor.metrics.counters.eventsProcessed >= 8, 30_000, 50);
      expect(processor.metrics.counters.eventsLate).toBe(0);

      // Each event falls in exactly 2 windows (2 s windows sliding by 1 s), so once every window
      // holding dev-b's events is final, the window counts sum to 2 x 6 = 12, sums to 2 x (1+...+6) = 42.
      const lastEnd = Math.floor(Math.max(t0, ...bTimes) / 1000) * 1000 + 2000;
      const windows = await waitFor('dev-b windows final through its last event', async () => {
        const rows = (await allRows(c.bigtable, topo.instanceId, topo.aggregatesTableId)).filter((r) => r.key.startsWith('dev-b#w#'));
        const ends = rows.map((r) => parseTimedRowKey(r.key).timeMs);
        return ends.some((e) => e >= lastEnd) && rows.map((r) => JSON.parse(r.cells.a.summary.value) as { eventCount: number; metrics: { v: { sum: number } } });
      }, 30_000, 250);
      expect(windows.reduce((n, w) => n + w.eventCount, 0)).toBe(12);
      expect(windows.reduce((n, w) => n + w.metrics.v.sum, 0)).toBe(42);
      const late = (await allRows(c.bigtable, topo.instanceId, topo.eventsTableId)).filter((r) => r.cells.e.late !== undefined);
      expect(late).toHaveLength(0);
    } finally {
      release();
      await processor.stop();
    }
  });
});
