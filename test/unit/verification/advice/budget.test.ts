/**
 * The advice budget: re-verifications are counted (the deterministic limit) and guarded by the
 * wall clock; a search the budget cuts says so, names what it left out and how to raise the
 * budget, in the result, the report and every rendering. A search within the budget is the
 * same search as without one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { getEnvironmentConfig } from '../../../../stacks/config';
import { synthesizeConfig } from '../../stacks/synth-helpers';
import { adviseReport, withAdvice } from '../../../../verification/advice';
import { renderAdviceText } from '../../../../verification/advice/render';
import { Advisor } from '../../../../verification/advice/whatif/advise';
import { verifyGraph } from '../../../../verification/engine/verify';
import { loadTerraformJson } from '../../../../verification/graph/load';
import type { Spec } from '../../../../verification/spec/spec';
import type { Evaluator } from '../../../../verification/advice/types';
import { fixtureGraph, FIXTURES } from './support/fixture-graph';
import { toyEvaluate } from './support/toy-evaluator';

const spec: Spec = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'spec-prod.json'), 'utf8'));

describe('advice budget (toy models)', () => {
  const graph = fixtureGraph('anti-patterns.tf.json');
  const before = toyEvaluate(graph, spec);
  const full = new Advisor(toyEvaluate).advise(graph, spec, before);

  it('within the default budget the search is complete and says so', () => {
    expect(full.budget.exhausted).toBe(false);
    expect(full.budget.evaluations).toBe(full.evaluations);
    expect(full.budget.maxEvaluations).toBe(1000);
    expect(full.budget.maxMillis).toBeNull();
    expect(full.budget.note).toBe(`complete within the budget: ${full.evaluations} of 1000 re-verifications`);
  });

  it('a budget the search fits in changes nothing', () => {
    const fitted = new Advisor(toyEvaluate, { maxEvaluations: full.evaluations, maxMillis: 60_000 }).advise(graph, spec, before);
    expect(fitted.recommendations).toEqual(full.recommendations);
    expect(fitted.unfixed).toEqual(full.unfixed);
    expect(fitted.budget.exhausted).toBe(false);
  });

  it('an evaluation budget cut during the single changes lists what was never re-verified', () => {
    const cut = new Advisor(toyEvaluate, { maxEvaluations: 3 }).advise(graph, spec, before);
    expect(cut.evaluations).toBe(3);
    expect(cut.complete).toBe(false);
    const b = cut.budget;
    expect(b).toMatchObject({ exhausted: true, stoppedBy: 'evaluations', stoppedDuring: 'single changes', evaluations: 3, maxEvaluations: 3 });
    // every open item still had candidates waiting; their counts are the candidates left
    expect(b.notEvaluated.length).toBeGreaterThan(0);
    for (const n of b.notEvaluated) {
      expect(['availability', 'latency_p99', 'monthly_cost', 'no_data_loss']).toContain(n.item);
      expect(n.candidates).toBeGreaterThan(0);
    }
    expect(b.notSearched).toContain('plan (not started)');
    expect(b.note).toMatch(/^INCOMPLETE: the advice budget ran out \(stopped at 3 re-verifications, during the single changes\); never re-verified: /);
    expect(b.note).toContain('--advice-evaluations 6');
    // an item with nothing re-verified is "not searched", never "no fix exists"
    for (const u of cut.unfixed) expect(u.reason).toMatch(/budget/);
  });

  it('the wall-clock guard stops the search deterministically under a test clock', () => {
    let t = 0;
    const slow: Evaluator = (g, s) => {
      t += 100;
      return toyEvaluate(g, s);
    };
    const cut = new Advisor(slow, { maxMillis: 250, now: () => t }).advise(graph, spec, before);
    // 0, 100, 200 ms: three re-verifications start before the guard; the fourth would start at 300
    expect(cut.evaluations).toBe(3);
    expect(cut.budget).toMatchObject({ exhausted: true, stoppedBy: 'time', maxMillis: 250, elapsedMs: 300 });
    expect(cut.budget.note).toContain('stopped at the 250 ms time guard, after 3 re-verifications');
    expect(cut.budget.note).toContain('--advice-seconds 1');
  });
});

describe('advice budget (real models, first-proposal)', () => {
  const TODAY = '2026-12-03';
  const config = getEnvironmentConfig('first-proposal');
  const graph = loadTerraformJson(synthesizeConfig(config).json, 'in-memory first-proposal');
  const verifyOptions = { today: TODAY };
  const report = verifyGraph(graph, config.spec, verifyOptions);

  it('a cut budget is in the report and heads the advice: counts, what was left, how to raise it', () => {
    expect(report.verdict).toBe('fail');
    const advised = withAdvice(graph, config.spec, report, { verifyOptions, budget: { maxEvaluations: 12 } });
    const b = advised.adviceBudget!;
    expect(b).toMatchObject({ exhausted: true, stoppedBy: 'evaluations', stoppedDuring: 'single changes', evaluations: 12, maxEvaluations: 12, maxMillis: null });
    const open = advised.specItems.filter((i) => i.status === 'fail' || i.status === 'unknown').map((i) => i.item);
    expect(b.notEvaluated.length).toBeGreaterThan(0);
    for (const n of b.notEvaluated) {
      expect(open).toContain(n.item);
      expect(n.candidates).toBeGreaterThan(0);
    }
    expect(b.notSearched).toContain('plan (not started)');
    expect(advised.recommendations?.some((r) => r.scope === 'plan')).toBe(false);
    const blocks = renderAdviceText(advised);
    expect(blocks[0]?.title).toBe('Advice budget ran out: the advice below is incomplete');
    expect(blocks[0]?.lines[0]).toBe(b.note);
    expect(blocks[0]?.lines).toContain(`    what-if re-verifications: 12 of 12; advice took ${b.elapsedMs} ms`);
    const recs = blocks.find((x) => x.title.startsWith('Recommendations'));
    if (recs) expect(recs.title).toBe('Recommendations (each re-verified on the changed design; INCOMPLETE, see the advice budget)');
  }, 120_000);

  it('the synthesis cut by its evaluation limit is listed too', () => {
    const advice = adviseReport(graph, config.spec, report, { verifyOptions, synthesize: true, budget: { maxEvaluations: 8 } });
    expect(advice.synthesis?.stopped).toBe('evaluations');
    expect(advice.budget.exhausted).toBe(true);
    expect(advice.budget.notSearched.some((s) => s.startsWith('the sizing synthesis (stopped at 8 of '))).toBe(true);
  }, 120_000);

  it('when only the sizing search stopped at its limit, the heading says that, not that the what-if advice is incomplete', () => {
    const b = { maxEvaluations: 1000, maxMillis: 10_000, evaluations: 0, elapsedMs: 5, exhausted: true, stoppedBy: 'evaluations' as const, stoppedDuring: 'synthesis', notEvaluated: [], notSearched: ['the sizing synthesis (stopped at 600 of 3 configurations)'], note: 'n' };
    const passing = { ...report, adviceBudget: b };
    const [head] = renderAdviceText(passing);
    expect(head?.title).toBe('Sizing search stopped at its limit: its answer is the best found, not proven cheapest');
    expect(head?.lines).toContain('    what-if re-verifications: 0 of 1000; time guard 10000 ms; advice took 5 ms');
  });
});

describe('advice budget (CLI options)', () => {
  const { runCli } = require('../../../../verification/cli/run') as typeof import('../../../../verification/cli/run');
  const { generatePlan } = require('../../../../bench/verify-vs-parse') as typeof import('../../../../bench/verify-vs-parse');
  const ROOT = path.join(__dirname, '..', '..', '..', '..');
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'advice-budget-'));
  const plan = path.join(dir, 'plan.json');
  fs.writeFileSync(plan, JSON.stringify(generatePlan(25)));
  const specFile = path.join(ROOT, 'test/fixtures/verification/synth-folder/stacks/prod-ingestion/spec.json');
  const run = (args: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false, cwd: ROOT });
    return { code, stdout, stderr };
  };

  it('--advice-evaluations cuts the search and the JSON report and the table say so', () => {
    const json = run([plan, '--spec', specFile, '--format', 'json', '--advice-evaluations', '2', '--today', '2026-12-03']);
    expect(json.code).toBe(1);
    const b = JSON.parse(json.stdout).adviceBudget;
    expect(b).toMatchObject({ exhausted: true, stoppedBy: 'evaluations', evaluations: 2, maxEvaluations: 2, maxMillis: 10_000 });
    expect(b.note).toContain('--advice-evaluations 4');
    const table = run([plan, '--spec', specFile, '--advice-evaluations', '2', '--today', '2026-12-03']);
    expect(table.stdout).toContain('Advice budget ran out: the advice below is incomplete');
  });

  it('the default budget: 1000 re-verifications, a 10 s time guard; --advice-seconds 0 turns the guard off', () => {
    const b = JSON.parse(run([plan, '--spec', specFile, '--format', 'json', '--today', '2026-12-03']).stdout).adviceBudget;
    expect(b).toMatchObject({ exhausted: false, maxEvaluations: 1000, maxMillis: 10_000 });
    const off = JSON.parse(run([plan, '--spec', specFile, '--format', 'json', '--advice-seconds', '0', '--today', '2026-12-03']).stdout).adviceBudget;
    expect(off.maxMillis).toBeNull();
  });

  it('a bad budget value is one line, exit 2', () => {
    for (const [opt, value] of [['--advice-evaluations', '0'], ['--advice-evaluations', '1.5'], ['--advice-seconds', 'soon'], ['--advice-seconds', '-1']]) {
      const r = run([plan, '--spec', specFile, opt, value]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`error: ${opt} ${value}: expected`);
    }
  });

  it('--help documents both options', () => {
    const help = run(['--help']);
    expect(help.stdout).toContain('--advice-evaluations <n>');
    expect(help.stdout).toContain('--advice-seconds <s>');
  });
});
