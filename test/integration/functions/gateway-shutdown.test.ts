/**
 * Graceful stop of the gateway within Cloud Run's 10 s after SIGTERM (runMain allows 9 s):
 * a request whose publish is confirmed during the stop is answered 200 and its message is in
 * the topic; a request Pub/Sub never confirms is answered 503 (retry) before the budget runs
 * out, instead of its connection being cut after PUBLISH_TIMEOUT_MS; stop() itself resolves, and
 * answers given during the stop close their connections (a keep-alive client held it open 72 s).
 */
import { createTopology, clients, collect, type Topology } from './local-cloud';
import { startIngest } from '../../../functions/ingest/main';
import { ApiKeyVerifier } from '../../../functions/ingest/auth';
import type { PublishTarget } from '../../../functions/ingest/ordered-publisher';

jest.setTimeout(60_000);

const KEY = 'shutdown-key';
const STOP_LIMIT_MS = 9000; // runMain's limit

async function post(address: string, events: unknown[]) {
  const res = await fetch(`${address}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body: JSON.stringify(events) });
  return { status: res.status, connection: res.headers.get('connection'), body: await res.json() };
}

const ev = (id: string, deviceId: string) => ({ eventId: id, deviceId, type: 'reading', eventTime: Date.now() - 1000, metrics: { v: 1 } });

/** Publishes of `slowKey` are confirmed after `delayMs`; of `hungKey` never. */
function slowTopic(delayMs: number, slowKey: string, hungKey: string) {
  return (topic: PublishTarget): PublishTarget => ({
    publishMessage: async (m) => {
      if (m.orderingKey === hungKey) return new Promise<string>(() => undefined);
      if (m.orderingKey === slowKey) await new Promise((r) => setTimeout(r, delayMs));
      return topic.publishMessage(m);
    },
    resumePublishing: (key) => topic.resumePublishing(key),
    flush: () => topic.flush(),
  });
}

describe('gateway shutdown', () => {
  const c = clients();
  afterAll(() => c.close());

  it('answers in-flight requests and stops within the budget: confirmed ones 200 and published, hung ones 503', async () => {
    const topo: Topology = await createTopology(c.pubsub, c.bigtable, { INGEST_API_KEY_SHA256: ApiKeyVerifier.sha256Hex(KEY) });
    const ingest = await startIngest(topo.env, { host: '127.0.0.1', wrapTopic: slowTopic(1500, 'dev-slow', 'dev-hung') });
    const slow = post(ingest.address, [ev('slow-1', 'dev-slow')]);
    const hung = post(ingest.address, [ev('hung-1', 'dev-hung')]);
    await new Promise((r) => setTimeout(r, 200)); // both requests are waiting for Pub/Sub
    const started = Date.now();
    const stopped = ingest.stop().then(() => Date.now() - started);
    const [slowRes, hungRes, stopMs] = await Promise.all([slow, hung, stopped]);
    expect(stopMs).toBeLessThan(STOP_LIMIT_MS);
    expect(slowRes.status).toBe(200);
    expect(hungRes.status).toBe(503);
    // Answers given during the stop close their keep-alive connections, so the server really closes.
    expect([slowRes.connection, hungRes.connection]).toEqual(['close', 'close']);
    expect(hungRes.body.results).toEqual([
      { index: 0, eventId: 'hung-1', status: 'failed', reason: 'not confirmed: the gateway is shutting down before Pub/Sub confirmed the publish; retry the request' },
    ]);
    // The confirmed message is really in the topic.
    const [message] = await collect(c.pubsub, topo.subscriptionName, 1);
    expect(JSON.parse(message.data.toString()).eventId).toBe('slow-1');
  });
});
