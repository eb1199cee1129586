/**
 * Live fleet figures and the gated warm standby, on the emulators:
 * - two processors (two "regions") write their snapshots to the fleet table; the analytics
 *   API's /v1/fleet/live merges both, drops an instance that stopped (its row is deleted) and
 *   answers 503 with the reason when none is left;
 * - a standby (STANDBY_BACKLOG_AGE_SECONDS, the backlog probe injected) consumes nothing while
 *   the probe reports an age at or below the threshold, takes the backlog once it reports
 *   above, stands down only when a primary pulls again, and re-opens its stream the next time.
 */
import { createTopology, clients, waitFor, allRows, type Topology } from './local-cloud';
import { startProcessor } from '../../../functions/processor/main';
import { startAnalytics } from '../../../functions/analytics/main';
import { parseFleetSnapshot } from '../../../functions/shared/fleet-snapshot';

jest.setTimeout(120_000);

const FAST = { FLEET_METRICS_SECONDS: '1' };

describe('fleet metrics and the warm standby', () => {
  const c = clients();
  afterAll(() => c.close());

  const publisher = (topo: Topology) => {
    const topic = c.pubsub.topic(topo.topicName, { messageOrdering: true });
    return (eventId: string, deviceId: string) =>
      topic.publishMessage({
        data: Buffer.from(JSON.stringify({ eventId, deviceId, type: 'reading', eventTime: Date.now(), metrics: { v: 1 }, attributes: {} })),
        orderingKey: deviceId,
        attributes: { eventId, eventCount: '1' },
      });
  };
  const fleetRows = async (topo: Topology) =>
    (await allRows(c.bigtable, topo.instanceId, topo.fleetTableId)).map((r) => {
      const parsed = parseFleetSnapshot(r.cells.m!.snapshot!.value);
      if (!parsed.ok) throw new Error(`${r.key}: ${parsed.reason}`);
      return { key: r.key, ...parsed.snapshot };
    });

  it('two processors write snapshots; /v1/fleet/live merges both, then drops a stopped one, then answers 503', async () => {
    const topo = await createTopology(c.pubsub, c.bigtable, FAST);
    const a = await startProcessor({ ...topo.env, SERVICE_REGION: 'us-central1' }, { host: '127.0.0.1', instanceId: 'proc-a' });
    const b = await startProcessor({ ...topo.env, SERVICE_REGION: 'europe-west1' }, { host: '127.0.0.1', instanceId: 'proc-b' });
    const api = await startAnalytics({ ...topo.env, FLEET_SNAPSHOT_MAX_AGE_SECONDS: '5' }, { host: '127.0.0.1' });
    const live = async () => {
      const res = await fetch(`${api.address}/v1/fleet/live`);
      return { status: res.status, body: await res.json() };
    };
    let stoppedA = false;
    let stoppedB = false;
    try {
      const publish = publisher(topo);
      for (let i = 0; i < 40; i++) await publish(`e-${i}`, `dev-${i % 8}`);
      await waitFor('40 events processed by the two', async () => a.metrics.counters.eventsProcessed + b.metrics.counters.eventsProcessed >= 40, 30_000, 50);

      const rows = await waitFor('both snapshot rows', async () => {
        const r = await fleetRows(topo);
        return r.length === 2 && r;
      });
      expect(rows.map((r) => r.key).sort()).toEqual(['europe-west1#proc-b', 'us-central1#proc-a']);
      expect(rows.every((r) => r.pulling && !r.standby && r.intervalSeconds === 1)).toBe(true);

      const merged = await waitFor('the merged figures to count all 40', async () => {
        const r = await live();
        return r.status === 200 && r.body.eventsProcessed === 40 && r;
      });
      expect(merged.body.instances).toEqual({
        total: 2,
        pulling: 2,
        standby: 0,
        regions: [
          { region: 'europe-west1', instances: 1, pulling: 1 },
          { region: 'us-central1', instances: 1, pulling: 1 },
        ],
      });
      expect(merged.body.eventsProcessed).toBe(a.metrics.counters.eventsProcessed + b.metrics.counters.eventsProcessed);
      expect(merged.body.processingLatencyMs.count).toBe(40);
      expect(merged.body.topDevices.reduce((n: number, d: { events: number }) => n + d.events, 0)).toBe(40);
      expect(merged.body.topDevices).toHaveLength(8);
      expect(merged.body.warnings).toEqual([]);
      expect(Date.parse(merged.body.asOf)).toBeGreaterThan(Date.now() - 5000);

      // A graceful stop deletes the instance's row: it leaves the figures at once.
      await b.stop();
      stoppedB = true;
      expect((await fleetRows(topo)).map((r) => r.key)).toEqual(['us-central1#proc-a']);
      const one = await live();
      expect(one.status).toBe(200);
      expect(one.body.instances.total).toBe(1);
      expect(one.body.eventsProcessed).toBe(a.metrics.counters.eventsProcessed);

      await a.stop();
      stoppedA = true;
      expect(await live()).toEqual({
        status: 503,
        body: { error: 'live figures unavailable: no processor snapshot newer than 5 s in the fleet table (0 stale, 0 unreadable)' },
      });
    } finally {
      await api.stop();
      if (!stoppedA) await a.stop();
      if (!stoppedB) await b.stop();
    }
  });

  it('a gated standby consumes nothing until the probe reports an age above the threshold; stands down when a primary pulls again', async () => {
    const topo = await createTopology(c.pubsub, c.bigtable, FAST);
    let age = 0;
    let probes = 0;
    const standby = await startProcessor(
      { ...topo.env, SERVICE_REGION: 'europe-west1', STANDBY_BACKLOG_AGE_SECONDS: '300', STANDBY_POLL_SECONDS: '1', STANDBY_COOLDOWN_SECONDS: '1' },
      {
        host: '127.0.0.1',
        instanceId: 'standby-1',
        backlogProbe: async () => {
          probes++;
          return age;
        },
      },
    );
    let primary: Awaited<ReturnType<typeof startProcessor>> | undefined;
    try {
      const publish = publisher(topo);
      for (let i = 0; i < 5; i++) await publish(`s-${i}`, `dev-${i}`);

      // Below the threshold: it polls, writes its snapshot (not pulling), and takes nothing.
      await waitFor('three probes', async () => probes >= 3, 10_000, 50);
      expect(standby.isPulling()).toBe(false);
      expect(standby.gate?.state).toBe('standby');
      expect(standby.metrics.counters.eventsProcessed).toBe(0);
      const parked = await waitFor('the standby snapshot', async () => (await fleetRows(topo)).find((r) => r.instanceId === 'standby-1'));
      expect(parked).toMatchObject({ region: 'europe-west1', pulling: false, standby: true });

      // Above: it pulls and takes the backlog.
      age = 301;
      await waitFor('the standby to take the backlog', async () => standby.metrics.counters.eventsProcessed >= 5, 20_000, 50);
      expect(standby.isPulling()).toBe(true);
      expect(standby.metrics.counters.standbyStarts).toBe(1);

      // Below again past the cooldown, but no primary pulls: it keeps pulling.
      age = 0;
      await new Promise((r) => setTimeout(r, 3500));
      expect(standby.isPulling()).toBe(true);

      // A primary comes back (its fresh snapshot says it pulls): the standby stands down.
      primary = await startProcessor({ ...topo.env, SERVICE_REGION: 'us-central1' }, { host: '127.0.0.1', instanceId: 'primary-1' });
      await waitFor('the standby to stand down', async () => !standby.isPulling(), 20_000, 100);
      expect(standby.metrics.counters.standbyStops).toBe(1);
      for (let i = 5; i < 10; i++) await publish(`s-${i}`, `dev-${i}`);
      await waitFor('the primary to take the new events', async () => primary!.metrics.counters.eventsProcessed >= 5, 20_000, 50);
      expect(standby.metrics.counters.eventsProcessed).toBe(5);

      // The primary goes away and the backlog ages again: the standby re-opens its stream.
      await primary.stop();
      primary = undefined;
      for (let i = 10; i < 13; i++) await publish(`s-${i}`, `dev-${i}`);
      age = 400;
      await waitFor('the standby to take the new backlog', async () => standby.metrics.counters.eventsProcessed >= 8, 20_000, 50);
      expect(standby.metrics.counters.standbyStarts).toBe(2);
      expect(standby.metrics.counters.eventsProcessed).toBe(8);
    } finally {
      if (primary) await primary.stop();
      await standby.stop();
    }
  });
});
