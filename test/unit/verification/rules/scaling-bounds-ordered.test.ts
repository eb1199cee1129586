/** scaling-bounds-ordered on the reference pipeline and edits of it, and on the prod config with a crossed processor. */
import { rule } from '../../../../verification/rules/scaling-bounds-ordered';
import { getEnvironmentConfig } from '../../../../stacks/config';
import { check, pipelineDoc, set, statuses } from '../analyses/support/pipeline';
import { verifyConfig } from '../advice/support/config-apply';

describe('scaling-bounds-ordered', () => {
  test('passes on the reference pipeline: four services and two clusters, each min <= max', () => {
    const findings = check(rule, pipelineDoc());
    expect(statuses(findings)).toEqual(Array(6).fill('pass'));
    expect(findings.find((f) => f.address === 'google_cloud_run_v2_service.processor')?.observed).toBe('min 4, max 16 instances');
  });

  test('fails a processor with min 4 above max 2 and names the fix', () => {
    const doc = set(pipelineDoc(), 'google_cloud_run_v2_service', 'processor', 'template.scaling.max_instance_count', 2);
    const f = check(rule, doc).find((x) => x.address === 'google_cloud_run_v2_service.processor')!;
    expect(f.status).toBe('fail');
    expect(f.observed).toBe('min 4, max 2 instances');
    expect(f.fix).toMatch(/lower template\.scaling\.min_instance_count to at most 2/);
  });

  test('fails a Bigtable cluster whose autoscaling min nodes exceed max nodes, per cluster', () => {
    const doc = pipelineDoc();
    const clusters = doc.resource.google_bigtable_instance.hot.cluster as { autoscaling_config: Record<string, number> }[];
    clusters[1].autoscaling_config.min_nodes = 7;
    const bigtable = check(rule, doc).filter((f) => f.address === 'google_bigtable_instance.hot');
    expect(statuses(bigtable)).toEqual(['pass', 'fail']);
    expect(bigtable[1].message).toMatch(/cluster hot-eu has min 7 above max 6 nodes/);
  });

  test('a pending bound is unknown, never a pass', () => {
    const doc = set(pipelineDoc(), 'google_cloud_run_v2_service', 'gateway', 'template.scaling.max_instance_count', '${var.max}');
    const f = check(rule, doc).find((x) => x.address === 'google_cloud_run_v2_service.gateway')!;
    expect(f.status).toBe('unknown');
  });

  test('reads v1 services from their minScale / maxScale annotations', () => {
    const doc = pipelineDoc();
    doc.resource.google_cloud_run_service = {
      legacy: { name: 'legacy', location: 'us-central1', template: { metadata: { annotations: { 'autoscaling.knative.dev/minScale': '3', 'autoscaling.knative.dev/maxScale': '1' } }, spec: { containers: [{ image: 'x' }] } } },
    };
    const f = check(rule, doc).find((x) => x.address === 'google_cloud_run_service.legacy')!;
    expect(f.status).toBe('fail');
    expect(f.observed).toBe('min 3, max 1 instances');
  });

  test('the prod config with processor max 2 below its min 4 fails verification', () => {
    const prod = getEnvironmentConfig('prod');
    const report = verifyConfig({ ...prod, processing: { ...prod.processing, processor: { ...prod.processing.processor, maxInstances: 2 } } });
    expect(report.verdict).toBe('fail');
    const crossed = report.results.filter((r) => r.rule === 'scaling-bounds-ordered' && r.status === 'fail');
    // the primary copy: min 4 > max 2; the europe-west1 copy is clamped by the stacks to min(1, 2) = 1
    expect(crossed.map((r) => r.address)).toEqual([expect.stringMatching(/^google_cloud_run_v2_service\.stream-processing_processor_/)]);
  });
});
