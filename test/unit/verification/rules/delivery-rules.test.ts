/** Rules on how the stream is consumed: pull subscribers kept running, one event per archived message. */
import { rule as pullConsumer } from '../../../../verification/rules/pull-consumer-always-on';
import { rule as oneEventPerMessage } from '../../../../verification/rules/archive-one-event-per-message';
import { check, pipelineDoc, set, statuses, unset, withGatedStandby } from '../analyses/support/pipeline';

describe('pull-consumer-always-on', () => {
  test('the reference processor (min 4, cpu_idle false) passes', () => {
    const [f] = check(pullConsumer, pipelineDoc());
    expect(f.status).toBe('pass');
    expect(f.address).toBe('google_cloud_run_v2_service.processor');
  });

  test('min instances 0 fails: nothing pulls until traffic arrives, and none does', () => {
    const doc = set(pipelineDoc(), 'google_cloud_run_v2_service', 'processor', 'template.scaling.min_instance_count', 0);
    const [f] = check(pullConsumer, doc);
    expect(f.status).toBe('fail');
    expect(f.observed).toBe('min_instance_count 0');
  });

  test('unset min instances counts as 0; request-only CPU fails too, both named', () => {
    const doc = unset(pipelineDoc(), 'google_cloud_run_v2_service', 'processor', 'template.scaling.min_instance_count');
    set(doc, 'google_cloud_run_v2_service', 'processor', 'template.containers.resources.cpu_idle', true);
    const [f] = check(pullConsumer, doc);
    expect(f.status).toBe('fail');
    expect(f.observed).toBe('min_instance_count 0; CPU allocated only during requests (cpu_idle not false)');
  });

  test('a pending min instance count is unknown, not pass', () => {
    const doc = set(pipelineDoc(), 'google_cloud_run_v2_service', 'processor', 'template.scaling.min_instance_count', '${var.min}');
    expect(statuses(check(pullConsumer, doc))).toEqual(['unknown']);
  });

  test('a gated standby whose service account holds roles/monitoring.viewer passes: it keeps a warm instance polling the backlog age', () => {
    const f = check(pullConsumer, withGatedStandby(300, { role: 'roles/monitoring.viewer' })).find((x) => x.address === 'google_cloud_run_v2_service.processor_eu')!;
    expect(f.status).toBe('pass');
    expect(f.message).toMatch(/keeps 1 warm instance\(s\) with CPU always allocated, polling the backlog age \(gated standby; google_project_iam_member\.processor_eu_metrics: roles\/monitoring\.viewer\)/);
  });

  test('a gated standby without a monitoring role cannot read the metric: fail, with the grant to add; roles/monitoring.editor also reads it', () => {
    for (const role of [undefined, 'roles/monitoring.metricWriter']) {
      const f = check(pullConsumer, withGatedStandby(300, { role })).find((x) => x.address === 'google_cloud_run_v2_service.processor_eu')!;
      expect(f.status).toBe('fail');
      expect(f.observed).toMatch(/no role with monitoring\.timeSeries\.list \(roles\/monitoring\.viewer\), so it cannot read the backlog age and never takes over/);
      expect(f.fix).toBe('grant roles/monitoring.viewer on the project to the service account of google_cloud_run_v2_service.processor_eu (google_project_iam_member)');
    }
    expect(check(pullConsumer, withGatedStandby(300, { role: 'roles/monitoring.editor' })).find((x) => x.address === 'google_cloud_run_v2_service.processor_eu')!.status).toBe('pass');
    // The primary (no STANDBY_BACKLOG_AGE_SECONDS) needs no monitoring role.
    expect(check(pullConsumer, withGatedStandby(300)).find((x) => x.address === 'google_cloud_run_v2_service.processor')!.status).toBe('pass');
  });
});

describe('archive-one-event-per-message', () => {
  test('one event per message (spec workload, no gateway env) passes', () => {
    expect(statuses(check(oneEventPerMessage, pipelineDoc()))).toEqual(['pass']);
  });

  test('a workload of 20 events per message fails on the template job', () => {
    const [f] = check(oneEventPerMessage, pipelineDoc(), { workload: { eventsPerMessage: 20 } });
    expect(f.status).toBe('fail');
    expect(f.address).toBe('google_dataflow_job.archive');
    expect(f.message).toContain('20 events per message');
  });

  test("the gateway's EVENTS_PER_MESSAGE wins over the workload: 1 passes, 50 fails on the gateway", () => {
    const env = (v: string) => [
      { name: 'TELEMETRY_TOPIC', value: '${google_pubsub_topic.telemetry.name}' },
      { name: 'EVENTS_PER_MESSAGE', value: v },
    ];
    const ok = set(pipelineDoc(), 'google_cloud_run_v2_service', 'gateway', 'template.containers.env', env('1'));
    expect(statuses(check(oneEventPerMessage, ok, { workload: { eventsPerMessage: 20 } }))).toEqual(['pass']);
    const bad = set(pipelineDoc(), 'google_cloud_run_v2_service', 'gateway', 'template.containers.env', env('50'));
    const [f] = check(oneEventPerMessage, bad);
    expect(f.status).toBe('fail');
    expect(f.address).toBe('google_cloud_run_v2_service.gateway');
  });

  test('no one-row-per-message template: batching is not constrained (pass)', () => {
    const doc = set(pipelineDoc(), 'google_dataflow_job', 'archive', 'template_gcs_path', 'gs://my-bucket/templates/split-batches');
    expect(statuses(check(oneEventPerMessage, doc, { workload: { eventsPerMessage: 20 } }))).toEqual(['pass']);
  });
});
