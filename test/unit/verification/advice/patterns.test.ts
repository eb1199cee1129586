import { detectPatterns } from '../../../../verification/advice/patterns';
import type { PatternMatch } from '../../../../verification/advice/types';
import type { Spec } from '../../../../verification/spec/spec';
import { FIXTURES, loadedFixture, loadedVariant } from './support/fixture-graph';
import * as fs from 'node:fs';
import * as path from 'node:path';

const spec: Spec = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'spec-prod.json'), 'utf8'));
const ids = (ms: PatternMatch[]) => [...new Set(ms.map((m) => m.id))].sort();
const of = (ms: PatternMatch[], id: string) => ms.filter((m) => m.id === id);

describe('patterns on the hand-written prod-like stack', () => {
  const matches = detectPatterns({ graph: loadedFixture('lambda-prod.tf.json'), spec });

  it('finds the four patterns and no anti-pattern', () => {
    expect(ids(matches)).toEqual(['event-sourcing', 'lambda-architecture', 'polyglot-persistence', 'stream-processing']);
  });

  it('shows the three Lambda layers with their addresses', () => {
    const [lambda] = of(matches, 'lambda-architecture');
    const notes = lambda.evidence.map((e) => e.note);
    expect(notes).toContain(
      'speed layer: google_pubsub_topic.telemetry -> google_pubsub_subscription.speed -> google_cloud_run_v2_service.processor -> google_bigtable_instance.hot, google_bigtable_table.events, google_bigtable_table.aggregates',
    );
    expect(notes).toContain('batch layer archive: google_pubsub_topic.telemetry -> google_pubsub_subscription.archive -> google_dataflow_job.archive -> google_bigquery_table.events_raw');
    expect(notes).toContain('batch view over google_bigquery_table.events_raw');
    expect(notes.some((n) => n.startsWith('serving layer reads hot google_bigtable_instance.hot and cold google_bigquery_dataset.analytics'))).toBe(true);
  });

  it('event sourcing: 604800 s topic retention (7 days) and a 45-day append-only archive', () => {
    const es = of(matches, 'event-sourcing');
    expect(es).toHaveLength(1);
    expect(es[0].summary).toBe('google_pubsub_topic.telemetry is a replayable log (retention 604800 s) archived append-only into google_bigquery_table.events_raw');
    // 3,888,000,000 ms / 86,400,000 ms per day = 45 days
    expect(es[0].evidence.find((e) => e.attribute === 'time_partitioning.expiration_ms')?.note).toBe('archive partitions kept 45 days');
  });

  it('polyglot persistence names Bigtable and BigQuery', () => {
    expect(of(matches, 'polyglot-persistence')[0].summary).toBe('2 kinds of store: Bigtable, BigQuery');
  });

  it('stream processing: the Cloud Run pull subscriber and the Dataflow job', () => {
    const [sp] = of(matches, 'stream-processing');
    expect(sp.evidence.map((e) => e.address).sort()).toEqual(['google_cloud_run_v2_service.processor', 'google_dataflow_job.archive']);
  });
});

describe('anti-patterns on the hand-written first-proposal-like stack', () => {
  const matches = detectPatterns({ graph: loadedFixture('anti-patterns.tf.json'), spec });

  it('finds every anti-pattern and not the Lambda architecture (no serving layer over both stores)', () => {
    expect(ids(matches)).toEqual([
      'consumer-without-dead-letter',
      'hot-storage-on-hdd',
      'non-idempotent-aggregation',
      'polyglot-persistence',
      'retention-below-recovery',
      'single-region-store',
      'stream-processing',
      'unbounded-autoscaling',
    ]);
  });

  it('hot storage on HDD points at the cluster attribute', () => {
    expect(of(matches, 'hot-storage-on-hdd')[0].evidence[0]).toMatchObject({ address: 'google_bigtable_instance.hot', attribute: 'cluster.0.storage_type', value: 'HDD' });
  });

  it('single region: availability 0.9999 > the 0.999 single-cluster SLA', () => {
    const [m] = of(matches, 'single-region-store');
    expect(m.summary).toBe('google_bigtable_instance.hot cannot meet availability 0.9999: all clusters in one region');
  });

  it('both consumed subscriptions lack dead letters', () => {
    expect(of(matches, 'consumer-without-dead-letter').map((m) => m.summary)).toEqual([
      'google_pubsub_subscription.speed: no dead-letter policy',
      'google_pubsub_subscription.archive: no dead-letter policy',
    ]);
  });

  it('unbounded: the Dataflow job without max_workers and the processor without max instances; analytics (max 5) is bounded', () => {
    expect(of(matches, 'unbounded-autoscaling').map((m) => m.evidence[0].address)).toEqual(['google_dataflow_job.archive', 'google_cloud_run_v2_service.processor']);
  });

  it('retention: 600 s of unacked retention < the 15 min RTO (900 s)', () => {
    expect(of(matches, 'retention-below-recovery').map((m) => m.summary)).toEqual([
      'google_pubsub_subscription.speed keeps unacked messages 600 s < 900 s (the RTO 15 min)',
      'google_pubsub_subscription.archive keeps unacked messages 600 s < 900 s (the RTO 15 min)',
    ]);
  });

  it('non-idempotent aggregation: the speed path without exactly-once and the appending COUNT(*) batch view', () => {
    const ms = of(matches, 'non-idempotent-aggregation');
    expect(ms.map((m) => m.evidence[0].address)).toEqual(['google_pubsub_subscription.speed', 'google_dataflow_job.archive']);
    expect(ms[1].evidence.map((e) => e.attribute)).toEqual(['parameters.useStorageWriteApi', 'params.query', 'params.write_disposition']);
  });
});

describe('each anti-pattern flips on a single edit of the passing stack', () => {
  const detect = (edit: Parameters<typeof loadedVariant>[1], s: Spec = spec) => detectPatterns({ graph: loadedVariant('lambda-prod.tf.json', edit), spec: s });

  it('HDD on the second cluster', () => {
    const ms = detect((r) => {
      (r.google_bigtable_instance.hot.cluster as { storage_type: string }[])[1].storage_type = 'HDD';
    });
    expect(of(ms, 'hot-storage-on-hdd')[0].evidence[0].attribute).toBe('cluster.1.storage_type');
  });

  it('two clusters in one region are still single-region', () => {
    const ms = detect((r) => {
      (r.google_bigtable_instance.hot.cluster as { zone: string }[])[1].zone = 'us-central1-c';
    });
    expect(of(ms, 'single-region-store')).toHaveLength(1);
  });

  it('two regions without multi-cluster routing', () => {
    const ms = detect((r) => {
      delete r.google_bigtable_app_profile;
    });
    expect(of(ms, 'single-region-store')[0].summary).toBe('google_bigtable_instance.hot cannot meet availability 0.9999: no multi-cluster routing');
  });

  it('a single-region store is fine when the target is within its SLA (0.999 <= 0.999)', () => {
    const relaxed: Spec = { ...spec, constraints: { ...spec.constraints, availability: 0.999 } };
    const ms = detect((r) => {
      delete r.google_bigtable_app_profile;
    }, relaxed);
    expect(of(ms, 'single-region-store')).toHaveLength(0);
  });

  it('dead-letter IAM removed: the policy cannot work', () => {
    const ms = detect((r) => {
      delete r.google_pubsub_topic_iam_member;
    });
    const m = of(ms, 'consumer-without-dead-letter');
    expect(m.map((x) => x.summary)).toEqual([
      'google_pubsub_subscription.speed: dead-letter policy cannot work',
      'google_pubsub_subscription.archive: dead-letter policy cannot work',
    ]);
    expect(m[0].evidence[0].note).toContain('no roles/pubsub.publisher on google_pubsub_topic.dead_letter');
  });

  it('nothing reads the dead letters', () => {
    const ms = detect((r) => {
      delete r.google_pubsub_subscription.dead_letter_archive;
    });
    expect(of(ms, 'consumer-without-dead-letter')[0].evidence.map((e) => e.note)).toEqual(['no subscription reads the dead-letter topic: dead letters expire unseen']);
  });

  it('Cloud Run max instances removed', () => {
    const ms = detect((r) => {
      delete (r.google_cloud_run_v2_service.analytics.template as { scaling: Record<string, number> }).scaling.max_instance_count;
    });
    expect(of(ms, 'unbounded-autoscaling').map((m) => m.evidence[0].address)).toEqual(['google_cloud_run_v2_service.analytics']);
  });

  it('retention exactly at the RTO (900 s) passes; 899 s fails', () => {
    const at = detect((r) => {
      r.google_pubsub_subscription.speed.message_retention_duration = '900s';
    });
    expect(of(at, 'retention-below-recovery')).toHaveLength(0);
    const below = detect((r) => {
      r.google_pubsub_subscription.speed.message_retention_duration = '899s';
    });
    expect(of(below, 'retention-below-recovery')).toHaveLength(1);
  });

  it('exactly-once delivery off on the speed subscription', () => {
    const ms = detect((r) => {
      r.google_pubsub_subscription.speed.enable_exactly_once_delivery = false;
    });
    expect(of(ms, 'non-idempotent-aggregation')[0].summary).toBe(
      'google_bigtable_table.aggregates aggregated by google_cloud_run_v2_service.processor from at-least-once google_pubsub_subscription.speed',
    );
  });

  it('no event sourcing when the topic keeps no messages', () => {
    const ms = detect((r) => {
      delete r.google_pubsub_topic.telemetry.message_retention_duration;
    });
    expect(of(ms, 'event-sourcing')).toHaveLength(0);
  });

  it('no Lambda architecture without batch views', () => {
    const ms = detect((r) => {
      delete r.google_bigquery_data_transfer_config;
    });
    expect(of(ms, 'lambda-architecture')).toHaveLength(0);
  });
});

describe('hand-written Terraform: push delivery, Cloud Run v1, flex-template Dataflow, Cloud SQL and BigQuery in one region', () => {
  const HAND = 'patterns-hand.tf.json';
  const matches = detectPatterns({ graph: loadedFixture(HAND), spec });
  const detect = (edit: Parameters<typeof loadedVariant>[1], s: Spec = spec) => detectPatterns({ graph: loadedVariant(HAND, edit), spec: s });
  const withAvailability = (availability: number): Spec => ({ ...spec, constraints: { ...spec.constraints, availability } });
  type Res = Record<string, Record<string, Record<string, unknown>>>;
  const env = (r: Res, service: string) => ((r.google_cloud_run_v2_service[service].template as { containers: { env: { name: string; value: string }[] }[] }).containers[0].env);

  it('finds the patterns and the anti-patterns of the hand-written stack', () => {
    expect(ids(matches)).toEqual([
      'consumer-without-dead-letter',
      'event-sourcing',
      'hot-storage-on-hdd',
      'lambda-architecture',
      'non-idempotent-aggregation',
      'polyglot-persistence',
      'retention-below-recovery',
      'single-region-store',
      'stream-processing',
      'unbounded-autoscaling',
    ]);
  });

  it('the push subscription feeds the processor its push_endpoint names; the flex-template job reads the topic itself', () => {
    const [sp] = of(matches, 'stream-processing');
    expect(sp.evidence.map((e) => e.note)).toEqual([
      'push endpoint on Cloud Run consuming google_pubsub_subscription.push of google_pubsub_topic.telemetry',
      'pull subscriber on Cloud Run (v1) consuming google_pubsub_subscription.push of google_pubsub_topic.telemetry',
      'streaming flex-template Dataflow job from spec.json reading google_pubsub_topic.telemetry directly (its own subscription)',
    ]);
    expect(sp.evidence[2]).toMatchObject({ address: 'google_dataflow_flex_template_job.agg', attribute: 'parameters.inputTopic' });
    // the dead-letter finding names the push subscription's real consumers, not the Dataflow job
    expect(of(matches, 'consumer-without-dead-letter').map((m) => m.evidence[0].note)).toEqual([
      'consumed by google_cloud_run_v2_service.processor, google_cloud_run_service.legacy_consumer with no dead-letter policy',
    ]);
    const lambda = of(matches, 'lambda-architecture')[0];
    expect(lambda.evidence[0].note).toBe(
      'speed layer: google_pubsub_topic.telemetry -> google_pubsub_subscription.push (push) -> google_cloud_run_v2_service.processor -> google_bigtable_instance.hot, google_bigtable_table.counts',
    );
  });

  it('without the push_config the processor reads nothing: no speed path, no Lambda, only the v1 service consumes', () => {
    const ms = detect((r) => {
      delete r.google_pubsub_subscription.push.push_config;
    });
    expect(of(ms, 'lambda-architecture')).toHaveLength(0);
    expect(of(ms, 'non-idempotent-aggregation').map((m) => m.evidence[0].address)).toEqual(['google_pubsub_subscription.archive']);
    expect(of(ms, 'consumer-without-dead-letter')[0].evidence[0].note).toBe('consumed by google_cloud_run_service.legacy_consumer with no dead-letter policy');
  });

  it('the Bigtable aggregate fed over the push path is flagged, exactly-once or not (push is at-least-once)', () => {
    const expected = 'google_bigtable_table.counts aggregated by google_cloud_run_v2_service.processor from at-least-once google_pubsub_subscription.push (push)';
    const [speed] = of(matches, 'non-idempotent-aggregation');
    expect(speed.summary).toBe(expected);
    expect(speed.evidence[0]).toMatchObject({ address: 'google_pubsub_subscription.push', attribute: 'push_config.push_endpoint' });
    expect(speed.evidence[0].note).toBe('push delivery to google_cloud_run_v2_service.processor is at-least-once (exactly-once delivery is for pull subscriptions only): a message may arrive twice');
    const eo = detect((r) => {
      r.google_pubsub_subscription.push.enable_exactly_once_delivery = true;
    });
    expect(of(eo, 'non-idempotent-aggregation')[0].summary).toBe(expected);
  });

  it('the aggregate passes when the processor declares idempotent writes, or pulls with exactly-once delivery', () => {
    const idempotent = detect((r) => {
      r.google_cloud_run_v2_service.processor.labels = { 'write-semantics': 'idempotent' };
    });
    expect(of(idempotent, 'non-idempotent-aggregation').map((m) => m.evidence[0].address)).toEqual(['google_pubsub_subscription.archive']);
    const pull = detect((r) => {
      delete r.google_pubsub_subscription.push.push_config;
      r.google_pubsub_subscription.push.enable_exactly_once_delivery = true;
      env(r, 'processor').push({ name: 'SUBSCRIPTION', value: '${google_pubsub_subscription.push.name}' });
    });
    expect(of(pull, 'non-idempotent-aggregation').map((m) => m.evidence[0].address)).toEqual(['google_pubsub_subscription.archive']);
    expect(of(pull, 'lambda-architecture')[0].evidence[0].note).toContain('google_pubsub_subscription.push -> google_cloud_run_v2_service.processor');
  });

  it('the BigQuery subscription writer is evidenced by its bigquery_config, not a Dataflow parameter', () => {
    const batch = of(matches, 'non-idempotent-aggregation')[1];
    expect(batch.summary).toBe('google_bigquery_table.hourly aggregates google_bigquery_table.events_raw, fed at-least-once by google_pubsub_subscription.archive, without deduplication');
    expect(batch.evidence.map((e) => [e.address, e.attribute])).toEqual([
      ['google_pubsub_subscription.archive', 'bigquery_config'],
      ['google_bigquery_table.hourly', 'params.query'],
    ]);
    expect(batch.evidence[0].note).toBe('Pub/Sub writes google_bigquery_table.events_raw through a BigQuery subscription at-least-once: a redelivered message is written twice');
  });

  it('Cloud Run v1: the legacy service is unbounded until its maxScale annotation is set', () => {
    const v1 = of(matches, 'unbounded-autoscaling').find((m) => m.evidence[0].address === 'google_cloud_run_service.legacy_consumer');
    expect(v1?.evidence[0].attribute).toBe('template.metadata.annotations.autoscaling.knative.dev/maxScale');
    const bounded = detect((r) => {
      (r.google_cloud_run_service.legacy_consumer.template as Record<string, unknown>).metadata = { annotations: { 'autoscaling.knative.dev/maxScale': '10' } };
    });
    expect(of(bounded, 'unbounded-autoscaling').map((m) => m.evidence[0].address)).toEqual(['google_dataflow_flex_template_job.agg', 'google_cloud_run_v2_service.processor']);
  });

  it('Lambda counts one archive path: not the dead-letter archive, the error-records table or the materialized view', () => {
    const [lambda] = of(matches, 'lambda-architecture');
    expect(lambda.summary).toBe('speed layer (1 path), batch layer (1 archive path, 1 batch view) and serving layer (google_cloud_run_v2_service.analytics)');
    expect(lambda.evidence.filter((e) => e.note.startsWith('batch layer archive')).map((e) => e.note)).toEqual([
      'batch layer archive: google_pubsub_topic.telemetry -> google_pubsub_subscription.archive -> google_bigquery_table.events_raw',
    ]);
  });

  it('polyglot persistence skips the UDF bucket (code objects only) and counts a bucket a service writes', () => {
    const [pp] = of(matches, 'polyglot-persistence');
    expect(pp.summary).toBe('3 kinds of store: Bigtable, Cloud SQL, BigQuery');
    expect(pp.evidence.map((e) => e.address)).not.toContain('google_storage_bucket.udf');
    const written = detect((r) => {
      env(r, 'processor').push({ name: 'SPILL_BUCKET', value: '${google_storage_bucket.udf.name}' });
    });
    expect(of(written, 'polyglot-persistence')[0].summary).toBe('4 kinds of store: Bigtable, Cloud SQL, BigQuery, Cloud Storage');
    // a data bucket in one region: the 0.999 regional Cloud Storage figure is below 0.9999
    expect(of(written, 'single-region-store').map((m) => m.summary)).toContain(
      'google_storage_bucket.udf (Cloud Storage bucket) is confined to US-CENTRAL1 under availability 0.9999 (SLA 0.999)',
    );
  });

  it('single-region store: Cloud SQL REGIONAL in us-central1 is flagged with its SLA unknown (no figure in slas.json)', () => {
    const sql = of(matches, 'single-region-store').find((m) => m.evidence[0].address === 'google_sql_database_instance.devices');
    expect(sql?.summary).toBe('google_sql_database_instance.devices (Cloud SQL, REGIONAL) is confined to us-central1 under availability 0.9999 (SLA unknown)');
    expect(sql?.evidence[0]).toMatchObject({ attribute: 'settings.availability_type', value: 'REGIONAL' });
    expect(sql?.evidence[1].note).toBe(
      "spec availability 0.9999; the Cloud SQL REGIONAL SLA is unknown (no 'cloud-sql.regional' figure in verification/data/slas.json), so nothing shows a store in one region meets it",
    );
    const replicated = detect((r) => {
      r.google_sql_database_instance.replica = { name: 'devices-replica', region: 'us-east1', database_version: 'POSTGRES_15', master_instance_name: '${google_sql_database_instance.devices.name}', settings: { tier: 'db-custom-2-8192' } };
    });
    expect(of(replicated, 'single-region-store').map((m) => m.evidence[0].address)).toEqual(['google_bigtable_instance.hot']);
  });

  it('single-region store: the us-central1 BigQuery dataset is within the 0.9999 BigQuery SLA at 0.9999 and flagged above it', () => {
    expect(of(matches, 'single-region-store').map((m) => m.evidence[0].address)).not.toContain('google_bigquery_dataset.iot');
    const strict = detectPatterns({ graph: loadedFixture(HAND), spec: withAvailability(0.99995) });
    const bq = of(strict, 'single-region-store').find((m) => m.evidence[0].address === 'google_bigquery_dataset.iot');
    expect(bq?.summary).toBe('google_bigquery_dataset.iot (BigQuery dataset) is confined to us-central1 under availability 0.99995 (SLA 0.9999)');
    expect(bq?.evidence[1].note).toBe('spec availability 0.99995 > 0.9999, the BigQuery dataset SLA (https://cloud.google.com/bigquery/sla)');
    const multiRegion = detect((r) => {
      r.google_bigquery_dataset.iot.location = 'US';
    }, withAvailability(0.99995));
    expect(of(multiRegion, 'single-region-store').map((m) => m.evidence[0].address)).not.toContain('google_bigquery_dataset.iot');
  });
});
