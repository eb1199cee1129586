import { ENVIRONMENT_NAMES, getEnvironmentConfig, UnknownEnvironmentError } from '../../../stacks/config';
import { FIRST_PROPOSAL_CONFIG } from '../../../stacks/config/first-proposal';
import { PROD_CONFIG } from '../../../stacks/config/prod';
import { PROD_SPEC } from '../../../stacks/config/spec';

describe('environment lookup', () => {
  it('knows dev, prod and first-proposal', () => {
    expect([...ENVIRONMENT_NAMES].sort()).toEqual(['dev', 'first-proposal', 'prod']);
    expect(getEnvironmentConfig('prod').name).toBe('prod');
    expect(getEnvironmentConfig('dev').name).toBe('dev');
  });

  it('rejects an unknown name with one line listing the valid ones', () => {
    expect(() => getEnvironmentConfig('staging')).toThrow(UnknownEnvironmentError);
    expect(() => getEnvironmentConfig('staging')).toThrow(
      'unknown environment "staging"; valid environments: dev, prod, first-proposal',
    );
    // Object prototype keys are not environments.
    expect(() => getEnvironmentConfig('toString')).toThrow(UnknownEnvironmentError);
  });
});

describe('prod spec', () => {
  it('carries the numbers of DESIGN.md section 1', () => {
    expect(PROD_SPEC.constraints).toEqual({
      latencyP99Ms: 100,
      latencyP50Ms: 50,
      sustainedEventsPerSecond: 10_000,
      burstEventsPerSecond: 50_000,
      monthlyBudgetUsd: 8_000,
      availability: 0.9999,
      freshnessAvailability: 0.999,
      retentionDays: 30,
      rpoMinutes: 5,
      rtoMinutes: 15,
    });
    expect(PROD_SPEC.invariants.map((invariant) => invariant.id)).toEqual([
      'no_data_loss',
      'exactly_once_aggregation',
      'ordered_within_partition',
    ]);
    expect(PROD_SPEC.properties.map((p) => [p.id, p.operator, p.boundMs])).toEqual([
      ['event_processed', 'WITHIN', 100],
      ['dashboard_updated', 'WITHIN', 5_000],
      ['batch_job_complete', 'EVENTUALLY', 3_600_000],
    ]);
  });

  it('sizes Bigtable for sustained writes at 70% CPU and the burst at the autoscaling ceiling', () => {
    const { workload } = PROD_SPEC;
    // 100,000 devices / 60 s = 1,666.7 aggregate rows/s on top of one raw row per event.
    const aggregateRows = workload.deviceCount / workload.aggregateWindowSeconds;
    const sustainedRows = workload.averageEventsPerSecond + aggregateRows; // 11,666.7
    const burstRows = workload.burstEventsPerSecond + aggregateRows; // 51,666.7
    const rowsPerNodeAt70 = 14_000 * 0.7; // 9,800
    for (const cluster of PROD_CONFIG.hotStorage.clusters) {
      // Every cluster takes every write: 2 x 9,800 = 19,600 >= 11,667; 6 x 9,800 = 58,800 >= 51,667.
      expect(cluster.minNodes).toBe(2);
      expect(cluster.maxNodes).toBe(6);
      expect(cluster.minNodes * rowsPerNodeAt70).toBeGreaterThanOrEqual(sustainedRows);
      expect((cluster.minNodes - 1) * rowsPerNodeAt70).toBeLessThan(sustainedRows);
      expect(cluster.maxNodes * rowsPerNodeAt70).toBeGreaterThanOrEqual(burstRows);
      expect(cluster.cpuTargetPercent).toBe(70);
    }
  });

  it('keeps BigQuery partitions a day past the 30-day retention', () => {
    expect(PROD_CONFIG.coldStorage.partitionExpirationDays).toBe(31);
  });
});

describe('first-proposal', () => {
  it('has the sizes first proposed', () => {
    const { dataflow } = FIRST_PROPOSAL_CONFIG.processing;
    expect([dataflow.machineType, dataflow.numWorkers, dataflow.minWorkers, dataflow.maxWorkers]).toEqual([
      'n1-standard-4',
      20,
      10,
      50,
    ]);
    expect(FIRST_PROPOSAL_CONFIG.hotStorage.clusters).toHaveLength(2);
    for (const cluster of FIRST_PROPOSAL_CONFIG.hotStorage.clusters) {
      expect(cluster.fixedNodes).toBe(5);
      expect(cluster.zone).toMatch(/^(us-central1|europe-west1)-/);
    }
    expect(FIRST_PROPOSAL_CONFIG.hotStorage.storageType).toBe('SSD');
    // 24 h = 86,400 s; 7 days = 168 h.
    expect(FIRST_PROPOSAL_CONFIG.ingestion.topicRetentionSeconds).toBe(86_400);
    expect(FIRST_PROPOSAL_CONFIG.ingestion.subscriptionRetentionSeconds).toBe(86_400);
    expect(FIRST_PROPOSAL_CONFIG.hotStorage.eventsMaxAgeHours).toBe(168);
    expect(FIRST_PROPOSAL_CONFIG.hotStorage.aggregatesMaxAgeHours).toBe(168);
    expect(FIRST_PROPOSAL_CONFIG.coldStorage.partitionExpirationDays).toBe(365);
  });

  it('is judged against the prod spec under its own name', () => {
    expect(FIRST_PROPOSAL_CONFIG.spec.environment).toBe('first-proposal');
    expect(FIRST_PROPOSAL_CONFIG.spec.constraints).toEqual(PROD_SPEC.constraints);
    expect(FIRST_PROPOSAL_CONFIG.spec.workload).toEqual(PROD_SPEC.workload);
    expect(FIRST_PROPOSAL_CONFIG.labels['environment']).toBe('first-proposal');
  });
});

describe('dev', () => {
  it('is small: one Bigtable node, relaxed spec', () => {
    const dev = getEnvironmentConfig('dev');
    expect(dev.hotStorage.clusters).toEqual([
      { zone: 'us-central1-b', minNodes: 1, maxNodes: 1, cpuTargetPercent: 70, fixedNodes: 1 },
    ]);
    expect(dev.spec.constraints.sustainedEventsPerSecond).toBe(500);
    expect(dev.spec.constraints.availability).toBe(0.999);
    expect(dev.spec.constraints.monthlyBudgetUsd).toBe(1_500);
  });
});
