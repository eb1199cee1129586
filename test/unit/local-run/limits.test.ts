/**
 * The local run names what held it below a target rate: the shared cores when its own
 * processes used them up, another tenant when they did not but the load was high, and the
 * processor next to what it sustains alone on this machine.
 */
import type { FleetResult } from '../../../local/run/fleet';
import { explainLimits, type LimitInputs } from '../../../local/run/limits';
import type { Sample } from '../../../local/run/samples';

const latency = { count: 1, p50: 1, p90: 1, p99: 1, max: 1 };
function sample(atMs: number, messages: number, rows: number, events: number): Sample {
  return {
    atMs,
    elapsedMs: atMs,
    accepted: events,
    dashboardLagMs: 0,
    processor: {
      counters: { eventsProcessed: events, messagesReceived: messages, rowsWritten: rows, eventsDeadLettered: 0, messagesDeadLettered: 0, eventsLate: 0 },
      eventsPerSecond: 0,
      inFlightMessages: 0,
      latencyMs: { sinceStart: latency, lastMinute: latency },
    },
  };
}

function inputs(over: Partial<LimitInputs>): LimitInputs {
  const fleetResult = { counters: { status429: 0 }, shortfall: 100, scheduledEvents: 600_000 } as unknown as FleetResult;
  return {
    loadAverage: 1,
    // 6,000 of 10,000 events/s processed: short of the sustained target.
    sustained: { seconds: 40, targetEps: 10_000, offeredEps: 10_000, acceptedEps: 10_000, processedEps: 6_000, peakAcceptedEps: 10_500 },
    burstPhase: null,
    fleetResult,
    // 10 s apart: 3,000 messages and 63,000 rows -> 300 msgs/s and 6,300 rows/s.
    samples: [sample(6_000, 1_000, 21_000, 60_000), sample(16_000, 4_000, 84_000, 120_000)],
    cpu: [
      { process: 'pubsub-emulator', cpuSeconds: 22, percentOfOneCore: 55 },
      { process: 'speed-processor', cpuSeconds: 22, percentOfOneCore: 55 },
      { process: 'ingest-gateway', cpuSeconds: 16, percentOfOneCore: 40 },
      { process: 'fleet+orchestrator', cpuSeconds: 8, percentOfOneCore: 20 },
      { process: 'bigtable-emulator', cpuSeconds: 6, percentOfOneCore: 15 },
    ],
    eventsPerMessage: 20,
    rate: 10_000,
    burst: 0,
    schedule: { durationMs: 60_000, sustainedEps: 10_000, burstEps: 0, burstStartMs: 60_000, burstEndMs: 60_000 },
    warmupSeconds: 5,
    cores: 2,
    ceilings: { processorEps: 10_205, orderedPullMsgs: 1_573, bigtableRows: 15_190 },
    ...over,
  };
}

describe('explainLimits', () => {
  it('names the shared cores when the run itself used them (185% of 200%), not another tenant', () => {
    const limits = explainLimits(inputs({ loadAverage: 6.8 }));
    expect(limits.map((l) => l.component)).toEqual(['CPU', 'speed-layer processor (pull -> Bigtable)']);
    expect(limits[0].figure).toBe("this run's processes used 185% of 200% while sending (load average 6.8); pubsub-emulator 55%, speed-processor 55%, ingest-gateway 40%, fleet+orchestrator 20%");
    expect(limits[1].figure).toBe(
      '6,000 events/s processed of 10,000 accepted; alone on the emulators it sustains 10,205 events/s (bench/results/processor.json); Pub/Sub delivery 300 msgs/s (emulator ordered pull ceiling 1,573 msgs/s); Bigtable 6,300 rows/s (emulator ceiling 15,190 rows/s)',
    );
    expect(limits[1].explanation).toMatch(/^the processor and both emulators reach the rate on their own, so the shared cores are the limit/);
  });

  it('names another tenant when the load is high but the run used well under the cores', () => {
    const cpu = [{ process: 'speed-processor', cpuSeconds: 20, percentOfOneCore: 50 }];
    const limits = explainLimits(inputs({ loadAverage: 5, cpu }));
    expect(limits[0]).toMatchObject({ component: 'shared machine', figure: "load average 5.0 on 2 cores while sending, but this run's processes used only 50% of 200%" });
    // Without full cores the processor's line does not blame them.
    expect(limits[1].explanation).toMatch(/^the backlog grows/);
  });

  it('names nothing when the run reached its rates', () => {
    const sustained = { seconds: 40, targetEps: 10_000, offeredEps: 10_000, acceptedEps: 10_000, processedEps: 9_950, peakAcceptedEps: 10_500 };
    expect(explainLimits(inputs({ sustained, loadAverage: 6 }))).toEqual([]);
  });

  it('names the shared cores when the rates were reached but a latency bound was missed', () => {
    const sustained = { seconds: 40, targetEps: 10_000, offeredEps: 10_000, acceptedEps: 10_000, processedEps: 10_592, peakAcceptedEps: 10_500 };
    const limits = explainLimits(inputs({ sustained, loadAverage: 6.3, latencyMissed: true }));
    expect(limits[0]).toMatchObject({ component: 'CPU', figure: "this run's processes used 185% of 200% while sending (load average 6.3); pubsub-emulator 55%, speed-processor 55%, ingest-gateway 40%, fleet+orchestrator 20%" });
  });

  it('names the gateway when the fleet could not post what the schedule called for (over 1% short)', () => {
    const fleetResult = { counters: { status429: 3 }, shortfall: 120_000, scheduledEvents: 600_000 } as unknown as FleetResult;
    const limits = explainLimits(inputs({ fleetResult }));
    expect(limits.find((l) => l.component === 'ingest gateway -> Pub/Sub publish')?.figure).toBe(
      '10,000 events/s accepted of 10,000 offered (500 msgs/s published; 3 answers 429; 120,000 events the fleet could not post in time)',
    );
  });
});
