import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../../../verification/engine/errors';
import type { Finding, Rule } from '../../../../verification/engine/types';
import { verifyGraph, verifyPath, verifyTerraformJson } from '../../../../verification/engine/verify';
import { specItemIds } from '../../../../verification/engine/spec-items';
import { loadInput, loadTerraformJson } from '../../../../verification/graph/load';
import type { SpecItemId } from '../../../../verification/spec/spec';
import { rule as deadLetter } from '../../../../verification/rules/dead-letter-policy-present';
import { clone, fixture, readFixture, SPEC, TODAY } from '../helpers';

/** A rule that returns fixed findings for one spec item. */
const stub = (id: string, specItem: SpecItemId, findings: Finding[], severity: Rule['severity'] = 'error'): Rule => ({
  id,
  title: id,
  severity,
  specItem,
  reads: [],
  rationale: 'test stub',
  check: () => findings,
});

/** One passing stub per spec item, so only the rule under test decides the verdict. */
const allItemsPass = () => specItemIds(SPEC).map((item) => stub(`stub-${item.replace(/_/g, '-')}`, item, [{ status: 'pass', message: 'ok' }]));
const graph = loadInput(fixture('plan-dead-letter-pending-root.json'));

describe('verdict', () => {
  it('passes when every spec item is served and every error-severity result passes', () => {
    const report = verifyGraph(graph, SPEC, { today: TODAY, rules: allItemsPass() });
    expect(report.verdict).toBe('pass');
    expect(report.specItems.map((i) => i.status)).toEqual(specItemIds(SPEC).map(() => 'pass'));
    expect(report.specItems).toHaveLength(3 + 3 + 9 + 1);
  });

  it('fails on an error-severity fail, and on an unknown (unknown never passes)', () => {
    for (const status of ['fail', 'unknown'] as const) {
      const rules = [...allItemsPass(), stub('x', 'latency_p99', [{ status, message: 'm', fix: 'f' }])];
      const report = verifyGraph(graph, SPEC, { today: TODAY, rules });
      expect(report.verdict).toBe('fail');
      expect(report.specItems.find((i) => i.item === 'latency_p99')!.status).toBe(status);
    }
  });

  it('a warning-severity failure shows on its spec item but does not fail the verdict', () => {
    const rules = [...allItemsPass(), stub('w', 'security', [{ status: 'fail', message: 'm', fix: 'f' }], 'warning')];
    const report = verifyGraph(graph, SPEC, { today: TODAY, rules });
    expect(report.verdict).toBe('pass');
    expect(report.specItems.find((i) => i.item === 'security')!.status).toBe('fail');
  });

  it('a spec item that no rule evaluates is unknown and fails the verdict', () => {
    const rules = allItemsPass().filter((r) => r.specItem !== 'rto');
    const report = verifyGraph(graph, SPEC, { today: TODAY, rules });
    expect(report.verdict).toBe('fail');
    expect(report.specItems.find((i) => i.item === 'rto')).toMatchObject({ status: 'unknown' });
    expect(report.specItems.find((i) => i.item === 'rto')!.summary).toContain('no rule evaluates it');
  });

  it('a rule that throws yields unknown, and the other rules still run', () => {
    const boom: Rule = { ...stub('boom', 'security', []), check: () => { throw new Error('bad attr'); } };
    const report = verifyGraph(graph, SPEC, { today: TODAY, rules: [...allItemsPass(), boom] });
    expect(report.results.find((r) => r.rule === 'boom')).toMatchObject({ status: 'unknown', message: 'rule could not run: bad attr' });
    expect(report.verdict).toBe('fail');
  });

  it('results come worst first, then by rule id and address', () => {
    const rules = [...allItemsPass(), stub('b', 'security', [{ status: 'fail', address: 'z', message: 'm' }, { status: 'fail', address: 'a', message: 'm' }])];
    const report = verifyGraph(graph, SPEC, { today: TODAY, rules });
    expect(report.results.slice(0, 2).map((r) => `${r.rule}:${r.address}`)).toEqual(['b:a', 'b:z']);
  });
});

describe('waivers', () => {
  const failing = () => [...allItemsPass(), stub('data-loss', 'no_data_loss', [{ status: 'fail', address: 'google_x.y', message: 'gone', fix: 'keep it' }])];

  it('a current waiver turns the failure into waived and the verdict passes', () => {
    const report = verifyGraph(graph, SPEC, {
      today: TODAY,
      rules: failing(),
      waivers: [{ rule: 'data-loss', address: 'google_x.y', reason: 'scratch data, rebuilt nightly', expires: '2026-12-31' }],
    });
    expect(report.results.find((r) => r.rule === 'data-loss')).toMatchObject({ status: 'waived', waiver: { reason: 'scratch data, rebuilt nightly', expires: '2026-12-31' } });
    expect(report.verdict).toBe('pass');
  });

  it('an expired waiver applies to nothing and is itself a failure', () => {
    const report = verifyGraph(graph, SPEC, {
      today: TODAY,
      rules: failing(),
      waivers: [{ rule: 'data-loss', address: '*', reason: 'scratch data, rebuilt nightly', expires: '2026-12-02' }],
    });
    expect(report.results.find((r) => r.rule === 'data-loss')!.status).toBe('fail');
    expect(report.results.find((r) => r.rule === 'waiver-expired')).toMatchObject({
      status: 'fail',
      severity: 'error',
      specItem: 'no_data_loss',
      message: 'waiver for data-loss at * expired on 2026-12-02 (reason given: scratch data, rebuilt nightly)',
    });
    expect(report.verdict).toBe('fail');
  });

  it('an unused waiver or one for an unknown rule is a warning', () => {
    const report = verifyGraph(graph, SPEC, {
      today: TODAY,
      rules: allItemsPass(),
      waivers: [{ rule: 'no-such-rule', address: '*', reason: 'left over from a refactor', expires: '2027-01-01' }],
    });
    expect(report.warnings).toContain('waiver for no-such-rule at *: no rule has that id');
    expect(report.warnings).toContain('waiver for no-such-rule at * matched no failing result; remove it');
  });
});

describe('the same verdict before and after apply', () => {
  it('gives the same statuses for the pending plan and the applied (no-op) plan of one configuration', () => {
    const before = readFixture('plan-dead-letter-pending-root.json') as {
      planned_values: { root_module: { resources: { address: string; values: Record<string, unknown> }[] } };
      resource_changes: { address: string; change: { actions: string[]; before: unknown; after: Record<string, unknown>; after_unknown: unknown } }[];
    };
    const after = clone(before);
    const topicId = 'projects/iot-prod/topics/telemetry-dead-letter';
    for (const rc of after.resource_changes) {
      rc.change.actions = ['no-op'];
      rc.change.after_unknown = {};
      if (rc.address === 'google_pubsub_subscription.speed') {
        rc.change.after.dead_letter_policy = [{ dead_letter_topic: topicId, max_delivery_attempts: 5 }];
        rc.change.after.topic = 'projects/iot-prod/topics/telemetry';
      }
      rc.change.before = rc.change.after;
    }
    for (const r of after.planned_values.root_module.resources) {
      const rc = after.resource_changes.find((c) => c.address === r.address)!;
      r.values = rc.change.after;
    }
    const rules = [...allItemsPass(), deadLetter];
    const a = verifyGraph(loadTerraformJson(before, 'before.json'), SPEC, { today: TODAY, rules });
    const b = verifyGraph(loadTerraformJson(after, 'after.json'), SPEC, { today: TODAY, rules });
    expect(b.verdict).toBe(a.verdict);
    const statuses = (r: typeof a) => r.results.map((x) => `${x.rule}|${x.address}|${x.status}`);
    expect(statuses(b)).toEqual(statuses(a));
    expect(a.results.find((r) => r.rule === deadLetter.id)!.message).toBe('dead-letter present, topic pending (max 5 delivery attempts)');
    expect(b.results.find((r) => r.rule === deadLetter.id)!.message).toBe(`dead-letter present, topic ${topicId} (max 5 delivery attempts)`);
  });
});

describe('entry points', () => {
  it('verifyTerraformJson takes an in-memory document and the spec', () => {
    const report = verifyTerraformJson(readFixture('synth-hand-written/cdk.tf.json'), { spec: SPEC, sourcePath: 'mem', today: TODAY });
    expect(report.input).toMatchObject({ kind: 'cdk-tf-json', path: 'mem', resources: 27 });
    expect(report.components.map((c) => c.id)).toEqual(['ingestion', 'stream-processing', 'hot-storage', 'cold-storage', 'analytics', 'dashboard', 'monitoring']);
  });

  it('verifyTerraformJson rejects an invalid spec with one line', () => {
    const bad = { ...clone(SPEC), constraints: { ...SPEC.constraints, latencyP99Ms: 'fast' } };
    expect(() => verifyTerraformJson({ resource: {} }, { spec: bad as never })).toThrow(
      new InputError('spec: invalid spec at constraints.latencyP99Ms: Invalid input: expected number, received string'),
    );
  });

  it('verifyPath finds spec.json beside the input (a synth folder or a plan), and asks for one when there is none', () => {
    const report = verifyPath(fixture('synth-folder'), { today: TODAY, rules: [deadLetter] });
    expect(report.spec.environment).toBe('prod');
    expect(report.input.stackOf).toEqual({ 'google_pubsub_subscription.speed': 'prod-processing' });
    expect(verifyPath(fixture('plan-delete-bigquery-table.json'), { today: TODAY, rules: [deadLetter] }).spec.environment).toBe('prod');
    const lone = join(mkdtempSync(join(tmpdir(), 'spec-')), 'plan.json');
    writeFileSync(lone, readFileSync(fixture('plan-delete-bigquery-table.json')));
    expect(() => verifyPath(lone)).toThrow(`${lone}: no spec found (no spec.json beside the input); pass one with --spec`);
    const dir = mkdtempSync(join(tmpdir(), 'spec-'));
    writeFileSync(join(dir, 'cdk.tf.json'), '{"resource": {}}');
    writeFileSync(join(dir, 'spec.json'), '{"version": 2}');
    expect(() => verifyPath(dir)).toThrow(`${join(dir, 'spec.json')}: invalid spec at version: Invalid input: expected 1`);
  });
});

describe('a plan that deletes a BigQuery table', () => {
  it('names the way back (time travel within the dataset window) while the RPO stays unbounded: it takes an operator in time', () => {
    const r = verifyPath(fixture('plan-delete-bigquery-table.json'), { spec: SPEC, today: TODAY });
    const s = r.dr.scenarios.find((x) => x.scenario === 'operator-error' && x.address === 'google_bigquery_table.events_raw')!;
    expect([s.rpoMinutes, s.rtoMinutes]).toEqual([null, null]);
    expect(s.basis).toBe('the plan deletes this table: its rows are lost unless an operator restores the table from time travel (a copy as of before the delete) within 168 h (max_time_travel_hours, default)');
  });
});

describe('DR fixes inside modules', () => {
  it('a Bigtable instance under module.hot["a"] gets the Bigtable fix: the type comes from the graph, not from parsing the address', () => {
    const r = verifyPath(fixture('plan-replace-bigtable-module.json'), { spec: SPEC, today: TODAY });
    const f = r.results.find((x) => x.rule === 'rto-within-bound' && x.address === 'module.hot["a"].google_bigtable_instance.i' && /zone-loss/.test(x.message))!;
    expect(f.fix).toBe('add a cluster in a second zone and route with multi-cluster routing (an app profile), so the instance serves from the other zone');
  });
});
