/**
 * Patterns on the project's own stacks, synthesized in memory: prod and first-proposal show the
 * four patterns and no anti-pattern; edits of the prod config bring the anti-patterns in.
 */
import { getEnvironmentConfig } from '../../../../stacks/config';
import type { EnvironmentConfig } from '../../../../stacks/config/types';
import { synthesizeConfig } from '../../stacks/synth-helpers';
import { loadTerraformJson } from '../../../../verification/graph/load';
import { detectPatterns } from '../../../../verification/advice/patterns';

function patternsOf(config: EnvironmentConfig) {
  const graph = loadTerraformJson(synthesizeConfig(config).json, `in-memory ${config.name}`);
  return detectPatterns({ graph, spec: config.spec });
}

const PATTERNS = ['event-sourcing', 'lambda-architecture', 'polyglot-persistence', 'stream-processing'];

describe('patterns of the project stacks', () => {
  it.each(['prod', 'first-proposal'])('%s: the four patterns and no anti-pattern', (env) => {
    const found = patternsOf(getEnvironmentConfig(env));
    expect([...new Set(found.map((p) => p.id))].sort()).toEqual(PATTERNS);
  });

  it('prod: the Lambda speed layer runs topic -> speed subscription -> processor -> Bigtable', () => {
    const [lambda] = patternsOf(getEnvironmentConfig('prod')).filter((p) => p.id === 'lambda-architecture');
    const speed = lambda.evidence.find((e) => e.note.startsWith('speed layer:'))!.note;
    expect(speed).toMatch(/^speed layer: google_pubsub_topic\.ingestion_telemetry-topic_\w+ -> google_pubsub_subscription\.ingestion_speed-subscription_\w+ -> google_cloud_run_v2_service\.stream-processing_processor[\w-]* -> google_bigtable_instance\./);
  });

  it('prod on HDD in one region with an unbounded Dataflow job and 10-minute retention: four anti-patterns', () => {
    const prod = getEnvironmentConfig('prod');
    const bad: EnvironmentConfig = {
      ...prod,
      ingestion: { ...prod.ingestion, subscriptionRetentionSeconds: 600 },
      processing: { ...prod.processing, dataflow: { ...prod.processing.dataflow, maxWorkers: undefined } },
      hotStorage: { ...prod.hotStorage, storageType: 'HDD', clusters: [prod.hotStorage.clusters[0]] },
    };
    const ids = [...new Set(patternsOf(bad).filter((p) => p.kind === 'anti-pattern').map((p) => p.id))].sort();
    // retention 600 s < RTO 15 min = 900 s; availability 0.9999 > 0.999 single-cluster SLA
    expect(ids).toEqual(['hot-storage-on-hdd', 'retention-below-recovery', 'single-region-store', 'unbounded-autoscaling']);
  });
});
