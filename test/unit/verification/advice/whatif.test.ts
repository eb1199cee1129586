import { Advisor } from '../../../../verification/advice/whatif/advise';
import { applyChanges } from '../../../../verification/advice/graph-edit';
import type { GraphChange } from '../../../../verification/advice/types';
import type { Spec } from '../../../../verification/spec/spec';
import { fixtureGraph, FIXTURES } from './support/fixture-graph';
import { toyEvaluate } from './support/toy-evaluator';
import * as fs from 'node:fs';
import * as path from 'node:path';

const spec: Spec = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'spec-prod.json'), 'utf8'));

describe('what-if advice with the toy models', () => {
  const graph = fixtureGraph('anti-patterns.tf.json');
  const before = toyEvaluate(graph, spec);
  const advisor = new Advisor(toyEvaluate);
  const advice = advisor.advise(graph, spec, before);

  it('the anti-pattern design fails latency, availability, cost and no data loss', () => {
    // 12 HDD nodes: sustained = burst = 12 x 7,000 = 84,000 events/s (passes); p99 = 30 + 200 = 230 ms;
    // cost max = 12 x $474.50 + Dataflow unbounded 100 x 4 vCPU x $50.37 = $5,694 + $20,148 = $25,842
    expect(before.metrics.latencyP99Ms).toBe(230);
    expect(before.metrics.monthlyUsdMax).toBeCloseTo(25842, 6);
    expect(Object.entries(before.items).filter(([, s]) => s === 'fail').map(([i]) => i).sort()).toEqual(['availability', 'latency_p99', 'monthly_cost', 'no_data_loss']);
  });

  it('every recommendation was re-verified and fixes what it claims', () => {
    for (const r of advice.recommendations) {
      const changes = r.changes.length;
      expect(changes).toBeGreaterThan(0);
      for (const item of r.fixes) expect(r.effect.items.find((i) => i.item === item)?.after).toBe('pass');
    }
  });

  it('latency: store on SSD (p99 30 + 20 = 50 ms), no extra cost in the toy model', () => {
    const r = advice.recommendations.find((x) => x.scope === 'single' && x.fixes.includes('latency_p99'));
    expect(r?.change).toMatchObject({ action: 'set', address: 'google_bigtable_instance.hot', attribute: 'cluster.0.storage_type', from: 'HDD', to: 'SSD', configKey: 'hotStorage.storageType' });
    expect(r?.effect.after.latencyP99Ms).toBe(50);
    expect(r?.summary).toBe('set storage type of google_bigtable_instance.hot to SSD (hotStorage.storageType, now HDD): p99 latency 50 ms (was 230 ms), +$0/month, over budget, design still fails');
    expect(r?.config).toEqual([{ configKey: 'hotStorage.storageType', from: 'HDD', to: 'SSD' }]);
    expect(r?.configComplete).toBe(true);
  });

  it('cost: the mildest Dataflow ceiling that fits the budget', () => {
    // budget $8,000 - Bigtable $5,694 = $2,306 for Dataflow = 11.4 workers x 4 vCPU x $50.37 ($201.48 each):
    // the ceilings ladder 1,2,3,5,10,20,50: 10 workers = $2,014.80 -> total $7,708.80 fits; 20 does not
    const r = advice.recommendations.find((x) => x.scope === 'single' && x.fixes.includes('monthly_cost') && x.change.address === 'google_dataflow_job.archive' && x.change.attribute === 'max_workers');
    expect(r?.change.to).toBe(10);
    expect(r?.change.configKey).toBe('processing.dataflow.maxWorkers');
    expect(r?.effect.after.monthlyUsdMax).toBeCloseTo(7708.8, 6);
  });

  it('availability: a cluster in a second region (same continent first) plus multi-cluster routing', () => {
    const r = advice.recommendations.find((x) => x.fixes.includes('availability'));
    expect(r?.changes.map((c) => [c.action, c.address, c.attribute])).toEqual([
      ['set', 'google_bigtable_instance.hot', 'cluster.1'],
      ['add', 'google_bigtable_app_profile.hot_multi_cluster', ''],
    ]);
    expect(r?.change.to).toMatchObject({ zone: 'us-east1-b', storage_type: 'HDD', num_nodes: 12 });
    expect(r?.effect.after.availability).toBe(0.9999);
  });

  it('no data loss: a dead-letter path for both consumed subscriptions', () => {
    const r = advice.recommendations.find((x) => x.fixes.includes('no_data_loss'));
    expect(r?.changes.filter((c) => c.attribute === 'dead_letter_policy').map((c) => c.address)).toEqual(['google_pubsub_subscription.speed', 'google_pubsub_subscription.archive']);
  });

  it('the plan, applied to the original graph, passes when re-verified', () => {
    const plan = advice.recommendations.find((x) => x.scope === 'plan');
    expect(plan?.effect.verdict).toBe('pass');
    // re-apply the plan's changes from the report's views onto the original graph
    const changes: GraphChange[] = plan!.changes.map((c) =>
      c.action === 'add'
        ? { kind: 'add', address: c.address, type: c.address.split('.')[0], values: c.to as never }
        : c.action === 'remove'
          ? { kind: 'remove', address: c.address }
          : c.action === 'spec'
            ? { kind: 'spec', path: c.attribute, from: c.from as number, to: c.to as number }
            : { kind: 'set', address: c.address, attribute: c.attribute, from: c.from as never, to: c.to as never },
    );
    const applied = applyChanges(graph, spec, changes);
    expect(toyEvaluate(applied.graph, applied.spec).verdict).toBe('pass');
  });

  it('says when nothing can fix an item', () => {
    const impossible: Spec = { ...spec, constraints: { ...spec.constraints, availability: 0.99999 } };
    const a = new Advisor(toyEvaluate).advise(graph, impossible, toyEvaluate(graph, impossible));
    const u = a.unfixed.find((x) => x.item === 'availability');
    expect(u?.reason).toMatch(/^none of \d+ single changes makes it pass, nor does the plan that combines up to 12 of them$/);
    expect(a.recommendations.some((r) => r.fixes.includes('availability'))).toBe(false);
  });

  it('climbs past the single-change ladder when no single change fixes an item', () => {
    // From 3 fixed HDD nodes the single ladder stops at the space's ceiling, max(8, 2 x 3) = 8
    // nodes = 56,000 events/s. A burst target of 90,000 needs ceil(90,000 / 7,000) = 13 HDD nodes
    // (91,000 events/s): the focused search climbs twice (autoscaling 3..8, then max 13, within
    // the next state's ceiling of 16) and the steps merge into one block edit and one config diff.
    const g = applyChanges(graph, spec, [{ kind: 'set', address: 'google_bigtable_instance.hot', attribute: 'cluster.0.num_nodes', from: 12, to: 3 }]).graph;
    const s: Spec = { ...spec, constraints: { ...spec.constraints, burstEventsPerSecond: 90000, sustainedEventsPerSecond: 1000, monthlyBudgetUsd: 1e9, latencyP99Ms: 1000, availability: 0.99 } };
    const a = new Advisor(toyEvaluate).advise(g, s, toyEvaluate(g, s));
    const r = a.recommendations.find((x) => x.fixes.includes('throughput_burst') && x.scope !== 'plan');
    expect(r?.changes.map((c) => [c.attribute, c.from, c.to])).toEqual([
      ['cluster.0.num_nodes', 3, null],
      ['cluster.0.autoscaling_config', null, { min_nodes: 3, max_nodes: 13, cpu_target: 70 }],
    ]);
    expect(r?.config).toEqual([
      { configKey: 'hotStorage.clusters[0].fixedNodes', from: 3, to: null },
      { configKey: 'hotStorage.clusters[0].minNodes', from: null, to: 3 },
      { configKey: 'hotStorage.clusters[0].cpuTargetPercent', from: null, to: 70 },
      { configKey: 'hotStorage.clusters[0].maxNodes', from: 3, to: 13 },
    ]);
    expect(r?.effect.after.burstEventsPerSecond).toBe(91000);
  });

  it('offers a true combination when two edits are needed', () => {
    // Sustained 21,000 needs min nodes x per-node rate >= 21,000 and p99 <= 100 ms needs SSD;
    // from 1 HDD node (7,000 events/s, p99 230 ms) no single edit fixes both items at once,
    // but each single edit fixes one, and the plan applies both: SSD and 3 nodes (3 x 9,800 = 29,400).
    const g = applyChanges(graph, spec, [{ kind: 'set', address: 'google_bigtable_instance.hot', attribute: 'cluster.0.num_nodes', from: 12, to: 1 }]).graph;
    const s: Spec = { ...spec, constraints: { ...spec.constraints, burstEventsPerSecond: 1000, sustainedEventsPerSecond: 21000, monthlyBudgetUsd: 1e9, availability: 0.99 } };
    const a = new Advisor(toyEvaluate).advise(g, s, toyEvaluate(g, s));
    const plan = a.recommendations.find((x) => x.scope === 'plan');
    expect(plan?.effect.verdict).toBe('pass');
    // (the plan also adds the dead-letter path this graph lacks for no_data_loss)
    const bigtable = plan!.changes.filter((c) => c.address === 'google_bigtable_instance.hot');
    expect(bigtable.map((c) => [c.attribute, c.to]).sort()).toEqual([['cluster.0.num_nodes', 3], ['cluster.0.storage_type', 'SSD']]);
  });
});
