/**
 * Poison messages reach the dead-letter topic with the reason; partial Bigtable failures
 * retry only the failed rows; a row Bigtable refuses for good dead-letters only its event;
 * late events beyond the allowed lateness are stored flagged and counted.
 */
import { createTopology, clients, waitFor, allRows, collect, type Topology } from './local-cloud';
import { startProcessor } from '../../../functions/processor/main';
import type { RowEntry, RowMutator } from '../../../functions/processor/durable-writes';
import { eventRowKey } from '../../../functions/shared/row-keys';

/**
 * The class the client throws. The package root's `PartialFailureError` export is undefined at
 * runtime (a circular import in @google-cloud/bigtable 6.5), and the module defining it can only
 * be loaded after the root (imported by local-cloud above), hence the late require.
 */
function partialFailure(errors: unknown[]): Error {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PartialFailureError } = require('@google-cloud/bigtable/build/src/tabular-api-surface');
  return new PartialFailureError(errors, undefined);
}

jest.setTimeout(60_000);

const now = Date.now();
const ev = (id: string, deviceId: string, t: number, v = 1) => ({ eventId: id, deviceId, type: 'reading', eventTime: t, metrics: { v } });

describe('failure handling in the processor', () => {
  const c = clients();
  afterAll(() => c.close());

  async function publish(topo: Topology, data: string, orderingKey = 'k') {
    await c.pubsub.topic(topo.topicName, { messageOrdering: true }).publishMessage({ data: Buffer.from(data), orderingKey });
  }

  it('dead-letters poison messages and invalid events with the reason, keeps valid neighbours, acks', async () => {
    const topo = await createTopology(c.pubsub, c.bigtable);
    const processor = await startProcessor(topo.env, { host: '127.0.0.1' });
    try {
      await publish(topo, 'not json at all', 'p1');
      await publish(topo, JSON.stringify({ events: [ev('ok-1', 'dev-p', now - 1000), { ...ev('bad-1', 'dev-p', now - 900), deviceId: 'dev p' }] }), 'dev-p');
      await publish(topo, JSON.stringify({ ...ev('bad-2', 'dev-q', now), metrics: { v: 'NaN' } }), 'dev-q');
      const dead = await collect(c.pubsub, topo.deadLetterSubscriptionName, 3);
      const reasons = Object.fromEntries(dead.map((m) => [m.attributes.eventId ?? 'no-event-id', m.attributes.deadLetterReason]));
      expect(reasons).toEqual({
        'no-event-id': 'payload: not valid JSON',
        'bad-1': 'deviceId: must match ^[A-Za-z0-9._:-]{1,128}$',
        'bad-2': 'metrics.v: must be a finite number',
      });
      const raw = dead.find((m) => !m.attributes.eventId)!;
      expect(raw.data.toString()).toBe('not json at all');
      expect(raw.attributes.sourceMessageId).toMatch(/\S+/);
      const rows = await waitFor('the valid neighbour stored', async () => {
        const r = await allRows(c.bigtable, topo.instanceId, topo.eventsTableId);
        return r.length === 1 && r;
      });
      expect(rows[0].key).toBe(eventRowKey('dev-p', now - 1000, 'ok-1'));
      await waitFor('all three messages acked', async () => processor.metrics.counters.messagesAcked === 3);
      expect(processor.metrics.counters).toMatchObject({ eventsDeadLettered: 3, messagesDeadLettered: 3, messagesNacked: 0, eventsProcessed: 1 });
    } finally {
      await processor.stop();
    }
  });

  it('retries only the rows a partial MutateRows failure names, and dead-letters a permanently refused row', async () => {
    const topo = await createTopology(c.pubsub, c.bigtable, { WRITE_BATCH_MAX_DELAY_MS: '200', WRITE_BATCH_MAX_EVENTS: '1000' });
    const calls: string[][] = [];
    const failedOnce = new Set<string>();
    const flaky = (inner: RowMutator): RowMutator => ({
      async mutate(entries: RowEntry[]) {
        calls.push(entries.map((e) => e.key));
        const refused = entries.filter((e) => e.key.includes('#poison-row'));
        // Rows of e-2 and e-4 fail transiently (UNAVAILABLE) the first time; the poison row always, for good.
        const transient = entries.filter((e) => /#e-[24]$/.test(e.key) && !failedOnce.has(e.key));
        for (const e of transient) failedOnce.add(e.key);
        const ok = entries.filter((e) => !refused.includes(e) && !transient.includes(e));
        if (ok.length > 0) await inner.mutate(ok);
        const errors = [
          ...transient.map((entry) => Object.assign(new Error('14 UNAVAILABLE: injected'), { code: 14, entry })),
          ...refused.map((entry) => Object.assign(new Error('3 INVALID_ARGUMENT: injected refusal'), { code: 3, entry })),
        ];
        if (errors.length > 0) throw partialFailure(errors);
      },
    });
    const processor = await startProcessor(topo.env, { host: '127.0.0.1', wrapEventsTable: flaky });
    try {
      const batch = [1, 2, 3, 4, 5].map((i) => ev(`e-${i}`, 'dev-r', now - 5000 + i, i));
      const topic = c.pubsub.topic(topo.topicName, { messageOrdering: true });
      await Promise.all([
        ...batch.map((e) => topic.publishMessage({ data: Buffer.from(JSON.stringify(e)), orderingKey: `dev-r-${e.eventId}` })),
        topic.publishMessage({ data: Buffer.from(JSON.stringify(ev('poison-row', 'dev-s', now - 10))), orderingKey: 'dev-s' }),
      ]);
      const dead = await collect(c.pubsub, topo.deadLetterSubscriptionName, 1);
      expect(dead[0].attributes.eventId).toBe('poison-row');
      expect(dead[0].attributes.deadLetterReason).toBe('bigtable: row refused (code 3): 3 INVALID_ARGUMENT: injected refusal');
      const rows = await waitFor('five rows stored', async () => {
        const r = await allRows(c.bigtable, topo.instanceId, topo.eventsTableId);
        return r.length === 5 && r;
      });
      expect(rows.map((r) => r.key.split('#')[2]).sort()).toEqual(['e-1', 'e-2', 'e-3', 'e-4', 'e-5']);
      // Every key was sent once, except e-2 and e-4, sent twice; a retry call carries only
      // rows that failed before (never a row that was already durable).
      const sent = calls.flat();
      const times = (k: string) => sent.filter((x) => x === k).length;
      const keys = [...new Set(sent)];
      expect(keys.filter((k) => times(k) === 2).map((k) => k.split('#')[2]).sort()).toEqual(['e-2', 'e-4']);
      expect(keys.filter((k) => times(k) > 2)).toEqual([]);
      const seen = new Set<string>();
      for (const call of calls) {
        const retried = call.filter((k) => seen.has(k));
        if (retried.length > 0) expect(call).toEqual(retried);
        call.forEach((k) => seen.add(k));
      }
      await waitFor('every message acked', async () => processor.metrics.counters.messagesAcked === 6);
      expect(processor.metrics.counters.rowsRetried).toBe(2);
    } finally {
      await processor.stop();
    }
  });

  it('counts window passes that fail (finalizeErrors) and keeps retrying them', async () => {
    const topo = await createTopology(c.pubsub, c.bigtable, { WATERMARK_DELAY_SECONDS: '1' });
    let refusals = 0;
    const refuseWindows = (inner: RowMutator): RowMutator => ({
      async mutate(entries: RowEntry[]) {
        const windows = entries.filter((e) => e.key.includes('#w#'));
        const rest = entries.filter((e) => !e.key.includes('#w#'));
        if (rest.length > 0) await inner.mutate(rest);
        refusals += windows.length > 0 ? 1 : 0;
        if (windows.length > 0) throw partialFailure(windows.map((entry) => Object.assign(new Error('3 INVALID_ARGUMENT: injected window refusal'), { code: 3, entry })));
      },
    });
    const processor = await startProcessor(topo.env, { host: '127.0.0.1', wrapAggregatesTable: refuseWindows });
    try {
      const topic = c.pubsub.topic(topo.topicName, { messageOrdering: true });
      // The second event moves the watermark past every window of the first: a pass is due at once.
      await topic.publishMessage({ data: Buffer.from(JSON.stringify(ev('w-old', 'dev-w', now - 120_000))), orderingKey: 'dev-w' });
      await topic.publishMessage({ data: Buffer.from(JSON.stringify(ev('w-new', 'dev-w', now))), orderingKey: 'dev-w' });
      // The periodic pass (every max(1 s, slide / 2) = 5 s) retries the failed windows and counts again.
      const metrics = await waitFor('two failed passes counted', async () => {
        const m = await (await fetch(`${processor.address}/metrics`)).json();
        return m.counters.finalizeErrors >= 2 && m;
      }, 20_000);
      expect(metrics.counters.windowsFinalized).toBe(0);
      // Each counted failure is a pass that really ran again (a failed pass used to block the device's later passes).
      expect(refusals).toBeGreaterThanOrEqual(metrics.counters.finalizeErrors);
    } finally {
      await processor.stop();
    }
  });

  it('stores events beyond the allowed lateness with the late flag and counts them', async () => {
    const topo = await createTopology(c.pubsub, c.bigtable, { WATERMARK_DELAY_SECONDS: '1', ALLOWED_LATENESS_SECONDS: '5' });
    const processor = await startProcessor(topo.env, { host: '127.0.0.1' });
    try {
      const topic = c.pubsub.topic(topo.topicName, { messageOrdering: true });
      await topic.publishMessage({ data: Buffer.from(JSON.stringify(ev('fresh', 'dev-l', now))), orderingKey: 'dev-l' });
      await waitFor('the fresh event stored', async () => processor.metrics.counters.eventsProcessed === 1);
      // Watermark now - 1 s; allowed lateness 5 s: 60 s behind is too late, 3 s behind is not.
      await topic.publishMessage({ data: Buffer.from(JSON.stringify(ev('late', 'dev-l', now - 60_000))), orderingKey: 'dev-l' });
      await topic.publishMessage({ data: Buffer.from(JSON.stringify(ev('slightly-late', 'dev-l', now - 3000))), orderingKey: 'dev-l' });
      await waitFor('three events stored', async () => processor.metrics.counters.eventsProcessed === 3);
      const rows = await allRows(c.bigtable, topo.instanceId, topo.eventsTableId);
      const late = rows.find((r) => r.key === eventRowKey('dev-l', now - 60_000, 'late'))!;
      expect(late.cells.e.late.value).toBe('1');
      expect(rows.find((r) => r.key.endsWith('#slightly-late'))!.cells.e.late).toBeUndefined();
      expect(processor.metrics.counters.eventsLate).toBe(1);
      // The late event has no aggregate contribution; the other two do.
      const agg = await allRows(c.bigtable, topo.instanceId, topo.aggregatesTableId);
      const contributors = agg.filter((r) => r.key.includes('#p#')).flatMap((r) => Object.keys(r.cells.a));
      expect(contributors.sort()).toEqual(['fresh', 'slightly-late']);
    } finally {
      await processor.stop();
    }
  });
});
