import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeviceFleet, dueAt, eventsDue, type RateSchedule } from '../../../local/run/fleet';
import { FleetLedger } from '../../../local/run/ledger';

/** A stand-in gateway: accepts every valid event, rejects the invalid ones (they carry no valid device id). */
function gateway(): Promise<{ url: string; close: () => Promise<void>; received: () => number }> {
  let received = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const events = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown[];
      received += events.length;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ results: events.map((_, index) => ({ index, status: 'accepted' })) }));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}`, received: () => received, close: () => new Promise((r) => server.close(() => r())) });
    }),
  );
}

/** A test against a fresh counting gateway, closed afterwards whatever the test does. */
async function withGateway(test: (gw: Awaited<ReturnType<typeof gateway>>) => Promise<void>): Promise<void> {
  const gw = await gateway();
  try {
    await test(gw);
  } finally {
    await gw.close();
  }
}

describe('device fleet schedule', () => {
  it('sends every event the schedule calls for, the last request included (no fencepost)', () =>
    withGateway(async (gw) => {
      // 1 s: 400 events/s for 0.5 s then 1,600 events/s for 0.5 s = 200 + 800 = 1,000 events, 10 requests of 100.
      const schedule: RateSchedule = { durationMs: 1000, sustainedEps: 400, burstEps: 1600, burstStartMs: 500, burstEndMs: 1000 };
      const fleet = new DeviceFleet({ ingestUrl: gw.url, apiKey: 'k', runTag: 'rtest', devices: 4, eventsPerRequest: 100, eventBytes: 300, invalidShare: 0, schedule, ledger: new FleetLedger(4, 10_000), drainLimitMs: 2000 });
      const r = await fleet.run();
      expect(r.counters.sent).toBe(1000);
      expect(r.scheduledEvents).toBe(1000);
      expect(r.shortfall).toBe(0);
      expect(gw.received()).toBe(1000);
      // Every event counted in the schedule's only second (0), none in a second after it.
      expect(r.seconds[0].sent).toBe(1000);
      expect(r.seconds.filter((s) => s.second >= 1).reduce((a, s) => a + s.sent + s.accepted, 0)).toBe(0);
      expect(r.seconds.reduce((a, s) => a + s.accepted, 0)).toBe(1000);
    }));

  it('counts each request in the second its events became due (the burst seconds hold exactly the burst)', () =>
    withGateway(async (gw) => {
      // 1,000 events/s for 1 s, then 2,000 events/s for 1 s.
      const schedule: RateSchedule = { durationMs: 2000, sustainedEps: 1000, burstEps: 2000, burstStartMs: 1000, burstEndMs: 2000 };
      const fleet = new DeviceFleet({ ingestUrl: gw.url, apiKey: 'k', runTag: 'rtest', devices: 4, eventsPerRequest: 100, eventBytes: 300, invalidShare: 0.01, schedule, ledger: new FleetLedger(4, 10_000), drainLimitMs: 2000 });
      const r = await fleet.run();
      expect(r.seconds.slice(0, 2).map((x) => x.sent)).toEqual([1000, 2000]);
      // Accepted: the valid ones (1% invalid on purpose), in the second they were offered.
      expect(r.seconds.slice(0, 2).map((x) => x.accepted)).toEqual([990, 1980]);
    }));

  it('inverts the schedule', () => {
    const schedule: RateSchedule = { durationMs: 2000, sustainedEps: 1000, burstEps: 2000, burstStartMs: 1000, burstEndMs: 2000 };
    expect(dueAt(schedule, 1000)).toBe(1000);
    expect(dueAt(schedule, 1001)).toBe(1001);
    expect(dueAt(schedule, 3000)).toBe(2000);
    expect(eventsDue(schedule, dueAt(schedule, 1500) - 1)).toBeLessThan(1500);
  });

  it('sends a last partial request when the total is not a multiple of the request size', () =>
    withGateway(async (gw) => {
      const schedule: RateSchedule = { durationMs: 500, sustainedEps: 500, burstEps: 0, burstStartMs: 500, burstEndMs: 500 };
      const fleet = new DeviceFleet({ ingestUrl: gw.url, apiKey: 'k', runTag: 'rtest', devices: 2, eventsPerRequest: 100, eventBytes: 300, invalidShare: 0, schedule, ledger: new FleetLedger(2, 10_000), drainLimitMs: 2000 });
      const r = await fleet.run();
      expect(r.counters.sent).toBe(250);
      expect(gw.received()).toBe(250);
    }));
});
