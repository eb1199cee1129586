/**
 * Capacity at configured bounds (performance.json): Pub/Sub 200 MB/s in us-central1; gateway
 * 10,000 events/s per vCPU; processor 5,000; Dataflow 1,500; Bigtable SSD 14,000 rows/s per
 * node at 70%; 1.1 rows per event (10,000 events + 1,000 aggregate rows per second).
 */
import { analyse, pipelineDoc, set } from './support/pipeline';

const byName = (r: ReturnType<typeof analyse>, name: string) => r.capacity.components.find((c) => c.component === name)!;

describe('capacity', () => {
  const r = analyse(pipelineDoc());

  test('per component at its bounds', () => {
    expect(byName(r, 'Pub/Sub publish quota').sustainedEventsPerSecond).toBe(200_000); // 200e6 B/s / 1,000 B
    expect(byName(r, 'ingest-gateway (Cloud Run)').sustainedEventsPerSecond).toBe(200_000); // 20 x 1 vCPU x 10,000
    const p = byName(r, 'processor (Cloud Run)');
    expect(p.sustainedEventsPerSecond).toBe(160_000); // 16 x 2 x 5,000
    expect(p.burstEventsPerSecond).toBe(40_000); // 4 instances running at sustained load x 10,000
    const bt = byName(r, 'hot store (Bigtable)');
    // Rows per event: (10,000 events + 1,000 aggregates + fleet snapshots 4 instances / 2 s = 2) / 10,000 = 1.1002.
    expect(bt.sustainedEventsPerSecond!).toBeCloseTo((6 * 14_000 * 0.7) / 1.1002, 3); // 53,444.8
    expect(bt.burstEventsPerSecond!).toBeCloseTo((2 * 14_000) / 1.1002, 3); // 25,449.9 at full CPU
    const df = byName(r, 'archive (Dataflow)');
    expect(df.sustainedEventsPerSecond).toBe(30_000); // 10 x 2 vCPU x 1,500
    expect(df.burstEventsPerSecond).toBe(12_000); // 4 workers at sustained load
  });

  test('the bottleneck is the archive job at 30,000 events/s', () => {
    expect(r.capacity.sustainedEventsPerSecond).toBe(30_000);
    expect(r.capacity.bottleneck).toBe('archive (Dataflow) (google_dataflow_job.archive)');
  });

  test('a 60 s burst of 50,000 is absorbed: Dataflow backlog 38,000 x 60 = 2,280,000 drains at 2,000/s in 1,140 s < 7-day retention', () => {
    expect(r.capacity.burstAbsorbed.absorbed).toBe(true);
    expect(r.capacity.burstAbsorbed.explanation).toMatch(/= 2280000 events, drained at 2000 events\/s in 1140 s/);
  });

  test('3 max workers: 9,000 < 10,000 events/s is the bottleneck, and no margin drains a burst', () => {
    const doc = set(pipelineDoc(), 'google_dataflow_job', 'archive', 'max_workers', 3);
    const x = analyse(doc);
    expect(x.capacity.sustainedEventsPerSecond).toBe(9_000);
    expect(x.capacity.burstAbsorbed.absorbed).toBe(false);
  });

  test('a gateway of at most 2 instances (20,000 events/s) refuses the burst at the front door', () => {
    const doc = set(pipelineDoc(), 'google_cloud_run_v2_service', 'gateway', 'template.scaling.max_instance_count', 2);
    const x = analyse(doc);
    expect(x.capacity.burstAbsorbed.absorbed).toBe(false);
    expect(x.capacity.burstAbsorbed.explanation).toMatch(/front door/);
  });
});

describe('Dataflow sizing read from labels', () => {
  it('says the labels are the intent, which Dataflow does not apply; without them nothing is said', () => {
    const labelled = set(pipelineDoc(), 'google_dataflow_job', 'archive', 'labels', { 'workers-initial': '4' });
    const basis = (doc: ReturnType<typeof pipelineDoc>) => analyse(doc).capacity.components.find((c) => c.component === 'archive (Dataflow)')!.basis;
    expect(basis(labelled)).toMatch(/\(workers-initial from the job's labels: the intent, which Dataflow does not apply; .*gcloud dataflow jobs run --num-workers/);
    expect(basis(pipelineDoc())).not.toContain('labels');
  });
});
