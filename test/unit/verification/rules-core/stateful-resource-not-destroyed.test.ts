import { verifyGraph } from '../../../../verification/engine/verify';
import { loadInput, loadTerraformJson } from '../../../../verification/graph/load';
import { rule } from '../../../../verification/rules/stateful-resource-not-destroyed';
import { clone, fixture, readFixture, SPEC, TODAY } from '../helpers';
import { check } from './rule-context';

describe('stateful-resource-not-destroyed', () => {
  it('judges a plan whose only change deletes a BigQuery table', () => {
    const graph = loadInput(fixture('plan-delete-bigquery-table.json'));
    expect(check(rule, graph)).toEqual([
      {
        status: 'fail',
        address: 'google_bigquery_table.events_raw',
        observed: 'delete',
        expected: 'no-op, create, update or read',
        message: 'plan deletes google_bigquery_table.events_raw (reason delete_because_no_resource_config): its rows would be lost',
        fix: 'restore the resource to the configuration (or move it with a moved block); if the data is disposable, waive with a reason and an expiry',
      },
    ]);
    const report = verifyGraph(graph, SPEC, { today: TODAY });
    expect(report.verdict).toBe('fail');
    expect(report.results.find((r) => r.rule === rule.id)!.status).toBe('fail');
  });

  it('a replaced Bigtable instance takes its no-op tables with it (by reference and by literal name)', () => {
    const findings = check(rule, loadInput(fixture('plan-replace-bigtable-instance.json')));
    expect(findings.map((f) => `${f.address}:${f.status}`)).toEqual([
      'google_bigtable_instance.hot:fail',
      'google_bigtable_table.events:fail',
      'google_bigtable_table.aggregates:fail',
    ]);
    expect(findings[0].message).toBe(
      'plan replaces google_bigtable_instance.hot (reason replace_because_cannot_update; forced by cluster.0.zone): every table and row in it would be lost',
    );
    expect(findings[1].message).toBe(
      'google_bigtable_instance.hot is replaced by this plan, and google_bigtable_table.events goes with it although its own change is no-op: its rows would be lost',
    );
  });

  it('passes when the same resources are kept', () => {
    const plan = clone(readFixture('plan-replace-bigtable-instance.json')) as { resource_changes: { change: { actions: string[] } }[] };
    plan.resource_changes[0].change.actions = ['update'];
    const findings = check(rule, loadTerraformJson(plan, 'plan.json'));
    expect(findings.map((f) => f.status)).toEqual(['pass', 'pass', 'pass']);
    expect(findings[0].message).toBe('kept (update)');
  });

  it('a waiver accepts a known-disposable deletion', () => {
    const report = verifyGraph(loadInput(fixture('plan-delete-bigquery-table.json')), SPEC, {
      today: TODAY,
      waivers: [{ rule: rule.id, address: 'google_bigquery_table.events_raw', reason: 'table moved to a new dataset; data copied first', expires: '2026-12-10' }],
    });
    expect(report.results.find((r) => r.rule === rule.id)!.status).toBe('waived');
  });

  it('has nothing to judge in a configuration (no plan)', () => {
    expect(check(rule, loadInput(fixture('synth-hand-written/cdk.tf.json')))).toEqual([
      { status: 'pass', message: 'input is a configuration, not a plan: nothing is being destroyed' },
    ]);
  });
});

describe('stateful-resource-not-destroyed: which parent a table belongs to', () => {
  type Plan = {
    planned_values: { root_module: { resources: { address: string; values: Record<string, unknown> }[] } };
    resource_changes: { address: string; change: { after: Record<string, unknown>; after_unknown: Record<string, unknown> } }[];
    configuration: { root_module: { resources: { expressions: Record<string, unknown> }[] } };
  };
  // Two module instances each hold an instance named iot-hot (projects proj-a and proj-b); only ["b"] is replaced.
  const base = () => clone(readFixture('plan-replace-bigtable-module.json')) as Plan;
  const statuses = (plan: unknown) =>
    Object.fromEntries(check(rule, loadTerraformJson(plan, 'plan.json')).map((f) => [f.address, f.status]));

  it('follows the reference edge to the module instance, not the first instance of that name', () => {
    expect(statuses(base())).toEqual({
      'module.hot["a"].google_bigtable_instance.i': 'pass',
      'module.hot["b"].google_bigtable_instance.i': 'fail',
      'google_bigtable_table.t_a': 'pass',
      'google_bigtable_table.t_b': 'fail',
    });
    const t_b = check(rule, loadInput(fixture('plan-replace-bigtable-module.json'))).find((f) => f.address === 'google_bigtable_table.t_b')!;
    expect(t_b.message).toBe(
      'module.hot["b"].google_bigtable_instance.i is replaced by this plan, and google_bigtable_table.t_b goes with it although its own change is no-op: its rows would be lost',
    );
  });

  it('matches a literal instance name by project when there is no reference', () => {
    const plan = base();
    for (const r of plan.configuration.root_module.resources) r.expressions.instance_name = { constant_value: 'iot-hot' };
    expect(statuses(plan)).toMatchObject({ 'google_bigtable_table.t_a': 'pass', 'google_bigtable_table.t_b': 'fail' });
  });

  it('a full instance path names its project', () => {
    const plan = base();
    for (const r of plan.configuration.root_module.resources) r.expressions.instance_name = { constant_value: 'iot-hot' };
    for (const r of [...plan.planned_values.root_module.resources, ...plan.resource_changes.map((c) => ({ address: c.address, values: c.change.after }))]) {
      if (!r.address.startsWith('google_bigtable_table')) continue;
      r.values.instance_name = `projects/${String(r.values.project)}/instances/iot-hot`;
      delete r.values.project;
    }
    expect(statuses(plan)).toMatchObject({ 'google_bigtable_table.t_a': 'pass', 'google_bigtable_table.t_b': 'fail' });
  });

  it('is unknown when the name matches several instances and one of them is destroyed', () => {
    const plan = base();
    for (const r of plan.configuration.root_module.resources) r.expressions.instance_name = { constant_value: 'iot-hot' };
    // The tables' project is computed at apply: either instance could be theirs.
    for (const r of plan.planned_values.root_module.resources) delete r.values.project;
    for (const c of plan.resource_changes) {
      if (!c.address.startsWith('google_bigtable_table')) continue;
      delete c.change.after.project;
      c.change.after_unknown = { project: true };
    }
    const findings = check(rule, loadTerraformJson(plan, 'plan.json'));
    const t_a = findings.find((f) => f.address === 'google_bigtable_table.t_a')!;
    expect(t_a.status).toBe('unknown');
    expect(t_a.message).toBe(
      'instance_name "iot-hot" matches 2 google_bigtable_instance resources (module.hot["a"].google_bigtable_instance.i, module.hot["b"].google_bigtable_instance.i) and module.hot["b"].google_bigtable_instance.i is destroyed by this plan, so google_bigtable_table.t_a may go with it',
    );
    expect(t_a.observed).toBe('no-op (parent ambiguous)');
  });
});

describe('stateful-resource-not-destroyed: topics and buckets', () => {
  const findings = () => check(rule, loadInput(fixture('plan-replace-topic-delete-bucket.json')));

  it('a replaced topic loses its retained messages and detaches its no-op subscription', () => {
    const byAddress = Object.fromEntries(findings().map((f) => [f.address, f]));
    expect(byAddress['google_pubsub_topic.telemetry']).toMatchObject({
      status: 'fail',
      observed: 'delete,create',
      message:
        'plan replaces google_pubsub_topic.telemetry (reason replace_because_cannot_update; forced by kms_key_name): its retained messages (604800s replay window) and every subscription on it (they are detached and receive nothing more) would be lost',
    });
    expect(byAddress['google_pubsub_subscription.speed']).toEqual({
      status: 'fail',
      address: 'google_pubsub_subscription.speed',
      observed: 'no-op (parent replaced)',
      expected: 'kept with its parent',
      message:
        'google_pubsub_topic.telemetry is replaced by this plan, and google_pubsub_subscription.speed is detached from it although its own change is no-op: it receives no event published after that',
      fix: 'keep google_pubsub_topic.telemetry (undo the change forcing its replacement), or recreate google_pubsub_subscription.speed with it (lifecycle replace_triggered_by = [google_pubsub_topic.telemetry]) and waive the lost backlog with a reason',
    });
  });

  it('a deleted bucket loses its objects (the gateway spills accepted events there)', () => {
    expect(findings().find((f) => f.address === 'google_storage_bucket.spill')).toMatchObject({
      status: 'fail',
      observed: 'delete',
      message:
        'plan deletes google_storage_bucket.spill (reason delete_because_no_resource_config): every object in it (unless the bucket is empty the delete fails part way through the apply, as force_destroy is not true) would be lost',
    });
  });

  it('kept topics and buckets pass', () => {
    const plan = clone(readFixture('plan-replace-topic-delete-bucket.json')) as { resource_changes: { change: { actions: string[] } }[] };
    plan.resource_changes[0].change.actions = ['update'];
    plan.resource_changes[2].change.actions = ['no-op'];
    expect(check(rule, loadTerraformJson(plan, 'plan.json')).map((f) => f.status)).toEqual(['pass', 'pass', 'pass']);
  });
});
