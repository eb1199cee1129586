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
