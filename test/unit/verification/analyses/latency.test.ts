/**
 * Latency: per-hop lognormals fitted to p50/p99 (latency.json), summed by numerical convolution
 * on a grid. Reference path hops (p50/p99 ms): gateway 3/15, publish 10/40, delivery 15/60,
 * processor 2/10, Bigtable SSD write 6/20: sum of medians 36 ms, naive sum of p99s 145 ms.
 */
import { mixturePercentiles, normalCdf, sumPercentiles, type HopDistribution } from '../../../../verification/analyses/stats/distributions';
import { analyse, pipelineDoc, set, unset } from './support/pipeline';

const CELLS = 16_384;
const lognormal = (p50: number, p99: number): HopDistribution => ({ kind: 'lognormal', p50, p99 });
const REFERENCE_PATH = [lognormal(3, 15), lognormal(10, 40), lognormal(15, 60), lognormal(2, 10), lognormal(6, 20)];

describe('sum of hop distributions', () => {
  test('the normal CDF matches tabulated values (Phi(0) = 0.5, Phi(1.96) = 0.9750021048517795, Phi(-6) = 9.865876450377e-10)', () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021048517795, 14);
    expect(normalCdf(-1.96)).toBeCloseTo(1 - 0.9750021048517795, 14);
    expect(normalCdf(-6)).toBeCloseTo(9.865876450377e-10, 14);
    expect(normalCdf(2.3263478740408408)).toBeCloseTo(0.99, 14);
  });

  test('one lognormal hop returns its own p50 and p99', () => {
    const s = sumPercentiles([lognormal(3, 15)], CELLS);
    expect(s.p50).toBeCloseTo(3, 2);
    expect(s.p99).toBeCloseTo(15, 2);
  });

  test('a uniform wait on [0, 1,000] has p50 500 and p99 990', () => {
    const s = sumPercentiles([{ kind: 'uniform', max: 1000 }], CELLS);
    expect(s.p50).toBeCloseTo(500, 6);
    expect(s.p99).toBeCloseTo(990, 6);
  });

  test('two uniform waits on [0, 1] sum to the triangle on [0, 2]: p50 1, p99 2 - sqrt(0.02)', () => {
    const s = sumPercentiles([{ kind: 'uniform', max: 1 }, { kind: 'uniform', max: 1 }], CELLS);
    expect(s.p50).toBeCloseTo(1, 3);
    expect(s.p99).toBeCloseTo(2 - Math.sqrt(0.02), 3);
  });

  test('constants shift the sum, and a lognormal with p99 = p50 is the constant p50', () => {
    const alone = sumPercentiles([{ kind: 'uniform', max: 1000 }], CELLS);
    const shifted = sumPercentiles([{ kind: 'uniform', max: 1000 }, { kind: 'constant', value: 250 }, lognormal(50, 50)], CELLS);
    expect(shifted.p50).toBeCloseTo(alone.p50 + 300, 6);
    expect(shifted.p99).toBeCloseTo(alone.p99 + 300, 6);
    expect(sumPercentiles([{ kind: 'constant', value: 7 }], CELLS)).toEqual({ p50: 7, p99: 7 });
  });

  test('the reference path: p50 40.4 ms and p99 91.7 ms, the same to 0.001 ms on a 4x finer grid', () => {
    const s = sumPercentiles(REFERENCE_PATH, CELLS);
    const fine = sumPercentiles(REFERENCE_PATH, 4 * CELLS);
    expect([Math.round(s.p50 * 10) / 10, Math.round(s.p99 * 10) / 10]).toEqual([40.4, 91.7]);
    expect(Math.abs(s.p50 - fine.p50)).toBeLessThan(0.001);
    expect(Math.abs(s.p99 - fine.p99)).toBeLessThan(0.001);
    // Between the sum of medians (36) and the naive sum of p99s (145).
    expect(s.p50).toBeGreaterThan(36);
    expect(s.p99).toBeLessThan(145);
  });

  test('a window path (a 15 s uniform wait, a constant and heavy lognormals) moves under 1e-5 of its p99 on a 4x finer grid', () => {
    const hops: HopDistribution[] = [...REFERENCE_PATH, { kind: 'uniform', max: 15_000 }, { kind: 'constant', value: 2000 }, lognormal(200, 1500)];
    const s = sumPercentiles(hops, CELLS);
    const fine = sumPercentiles(hops, 4 * CELLS);
    expect(Math.abs(s.p99 - fine.p99) / fine.p99).toBeLessThan(1e-5);
    expect(Math.abs(s.p50 - fine.p50) / fine.p50).toBeLessThan(1e-5);
  });

  test('a mixture lies between its paths, and one path with all the weight is that path', () => {
    const slow = [...REFERENCE_PATH, lognormal(30, 45)];
    const fast = sumPercentiles(REFERENCE_PATH, CELLS);
    const alone = sumPercentiles(slow, CELLS);
    const mix = mixturePercentiles([{ weight: 0.8, hops: REFERENCE_PATH }, { weight: 0.2, hops: slow }], CELLS);
    expect(mix.p99).toBeGreaterThan(fast.p99);
    expect(mix.p99).toBeLessThan(alone.p99);
    expect(mixturePercentiles([{ weight: 1, hops: slow }, { weight: 0, hops: REFERENCE_PATH }], CELLS)).toEqual(alone);
    expect(() => mixturePercentiles([{ weight: 0, hops: slow }], CELLS)).toThrow('no path with a positive weight');
  });

  test('a grid that is not a power of two is refused', () => {
    expect(() => sumPercentiles([lognormal(3, 15), lognormal(4, 16)], 10_000)).toThrow('10000 cells is not a power of two');
  });
});

describe('event-processing critical path', () => {
  test('SSD, multi-cluster routing, one region: p50 above the 36 ms sum of medians, p99 far below the 145 ms naive sum, within 100 ms', () => {
    const { processing } = analyse(pipelineDoc()).latency;
    expect(processing.hops.map((h) => h.name)).toEqual([
      'ingest gateway',
      'Pub/Sub publish',
      'Pub/Sub delivery',
      'processor',
      // 11,000 rows/s on 2 nodes x 14,000 = 39% CPU, under the 70% latency target: no penalty.
      'Bigtable write (SSD, cluster hot-us, 39% CPU)',
    ]);
    expect(processing.p50Ms!).toBeGreaterThan(36);
    expect(processing.p50Ms!).toBeLessThan(50);
    expect(processing.p99Ms!).toBeGreaterThan(60); // at least the slowest hop's p99
    expect(processing.p99Ms!).toBeLessThan(100);
    expect(processing.method).toMatch(/naive sum of p99s 145 ms/);
  });

  test('HDD hot store: the 50/200 ms write hop breaks both bounds (sum of medians 80 ms)', () => {
    const doc = pipelineDoc();
    for (const c of doc.resource.google_bigtable_instance.hot.cluster as Record<string, unknown>[]) c.storage_type = 'HDD';
    const { processing } = analyse(doc).latency;
    expect(processing.p50Ms!).toBeGreaterThan(80);
    expect(processing.p99Ms!).toBeGreaterThan(200);
  });

  test('CPU above the 70% target slows the write: 1 fixed SSD node at 11,000 / 14,000 = 79% CPU -> x1.5 p50, x2.5 p99 (9/50 ms)', () => {
    const doc = pipelineDoc();
    for (const c of doc.resource.google_bigtable_instance.hot.cluster as Record<string, unknown>[]) {
      delete c.autoscaling_config;
      c.num_nodes = 1;
    }
    const hop = analyse(doc).latency.processing.hops.find((h) => h.name.startsWith('Bigtable write'))!;
    expect(hop.name).toMatch(/79% CPU/);
    expect(hop.p50Ms).toBeCloseTo(9, 5);
    expect(hop.p99Ms).toBeCloseTo(50, 5);
  });

  test('an overloaded cluster (1 HDD node, 11,000 / 10,000 = 110% CPU) makes latency unbounded: unknown, never a number', () => {
    const doc = pipelineDoc();
    for (const c of doc.resource.google_bigtable_instance.hot.cluster as Record<string, unknown>[]) {
      delete c.autoscaling_config;
      c.num_nodes = 1;
      c.storage_type = 'HDD';
    }
    const { processing } = analyse(doc).latency;
    expect(processing.p99Ms).toBeNull();
    expect(processing.missing.join(' ')).toMatch(/110% CPU at sustained load, cannot keep up/);
  });

  test('a processor in another region than the gateway adds the intercontinental penalty (50/70 ms)', () => {
    const doc = set(pipelineDoc(), 'google_cloud_run_v2_service', 'processor', 'location', 'europe-west1');
    const { processing } = analyse(doc).latency;
    const cross = processing.hops.find((h) => h.name.startsWith('cross-region'))!;
    expect(cross.name).toBe('cross-region us-central1 -> europe-west1 (Pub/Sub delivery from the publish region)');
    expect([cross.p50Ms, cross.p99Ms]).toEqual([50, 70]);
    // The nearest cluster (hot-eu) serves the write: no second penalty.
    expect(processing.hops.filter((h) => h.name.startsWith('cross-region'))).toHaveLength(1);
    expect(processing.p50Ms!).toBeGreaterThan(86);
  });

  test('a missing hop leaves the path unknown and names it', () => {
    const doc = unset(pipelineDoc(), 'google_cloud_run_v2_service', 'processor');
    const { processing } = analyse(doc).latency;
    expect(processing.p99Ms).toBeNull();
    expect(processing.missing).toContain('processor service');
  });
});

describe('regional processors: a mixture over the regions that pull', () => {
  /** A second processor in europe-west1 pulling the one subscription with `min` instances of 2 vCPU. */
  const withEuProcessor = (min: number) => {
    const doc = pipelineDoc();
    const eu = JSON.parse(JSON.stringify(doc.resource.google_cloud_run_v2_service.processor)) as Record<string, unknown>;
    eu.location = 'europe-west1';
    (eu.template as { scaling: { min_instance_count: number } }).scaling.min_instance_count = min;
    doc.resource.google_cloud_run_v2_service.processor_eu = eu;
    return doc;
  };

  test('a standby at 1 instance takes 2 / (4 x 2 + 1 x 2) = 20% of the events through an intercontinental delivery: p99 124.8 ms > 100 ms', () => {
    const alone = analyse(pipelineDoc()).latency.processing;
    const { processing } = analyse(withEuProcessor(1)).latency;
    // The primary runs max(4 min, ceil(10,000 / (2 x 5,000))) = 4 instances x 2 vCPU = 8; the standby 1 x 2 = 2.
    expect(processing.method).toMatch(/us-central1 4 instance\(s\) x 2 vCPU = 80% of the events \(p50 40.4 ms, p99 91.7 ms alone\)/);
    // Its path adds the 50/70 ms penalty of delivery from the publish region (us-central1) and writes to the nearest cluster (hot-eu).
    expect(processing.method).toMatch(/europe-west1 1 instance\(s\) x 2 vCPU = 20% of the events \(p50 91.4 ms, p99 144.6 ms alone\)/);
    expect(processing.hops.filter((h) => h.name.startsWith('cross-region')).map((h) => h.name)).toEqual([
      'cross-region us-central1 -> europe-west1 (Pub/Sub delivery from the publish region) (via europe-west1, 20%)',
    ]);
    // The mixture's CDF is 0.8 F_us + 0.2 F_eu: its p99 lies between the two paths' p99s, far above the primary's alone.
    expect(processing.p99Ms).toBe(124.8);
    expect(processing.p99Ms!).toBeGreaterThan(alone.p99Ms!);
    expect(processing.p50Ms).toBe(44.8);
  });

  test('a standby at 0 instances pulls nothing at the sustained rate: the path is the primary\'s alone (91.7 ms)', () => {
    const { processing } = analyse(withEuProcessor(0)).latency;
    expect(processing.p99Ms).toBe(91.7);
    expect(processing.hops.some((h) => h.name.startsWith('cross-region'))).toBe(false);
  });

  /** The europe-west1 processor as a gated warm standby: 1 warm instance that pulls only when the backlog is older than `threshold` s. */
  const withGatedStandby = (threshold: number) => {
    const doc = withEuProcessor(1);
    const c = (doc.resource.google_cloud_run_v2_service.processor_eu.template as { containers: { env: { name: string; value: string }[] } }).containers;
    c.env = [...c.env.map((e) => (e.name === 'SERVICE_REGION' ? { ...e, value: 'europe-west1' } : e)), { name: 'STANDBY_BACKLOG_AGE_SECONDS', value: String(threshold) }, { name: 'STANDBY_POLL_SECONDS', value: '30' }, { name: 'STANDBY_COOLDOWN_SECONDS', value: '300' }];
    return doc;
  };

  test('a gated standby (STANDBY_BACKLOG_AGE_SECONDS 300) takes no share at the sustained rate: the primary\'s 91.7 ms, not the 124.8 ms mixture', () => {
    const { processing } = analyse(withGatedStandby(300)).latency;
    expect([processing.p99Ms, processing.p50Ms]).toEqual([91.7, 40.4]);
    expect(processing.hops.some((h) => h.name.startsWith('cross-region'))).toBe(false);
    expect(processing.method).toMatch(/google_cloud_run_v2_service\.processor_eu \(europe-west1\) is a gated standby: it pulls only when the backlog is older than its STANDBY_BACKLOG_AGE_SECONDS, so it takes 0% at the sustained rate/);
  });

  test('bursts whose longest wait (57.9 s) stays under the 300 s threshold leave it idle: no warning, no burst mixture', () => {
    const r = analyse(withGatedStandby(300), { workload: { burstsPerDay: 4 } }).latency;
    expect(r.burst!.standbys).toEqual([
      expect.objectContaining({ address: 'google_cloud_run_v2_service.processor_eu', thresholdSeconds: 300, pullsDuringBursts: false, basis: expect.stringMatching(/stays idle in bursts: the longest backlog age 57\.9 s <= its 300 s threshold/) }),
    ]);
    expect(r.burst!.processingWhileStandbyPulls).toBeUndefined();
    expect(r.warnings!.some((w) => /standby/.test(w))).toBe(false);
  });

  test('a 30 s threshold under the 57.9 s burst wait: the standby pulls during bursts (warning), and the burst-time mixture carries its cross-region share', () => {
    const r = analyse(withGatedStandby(30), { workload: { burstsPerDay: 4 } }).latency;
    expect(r.burst!.standbys![0].pullsDuringBursts).toBe(true);
    const w = r.warnings!.find((x) => /will pull during bursts/.test(x))!;
    expect(w).toMatch(/^the standby google_cloud_run_v2_service\.processor_eu \(europe-west1\) will pull during bursts: a burst's backlog reaches 57\.9 s > its 30 s threshold/);
    expect(w).toMatch(/raise STANDBY_BACKLOG_AGE_SECONDS above 58 s/);
    // During the burst the primary runs ceil(50,000 / 10,000) = 5 instances x 2 vCPU = 10, the standby 1 x 2 = 2: 17% cross the Atlantic.
    const m = r.burst!.processingWhileStandbyPulls!;
    expect(m.method).toMatch(/europe-west1 1 instance\(s\) x 2 vCPU = 17% of the events/);
    expect(m.p99Ms!).toBeGreaterThan(91.7);
    // The sustained-rate figure the bound is judged on stays the primary's.
    expect(r.processing.p99Ms).toBe(91.7);
  });

  test('capacity at a burst\'s start counts no gated standby: processor 4 x 2 x 5,000 = 40,000 (an always-pulling standby adds its 10,000)', () => {
    const processor = (doc: ReturnType<typeof pipelineDoc>) => analyse(doc).capacity.components.find((c) => c.component.startsWith('processor'))!;
    expect(processor(withEuProcessor(1)).burstEventsPerSecond).toBe(50_000);
    const gated = processor(withGatedStandby(300));
    expect(gated.burstEventsPerSecond).toBe(40_000);
    expect(gated.basis).toMatch(/0 at a burst's start \(gated standby/);
  });

  test('no processor instance at the sustained rate is unknown, not a number', () => {
    const doc = set(pipelineDoc(), 'google_cloud_run_v2_service', 'processor', 'template.scaling.min_instance_count', 0);
    set(doc, 'google_cloud_run_v2_service', 'processor', 'template.scaling.max_instance_count', 0);
    const { processing } = analyse(doc).latency;
    expect(processing.p99Ms).toBeNull();
  });
});

describe('bursts: judged at the sustained rate, their effect reported', () => {
  // The speed path at a burst's start: min(processor 4 x 2 x 5,000 = 40,000, Bigtable 2 nodes x 14,000 / 1.1002 rows
  // per event (events 10,000 + aggregates 1,000 + fleet snapshots 4 instances / 2 s = 2 rows/s, over 10,000 events/s)
  // = C = 25,449.9 events/s. B = 50,000 for D = 60 s, A = 10,000:
  //   Q = (50,000 - 25,449.9) x 60 = 1,473,005 events; T = Q / (C - A) = 1,473,005 / 15,449.9 = 95.34 s
  //   delayed = 50,000 x 60 + 10,000 x 95.34 = 3,953,407; longest wait = Q / C = 57.88 s
  //   beyond 100 ms (backlog > 0.1 x C = 2,545): 50,000 x (60 - 2,545 / 24,550.1) + 10,000 x (Q - 2,545) / 15,449.9
  //     = 3,946,576 per burst
  //   month: 4 x 730 / 24 = 121.67 bursts; 10,111.1 events/s x 2,628,000 s = 26,572,000,000 events -> 1.81%
  const r = analyse(pipelineDoc(), { workload: { burstsPerDay: 4 } });
  const b = r.latency.burst!;

  test('events delayed per burst, the longest wait and the share of the month beyond the p99 bound', () => {
    expect(b.capacityEventsPerSecond).toBeCloseTo(25_449.915, 2);
    expect(b.delayedPerBurst).toBeCloseTo(3_953_406.6, 0);
    expect(b.longestWaitSeconds).toBeCloseTo(57.879, 3);
    expect(b.drainSeconds).toBeCloseTo(95.341, 3);
    expect(b.delayedBeyondBoundPerBurst).toBeCloseTo(3_946_576.1, 0);
    expect(b.monthShareBeyondBound).toBeCloseTo(0.01807, 5);
  });

  test('more than 1% of the month beyond the bound is a warning; the p99 is still the sustained-rate figure', () => {
    expect(r.latency.warnings).toHaveLength(1);
    expect(r.latency.warnings![0]).toMatch(/^bursts delay 1\.81% of the month's events beyond the 100 ms p99 bound \(more than 1%\)/);
    expect(r.latency.processing.p99Ms).toBe(91.7);
    expect(r.latency.processing.method).toMatch(/at the sustained rate \(spec assumption burst-buffered/);
  });

  test('the dashboard lag during a burst: the longest wait plus the live path\'s worst case (57,879 + 4,614.9 = 62,493 ms)', () => {
    expect(b.dashboardLagMs).toBe(62_493);
  });

  test('with 5 Bigtable nodes (5 x 14,000 / 1.1 = 63,636) the processor (40,000) is the slowest stage: Q = 10,000 x 60 = 600,000, longest wait 15 s', () => {
    const doc = pipelineDoc();
    for (const c of doc.resource.google_bigtable_instance.hot.cluster as { autoscaling_config: { min_nodes: number; max_nodes: number } }[]) {
      c.autoscaling_config.min_nodes = 5;
      c.autoscaling_config.max_nodes = 8;
    }
    // 5 x 14,000 / 1.1 = 63,636 > the processor's 40,000, which is then the slowest stage: Q = 10,000 x 60 = 600,000.
    const x = analyse(doc, { workload: { burstsPerDay: 4 } }).latency.burst!;
    expect(x.capacityEventsPerSecond).toBe(40_000);
    expect(x.longestWaitSeconds).toBe(15); // 600,000 / 40,000
  });
});

describe('a burst with no margin at its start', () => {
  test('1 processor instance (2 x 5,000 = the 10,000 events/s average) at a burst\'s start: how long the backlog lasts is unknown, not "never drains" (autoscaling adds instances up to 16)', () => {
    const doc = set(pipelineDoc(), 'google_cloud_run_v2_service', 'processor', 'template.scaling.min_instance_count', 1);
    const b = analyse(doc, { workload: { burstsPerDay: 4 } }).latency.burst!;
    expect(b.capacityEventsPerSecond).toBe(10_000);
    expect([b.longestWaitSeconds, b.drainSeconds]).toEqual([null, null]);
    expect(b.basis).toMatch(/takes 10000 events\/s at a burst's start, no margin over the 10000 events\/s average: the backlog drains only as autoscaling adds capacity \(up to 160000 events\/s\), so how long it lasts is unknown/);
  });
});

describe('dashboard freshness: the live figures (judged) and the window series (reported)', () => {
  test('live figures through the Bigtable fleet table: snapshot every 2 s + 0.5 s live cache + 2 s refresh = 4,500 ms of waits + p99 of processing, write, read and analytics = 4,614.9 ms', () => {
    const { dashboardFreshness } = analyse(pipelineDoc()).latency;
    expect(dashboardFreshness.maxMs).toBe(4_614.9);
    expect(dashboardFreshness.hops.map((h) => h.name)).toEqual([
      'event processing (path above)',
      'wait for the next fleet snapshot (every 2 s)',
      'fleet snapshot: Bigtable write (SSD, google_bigtable_table.fleet)',
      'analytics /v1/fleet/live: Bigtable read (SSD, google_bigtable_table.fleet)',
      'analytics service',
      'dashboard live cache (shared for 500 ms)',
      'dashboard refresh wait (every 2 s)',
    ]);
  });

  test('the dashboard\'s default 1 s live cache (prod sets none): 2,000 + 1,000 + 2,000 = 5,000 ms of waits alone, + 114.9 ms = 5,114.9 ms', () => {
    const doc = pipelineDoc();
    const c = doc.resource.google_cloud_run_v2_service.dashboard.template as { containers: { env: { name: string }[] } };
    c.containers.env = c.containers.env.filter((e) => e.name !== 'LIVE_CACHE_MS');
    expect(analyse(doc).latency.dashboardFreshness.maxMs).toBe(5_114.9);
  });

  test('snapshots every 1 s: one second less (3,614.9 ms); every 5 s: 7,614.9 ms', () => {
    const at = (n: string) => {
      const doc = pipelineDoc();
      const env = (doc.resource.google_cloud_run_v2_service.processor.template as { containers: { env: { name: string; value: string }[] } }).containers.env;
      env.find((e) => e.name === 'FLEET_METRICS_SECONDS')!.value = n;
      return analyse(doc).latency.dashboardFreshness.maxMs;
    };
    expect(at('1')).toBe(3_614.9);
    expect(at('5')).toBe(7_614.9);
  });

  test('window series: slide 10 s + watermark 2 x 5 s (a device sends every 60,000 / 10,000 = 6 s > 5 s) + timer max(1, 10 / 2) = 5 s + refresh 2 s = 27,000 ms + p99 of the rest', () => {
    const w = analyse(pipelineDoc()).latency.windowFreshness!;
    expect(w.maxMs).toBe(27_122.5);
    expect(w.hops.find((h) => h.name.startsWith('watermark'))!.name).toBe('watermark (10 s: 2 x 5 s delay, a device sends every 6 s)');
  });

  test('devices that send more often than the watermark delay close a window at their next event: 6,000 devices at 10,000 events/s send every 0.6 s -> 5 + 0.6 s', () => {
    const w = analyse(pipelineDoc(), { workload: { deviceCount: 6_000 } }).latency.windowFreshness!;
    expect(w.hops.find((h) => h.name.startsWith('watermark'))!.p50Ms).toBe(5_600);
  });

  const env = (doc: ReturnType<typeof pipelineDoc>, service: string) => (doc.resource.google_cloud_run_v2_service[service].template as { containers: { env: { name: string; value: string }[] } }).containers;
  const without = (service: string, name: string) => {
    const doc = pipelineDoc();
    const c = env(doc, service);
    c.env = c.env.filter((e) => e.name !== name);
    return doc;
  };

  test('no BIGTABLE_FLEET_TABLE on the analytics service, or on the processor: the live figures are unknown, the missing link named', () => {
    const a = analyse(without('analytics', 'BIGTABLE_FLEET_TABLE')).latency.dashboardFreshness;
    expect(a.maxMs).toBeNull();
    expect(a.missing).toEqual(['google_cloud_run_v2_service.analytics: BIGTABLE_FLEET_TABLE is not set']);
    const p = analyse(without('processor', 'BIGTABLE_FLEET_TABLE')).latency.dashboardFreshness;
    expect(p.maxMs).toBeNull();
    expect(p.missing).toEqual(['google_cloud_run_v2_service.processor: BIGTABLE_FLEET_TABLE is not set']);
  });

  test('a fleet table not declared in the graph, or the two services naming different tables: unknown', () => {
    const doc = pipelineDoc();
    delete doc.resource.google_bigtable_table.fleet;
    expect(analyse(doc).latency.dashboardFreshness.missing.join(' ')).toMatch(/google_cloud_run_v2_service\.analytics: BIGTABLE_FLEET_TABLE google_bigtable_table\.fleet is no table of google_bigtable_instance\.hot declared in the graph/);
    const other = pipelineDoc();
    env(other, 'analytics').env.find((e) => e.name === 'BIGTABLE_FLEET_TABLE')!.value = 'events';
    expect(analyse(other).latency.dashboardFreshness.missing).toEqual([
      'google_cloud_run_v2_service.processor writes its snapshots to google_bigtable_table.fleet but google_cloud_run_v2_service.analytics reads google_bigtable_table.events',
    ]);
  });

  test('a literal table name resolves like a reference; FLEET_METRICS_SECONDS unset takes the processor default (2 s)', () => {
    const doc = pipelineDoc();
    for (const s of ['processor', 'analytics']) env(doc, s).env.find((e) => e.name === 'BIGTABLE_FLEET_TABLE')!.value = 'fleet';
    const c = env(doc, 'processor');
    c.env = c.env.filter((e) => e.name !== 'FLEET_METRICS_SECONDS');
    expect(analyse(doc).latency.dashboardFreshness.maxMs).toBe(4_614.9);
  });

  test('analytics keeping snapshots no longer than they are written (max age 2 s, every 2 s) drops instances: unknown', () => {
    const doc = pipelineDoc();
    env(doc, 'analytics').env.find((e) => e.name === 'FLEET_SNAPSHOT_MAX_AGE_SECONDS')!.value = '2';
    expect(analyse(doc).latency.dashboardFreshness.missing).toEqual([
      "google_cloud_run_v2_service.analytics: FLEET_SNAPSHOT_MAX_AGE_SECONDS 2 s <= the processors' snapshot interval 2 s, so /v1/fleet/live drops instances between their writes",
    ]);
  });

  test('no refresh interval: unknown, with the env var to set', () => {
    const doc = pipelineDoc();
    const c = doc.resource.google_cloud_run_v2_service.dashboard.template as { containers: { env: unknown[] } };
    c.containers.env = [c.containers.env[0]];
    const f = analyse(doc).latency.dashboardFreshness;
    expect(f.maxMs).toBeNull();
    expect(f.missing.join(' ')).toMatch(/DASHBOARD_REFRESH_SECONDS/);
  });

  test('batch view: 30 s overhead + 804.66 GiB (a full day partition) / 2 GiB/s = 432.3 s = 7.21 min', () => {
    expect(analyse(pipelineDoc()).latency.batchJobMinutes).toBeCloseTo(7.21, 2);
  });
});
