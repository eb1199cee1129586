/**
 * Latency: per-hop lognormals fitted to p50/p99 (latency.json), summed by a seeded Monte
 * Carlo. Reference path hops (p50/p99 ms): gateway 3/15, publish 10/40, delivery 15/60,
 * processor 2/10, Bigtable SSD write 6/20: sum of medians 36 ms, naive sum of p99s 145 ms.
 */
import { sumPercentiles } from '../../../../verification/analyses/stats/distributions';
import { analyse, pipelineDoc, set, unset } from './support/pipeline';

describe('sum of hop distributions', () => {
  test('one lognormal hop returns its own p50 and p99 (within Monte Carlo error)', () => {
    const s = sumPercentiles([{ kind: 'lognormal', p50: 3, p99: 15 }], 200_000, 1);
    expect(s.p50).toBeGreaterThan(3 * 0.98);
    expect(s.p50).toBeLessThan(3 * 1.02);
    expect(s.p99).toBeGreaterThan(15 * 0.96);
    expect(s.p99).toBeLessThan(15 * 1.04);
  });

  test('a uniform wait on [0, 1,000] has p50 500 and p99 990', () => {
    const s = sumPercentiles([{ kind: 'uniform', max: 1000 }], 200_000, 7);
    expect(s.p50).toBeCloseTo(500, -1);
    expect(s.p99).toBeCloseTo(990, -1);
  });

  test('the same seed gives the same figures', () => {
    const hops = [{ kind: 'lognormal' as const, p50: 10, p99: 40 }, { kind: 'lognormal' as const, p50: 15, p99: 60 }];
    expect(sumPercentiles(hops, 50_000, 42)).toEqual(sumPercentiles(hops, 50_000, 42));
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
    expect(cross.name).toBe('cross-region us-central1 -> europe-west1');
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

describe('dashboard freshness and batch job', () => {
  test('refresh every 2 s: worst case = 2,000 ms + p99 of processing, analytics and read, well under 5 s', () => {
    const { dashboardFreshness } = analyse(pipelineDoc()).latency;
    expect(dashboardFreshness.maxMs!).toBeGreaterThan(2000 + 60);
    expect(dashboardFreshness.maxMs!).toBeLessThan(2000 + 200);
    // The median waits half an interval: ~1,000 ms plus ~50 ms of the rest.
    expect(dashboardFreshness.p50Ms!).toBeGreaterThan(1000);
    expect(dashboardFreshness.p50Ms!).toBeLessThan(1200);
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
