import { verifyGraph } from '../../../../verification/engine/verify';
import { loadInput, loadTerraformJson } from '../../../../verification/graph/load';
import { rule } from '../../../../verification/rules/instance-count-known';
import { fixture, SPEC, TODAY } from '../helpers';
import { check } from './rule-context';

describe('instance-count-known', () => {
  it('is unknown for every block whose count or for_each is known only at apply', () => {
    const findings = check(rule, loadInput(fixture('synth-count-for-each/cdk.tf.json')));
    expect(findings).toEqual([
      {
        status: 'unknown',
        address: 'google_pubsub_topic.scaled',
        observed: 'count pending (from var.replicas)',
        expected: 'a count or for_each known before apply',
        message: 'google_pubsub_topic.scaled: count is known only at apply, so the number of its instances (and their cost and capacity) is unknown',
        fix: 'give count a literal value (or a local holding one), or verify the plan where Terraform has expanded it',
      },
      {
        status: 'unknown',
        address: 'google_pubsub_subscription.on_all',
        observed: 'for_each pending (from google_pubsub_topic.t["a"], google_pubsub_topic.t["b"], google_pubsub_topic.t["c"])',
        expected: 'a count or for_each known before apply',
        message: 'google_pubsub_subscription.on_all: for_each is known only at apply, so the number of its instances (and their cost and capacity) is unknown',
        fix: 'give for_each a literal value (or a local holding one), or verify the plan where Terraform has expanded it',
      },
    ]);
    // unknown never passes: the verdict fails on it.
    const report = verifyGraph(loadInput(fixture('synth-count-for-each/cdk.tf.json')), SPEC, { today: TODAY });
    expect(report.results.filter((r) => r.rule === rule.id).map((r) => r.status)).toEqual(['unknown', 'unknown']);
    expect(report.verdict).toBe('fail');
  });

  it('passes when every count is literal, and the models see each instance', () => {
    const doc = {
      provider: { google: [{ project: 'p', region: 'us-central1' }] },
      resource: {
        google_bigtable_instance: {
          off: { count: 0, name: 'off', cluster: [{ cluster_id: 'c1', zone: 'us-central1-b', storage_type: 'SSD', num_nodes: 3 }] },
        },
        google_pubsub_topic: { t: { for_each: { a: 1, b: 2, c: 3 }, name: 't-${each.key}' } },
      },
    };
    const graph = loadTerraformJson(doc, 'count.json');
    expect(check(rule, graph)).toEqual([
      { status: 'pass', observed: 'every instance count known', expected: 'literal count and for_each', message: 'every count and for_each in the input is known' },
    ]);
    const report = verifyGraph(graph, SPEC, { today: TODAY });
    // count = 0: no Bigtable instance exists, so none is priced.
    expect(report.cost.lines.filter((l) => l.address.includes('bigtable'))).toEqual([]);
    expect(report.cost.unpriced.filter((u) => u.address.includes('bigtable'))).toEqual([]);
    // Three topics, three instances for the models.
    expect(report.components.find((c) => c.id === 'ingestion')!.resources).toEqual(
      expect.arrayContaining(['google_pubsub_topic.t["a"]', 'google_pubsub_topic.t["b"]', 'google_pubsub_topic.t["c"]']),
    );
  });
});
