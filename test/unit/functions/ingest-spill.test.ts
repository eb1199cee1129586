/**
 * The gateway's spill path with an injected Pub/Sub and a directory spill store: 202 with
 * per-event "spilled" once the spill write is durable, the per-device order rule, 503 when
 * both fail, and the replayer's in-order re-publish and delete-after-confirm.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import pino from 'pino';
import { buildIngestServer } from '../../../functions/ingest/server';
import { OrderedPublisher, type PublishTarget } from '../../../functions/ingest/ordered-publisher';
import { ApiKeyVerifier } from '../../../functions/ingest/auth';
import { DirectorySpillStore } from '../../../functions/shared/spill/directory-spill-store';
import { deviceKeyHash, type SpillStore } from '../../../functions/shared/spill/spill-store';
import { SpillReplayer } from '../../../functions/spill-replayer/replayer';

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);
const KEY = 'k';
const logger = pino({ level: 'silent' });

/** Pub/Sub stand-in: `down` fails every publish; `hang` never answers. */
class SwitchableTopic implements PublishTarget {
  published: { key: string; eventId: string }[] = [];
  down = false;
  hang = false;
  async publishMessage(m: { data: Buffer; orderingKey: string; attributes: Record<string, string> }): Promise<string> {
    await Promise.resolve();
    if (this.hang) return new Promise<string>(() => {});
    if (this.down) throw new Error('14 UNAVAILABLE: injected');
    const body = JSON.parse(m.data.toString('utf8'));
    for (const e of body.events ?? [body]) this.published.push({ key: m.orderingKey, eventId: e.eventId });
    return String(this.published.length);
  }
  resumePublishing() {}
  async flush() {}
  ids(key: string) {
    return this.published.filter((p) => p.key === key).map((p) => p.eventId);
  }
}

function setup(overrides: { store?: SpillStore; timeoutMs?: number } = {}) {
  const topic = new SwitchableTopic();
  const store = overrides.store ?? new DirectorySpillStore(mkdtempSync(join(tmpdir(), 'spill-unit-')));
  const app = buildIngestServer({
    publisher: new OrderedPublisher(topic),
    apiKeyDigests: [ApiKeyVerifier.sha256Hex(KEY)],
    eventsPerMessage: 1,
    maxBodyBytes: 64 * 1024,
    maxEventsPerRequest: 100,
    maxInFlightEvents: 1000,
    publishTimeoutMs: overrides.timeoutMs ?? 150,
    spillStore: store,
    logger,
    now: () => NOW,
  });
  const replayer = new SpillReplayer({ store, publisher: new OrderedPublisher(topic), logger, publishTimeoutMs: 150, afterPass: () => app.spilling.refreshPending() });
  return { topic, store, app, replayer };
}

const apps: { close(): Promise<unknown> }[] = [];
afterAll(() => Promise.all(apps.map((a) => a.close())));

async function post(app: ReturnType<typeof setup>['app'], events: unknown[]) {
  if (!apps.includes(app)) {
    await app.listen({ port: 0, host: '127.0.0.1' });
    apps.push(app);
  }
  const { port } = app.server.address() as { port: number };
  const res = await fetch(`http://127.0.0.1:${port}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': KEY },
    body: JSON.stringify(events),
  });
  return { status: res.status, body: await res.json() };
}

const ev = (id: string, deviceId = 'dev-1') => ({ eventId: id, deviceId, type: 'reading', eventTime: NOW - 1000, metrics: { v: 1 } });

describe('ingest spill path', () => {
  it('answers 202 with status spilled once the batch is durable in the spill store', async () => {
    const { topic, store, app } = setup();
    topic.down = true;
    const res = await post(app, [ev('e-1'), ev('e-2'), { ...ev('bad'), metrics: {} }]);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      accepted: 0,
      rejected: 1,
      failed: 0,
      spilled: 2,
      results: [
        { index: 0, eventId: 'e-1', status: 'spilled' },
        { index: 1, eventId: 'e-2', status: 'spilled' },
        { index: 2, eventId: 'bad', status: 'rejected', reason: 'metrics: at least 1 metric required' },
      ],
    });
    // One object for the device's part of the request, holding both messages in order, as published.
    const [name] = await store.listObjects(deviceKeyHash('dev-1'));
    const object = await store.read(name);
    expect(object.deviceId).toBe('dev-1');
    expect(object.reason).toBe('not published: Pub/Sub did not confirm the publish before the deadline: 14 UNAVAILABLE: injected');
    expect(object.messages.map((m) => [m.attributes, JSON.parse(m.data).eventId])).toEqual([
      [{ eventId: 'e-1', eventCount: '1' }, 'e-1'],
      [{ eventId: 'e-2', eventCount: '1' }, 'e-2'],
    ]);
    expect(topic.published).toEqual([]);
  });

  it('spills when Pub/Sub does not answer at all, at the publish deadline', async () => {
    const { topic, store, app } = setup({ timeoutMs: 100 });
    topic.hang = true;
    const res = await post(app, [ev('h-1')]);
    expect(res.status).toBe(202);
    expect(res.body.results[0].status).toBe('spilled');
    const [name] = await store.listObjects(deviceKeyHash('dev-1'));
    expect((await store.read(name)).reason).toBe('not published: Pub/Sub did not confirm the publish before the deadline (no answer)');
  });

  it('keeps per-device order: a spilled device spills until the replayer caught up, then publishes again', async () => {
    const { topic, store, app, replayer } = setup();
    topic.down = true;
    expect((await post(app, [ev('a-1'), ev('a-2')])).status).toBe(202);
    topic.down = false;
    // Pub/Sub is back, but dev-1 has spilled events: its next events spill behind them; dev-2 publishes.
    const next = await post(app, [ev('a-3'), ev('b-1', 'dev-2')]);
    expect(next.status).toBe(202);
    expect(next.body.results.map((r: { status: string }) => r.status)).toEqual(['spilled', 'accepted']);
    expect(topic.ids('dev-1')).toEqual([]);
    expect(topic.ids('dev-2')).toEqual(['b-1']);
    expect(app.spilling.hasPendingSpill('dev-1')).toBe(true);

    const pass = await replayer.replayOnce();
    expect(pass).toEqual({ devices: 1, objectsReplayed: 2, messagesPublished: 3, devicesBlocked: 0, quarantined: 0 });
    expect(await store.listDeviceHashes()).toEqual(new Set());
    await app.spilling.refreshPending();
    expect(app.spilling.hasPendingSpill('dev-1')).toBe(false);

    const after = await post(app, [ev('a-4')]);
    expect(after.status).toBe(200);
    expect(topic.ids('dev-1')).toEqual(['a-1', 'a-2', 'a-3', 'a-4']);
  });

  it('answers 503 when neither Pub/Sub nor the spill store takes the batch', async () => {
    const dir = new DirectorySpillStore(mkdtempSync(join(tmpdir(), 'spill-unit-')));
    const broken: SpillStore = Object.assign(Object.create(dir), { write: async () => Promise.reject(new Error('EIO: injected disk failure')) });
    const { topic, app } = setup({ store: broken });
    topic.down = true;
    const res = await post(app, [ev('f-1')]);
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      accepted: 0,
      rejected: 0,
      failed: 1,
      spilled: 0,
      results: [
        {
          index: 0,
          eventId: 'f-1',
          status: 'failed',
          reason: 'not published: Pub/Sub did not confirm the publish before the deadline: 14 UNAVAILABLE: injected; not spilled: EIO: injected disk failure',
        },
      ],
    });
  });

  it('replayer: a device whose publish fails keeps its objects and blocks only itself; unreadable objects are quarantined', async () => {
    const { topic, store, app, replayer } = setup();
    topic.down = true;
    await post(app, [ev('x-1', 'dev-x')]);
    await post(app, [ev('x-2', 'dev-x')]);
    // Pub/Sub still down: nothing is deleted, the device is blocked for this pass.
    expect(await replayer.replayOnce()).toEqual({ devices: 1, objectsReplayed: 0, messagesPublished: 0, devicesBlocked: 1, quarantined: 0 });
    expect(await store.listObjects(deviceKeyHash('dev-x'))).toHaveLength(2);
    // A corrupt object of another device goes to quarantine and does not stop the pass.
    const corrupt = new DirectorySpillStore((store as DirectorySpillStore).root);
    const name = await corrupt.write({ version: 1, deviceId: 'dev-y', spilledAt: '', reason: '', messages: [{ data: '{}', attributes: {} }] });
    writeFileSync(join((store as DirectorySpillStore).root, name), 'garbage');
    topic.down = false;
    expect(await replayer.replayOnce()).toEqual({ devices: 2, objectsReplayed: 2, messagesPublished: 2, devicesBlocked: 0, quarantined: 1 });
    expect(topic.ids('dev-x')).toEqual(['x-1', 'x-2']);
    expect(await store.listDeviceHashes()).toEqual(new Set());
  });
});
