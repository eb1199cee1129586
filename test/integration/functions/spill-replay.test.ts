/**
 * The spill path on the local cloud: the gateway's publisher pointed at a closed port spills
 * to a directory and answers 202; with Pub/Sub back the replayer publishes the spilled events
 * with their ids, the processor stores each exactly once in Bigtable, per-device order kept;
 * with the spill store failing too, 503.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { Message } from '@google-cloud/pubsub';
import { createTopology, clients, waitFor, allRows, type Topology } from './local-cloud';
import { startIngest } from '../../../functions/ingest/main';
import { startProcessor } from '../../../functions/processor/main';
import { startSpillReplayer } from '../../../functions/spill-replayer/main';
import { ApiKeyVerifier } from '../../../functions/ingest/auth';
import { eventRowKey } from '../../../functions/shared/row-keys';
import { deviceKeyHash } from '../../../functions/shared/spill/spill-store';

jest.setTimeout(90_000);

const KEY = 'spill-key';
const now = Date.now();

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function post(address: string, events: unknown[]) {
  const res = await fetch(`${address}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    body: JSON.stringify(events),
  });
  return { status: res.status, body: await res.json() };
}

const ev = (id: string, deviceId: string, offsetMs: number) => ({ eventId: id, deviceId, type: 'reading', eventTime: now - 60_000 + offsetMs, metrics: { v: offsetMs } });

describe('ingest spill path on the local cloud', () => {
  const c = clients();
  afterAll(() => c.close());

  it('spills while Pub/Sub is unreachable, replays in order once it is back, stores each event exactly once', async () => {
    const spillDir = mkdtempSync(join(tmpdir(), 'spill-it-'));
    const topo: Topology = await createTopology(c.pubsub, c.bigtable, { INGEST_API_KEY_SHA256: ApiKeyVerifier.sha256Hex(KEY), SPILL_DIR: spillDir });
    // A second subscription records the delivery order the processor sees.
    await c.pubsub.topic(topo.topicName).createSubscription(`${topo.topicName}-order`, { enableMessageOrdering: true });

    // 1. The gateway's Pub/Sub is a closed port: every publish fails or hangs until the deadline.
    const downEnv = { ...topo.env, PUBSUB_EMULATOR_HOST: `127.0.0.1:${await closedPort()}`, PUBLISH_TIMEOUT_MS: '1500', SPILL_REPLAY_IN_PROCESS: 'false' };
    const down = await startIngest(downEnv, { host: '127.0.0.1' });
    try {
      const r1 = await post(down.address, [ev('d1-1', 'dev-s1', 1), ev('d1-2', 'dev-s1', 2), ev('d2-1', 'dev-s2', 1)]);
      expect(r1.status).toBe(202);
      expect(r1.body).toMatchObject({ accepted: 0, failed: 0, spilled: 3 });
      expect(r1.body.results.map((r: { status: string }) => r.status)).toEqual(['spilled', 'spilled', 'spilled']);
      // Later events of a spilled device spill too (behind the earlier ones).
      const r2 = await post(down.address, [ev('d1-3', 'dev-s1', 3)]);
      expect(r2.status).toBe(202);
      expect(readdirSync(join(spillDir, 'spill', deviceKeyHash('dev-s1')))).toHaveLength(2);
      expect(readdirSync(join(spillDir, 'spill', deviceKeyHash('dev-s2')))).toHaveLength(1);
    } finally {
      await down.stop();
    }

    // 2. Pub/Sub back: the replayer (its own process entry point) publishes the spilled events; the processor stores them.
    const processor = await startProcessor(topo.env, { host: '127.0.0.1' });
    const order: string[] = [];
    const orderSub = c.pubsub.subscription(`${topo.topicName}-order`);
    orderSub.on('message', (m: Message) => {
      order.push(`${m.orderingKey}:${m.attributes.eventId}`);
      m.ack();
    });
    const replayer = await startSpillReplayer({ ...topo.env, SPILL_REPLAY_INTERVAL_MS: '200' }, { host: '127.0.0.1' });
    try {
      await waitFor('the spill store to be empty', async () => readdirSync(join(spillDir, 'spill')).every((d) => readdirSync(join(spillDir, 'spill', d)).length === 0), 30_000);
      const rows = await waitFor('4 event rows', async () => {
        const r = await allRows(c.bigtable, topo.instanceId, topo.eventsTableId);
        return r.length === 4 && r;
      });
      expect(rows.map((r) => r.key).sort()).toEqual(
        [eventRowKey('dev-s1', now - 60_000 + 1, 'd1-1'), eventRowKey('dev-s1', now - 60_000 + 2, 'd1-2'), eventRowKey('dev-s1', now - 60_000 + 3, 'd1-3'), eventRowKey('dev-s2', now - 60_000 + 1, 'd2-1')].sort(),
      );
      await waitFor('4 deliveries seen', async () => order.length >= 4);
      expect(order.filter((o) => o.startsWith('dev-s1:'))).toEqual(['dev-s1:d1-1', 'dev-s1:d1-2', 'dev-s1:d1-3']);
      expect(order.filter((o) => o.startsWith('dev-s2:'))).toEqual(['dev-s2:d2-1']);
      expect(replayer.replayer.totals).toMatchObject({ objectsReplayed: 3, messagesPublished: 4 });
      await waitFor('the processor acked 4 messages', async () => processor.metrics.counters.eventsProcessed === 4);
    } finally {
      await orderSub.close();
      await replayer.stop();
      await processor.stop();
    }
  });

  it('a crash between publish and delete re-publishes the object; the processor stores each event once', async () => {
    const spillDir = mkdtempSync(join(tmpdir(), 'spill-it-'));
    const topo = await createTopology(c.pubsub, c.bigtable, { INGEST_API_KEY_SHA256: ApiKeyVerifier.sha256Hex(KEY), SPILL_DIR: spillDir, PUBLISH_TIMEOUT_MS: '1000' });
    // Gateway whose topic always fails (injected), in-process replayer off.
    let pubsubDown = true;
    const gateway = await startIngest(
      { ...topo.env, SPILL_REPLAY_IN_PROCESS: 'false' },
      {
        host: '127.0.0.1',
        wrapTopic: (topic) => ({
          publishMessage: (m) => (pubsubDown ? Promise.reject(new Error('14 UNAVAILABLE: injected')) : topic.publishMessage(m)),
          resumePublishing: (k) => topic.resumePublishing(k),
          flush: () => topic.flush(),
        }),
      },
    );
    const processor = await startProcessor(topo.env, { host: '127.0.0.1' });
    try {
      const r = await post(gateway.address, [ev('c-1', 'dev-c', 1), ev('c-2', 'dev-c', 2)]);
      expect(r.status).toBe(202);
      pubsubDown = false;
      // A replayer whose deletes fail once: the "crash" after Pub/Sub confirmed, before the delete.
      const { SpillReplayer } = await import('../../../functions/spill-replayer/replayer');
      const { OrderedPublisher } = await import('../../../functions/ingest/ordered-publisher');
      const { DirectorySpillStore } = await import('../../../functions/shared/spill/directory-spill-store');
      const store = new DirectorySpillStore(spillDir);
      let deleteFails = true;
      const crashing = Object.assign(Object.create(store), {
        delete: async (name: string) => {
          if (deleteFails) throw new Error('process killed before delete');
          return store.delete(name);
        },
      });
      const replayer = new SpillReplayer({
        store: crashing,
        publisher: new OrderedPublisher(c.pubsub.topic(topo.topicName, { messageOrdering: true })),
        logger: (await import('pino')).default({ level: 'silent' }),
        publishTimeoutMs: 5000,
      });
      await expect(replayer.replayOnce()).rejects.toThrow('process killed before delete');
      deleteFails = false;
      expect(await replayer.replayOnce()).toEqual({ devices: 1, objectsReplayed: 1, messagesPublished: 2, devicesBlocked: 0, quarantined: 0 });
      // 4 deliveries of 2 event ids: two rows, each event counted once in its pane.
      await waitFor('4 events processed', async () => processor.metrics.counters.eventsProcessed === 4, 30_000);
      const rows = await allRows(c.bigtable, topo.instanceId, topo.eventsTableId);
      expect(rows.map((x) => x.key.split('#')[2]).sort()).toEqual(['c-1', 'c-2']);
      const panes = (await allRows(c.bigtable, topo.instanceId, topo.aggregatesTableId)).filter((x) => x.key.includes('#p#'));
      expect(panes.flatMap((p) => Object.keys(p.cells.a)).sort()).toEqual(['c-1', 'c-2']);
    } finally {
      await processor.stop();
      await gateway.stop();
    }
  });

  it('answers 503 when Pub/Sub and the spill store both fail', async () => {
    const topo = await createTopology(c.pubsub, c.bigtable, { INGEST_API_KEY_SHA256: ApiKeyVerifier.sha256Hex(KEY), SPILL_DIR: mkdtempSync(join(tmpdir(), 'spill-it-')) });
    const gateway = await startIngest(
      { ...topo.env, PUBSUB_EMULATOR_HOST: `127.0.0.1:${await closedPort()}`, PUBLISH_TIMEOUT_MS: '1000', SPILL_REPLAY_IN_PROCESS: 'false' },
      { host: '127.0.0.1', wrapSpillStore: (store) => Object.assign(Object.create(store), { write: () => Promise.reject(new Error('EROFS: read-only file system')) }) },
    );
    try {
      const r = await post(gateway.address, [ev('z-1', 'dev-z', 1)]);
      expect(r.status).toBe(503);
      expect(r.body).toMatchObject({ accepted: 0, failed: 1, spilled: 0 });
      expect(r.body.results[0].reason).toMatch(/^not published: .*; not spilled: EROFS: read-only file system$/);
    } finally {
      await gateway.stop();
    }
  });
});
