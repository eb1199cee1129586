/**
 * Provisioning the local cloud from Terraform JSON, checked by reading every resource back
 * from the Pub/Sub and Bigtable emulators and the BigQuery server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { PubSub } from '@google-cloud/pubsub';
import { Bigtable } from '@google-cloud/bigtable';
import { provisionLocalCloud, formatReport, type ProvisionReport } from '../../../local/provision';
import { describeGcRule } from '../../../local/provision/bigtable';
import { bigQueryAt } from '../../../local/provision/bigquery';
import { readDeclarations } from '../../../local/provision/declared';
import { loadInput } from '../../../verification/graph';

const FIXTURE = join(__dirname, '..', '..', 'fixtures', 'provision', 'cdk.tf.json');

const endpoints = () => ({
  pubsub: process.env.PUBSUB_EMULATOR_HOST!,
  bigtable: process.env.BIGTABLE_EMULATOR_HOST!,
  bigquery: process.env.BIGQUERY_EMULATOR_HOST!,
});

function clients(projectId: string) {
  const pubsub = new PubSub({ projectId, apiEndpoint: endpoints().pubsub });
  const bigtable = new Bigtable({ projectId, apiEndpoint: endpoints().bigtable, metricsEnabled: false } as ConstructorParameters<typeof Bigtable>[0]);
  const bigquery = bigQueryAt(endpoints().bigquery, projectId);
  return { pubsub, bigtable, bigquery, close: async () => Promise.all([pubsub.close(), bigtable.close()]) };
}

const features = (report: ProvisionReport) => report.notHonoured.map((n) => `${n.address.split('.').slice(0, 2).join('.')}:${n.feature}`);

describe('provisioning the fixture graph', () => {
  let first: ProvisionReport;
  const c = clients('fixture-project');
  beforeAll(async () => {
    first = await provisionLocalCloud({ input: FIXTURE, endpoints: endpoints() });
  }, 60_000);
  afterAll(() => c.close());

  it('creates every declared Pub/Sub, Bigtable and BigQuery resource', () => {
    expect(first.projectId).toBe('fixture-project');
    expect(first.items.map((i) => `${i.service} ${i.kind} ${i.name} ${i.outcome}`).sort()).toEqual(
      [
        'bigquery dataset fixture-project:fixture_analytics created',
        'bigquery table fixture-project:fixture_analytics.dead_letters created',
        'bigquery table fixture-project:fixture_analytics.readings_raw created',
        'bigtable table projects/fixture-project/instances/fixture-hot/tables/readings created',
        'pubsub subscription projects/fixture-project/subscriptions/fixture-dead-letter-archive created',
        'pubsub subscription projects/fixture-project/subscriptions/fixture-worker created',
        'pubsub topic projects/fixture-project/topics/fixture-dead-letter created',
        'pubsub topic projects/fixture-project/topics/fixture-events created',
        // The schema is either created or reported as not honoured, depending on the emulator.
        ...(first.items.some((i) => i.kind === 'schema') ? ['pubsub schema projects/fixture-project/schemas/fixture-event created'] : []),
      ].sort(),
    );
  });

  it('reports what the emulators cannot honour and what has no local counterpart', () => {
    const f = features(first);
    expect(f).toEqual(
      expect.arrayContaining([
        '(all):IAM',
        'google_pubsub_subscription.worker:enable_exactly_once_delivery',
        'google_pubsub_subscription.worker:dead_letter_policy',
        'google_pubsub_subscription.worker:filter',
        'google_pubsub_subscription.worker:retry_policy',
        'google_pubsub_subscription.dead_letter_archive:bigquery_config',
        'google_bigtable_instance.hot:cluster (replication)',
        'google_bigquery_table.readings_raw:time_partitioning.expiration_ms',
        'google_bigquery_table.readings_raw:deletion_protection',
      ]),
    );
    expect(first.skipped.map((s) => s.type).sort()).toEqual(['google_bigtable_app_profile', 'google_cloud_run_v2_service', 'google_pubsub_subscription_iam_member']);
    expect(first.skipped.find((s) => s.type === 'google_bigtable_app_profile')!.reason).toMatch(/no app profiles/);
    expect(formatReport(first)).toMatch(/not honoured locally/);
  });

  it('left topics and subscriptions on the emulator as declared', async () => {
    const [topic] = await c.pubsub.topic('fixture-events').getMetadata();
    expect(topic.labels).toEqual({ env: 'test' });
    const [sub] = await c.pubsub.subscription('fixture-worker').getMetadata();
    expect(sub.topic).toBe('projects/fixture-project/topics/fixture-events');
    expect(sub.enableMessageOrdering).toBe(true);
    expect(sub.ackDeadlineSeconds).toBe(45);
    expect(sub.deadLetterPolicy).toEqual({ deadLetterTopic: 'projects/fixture-project/topics/fixture-dead-letter', maxDeliveryAttempts: 7 });
    const [archive] = await c.pubsub.subscription('fixture-dead-letter-archive').getMetadata();
    expect(archive.topic).toBe('projects/fixture-project/topics/fixture-dead-letter');
  });

  it('left the Bigtable table with its families and GC rules (6 h = 21600 s, 3 versions)', async () => {
    const [families] = await c.bigtable.instance('fixture-hot').table('readings').getFamilies();
    const rules = Object.fromEntries(families.map((f) => [f.id, describeGcRule(f.metadata?.gcRule)]));
    expect(rules).toEqual({ r: { maxAgeSeconds: 21600 }, meta: { maxVersions: 3 } });
  });

  it('left the BigQuery dataset and tables with schema, partitioning and clustering', async () => {
    const [dataset] = await c.bigquery.dataset('fixture_analytics').getMetadata();
    expect(dataset.labels).toEqual({ env: 'test' });
    const [table] = await c.bigquery.dataset('fixture_analytics').table('readings_raw').getMetadata();
    expect(table.schema.fields.map((f: { name: string; type: string; mode: string }) => `${f.name}:${f.type}:${f.mode}`)).toEqual([
      'id:STRING:REQUIRED',
      'device_id:STRING:REQUIRED',
      'event_time:TIMESTAMP:REQUIRED',
      'metrics:RECORD:REPEATED',
    ]);
    expect(table.timePartitioning).toEqual({ type: 'DAY', field: 'event_time', expirationMs: '2592000000' });
    expect(table.clustering).toEqual({ fields: ['device_id'] });
  });

  it('is idempotent: a second run finds everything existing and creates nothing', async () => {
    const second = await provisionLocalCloud({ input: FIXTURE, endpoints: endpoints() });
    expect(second.items.filter((i) => i.outcome !== 'existing')).toEqual([]);
    expect(second.items).toHaveLength(first.items.length);
  }, 60_000);

  it('restores a column family dropped on the emulator (updated, not created)', async () => {
    await c.bigtable.instance('fixture-hot').table('readings').family('meta').delete();
    const third = await provisionLocalCloud({ input: FIXTURE, endpoints: endpoints() });
    expect(third.items.find((i) => i.kind === 'table' && i.service === 'bigtable')!.outcome).toBe('updated');
    const [families] = await c.bigtable.instance('fixture-hot').table('readings').getFamilies();
    expect(families.map((f) => f.id).sort()).toEqual(['meta', 'r']);
  }, 60_000);

  it('puts back a subscription setting changed on the emulator (updated, the difference named)', async () => {
    await c.pubsub.subscription('fixture-worker').setMetadata({ ackDeadlineSeconds: 20 });
    const report = await provisionLocalCloud({ input: FIXTURE, endpoints: endpoints() });
    const item = report.items.find((i) => i.name === 'projects/fixture-project/subscriptions/fixture-worker')!;
    expect(item.outcome).toBe('updated');
    expect(item.detail).toMatch(/^ack_deadline_seconds is 20, declared 45/);
    const [sub] = await c.pubsub.subscription('fixture-worker').getMetadata();
    expect(sub.ackDeadlineSeconds).toBe(45);
  }, 60_000);

  it('re-creates a subscription whose ordering differs (what terraform apply replaces), saying its queue is dropped', async () => {
    await c.pubsub.subscription('fixture-worker').delete();
    await c.pubsub.topic('fixture-events').createSubscription('fixture-worker', { ackDeadlineSeconds: 45, enableMessageOrdering: false });
    const report = await provisionLocalCloud({ input: FIXTURE, endpoints: endpoints() });
    const item = report.items.find((i) => i.name === 'projects/fixture-project/subscriptions/fixture-worker')!;
    expect(item.outcome).toBe('recreated');
    expect(item.detail).toMatch(/enable_message_ordering is false, declared true.*re-created, its queued messages dropped/);
    const [sub] = await c.pubsub.subscription('fixture-worker').getMetadata();
    expect(sub.enableMessageOrdering).toBe(true);
    expect(sub.deadLetterPolicy?.maxDeliveryAttempts).toBe(7);
  }, 60_000);

  it('puts back a Bigtable GC rule changed on the emulator', async () => {
    await c.bigtable.instance('fixture-hot').table('readings').family('meta').setMetadata({ rule: { versions: 9 } } as never);
    const report = await provisionLocalCloud({ input: FIXTURE, endpoints: endpoints() });
    expect(report.items.find((i) => i.kind === 'table' && i.service === 'bigtable')!.outcome).toBe('updated');
    const [families] = await c.bigtable.instance('fixture-hot').table('readings').getFamilies();
    expect(describeGcRule(families.find((f) => f.id === 'meta')!.metadata?.gcRule)).toEqual({ maxVersions: 3 });
  }, 60_000);

  it('fails with a clear message when an endpoint is missing', async () => {
    await expect(provisionLocalCloud({ input: FIXTURE, endpoints: { pubsub: endpoints().pubsub, bigtable: endpoints().bigtable, bigquery: '' } })).rejects.toThrow(
      /declares 3 bigquery resource\(s\) but no bigquery endpoint/,
    );
  });
});

describe('provisioning the dev environment synthesized by the stacks', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'provision-dev-'));
  let stackDir: string;
  let report: ProvisionReport;
  let c: ReturnType<typeof clients>;

  beforeAll(async () => {
    process.env.CHECKPOINT_DISABLE = '1';
    // Provisioning reads what the stacks declare; whether the design passes the gate is tested elsewhere.
    const previous = process.env.IOT_SKIP_VERIFY;
    process.env.IOT_SKIP_VERIFY = '1';
    try {
      const { synthesizeEnvironment } = await import('../../../stacks/synth-environment');
      stackDir = synthesizeEnvironment('dev', { outdir }).stackDir;
    } finally {
      if (previous === undefined) delete process.env.IOT_SKIP_VERIFY;
      else process.env.IOT_SKIP_VERIFY = previous;
    }
    report = await provisionLocalCloud({ input: stackDir, endpoints: endpoints() });
    c = clients(report.projectId);
  }, 120_000);
  afterAll(async () => {
    await c?.close();
    rmSync(outdir, { recursive: true, force: true });
  });

  it('creates every Pub/Sub, Bigtable and BigQuery resource the dev graph declares, and reads each back', async () => {
    const decl = readDeclarations(loadInput(stackDir));
    expect(report.items.length).toBeGreaterThan(0);
    expect(report.items.every((i) => i.outcome === 'created' || i.outcome === 'existing')).toBe(true);

    for (const topic of decl.topics) expect((await c.pubsub.topic(topic.name).exists())[0]).toBe(true);
    for (const sub of decl.subscriptions) {
      const [meta] = await c.pubsub.subscription(sub.name).getMetadata();
      expect(meta.topic).toBe(sub.topic);
      expect(Boolean(meta.enableMessageOrdering)).toBe(sub.enableMessageOrdering);
      if (sub.ackDeadlineSeconds !== undefined) expect(meta.ackDeadlineSeconds).toBe(sub.ackDeadlineSeconds);
      if (sub.deadLetter) expect(meta.deadLetterPolicy).toEqual({ deadLetterTopic: sub.deadLetter.topic, maxDeliveryAttempts: sub.deadLetter.maxDeliveryAttempts });
    }
    for (const table of decl.bigtableTables) {
      const [families] = await c.bigtable.instance(table.instance).table(table.name).getFamilies();
      for (const family of table.families) {
        const found = families.find((f) => f.id === family.name);
        expect(found).toBeDefined();
        if (family.gcRule?.maxAgeSeconds !== undefined) expect(describeGcRule(found!.metadata?.gcRule).maxAgeSeconds).toBe(family.gcRule.maxAgeSeconds);
      }
    }
    for (const ds of decl.datasets) expect((await c.bigquery.dataset(ds.datasetId).exists())[0]).toBe(true);
    for (const t of decl.bigqueryTables) {
      const [meta] = await c.bigquery.dataset(t.datasetId).table(t.tableId).getMetadata();
      const declaredFields = ((t.body.schema as { fields: { name: string }[] }).fields ?? []).map((f) => f.name);
      expect(meta.schema.fields.map((f: { name: string }) => f.name)).toEqual(declaredFields);
      const tp = t.body.timePartitioning as { field?: string } | undefined;
      if (tp) expect(meta.timePartitioning.field).toBe(tp.field);
    }
  });

  it('uses the names the architecture fixes for the local resources', () => {
    const names = report.items.map((i) => i.name);
    expect(names).toEqual(
      expect.arrayContaining([
        `projects/${report.projectId}/topics/telemetry`,
        `projects/${report.projectId}/topics/telemetry-dead-letter`,
        `projects/${report.projectId}/subscriptions/telemetry-speed-layer`,
        `projects/${report.projectId}/subscriptions/telemetry-archive`,
        `projects/${report.projectId}/instances/iot-hot/tables/events`,
        `projects/${report.projectId}/instances/iot-hot/tables/aggregates`,
        `${report.projectId}:iot_analytics`,
        `${report.projectId}:iot_analytics.events_raw`,
        `${report.projectId}:iot_analytics.events_dead_letter`,
        `${report.projectId}:iot_analytics.device_hourly`,
      ]),
    );
  });

  it('names the dev graph\'s resources without a local counterpart', () => {
    const types = new Set(report.skipped.map((s) => s.type));
    for (const t of ['google_dataflow_job', 'google_cloud_run_v2_service', 'google_bigtable_app_profile', 'google_monitoring_alert_policy']) expect(types.has(t)).toBe(true);
  });

  it('re-provisions without error or change', async () => {
    const again = await provisionLocalCloud({ input: stackDir, endpoints: endpoints() });
    expect(again.items.filter((i) => i.outcome !== 'existing')).toEqual([]);
  }, 60_000);
});
