/**
 * The verdicts the project's own environments must get, from the stacks' real synth output and
 * the real models: prod passes; the first proposal fails on cost, named by its lines; a
 * single-cluster HDD hot store fails latency and availability; without the Pub/Sub service
 * agent's right to publish dead letters, no_data_loss fails.
 */
import { getEnvironmentConfig } from '../../../../stacks/config';
import type { EnvironmentConfig } from '../../../../stacks/config/types';
import { synthesizeConfig } from '../../stacks/synth-helpers';
import { loadTerraformJson } from '../../../../verification/graph/load';
import { verifyGraph } from '../../../../verification/engine/verify';
import type { VerificationReport } from '../../../../verification/engine/types';

const TODAY = '2026-12-03';

function verifyJson(json: Record<string, any>, config: EnvironmentConfig): VerificationReport {
  return verifyGraph(loadTerraformJson(json, `in-memory ${config.name}`), config.spec, { today: TODAY });
}
const verify = (config: EnvironmentConfig) => verifyJson(synthesizeConfig(config).json, config);
const status = (r: VerificationReport, item: string) => r.specItems.find((i) => i.item === item)?.status;

describe('the project environments, verified', () => {
  const prod = getEnvironmentConfig('prod');

  it('prod passes every spec item within the $8,000 budget', () => {
    const r = verify(prod);
    expect(r.verdict).toBe('pass');
    expect(r.specItems.filter((i) => i.status !== 'pass').map((i) => i.item)).toEqual([]);
    expect(r.cost.monthlyUsd.expected).toBeLessThanOrEqual(8_000);
    expect(r.latency.p99Ms).toBeLessThanOrEqual(100);
  });

  it('the first proposal fails on cost, the failing finding naming its largest lines', () => {
    const r = verify(getEnvironmentConfig('first-proposal'));
    expect(r.verdict).toBe('fail');
    expect(status(r, 'monthly_cost')).toBe('fail');
    const cost = r.results.find((x) => x.rule === 'cost-within-budget' && x.status === 'fail')!;
    expect(cost.message).toMatch(/exceeds the budget \$8,000 by \$[\d,]+; largest lines: google_/);
    // 20 x n1-standard-4 Dataflow workers and 2 x 5 fixed SSD nodes are the lines behind it.
    const lines = [...r.cost.lines].sort((a, b) => b.monthlyUsd.expected - a.monthlyUsd.expected).slice(0, 4);
    expect(lines.map((l) => l.type)).toEqual(expect.arrayContaining(['google_dataflow_job', 'google_bigtable_instance']));
  });

  it('a single-cluster HDD hot store fails latency and availability', () => {
    const hdd: EnvironmentConfig = {
      ...prod,
      hotStorage: { ...prod.hotStorage, storageType: 'HDD', clusters: [prod.hotStorage.clusters[0]], multiClusterRouting: false },
    };
    const r = verify(hdd);
    expect(status(r, 'latency_p99')).toBe('fail');
    expect(status(r, 'availability')).toBe('fail');
    expect(r.verdict).toBe('fail');
  });

  it('without the dead-letter publish grant for the Pub/Sub service agent, no_data_loss fails', () => {
    const json = synthesizeConfig(prod).json;
    const grants = json.resource.google_pubsub_topic_iam_member as Record<string, unknown>;
    const name = Object.keys(grants).find((k) => k.includes('pubsub-agent-publishes-dead-letters'))!;
    expect(name).toBeDefined();
    delete grants[name];
    // Nothing else may still point at the removed grant.
    for (const sub of Object.values(json.resource.google_pubsub_subscription as Record<string, { depends_on?: string[] }>)) {
      if (sub.depends_on) sub.depends_on = sub.depends_on.filter((d) => !d.includes(name));
    }
    const r = verifyJson(json, prod);
    expect(status(r, 'no_data_loss')).toBe('fail');
    expect(r.results.some((x) => x.rule === 'dead-letter-can-work' && x.status === 'fail')).toBe(true);
  });
});
